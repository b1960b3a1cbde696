#include "kernels/common/shape_ops.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/register.h"

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

namespace {

class ExpandDimsOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    ASSIGN_OR_RETURN(TensorShape shape, ExpandedShape(in.shape(), axis_));
    ASSIGN_OR_RETURN(Tensor out, in.Reshaped(shape));
    return ctx.set_output(0, std::move(out));
  }

 private:
  int64_t axis_ = 0;
};

}  // namespace

void RegisterNeutralShapeKernels(KernelRegistry& r, const std::string& device_type,
                                 const NeutralKernelTypes& types) {
  r.Register<ExpandDimsOp>("ExpandDims", device_type, NeutralConstraint("T", types.data));
}

}  // namespace graphrt
