// MaxPool, AvgPool, MaxPoolGrad and AvgPoolGrad on the GPU through cuDNN's
// pooling, float32, NHWC, with the CPU kernels' shape checks
// (kernels/common/conv_shape.h: MakePoolGeometry). MaxPool routes each
// gradient to its window's maximum (CUDNN_POOLING_MAX_DETERMINISTIC); NaN
// never wins a window (CUDNN_NOT_PROPAGATE_NAN, as the CPU kernel). AvgPool
// divides by the window's cells inside the input, never counting padding
// (TF's rule; CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING).
//
// Padding: cuDNN pads both sides alike. The symmetric part goes to cuDNN;
// the rest (SAME's odd row after, or MaxPool's EXPLICIT padding) is made
// real by copying the input into a padded scratch tensor: -inf for MaxPool,
// zeros for AvgPool, which then needs Note [AvgPool's asymmetric padding
// through cuDNN]. Gradients are computed for the padded input and cropped.
//
// AvgPoolGrad's orig_input_shape is taken in its float32 form only (shape
// known on the host); the int32 form keeps the CPU kernel.
//
// Note [AvgPool's asymmetric padding through cuDNN]
// Rationale: with explicit zero rows, cuDNN's EXCLUDE_PADDING divides a
// window's sum by the cells inside the padded tensor, counting those zeros.
// Approach: multiply each output by counted / real cells of its window
// (cudnn_kernels.h: LaunchAvgPoolRescale); for the gradient, scale dy the
// same way before cuDNN's backward, so every input cell receives dy / real.
// Limitations: one extra elementwise pass, only for asymmetric shapes.
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/conv_shape.h"
#include "kernels/gpu/cudnn_kernels.h"
#include "kernels/gpu/cudnn_padding.h"
#include "kernels/gpu/cudnn_util.h"
#include "kernels/gpu/fill.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

absl::Status CheckShape(const char* what, const TensorShape& got, const TensorShape& want) {
  if (got == want) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " ", got.DebugString(), " must have the shape ", want.DebugString()));
}

// One pooling call's cuDNN setup: descriptors and the padding split.
class CudnnPool {
 public:
  CudnnPool(OpKernelContext& ctx, CudaDevice& device, const PoolGeometry& g, bool max)
      : ctx_(ctx), device_(device), g_(g), max_(max) {}

  absl::Status Init() {
    const std::string& node = ctx_.node_name();
    const PaddingSplit split_h =
        SplitPadding(g_.in_h, g_.out_h, g_.window_h, g_.stride_h, g_.pad_top);
    const PaddingSplit split_w =
        SplitPadding(g_.in_w, g_.out_w, g_.window_w, g_.stride_w, g_.pad_left);
    sym_h_ = split_h.symmetric;
    sym_w_ = split_w.symmetric;
    top_ = split_h.extra_before;
    left_ = split_w.extra_before;
    padded_ = TensorShape{g_.batch, g_.in_h + split_h.extra_before + split_h.extra_after,
                          g_.in_w + split_w.extra_before + split_w.extra_after, g_.channels};
    constexpr int64_t kMax = std::numeric_limits<int>::max();
    if (g_.window_h > kMax || g_.window_w > kMax || g_.stride_h > kMax || g_.stride_w > kMax) {
      return absl::UnimplementedError(
          absl::StrCat("node '", node, "': cuDNN takes pooling windows below 2^31"));
    }
    RETURN_IF_ERROR(SetNhwc(x_desc_, padded_.dim(0), padded_.dim(1), padded_.dim(2),
                            padded_.dim(3), node));
    RETURN_IF_ERROR(SetNhwc(y_desc_, g_.batch, g_.out_h, g_.out_w, g_.channels, node));
    RETURN_IF_ERROR(pool_desc_.Create("cudnnCreatePoolingDescriptor", node));
    RETURN_IF_ERROR(Check(
        cudnnSetPooling2dDescriptor(
            pool_desc_.get(),
            max_ ? CUDNN_POOLING_MAX_DETERMINISTIC : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING,
            CUDNN_NOT_PROPAGATE_NAN, static_cast<int>(g_.window_h), static_cast<int>(g_.window_w),
            static_cast<int>(sym_h_), static_cast<int>(sym_w_), static_cast<int>(g_.stride_h),
            static_cast<int>(g_.stride_w)),
        "cudnnSetPooling2dDescriptor"));
    int n = 0, c = 0, h = 0, w = 0;
    RETURN_IF_ERROR(
        Check(cudnnGetPooling2dForwardOutputDim(pool_desc_.get(), x_desc_.get(), &n, &c, &h, &w),
              "cudnnGetPooling2dForwardOutputDim"));
    if (n != g_.batch || c != g_.channels || h != g_.out_h || w != g_.out_w) {
      return absl::InternalError(absl::StrCat("node '", node, "': cuDNN's pooled output [", n,
                                              ", ", h, ", ", w, ", ", c, "] differs from ",
                                              g_.output_shape().DebugString(), " for ",
                                              Describe()));
    }
    return absl::OkStatus();
  }

  bool padded() const { return padded_ != g_.input_shape(); }

  // x, or its padded copy (-inf or 0 outside) in `storage`.
  absl::StatusOr<const float*> PaddedInput(const float* x, Tensor& storage) {
    if (!padded()) return x;
    Tensor fill;
    const float* fill_ptr = nullptr;
    if (max_) {
      ASSIGN_OR_RETURN(fill, Scratch(ctx_, TensorShape{1}));
      LaunchFill(fill.device_data<float>(), 1, -std::numeric_limits<float>::infinity(),
                 device_.stream());
      RETURN_IF_ERROR(CheckLaunch("the -inf fill of MaxPool's padding"));
      fill_ptr = fill.device_data<float>();
    }
    ASSIGN_OR_RETURN(storage, Scratch(ctx_, padded_));
    RETURN_IF_ERROR(CopyNhwcBox(device_, x, g_.input_shape(), storage.device_data<float>(),
                                padded_, top_, left_, fill_ptr, ctx_.node_name()));
    return storage.device_data<float>();
  }

  // Note [AvgPool's asymmetric padding through cuDNN].
  absl::Status Rescale(float* v) {
    if (max_ || !padded()) return absl::OkStatus();
    AvgPoolCounts p;
    p.n = g_.batch;
    p.out_h = g_.out_h;
    p.out_w = g_.out_w;
    p.c = g_.channels;
    p.window_h = g_.window_h;
    p.window_w = g_.window_w;
    p.stride_h = g_.stride_h;
    p.stride_w = g_.stride_w;
    p.sym_h = sym_h_;
    p.sym_w = sym_w_;
    p.padded_h = padded_.dim(1);
    p.padded_w = padded_.dim(2);
    p.top = top_;
    p.left = left_;
    p.in_h = g_.in_h;
    p.in_w = g_.in_w;
    LaunchAvgPoolRescale(v, p, device_.stream());
    return CheckLaunch("AvgPool's padding rescale");
  }

  absl::Status Forward(const float* x, float* y) {
    Tensor padded_x;
    ASSIGN_OR_RETURN(const float* xp, PaddedInput(x, padded_x));
    ASSIGN_OR_RETURN(CudnnService * service, CudnnService::Of(device_, ctx_.node_name()));
    {
      std::unique_ptr<CudnnHandle> handle = service->Lock();
      const float alpha = 1.0f, beta = 0.0f;
      RETURN_IF_ERROR(Check(cudnnPoolingForward(handle->get(), pool_desc_.get(), &alpha,
                                                x_desc_.get(), xp, &beta, y_desc_.get(), y),
                            "cudnnPoolingForward"));
    }
    return Rescale(y);
  }

  // x and y: the forward's input and output for MaxPool. AvgPoolGrad has
  // neither: the caller passes dy and dx in their places, on the assumption
  // (not yet seen on a GPU: docs/gpu.md) that average pooling's backward
  // reads only dy, as its formula does.
  absl::Status Backward(const float* x, const float* y, const float* dy, float* dx) {
    Tensor padded_x, scaled_dy, padded_dx;
    const float* xp = x;
    if (max_) {
      ASSIGN_OR_RETURN(xp, PaddedInput(x, padded_x));
    }
    if (!max_ && padded()) {
      ASSIGN_OR_RETURN(scaled_dy, Scratch(ctx_, g_.output_shape()));
      RETURN_IF_ERROR(CopyOnStream(device_, scaled_dy.raw_data(), dy, scaled_dy.TotalBytes(),
                                   "AvgPoolGrad's scaled gradient"));
      RETURN_IF_ERROR(Rescale(scaled_dy.device_data<float>()));
      dy = scaled_dy.device_data<float>();
      y = dy;
    }
    float* dxp = dx;
    if (padded()) {
      ASSIGN_OR_RETURN(padded_dx, Scratch(ctx_, padded_));
      dxp = padded_dx.device_data<float>();
      if (!max_) xp = dxp;
    }
    ASSIGN_OR_RETURN(CudnnService * service, CudnnService::Of(device_, ctx_.node_name()));
    {
      std::unique_ptr<CudnnHandle> handle = service->Lock();
      const float alpha = 1.0f, beta = 0.0f;
      RETURN_IF_ERROR(Check(
          cudnnPoolingBackward(handle->get(), pool_desc_.get(), &alpha, y_desc_.get(), y,
                               y_desc_.get(), dy, x_desc_.get(), xp, &beta, x_desc_.get(), dxp),
          "cudnnPoolingBackward"));
    }
    if (!padded()) return absl::OkStatus();
    return CopyNhwcBox(device_, dxp, padded_, dx, g_.input_shape(), -top_, -left_, nullptr,
                       ctx_.node_name());
  }

 private:
  // CudnnStatus naming the node and Describe(), formatted only on failure.
  absl::Status Check(cudnnStatus_t s, const char* call) const {
    if (s == CUDNN_STATUS_SUCCESS) return absl::OkStatus();
    return CudnnStatus(s, call, ctx_.node_name(), Describe());
  }

  std::string Describe() const {
    return absl::StrCat(max_ ? "max" : "average", " pool of input ",
                        g_.input_shape().DebugString(), ", window ", g_.window_h, "x",
                        g_.window_w, ", strides ", g_.stride_h, "x", g_.stride_w,
                        ", cuDNN padding ", sym_h_, "x", sym_w_, ", padded input ",
                        padded_.DebugString());
  }

  OpKernelContext& ctx_;
  CudaDevice& device_;
  const PoolGeometry g_;
  const bool max_;
  int64_t sym_h_ = 0, sym_w_ = 0, top_ = 0, left_ = 0;
  TensorShape padded_;
  TensorDescriptor x_desc_, y_desc_;
  PoolDescriptor pool_desc_;
};

class CudnnPoolOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    max_ = op().starts_with("Max");
    grad_ = op().ends_with("Grad");
    ASSIGN_OR_RETURN(attrs_, ReadWindowAttrs(c.node().attrs(),
                                             {.ksize = true, .explicit_padding = max_}));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    TensorShape in_shape;
    if (grad_ && !max_) {
      ASSIGN_OR_RETURN(in_shape, SizesInputShape(ctx.input(0), "orig_input_shape"));
    } else {
      in_shape = ctx.input(0).shape();
    }
    ASSIGN_OR_RETURN(PoolGeometry g, MakePoolGeometry(attrs_, in_shape));
    const Tensor* dy = nullptr;
    if (grad_) {
      if (max_) RETURN_IF_ERROR(CheckShape("orig_output", ctx.input(1).shape(), g.output_shape()));
      dy = &ctx.input(max_ ? 2 : 1);
      RETURN_IF_ERROR(CheckShape("grad", dy->shape(), g.output_shape()));
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, grad_ ? in_shape : g.output_shape()));
    if (out->num_elements() == 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    // An empty output with a non-empty input cannot happen (windows fit).
    if (g.output_shape().num_elements() == 0) return ZeroOnStream(*device, *out, "an empty pool");
    CudnnPool pool(ctx, *device, g, max_);
    RETURN_IF_ERROR(pool.Init());
    if (!grad_) return pool.Forward(ctx.input(0).device_data<float>(), out->device_data<float>());
    if (max_) {
      return pool.Backward(ctx.input(0).device_data<float>(), ctx.input(1).device_data<float>(),
                           dy->device_data<float>(), out->device_data<float>());
    }
    return pool.Backward(out->device_data<float>(), dy->device_data<float>(),
                         dy->device_data<float>(), out->device_data<float>());
  }

 private:
  WindowAttrs attrs_;
  bool max_ = false;
  bool grad_ = false;
};

}  // namespace

void RegisterCudnnPoolGpuKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> f32 = {{"T", {DataType::kFloat32}}};
  r.Register<CudnnPoolOp>("MaxPool", kDeviceGpu, f32);
  r.Register<CudnnPoolOp>("AvgPool", kDeviceGpu, f32);
  r.Register<CudnnPoolOp>("MaxPoolGrad", kDeviceGpu, f32);
  r.Register<CudnnPoolOp>("AvgPoolGrad", kDeviceGpu,
                          {{"T", {DataType::kFloat32}}, {"Tsizes", {DataType::kFloat32}}});
}

}  // namespace graphrt
