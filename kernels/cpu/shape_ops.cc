#include "kernels/cpu/shape_ops.h"

#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/op_kernel.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {

absl::StatusOr<TensorShape> ExpandedShape(const TensorShape& shape, int64_t axis) {
  const int64_t rank = shape.rank();
  if (axis < -rank - 1 || axis > rank) {
    return absl::InvalidArgumentError(absl::StrCat("ExpandDims axis ", axis,
                                                   " is out of range [", -rank - 1, ", ", rank,
                                                   "] for ", shape.DebugString()));
  }
  if (axis < 0) axis += rank + 1;
  std::vector<int64_t> dims(shape.dims().begin(), shape.dims().end());
  dims.insert(dims.begin() + axis, 1);
  return TensorShape(std::span<const int64_t>(dims));
}

absl::StatusOr<BroadcastPlan> BroadcastLikePlan(const Tensor& x, const TensorShape& target) {
  absl::StatusOr<BroadcastPlan> plan = MakeBroadcastPlan(x.shape(), TensorShape{}, target);
  if (!plan.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BroadcastLike: ", x.ShapeString(), " does not broadcast to ", target.DebugString()));
  }
  return plan;
}

absl::Status CheckSizeFits(int64_t n, int64_t max, DataType out_type) {
  if (n > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Size: ", n, " elements do not fit out_type ", DataTypeName(out_type), "; use int64"));
  }
  return absl::OkStatus();
}

absl::Status ExpandDimsOp::Init(const OpKernelConstruction& c) {
  ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
  return absl::OkStatus();
}

absl::Status ExpandDimsOp::Compute(OpKernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  ASSIGN_OR_RETURN(TensorShape shape, ExpandedShape(in.shape(), axis_));
  ASSIGN_OR_RETURN(Tensor out, in.Reshaped(shape));
  return ctx.set_output(0, std::move(out));
}

namespace {

// Copies x's element: the "op" of a broadcast whose second operand is unused.
template <typename T>
struct TakeFirst {
  using Out = T;
  static constexpr int64_t kCostNs = 1;
  static T Apply(T a, T) { return a; }
};

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
    const Bits unused{};
    RunBroadcast<TakeFirst<Bits>>(ctx, plan, static_cast<const Bits*>(x.raw_data()), &unused,
                                  static_cast<Bits*>(out->raw_data()));
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
  bool IsAlwaysCheap() const override { return true; }
};

}  // namespace

void RegisterShapeKernels(KernelRegistry& r) {
  r.Register<ExpandDimsOp>("ExpandDims", kDeviceCpu);
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
