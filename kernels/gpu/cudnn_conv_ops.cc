// Conv2D, DepthwiseConv2dNative and their input and filter gradients on the
// GPU through cuDNN (cudnn_conv.h), float32, NHWC, with the CPU kernels'
// shape checks and messages (kernels/common/conv_shape.h): strides,
// dilations, SAME / VALID / EXPLICIT padding (asymmetric padding: Note
// [Asymmetric padding and filter layout for cuDNN]).
//
// The gradients' sizes input (input_sizes, filter_sizes) is taken in its
// float32 form only (graphrt's gradients pass the forward tensor: its shape
// is known on the host). TF's int32 [4] form would hold the sizes in device
// memory, read back with a host wait; such nodes keep their CPU kernel.
// Empty tensors: an empty output launches nothing; an empty reduction
// (zero input channels, an empty batch) gives zeros.
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/gpu/cudnn_conv.h"
#include "kernels/gpu/cudnn_conv_algo.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

class CudnnConvOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(attrs_, ReadWindowAttrs(c.node().attrs(), {.dilations = true}));
    depthwise_ = op().starts_with("Depthwise");
    pass_ = op().ends_with("BackpropInput")    ? ConvPass::kBackwardData
            : op().ends_with("BackpropFilter") ? ConvPass::kBackwardFilter
                                               : ConvPass::kForward;
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    switch (pass_) {
      case ConvPass::kForward: {
        const Tensor& x = ctx.input(0);
        const Tensor& f = ctx.input(1);
        ASSIGN_OR_RETURN(ConvGeometry g,
                         MakeConvGeometry(attrs_, x.shape(), f.shape(), depthwise_));
        ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, g.output_shape()));
        ASSIGN_OR_RETURN(bool run, Prepare(ctx, g, *y));
        if (!run) return absl::OkStatus();
        ASSIGN_OR_RETURN(auto conv, CudnnConv::Make(ctx, g, depthwise_));
        return conv->Forward(x.device_data<float>(), f.device_data<float>(),
                             y->device_data<float>());
      }
      case ConvPass::kBackwardData: {
        ASSIGN_OR_RETURN(TensorShape in_shape, SizesInputShape(ctx.input(0), "input_sizes"));
        const Tensor& f = ctx.input(1);
        const Tensor& dy = ctx.input(2);
        ASSIGN_OR_RETURN(ConvGeometry g, MakeConvGeometry(attrs_, in_shape, f.shape(), depthwise_));
        RETURN_IF_ERROR(CheckOutBackprop(g, dy.shape()));
        ASSIGN_OR_RETURN(Tensor * dx, ctx.allocate_output(0, in_shape));
        ASSIGN_OR_RETURN(bool run, Prepare(ctx, g, *dx));
        if (!run) return absl::OkStatus();
        ASSIGN_OR_RETURN(auto conv, CudnnConv::Make(ctx, g, depthwise_));
        return conv->BackwardData(f.device_data<float>(), dy.device_data<float>(),
                                  dx->device_data<float>());
      }
      case ConvPass::kBackwardFilter: {
        const Tensor& x = ctx.input(0);
        ASSIGN_OR_RETURN(TensorShape f_shape, SizesInputShape(ctx.input(1), "filter_sizes"));
        const Tensor& dy = ctx.input(2);
        ASSIGN_OR_RETURN(ConvGeometry g, MakeConvGeometry(attrs_, x.shape(), f_shape, depthwise_));
        RETURN_IF_ERROR(CheckOutBackprop(g, dy.shape()));
        ASSIGN_OR_RETURN(Tensor * df, ctx.allocate_output(0, f_shape));
        ASSIGN_OR_RETURN(bool run, Prepare(ctx, g, *df));
        if (!run) return absl::OkStatus();
        ASSIGN_OR_RETURN(auto conv, CudnnConv::Make(ctx, g, depthwise_));
        return conv->BackwardFilter(x.device_data<float>(), dy.device_data<float>(),
                                    df->device_data<float>());
      }
    }
    return absl::InternalError("unknown convolution pass");
  }

 private:
  // False when there is nothing for cuDNN to do: `out` is empty, or some
  // operand is (then `out`, a sum of nothing, is zeroed on the stream).
  static absl::StatusOr<bool> Prepare(OpKernelContext& ctx, const ConvGeometry& g, Tensor& out) {
    if (out.num_elements() == 0) return false;
    if (g.input_shape().num_elements() > 0 && g.filter_shape().num_elements() > 0 &&
        g.output_shape().num_elements() > 0) {
      return true;
    }
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    RETURN_IF_ERROR(ZeroOnStream(*device, out, "zeroing a convolution over an empty operand"));
    return false;
  }

  WindowAttrs attrs_;
  bool depthwise_ = false;
  ConvPass pass_ = ConvPass::kForward;
};

}  // namespace

void RegisterCudnnConvGpuKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> f32 = {{"T", {DataType::kFloat32}}};
  const std::vector<TypeConstraint> f32_sizes = {{"T", {DataType::kFloat32}},
                                                 {"Tsizes", {DataType::kFloat32}}};
  r.Register<CudnnConvOp>("Conv2D", kDeviceGpu, f32);
  r.Register<CudnnConvOp>("DepthwiseConv2dNative", kDeviceGpu, f32);
  for (const char* op : {"Conv2DBackpropInput", "Conv2DBackpropFilter",
                         "DepthwiseConv2dNativeBackpropInput",
                         "DepthwiseConv2dNativeBackpropFilter"}) {
    r.Register<CudnnConvOp>(op, kDeviceGpu, f32_sizes);
  }
}

}  // namespace graphrt
