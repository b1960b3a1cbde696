// Shape GPU kernels for float32, int32, int64, uint8 and bool, mirroring
// kernels/cpu/shape_ops.cc (the shape rules and messages are shared:
// kernels/common/shape_ops.h). Reshape and ExpandDims are device-neutral
// kernels (kernels/common), registered for the GPU in register.cc.
//   BroadcastLike(x, like)  x broadcast to like's shape (like's elements, in
//                           device memory, are never read): a strided copy.
//   Size(x)  x's element count as an int32 / int64 scalar in device memory
//            (a 4 or 8 byte host-to-device copy), so a GPU tensor is not
//            copied to the host only for its shape.
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/shape_ops.h"
#include "kernels/gpu/cwise_kernels.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

class BroadcastLikeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const TensorShape& target = ctx.input(1).shape();
    if (x.shape() == target) return ctx.set_output(0, x);
    ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastLikePlan(x, target));
    ASSIGN_OR_RETURN(BroadcastIndex index, ToBroadcastIndex(plan));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, target));
    const int64_t n = target.num_elements();
    if (n == 0) return absl::OkStatus();
    const int bytes = static_cast<int>(DataTypeSize(x.dtype()));
    if (!LaunchBroadcastCopy(bytes, x.raw_data(), out->raw_data(), n, index, device->stream())) {
      return absl::InvalidArgumentError(
          absl::StrCat("BroadcastLike on the GPU does not support ", x.ShapeString()));
    }
    return CheckLaunch("BroadcastLike");
  }
};

template <typename Out>
class SizeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const int64_t n = ctx.input(0).num_elements();
    RETURN_IF_ERROR(CheckSizeFits(n, std::numeric_limits<Out>::max(), DataTypeOf<Out>()));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape{}));
    const Out value = static_cast<Out>(n);
    // The source may go away once CopyFromHost returns (Device's contract).
    return device->CopyFromHost(&value, out->raw_data(), sizeof(value));
  }
};

}  // namespace

void RegisterShapeGpuKernels(KernelRegistry& r) {
  r.Register<BroadcastLikeOp>("BroadcastLike", kDeviceGpu, {{"T", GpuDataTypes()}});
  r.Register<SizeOp<int32_t>>("Size", kDeviceGpu,
                              {{"T", GpuDataTypes()}, {"out_type", {DataType::kInt32}}});
  r.Register<SizeOp<int64_t>>("Size", kDeviceGpu,
                              {{"T", GpuDataTypes()}, {"out_type", {DataType::kInt64}}});
}

}  // namespace graphrt
