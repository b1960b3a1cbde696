// Const, Identity, NoOp and _Copy on the GPU (kernels/cpu/constant_ops.h and
// copy_op.cc are the CPU side).
//   Const     float32: the "value" attr copied to device memory once, when
//             the kernel is made; every step outputs that tensor (shared, so
//             no one writes to it).
//   Identity  float32, int32, int64, uint8, bool: the input, shared.
//   NoOp      nothing.
//   _Copy     any dtype: input 0 from host memory (source_gpu() null) or from
//             another GPU device into a buffer of this device, through the
//             device's copy streams (fenced against its compute stream);
//             zero-byte tensors copy nothing. A resource handle is
//             INVALID_ARGUMENT (as on the CPU: its users go with it).
#include "absl/strings/str_cat.h"
#include "core/graph/status_macros.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

class ConstOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(Tensor value, c.attr<Tensor>("value"));
    if (value.dtype() != output_type(0)) {
      return absl::InvalidArgumentError(absl::StrCat("Const value is ", value.ShapeString(),
                                                     ", the node's dtype is ",
                                                     DataTypeName(output_type(0))));
    }
    ASSIGN_OR_RETURN(CudaQueue * queue, ActiveQueue(c));
    if (c.allocator() == nullptr) return absl::InternalError("GPU Const without an allocator");
    ASSIGN_OR_RETURN(value_, Tensor::Allocate(c.allocator(), value.dtype(), value.shape()));
    // Ordered before every kernel launched later on the compute stream.
    return queue->CopyFromHost(value.raw_data(), value_.raw_data(), value.TotalBytes());
  }
  absl::Status Compute(OpKernelContext& ctx) override { return ctx.set_output(0, value_); }
  bool IsAlwaysCheap() const override { return true; }

 private:
  Tensor value_;  // device memory; never written after Init
};

class IdentityOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override { return ctx.set_output(0, ctx.input(0)); }
  bool IsAlwaysCheap() const override { return true; }
};

class NoOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext&) override { return absl::OkStatus(); }
  bool IsAlwaysCheap() const override { return true; }
};

class CopyOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    if (in.dtype() == DataType::kResource) {
      return absl::InvalidArgumentError(
          "a resource handle cannot be copied between devices; place its users with it");
    }
    GpuQueue* gpu = ctx.gpu();
    if (gpu == nullptr) {
      return absl::InternalError(
          absl::StrCat("GPU _Copy '", ctx.node_name(), "' runs without a GPU device"));
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, in.shape()));
    const size_t bytes = in.TotalBytes();
    if (bytes == 0) return absl::OkStatus();
    if (ctx.source_gpu() == nullptr) return gpu->CopyFromHost(in.raw_data(), out->raw_data(), bytes);
    return gpu->CopyFromDevice(*ctx.source_gpu(), in.raw_data(), out->raw_data(), bytes);
  }
};

}  // namespace

void RegisterConstantGpuKernels(KernelRegistry& r) {
  r.Register<ConstOp>("Const", kDeviceGpu, {{"dtype", {DataType::kFloat32}}});
  r.Register<IdentityOp>("Identity", kDeviceGpu, {{"T", GpuDataTypes()}});
  r.Register<NoOp>("NoOp", kDeviceGpu);
  r.Register<CopyOp>("_Copy", kDeviceGpu);
}

}  // namespace graphrt
