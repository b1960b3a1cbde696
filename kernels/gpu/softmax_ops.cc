// Softmax, LogSoftmax and SparseSoftmaxCrossEntropyWithLogits on the GPU,
// float32, mirroring kernels/cpu/softmax_ops.h and xent_op.h (same outputs
// and stability; the same shape checks and messages, from
// kernels/common/softmax_shape.h and xent_shape.h).
//
// Difference from the CPU: a label outside [0, classes) is found on the
// device, after the host has returned, so it cannot become an error status;
// that row's loss and backprop are NaN instead (as in TensorFlow's GPU
// kernel). Only classes == 0 with a non-empty batch, where every label is out
// of range, is reported as INVALID_ARGUMENT.
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/softmax_shape.h"
#include "kernels/common/xent_shape.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"
#include "kernels/gpu/softmax_kernels.h"

namespace graphrt {
namespace {

// One kernel for both ops: LogSoftmax when the node's op is "LogSoftmax".
class SoftmaxGpuOp final : public OpKernel {
 public:
  explicit SoftmaxGpuOp(const OpKernelConstruction& c)
      : OpKernel(c), log_(c.node().op() == "LogSoftmax") {}

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& logits = ctx.input(0);
    RETURN_IF_ERROR(CheckSoftmaxLogits(op(), logits));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    const float* in = logits.device_data<float>();
    const int64_t total = logits.num_elements();
    const int64_t n = logits.dim(logits.rank() - 1);
    ASSIGN_OR_RETURN(Tensor * out, ctx.forward_input_or_allocate_output(0, 0, logits.shape()));
    if (total == 0) return absl::OkStatus();
    LaunchSoftmax(in, out->device_data<float>(), total / n, n, log_, device->stream());
    return CheckLaunch(op().c_str());
  }

 private:
  const bool log_;
};

template <typename Label>
class SparseXentGpuOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& features = ctx.input(0);
    const Tensor& labels = ctx.input(1);
    RETURN_IF_ERROR(CheckXentShapes(features, labels));
    const int64_t batch = features.dim(0), classes = features.dim(1);
    if (batch > 0 && classes == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "every label is outside the valid range [0, 0): features ", features.ShapeString(),
          " have no classes"));
    }
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * loss, ctx.allocate_output(0, TensorShape{batch}));
    ASSIGN_OR_RETURN(Tensor * backprop, ctx.allocate_output(1, features.shape()));
    if (batch == 0) return absl::OkStatus();
    LaunchSparseXent(features.device_data<float>(), labels.raw_data(),
                     sizeof(Label) == sizeof(int64_t), batch, classes, loss->device_data<float>(),
                     backprop->device_data<float>(), device->stream());
    return CheckLaunch("SparseSoftmaxCrossEntropyWithLogits");
  }
};

}  // namespace

void RegisterSoftmaxGpuKernels(KernelRegistry& r) {
  r.Register<SoftmaxGpuOp>("Softmax", kDeviceGpu, {{"T", {DataType::kFloat32}}});
  r.Register<SoftmaxGpuOp>("LogSoftmax", kDeviceGpu, {{"T", {DataType::kFloat32}}});
  r.Register<SparseXentGpuOp<int32_t>>(
      "SparseSoftmaxCrossEntropyWithLogits", kDeviceGpu,
      {{"T", {DataType::kFloat32}}, {"Tlabels", {DataType::kInt32}}});
  r.Register<SparseXentGpuOp<int64_t>>(
      "SparseSoftmaxCrossEntropyWithLogits", kDeviceGpu,
      {{"T", {DataType::kFloat32}}, {"Tlabels", {DataType::kInt64}}});
}

}  // namespace graphrt
