// Reductions on the GPU, float32, mirroring kernels/cpu/reduction_ops.cc
// (PlanReduction, AxesToShape and PlanArgMax, kernels/common/reduction_shape.h,
// give both the same output shapes and axis errors):
//   Sum Mean Max   attrs axis (list; empty = all), keep_dims
//   ReduceSumLike  sums x down to like's shape (like's elements unread)
//   ArgMax         attr axis; output_type int32 or int64
// Axes are attrs, so no device memory is read on the host. Empty reductions:
// Sum gives 0, Mean NaN; Max and ArgMax along an empty axis are
// INVALID_ARGUMENT, as on the CPU (decided from the shapes, before launching).
#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/reduction_shape.h"
#include "kernels/gpu/fill.h"
#include "kernels/gpu/gpu_op_util.h"
#include "kernels/gpu/reduction_kernels.h"
#include "kernels/gpu/register.h"

namespace graphrt {
namespace {

// Reduces `input` by `plan` into `output` (allocated with the plan's shape).
absl::Status RunReduction(const CudaDevice& device, GpuReduceOp op, const Tensor& input,
                          const ReductionPlan& plan, Tensor& output, const char* name,
                          absl::FunctionRef<std::string()> describe_empty) {
  const int64_t outputs = output.num_elements();
  if (outputs == 0) return absl::OkStatus();
  float* out = output.device_data<float>();
  if (plan.reduced_count == 0) {
    if (op == GpuReduceOp::kMax) return absl::InvalidArgumentError(describe_empty());
    LaunchFill(out, outputs, op == GpuReduceOp::kSum ? 0.0f : NAN, device.stream());
    return CheckLaunch(name);
  }
  const float* in = input.device_data<float>();
  // Groups (size-1 dims dropped) alternate kept and reduced; none reduced
  // means each output folds one element: a copy.
  const std::vector<ReductionPlan::Group>& g = plan.groups;
  int reduced_groups = 0, reduced_at = -1;
  for (int i = 0; i < static_cast<int>(g.size()); ++i) {
    if (g[i].reduced) {
      ++reduced_groups;
      reduced_at = i;
    }
  }
  if (reduced_groups == 0) return CopyOnStream(device, out, in, output.TotalBytes(), name);
  if (reduced_groups == 1) {  // [outer, n, inner]
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < reduced_at; ++i) outer *= g[i].size;
    for (int i = reduced_at + 1; i < static_cast<int>(g.size()); ++i) inner *= g[i].size;
    LaunchReduceMiddle(op, in, outer, g[reduced_at].size, inner, out, device.stream());
    return CheckLaunch(name);
  }
  if (g.size() > kMaxReduceGroups) {
    return absl::UnimplementedError(absl::StrCat(
        name, " on the GPU: ", input.ShapeString(), " alternates kept and reduced dims ",
        g.size(), " times; at most ", kMaxReduceGroups, " are supported"));
  }
  ReduceLayout layout;
  int64_t stride = 1;
  for (int i = static_cast<int>(g.size()) - 1; i >= 0; --i) {
    if (g[i].reduced) {
      layout.reduced_sizes[layout.num_reduced] = g[i].size;
      layout.reduced_strides[layout.num_reduced++] = stride;
    } else {
      layout.kept_sizes[layout.num_kept] = g[i].size;
      layout.kept_strides[layout.num_kept++] = stride;
    }
    stride *= g[i].size;
  }
  // Filled innermost first; the kernel wants outermost first.
  std::reverse(layout.reduced_sizes, layout.reduced_sizes + layout.num_reduced);
  std::reverse(layout.reduced_strides, layout.reduced_strides + layout.num_reduced);
  std::reverse(layout.kept_sizes, layout.kept_sizes + layout.num_kept);
  std::reverse(layout.kept_strides, layout.kept_strides + layout.num_kept);
  LaunchReduceGeneral(op, in, layout, outputs, plan.reduced_count, out, device.stream());
  return CheckLaunch(name);
}

template <GpuReduceOp kOp>
class ReduceOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<std::vector<int64_t>>("axis"));
    ASSIGN_OR_RETURN(keep_dims_, c.attr<bool>("keep_dims"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& input = ctx.input(0);
    ASSIGN_OR_RETURN(ReductionPlan plan, PlanReduction(input.shape(), axis_, keep_dims_));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * output, ctx.allocate_output(0, plan.output));
    return RunReduction(*device, kOp, input, plan, *output, op().c_str(),
                        [&] { return EmptyReductionMessage(op(), input, axis_); });
  }

 private:
  std::vector<int64_t> axis_;
  bool keep_dims_ = false;
};

class ReduceSumLikeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& input = ctx.input(0);
    const TensorShape& like = ctx.input(1).shape();
    if (input.shape() == like) return ctx.set_output(0, input);
    ASSIGN_OR_RETURN(std::vector<int64_t> axes, AxesToShape(input.shape(), like));
    ASSIGN_OR_RETURN(ReductionPlan plan, PlanReduction(input.shape(), axes, true));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * output, ctx.allocate_output(0, like));
    return RunReduction(*device, GpuReduceOp::kSum, input, plan, *output, "ReduceSumLike",
                        [] { return std::string(); });
  }
};

template <typename Out>
class ArgMaxOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& input = ctx.input(0);
    ASSIGN_OR_RETURN(ArgMaxPlan plan, PlanArgMax(input, axis_, std::numeric_limits<Out>::max(),
                                                 output_type(0)));
    ASSIGN_OR_RETURN(CudaDevice * device, ActiveDevice(ctx));
    ASSIGN_OR_RETURN(Tensor * output, ctx.allocate_output(0, plan.output));
    if (output->num_elements() == 0) return absl::OkStatus();
    if (plan.n == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ArgMax along axis ", axis_, " of ", input.ShapeString(), ": the axis is empty"));
    }
    LaunchArgMax(input.device_data<float>(), plan.outer, plan.n, plan.inner, output->raw_data(),
                 sizeof(Out) == sizeof(int64_t), device->stream());
    return CheckLaunch("ArgMax");
  }

 private:
  int64_t axis_ = 0;
};

}  // namespace

void RegisterReductionGpuKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> f32 = {{"T", {DataType::kFloat32}}};
  r.Register<ReduceOp<GpuReduceOp::kSum>>("Sum", kDeviceGpu, f32);
  r.Register<ReduceOp<GpuReduceOp::kMean>>("Mean", kDeviceGpu, f32);
  r.Register<ReduceOp<GpuReduceOp::kMax>>("Max", kDeviceGpu, f32);
  r.Register<ReduceSumLikeOp>("ReduceSumLike", kDeviceGpu, f32);
  r.Register<ArgMaxOp<int32_t>>("ArgMax", kDeviceGpu,
                                {{"T", {DataType::kFloat32}}, {"output_type", {DataType::kInt32}}});
  r.Register<ArgMaxOp<int64_t>>("ArgMax", kDeviceGpu,
                                {{"T", {DataType::kFloat32}}, {"output_type", {DataType::kInt64}}});
}

}  // namespace graphrt
