// Shape kernels on the CPU, mostly for gradients: BroadcastLike and Size,
// for any dtype (ExpandDims, which only relabels its input's buffer, is a
// device-neutral kernel: kernels/common/shape_ops.h, which also holds the
// shape rules and messages used here).
//
//   BroadcastLike(x, like) x broadcast (numpy rules) to like's shape; like's
//                          elements are never read. Split over the intra-op
//                          pool at about 1 ns per element.
//   Size(x)                x's element count as an int32 or int64 scalar;
//                          INVALID_ARGUMENT when it does not fit an int32.
//
// Errors (INVALID_ARGUMENT, naming the shapes): a shape that does not
// broadcast to like's.
// Thread-safety: Compute is thread-safe (kernels keep no state).
#include <limits>

#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/shape_ops.h"
#include "kernels/cpu/cwise_binary.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

// Moves elements as unsigned integers of their width: one instantiation
// serves every dtype of that size.
template <typename Bits>
class BroadcastLikeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const TensorShape& target = ctx.input(1).shape();
    if (x.shape() == target) return ctx.set_output(0, x);
    ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastLikePlan(x, target));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, target));
    RunBroadcastCopy<Bits>(ctx, plan, x.raw_data(), out->raw_data());
    return absl::OkStatus();
  }
};

template <typename Out>
class SizeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const int64_t n = ctx.input(0).num_elements();
    RETURN_IF_ERROR(CheckSizeFits(n, std::numeric_limits<Out>::max(), DataTypeOf<Out>()));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape{}));
    out->data<Out>()[0] = static_cast<Out>(n);
    return absl::OkStatus();
  }
};

}  // namespace

void RegisterShapeKernels(KernelRegistry& r) {
  using DT = DataType;
  r.Register<BroadcastLikeOp<uint8_t>>("BroadcastLike", kDeviceCpu,
                                       {{"T", {DT::kUint8, DT::kBool}}});
  r.Register<BroadcastLikeOp<uint32_t>>("BroadcastLike", kDeviceCpu,
                                        {{"T", {DT::kFloat32, DT::kInt32}}});
  r.Register<BroadcastLikeOp<uint64_t>>("BroadcastLike", kDeviceCpu, {{"T", {DT::kInt64}}});
  r.Register<SizeOp<int32_t>>("Size", kDeviceCpu, {{"out_type", {DT::kInt32}}});
  r.Register<SizeOp<int64_t>>("Size", kDeviceCpu, {{"out_type", {DT::kInt64}}});
}

}  // namespace graphrt
