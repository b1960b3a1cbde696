// FusedBatchNormV3 (training and inference) and FusedBatchNormGradV3 on the
// GPU through cuDNN's spatial batch norm (CUDNN_BATCHNORM_SPATIAL: one mean
// and variance per channel over N, H, W), float32, NHWC, with the outputs as
// graphrt's op def lays them out (core/graph/ops/batch_norm_ops.h), the same
// as the CPU kernel's so that a forward on one device and its gradient on
// another agree:
//   training:  y; batch_mean/batch_variance = the running statistics updated
//              with exponential_avg_factor (cuDNN's running variance is the
//              unbiased one, as TF's); reserve_space_1 = the batch mean,
//              reserve_space_2 = the batch's biased variance (cuDNN keeps
//              1 / sqrt(v + epsilon): converted, cudnn_kernels.h);
//   inference: y from the given mean and variance, which are also
//              batch_mean/batch_variance and reserve_space_1/2;
//   reserve_space_3: a scalar 0.
// The gradient in training mode is cuDNN's, given the saved mean and the
// inverse standard deviation made from reserve_space_2; in inference mode
// (constant statistics) it is an own kernel (cudnn_kernels.h).
//
// Not covered (UNIMPLEMENTED naming the node; the CPU kernel handles them):
// a training batch with no rows (N * H * W = 0) and more than 2^31 elements.
// A training batch of one row gives cuDNN's running variance (n / (n - 1)
// undefined) where the CPU keeps the factor 1.
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/batch_norm_checks.h"
#include "kernels/gpu/cudnn_kernels.h"
#include "kernels/gpu/cudnn_util.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

absl::Status CheckFormat(const OpKernelConstruction& c) {
  ASSIGN_OR_RETURN(std::string format, c.attr<std::string>("data_format"));
  if (format != "NHWC") {
    return absl::InvalidArgumentError(absl::StrCat(
        "data_format ", format, " is not supported: graphrt's kernels are NHWC only"));
  }
  return absl::OkStatus();
}

// The x descriptor and the per-channel one cuDNN derives from it.
struct BnDescriptors {
  TensorDescriptor x, channel;
};
absl::Status MakeDescriptors(const Tensor& x, const std::string& node, BnDescriptors& d) {
  RETURN_IF_ERROR(SetNhwc(d.x, x.dim(0), x.dim(1), x.dim(2), x.dim(3), node));
  RETURN_IF_ERROR(d.channel.Create("cudnnCreateTensorDescriptor", node));
  return CudnnStatus(cudnnDeriveBNTensorDescriptor(d.channel.get(), d.x.get(),
                                                   CUDNN_BATCHNORM_SPATIAL),
                     "cudnnDeriveBNTensorDescriptor", node, x.ShapeString());
}

absl::Status NoRows(const std::string& node, const Tensor& x) {
  return absl::UnimplementedError(absl::StrCat(
      "node '", node, "': batch norm training over an empty batch (x ", x.ShapeString(),
      ") is not run on the GPU; place the node on the CPU"));
}

class CudnnBatchNormOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    RETURN_IF_ERROR(CheckFormat(c));
    ASSIGN_OR_RETURN(epsilon_, c.attr<float>("epsilon"));
    ASSIGN_OR_RETURN(factor_, c.attr<float>("exponential_avg_factor"));
    ASSIGN_OR_RETURN(training_, c.attr<bool>("is_training"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const std::string& node = ctx.node_name();
    const Tensor& x = ctx.input(0);
    RETURN_IF_ERROR(CheckBatchNormX(x, "x"));
    const int64_t c = x.dim(3);
    const int64_t rows = c == 0 ? 0 : x.num_elements() / c;
    const bool may_be_empty = training_ && factor_ == 1.0f;
    RETURN_IF_ERROR(CheckChannelVector(ctx.input(1), "scale", c));
    RETURN_IF_ERROR(CheckChannelVector(ctx.input(2), "offset", c));
    RETURN_IF_ERROR(CheckChannelVector(ctx.input(3), "mean", c, may_be_empty));
    RETURN_IF_ERROR(CheckChannelVector(ctx.input(4), "variance", c, may_be_empty));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.shape()));
    Tensor* v[4];  // batch_mean, batch_variance, reserve_space_1, reserve_space_2
    for (int k = 0; k < 4; ++k) {
      ASSIGN_OR_RETURN(v[k], ctx.allocate_output(1 + k, TensorShape{c}));
    }
    ASSIGN_OR_RETURN(Tensor * reserve3, ctx.allocate_output(5, TensorShape{}));
    RETURN_IF_ERROR(ZeroOnStream(*device, *reserve3, "FusedBatchNormV3's reserve_space_3"));
    if (c == 0) return absl::OkStatus();
    if (rows == 0 && training_) return NoRows(node, x);
    const Tensor& mean = ctx.input(3);
    const Tensor& var = ctx.input(4);
    if (!training_) {
      // The statistics pass through; y only if there are rows.
      const Tensor* src[4] = {&mean, &var, &mean, &var};
      for (int k = 0; k < 4; ++k) {
        RETURN_IF_ERROR(CopyOnStream(*device, v[k]->raw_data(), src[k]->raw_data(),
                                     v[k]->TotalBytes(), "FusedBatchNormV3's statistics"));
      }
      if (rows == 0) return absl::OkStatus();
    }
    BnDescriptors d;
    RETURN_IF_ERROR(MakeDescriptors(x, node, d));
    ASSIGN_OR_RETURN(CudnnService * service, CudnnService::Of(*device, node));
    const float alpha = 1.0f, beta = 0.0f;
    if (!training_) {
      std::unique_ptr<CudnnHandle> handle = service->Lock();
      return CudnnStatus(
          cudnnBatchNormalizationForwardInference(
              handle->get(), CUDNN_BATCHNORM_SPATIAL, &alpha, &beta, d.x.get(),
              x.device_data<float>(), d.x.get(), y->device_data<float>(), d.channel.get(),
              ctx.input(1).device_data<float>(), ctx.input(2).device_data<float>(),
              mean.device_data<float>(), var.device_data<float>(), epsilon_),
          "cudnnBatchNormalizationForwardInference", node, x.ShapeString());
    }
    // cuDNN updates the running statistics in place: start them from the
    // inputs (or zeros, when they are empty and the factor is 1).
    if (mean.num_elements() == c) {
      RETURN_IF_ERROR(CopyOnStream(*device, v[0]->raw_data(), mean.raw_data(), v[0]->TotalBytes(),
                                   "FusedBatchNormV3's running mean"));
      RETURN_IF_ERROR(CopyOnStream(*device, v[1]->raw_data(), var.raw_data(), v[1]->TotalBytes(),
                                   "FusedBatchNormV3's running variance"));
    } else {
      RETURN_IF_ERROR(ZeroOnStream(*device, *v[0], "FusedBatchNormV3's running mean"));
      RETURN_IF_ERROR(ZeroOnStream(*device, *v[1], "FusedBatchNormV3's running variance"));
    }
    ASSIGN_OR_RETURN(Tensor inv_std, Scratch(ctx, TensorShape{c}));
    {
      std::unique_ptr<CudnnHandle> handle = service->Lock();
      RETURN_IF_ERROR(CudnnStatus(
          cudnnBatchNormalizationForwardTraining(
              handle->get(), CUDNN_BATCHNORM_SPATIAL, &alpha, &beta, d.x.get(),
              x.device_data<float>(), d.x.get(), y->device_data<float>(), d.channel.get(),
              ctx.input(1).device_data<float>(), ctx.input(2).device_data<float>(),
              static_cast<double>(factor_), v[0]->device_data<float>(),
              v[1]->device_data<float>(), static_cast<double>(epsilon_),
              v[2]->device_data<float>(), inv_std.device_data<float>()),
          "cudnnBatchNormalizationForwardTraining", node, x.ShapeString()));
    }
    LaunchVarFromInvStd(inv_std.device_data<float>(), epsilon_, v[3]->device_data<float>(), c,
                        device->stream());
    return CheckLaunch("FusedBatchNormV3's reserve_space_2");
  }

 private:
  float epsilon_ = 1e-4f;
  float factor_ = 1.0f;
  bool training_ = true;
};

class CudnnBatchNormGradOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    RETURN_IF_ERROR(CheckFormat(c));
    ASSIGN_OR_RETURN(epsilon_, c.attr<float>("epsilon"));
    ASSIGN_OR_RETURN(training_, c.attr<bool>("is_training"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const std::string& node = ctx.node_name();
    const Tensor& dy = ctx.input(0);
    const Tensor& x = ctx.input(1);
    RETURN_IF_ERROR(CheckBatchNormX(x, "x"));
    if (dy.shape() != x.shape()) {
      return absl::InvalidArgumentError(absl::StrCat("y_backprop ", dy.ShapeString(), " and x ",
                                                     x.ShapeString(), " differ in shape"));
    }
    const int64_t c = x.dim(3);
    const int64_t rows = c == 0 ? 0 : x.num_elements() / c;
    const Tensor& scale = ctx.input(2);
    const Tensor& mean = ctx.input(3);
    const Tensor& var = ctx.input(4);
    RETURN_IF_ERROR(CheckChannelVector(scale, "scale", c));
    RETURN_IF_ERROR(CheckChannelVector(mean, "reserve_space_1 (the saved mean)", c));
    RETURN_IF_ERROR(CheckChannelVector(var, "reserve_space_2 (the saved variance)", c));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * dx, ctx.allocate_output(0, x.shape()));
    ASSIGN_OR_RETURN(Tensor * dscale, ctx.allocate_output(1, TensorShape{c}));
    ASSIGN_OR_RETURN(Tensor * doffset, ctx.allocate_output(2, TensorShape{c}));
    RETURN_IF_ERROR(ctx.allocate_output(3, TensorShape{0}).status());
    RETURN_IF_ERROR(ctx.allocate_output(4, TensorShape{0}).status());
    if (c == 0) return absl::OkStatus();
    if (!training_) {
      LaunchBatchNormGradInference(dy.device_data<float>(), x.device_data<float>(),
                                   scale.device_data<float>(), mean.device_data<float>(),
                                   var.device_data<float>(), epsilon_, rows, c,
                                   dx->device_data<float>(), dscale->device_data<float>(),
                                   doffset->device_data<float>(), device->stream());
      return CheckLaunch("FusedBatchNormGradV3 (inference)");
    }
    if (rows == 0) {  // sums of nothing
      RETURN_IF_ERROR(ZeroOnStream(*device, *dscale, "FusedBatchNormGradV3's scale_backprop"));
      return ZeroOnStream(*device, *doffset, "FusedBatchNormGradV3's offset_backprop");
    }
    BnDescriptors d;
    RETURN_IF_ERROR(MakeDescriptors(x, node, d));
    ASSIGN_OR_RETURN(Tensor inv_std, Scratch(ctx, TensorShape{c}));
    LaunchInvStd(var.device_data<float>(), epsilon_, inv_std.device_data<float>(), c,
                 device->stream());
    RETURN_IF_ERROR(CheckLaunch("FusedBatchNormGradV3's inverse standard deviation"));
    ASSIGN_OR_RETURN(CudnnService * service, CudnnService::Of(*device, node));
    std::unique_ptr<CudnnHandle> handle = service->Lock();
    const float one = 1.0f, zero = 0.0f;
    return CudnnStatus(
        cudnnBatchNormalizationBackward(
            handle->get(), CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &zero, d.x.get(),
            x.device_data<float>(), d.x.get(), dy.device_data<float>(), d.x.get(),
            dx->device_data<float>(), d.channel.get(), scale.device_data<float>(),
            dscale->device_data<float>(), doffset->device_data<float>(),
            static_cast<double>(epsilon_), mean.device_data<float>(),
            inv_std.device_data<float>()),
        "cudnnBatchNormalizationBackward", node, x.ShapeString());
  }

 private:
  float epsilon_ = 1e-4f;
  bool training_ = true;
};

}  // namespace

void RegisterCudnnBatchNormGpuKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> f32 = {{"T", {DataType::kFloat32}},
                                           {"U", {DataType::kFloat32}}};
  r.Register<CudnnBatchNormOp>("FusedBatchNormV3", kDeviceGpu, f32);
  r.Register<CudnnBatchNormGradOp>("FusedBatchNormGradV3", kDeviceGpu, f32);
}

}  // namespace graphrt
