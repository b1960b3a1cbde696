// One NHWC convolution as cuDNN runs it, for the kernels of
// cudnn_conv_ops.cc (Conv2D, DepthwiseConv2dNative and their input and filter
// gradients): the cuDNN descriptors of a ConvGeometry
// (kernels/common/conv_shape.h), the layout changes around them, the
// algorithm choice (Note [cuDNN algorithm choice and workspace]) and the
// three passes.
//
// Note [Asymmetric padding and filter layout for cuDNN]
// Padding: cuDNN pads both sides of a dimension alike, while TF's SAME puts
// the odd row/column after, and EXPLICIT padding may be anything. The
// symmetric part (the smaller side) goes to cuDNN; the rest is made real: the
// input is copied into a zero-padded scratch tensor (forward, filter
// gradient) or the input gradient is computed for the padded shape and
// cropped (input gradient). Cost: one copy of the input, only for
// asymmetric shapes. Rows a VALID window never reaches are simply not padded
// (the split: cudnn_padding.h, checked against TF's rules without a GPU).
// Filter: graphrt's filter is [FH, FW, IC, OC] (TF's HWIO); cuDNN's NHWC
// filter format is [OC, FH, FW, IC] (KRSC). The filter is transposed into a
// scratch tensor before the forward and input-gradient passes, and the filter
// gradient is computed as KRSC and transposed back.
// Depthwise: a grouped convolution with groups = C, IC/groups = 1 and
// OC = C * M; output channel c * M + m belongs to group c, as in TF, so the
// [FH, FW, C, M] filter is the [FH, FW, 1, C * M] filter of that grouping.
//
// Errors name the node: INTERNAL for a cuDNN error (the call), UNIMPLEMENTED
// for tensors of 2^31 elements or more, RESOURCE_EXHAUSTED when neither the
// chosen algorithm's workspace nor a scratch tensor fits.
// Thread-safety: a CudnnConv is used by one kernel call.
#ifndef GRAPHRT_KERNELS_GPU_CUDNN_CONV_H_
#define GRAPHRT_KERNELS_GPU_CUDNN_CONV_H_

#include <string>

#include "kernels/common/conv_shape.h"
#include "kernels/gpu/cudnn_util.h"

namespace graphrt {

class CudnnConv {
 public:
  // Descriptors for `g` (depthwise: grouped by input channel) on the node's
  // device. Nothing is launched.
  static absl::StatusOr<std::unique_ptr<CudnnConv>> Make(OpKernelContext& ctx,
                                                         const ConvGeometry& g, bool depthwise);

  // y = conv(x, filter); dx = conv_input_grad(filter, dy); dfilter =
  // conv_filter_grad(x, dy). Device pointers of the geometry's shapes
  // (graphrt layouts: NHWC, [FH, FW, IC, OC]); the output is overwritten.
  absl::Status Forward(const float* x, const float* filter, float* y);
  absl::Status BackwardData(const float* filter, const float* dy, float* dx);
  absl::Status BackwardFilter(const float* x, const float* dy, float* dfilter);

 private:
  CudnnConv(OpKernelContext& ctx, CudaDevice& device, CudnnService& service, ConvGeometry g,
            bool depthwise)
      : ctx_(ctx), device_(device), service_(service), g_(g), depthwise_(depthwise) {}
  absl::Status Init();
  bool padded() const { return extra_top_ + extra_bottom_ + extra_left_ + extra_right_ > 0; }
  TensorShape padded_shape() const {
    return TensorShape{g_.batch, g_.in_h + extra_top_ + extra_bottom_,
                       g_.in_w + extra_left_ + extra_right_, g_.in_c};
  }
  // x, or a zero-padded copy of it in `storage`.
  absl::StatusOr<const float*> PaddedInput(const float* x, Tensor& storage);
  // The filter as [OC, FH, FW, IC/groups] in `storage`, or back.
  absl::Status FilterToCudnn(const float* filter, Tensor& storage);
  absl::Status FilterFromCudnn(const float* cudnn_filter, float* filter);
  // The cached (or newly chosen) algorithm of `pass`.
  absl::StatusOr<ConvAlgo> Algorithm(ConvPass pass, cudnnHandle_t h);
  // Workspace for `algo`: `storage` holds it, or algo falls back to one
  // that needs none when the allocation fails. Sets *bytes.
  absl::Status Workspace(ConvPass pass, cudnnHandle_t h, ConvAlgo& algo, Tensor& storage,
                         size_t* bytes);
  std::string Describe() const;
  // CudnnStatus(s, call, node, Describe()), formatting the description only
  // on failure: it is not worth building on every call of every step.
  absl::Status Check(cudnnStatus_t s, const char* call) const;

  OpKernelContext& ctx_;
  CudaDevice& device_;
  CudnnService& service_;
  const ConvGeometry g_;
  const bool depthwise_;
  int64_t groups_ = 1;
  int64_t pad_h_ = 0, pad_w_ = 0;  // the symmetric part, cuDNN's
  int64_t extra_top_ = 0, extra_bottom_ = 0, extra_left_ = 0, extra_right_ = 0;
  TensorDescriptor x_desc_, y_desc_;
  FilterDescriptor w_desc_;
  ConvDescriptor conv_desc_;
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_CUDNN_CONV_H_
