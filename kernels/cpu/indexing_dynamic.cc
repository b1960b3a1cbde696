// DynamicReshape, DynamicSlice, DynamicSqueeze, DynamicUnsqueeze,
// DynamicExpand, DynamicPad and Range on the CPU (core/graph/ops/
// indexing_dynamic.h), for every dtype: the operands are read when the node
// runs, then the work is the attr-built op's. DynamicReshape resolves ONNX's
// 0 (copy the input's dim) and hands the rest to ResolveReshape, sharing the
// input's buffer; DynamicSlice turns starts/ends/axes/steps into the
// StridedSlice attrs (axes not named get both masks: kept whole) and runs
// the same plan and copy (WriteStridedSlice); DynamicExpand broadcasts as
// BroadcastLike does (RunBroadcast), to the shape both ways.
// Errors (INVALID_ARGUMENT, naming the node and the shapes/values): operands
// not rank 1, a 0 with no input dim to copy, element counts that differ;
// starts/ends/axes/steps of different lengths, an axis out of range or
// repeated, a step of 0.
// Thread-safety: Compute is thread-safe (the kernels keep only attrs).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "core/graph/ops/indexing_slice.h"
#include "core/graph/shape_inference.h"
#include "kernels/common/reshape_op.h"
#include "kernels/common/shape_ops.h"
#include "kernels/cpu/cwise_binary.h"
#include "kernels/cpu/indexing_kernels.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

// A rank-1 int32/int64 operand as int64s.
absl::StatusOr<std::vector<int64_t>> ReadInts(const OpKernel& k, const Tensor& t,
                                              absl::string_view what) {
  if (t.rank() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(k.op(), " '", k.name(), "': ", what,
                                                   " must be rank 1, is ", t.ShapeString()));
  }
  return IntsAsInt64(t);
}

class DynamicReshapeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(allowzero_, c.attr<bool>("allowzero"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    ASSIGN_OR_RETURN(std::vector<int64_t> spec, ReadInts(*this, ctx.input(1), "shape"));
    for (size_t k = 0; k < spec.size() && !allowzero_; ++k) {
      if (spec[k] != 0) continue;
      if (static_cast<int>(k) >= in.rank()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "DynamicReshape '", name(), "': shape[", k, "] is 0 (copy the input's dim) but the "
            "input ", in.ShapeString(), " has no dim ", k, "; set allowzero for a 0-sized dim"));
      }
      spec[k] = in.dim(static_cast<int>(k));
    }
    auto shape = ResolveReshape(in.shape(), spec);
    if (!shape.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("DynamicReshape '", name(), "': ", shape.status().message()));
    }
    ASSIGN_OR_RETURN(Tensor out, in.Reshaped(*shape));
    return ctx.set_output(0, std::move(out));
  }

 private:
  bool allowzero_ = false;
};

class DynamicSliceOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    ASSIGN_OR_RETURN(std::vector<int64_t> starts, ReadInts(*this, ctx.input(1), "starts"));
    ASSIGN_OR_RETURN(std::vector<int64_t> ends, ReadInts(*this, ctx.input(2), "ends"));
    ASSIGN_OR_RETURN(std::vector<int64_t> axes, ReadInts(*this, ctx.input(3), "axes"));
    ASSIGN_OR_RETURN(std::vector<int64_t> steps, ReadInts(*this, ctx.input(4), "steps"));
    auto error = [&](auto... parts) {
      return absl::InvalidArgumentError(absl::StrCat("DynamicSlice '", name(), "' of ",
                                                     x.ShapeString(), ": ", parts...));
    };
    const int64_t rank = x.rank();
    if (axes.empty()) {
      for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
    }
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size()) {
      return error("starts, ends, axes and steps have lengths ", starts.size(), ", ",
                   ends.size(), ", ", axes.size(), ", ", steps.size(), "; they must agree");
    }
    StridedSliceAttrs a;
    a.begin.assign(rank, 0);
    a.end.assign(rank, 0);
    a.strides.assign(rank, 1);
    a.begin_mask = a.end_mask = rank == 0 ? 0 : (int64_t{1} << rank) - 1;
    for (size_t k = 0; k < axes.size(); ++k) {
      int64_t d = axes[k];
      if (d < -rank || d >= rank) return error("axis ", d, " is out of range");
      if (d < 0) d += rank;
      if (!(a.begin_mask >> d & 1)) return error("axis ", axes[k], " is repeated");
      if (steps[k] == 0) return error("steps[", k, "] is 0");
      // A start before the first element with a negative step keeps nothing,
      // as numpy (ONNX's reference implementation) and the attr-built
      // StridedSlice do; the spec's prose would clamp it to 0 instead.
      a.begin[d] = starts[k];
      a.end[d] = ends[k];
      a.strides[d] = steps[k];
      a.begin_mask &= ~(int64_t{1} << d);
      a.end_mask &= ~(int64_t{1} << d);
    }
    auto plan = PlanStridedSlice(x.shape().dims(), a);
    if (!plan.ok()) return error(plan.status().message());
    return WriteStridedSlice(ctx, x, *plan);
  }
};

// Unsqueeze (kInsert) or Squeeze (kDrop) by run-time axes: a relabel of the
// input's buffer.
template <bool kInsert>
class DynamicAxesOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    ASSIGN_OR_RETURN(std::vector<int64_t> axes, ReadInts(*this, ctx.input(1), "axes"));
    auto error = [&](auto... parts) {
      return absl::InvalidArgumentError(absl::StrCat(op(), " '", name(), "' of ",
                                                     x.ShapeString(), ": ", parts...));
    };
    const int64_t rank = x.rank() + (kInsert ? static_cast<int64_t>(axes.size()) : 0);
    std::vector<bool> marked(rank, false);
    for (int64_t a : axes) {
      const int64_t d = a < 0 ? a + rank : a;
      if (d < 0 || d >= rank) return error("axis ", a, " is out of range [", -rank, ", ", rank, ")");
      if (marked[d]) return error("axis ", a, " is repeated");
      marked[d] = true;
    }
    std::vector<int64_t> dims;
    if (kInsert) {
      for (int64_t d = 0, next = 0; d < rank; ++d) dims.push_back(marked[d] ? 1 : x.dim(next++));
    } else {
      for (int d = 0; d < rank; ++d) {
        const bool drop = axes.empty() ? x.dim(d) == 1 : marked[d];
        if (drop && x.dim(d) != 1) return error("dim ", d, " is ", x.dim(d), ", not 1");
        if (!drop) dims.push_back(x.dim(d));
      }
    }
    ASSIGN_OR_RETURN(Tensor out, x.Reshaped(TensorShape(std::span<const int64_t>(dims))));
    return ctx.set_output(0, std::move(out));
  }
};

// ONNX's Expand: x broadcast both ways with `shape` (numpy rules), elements
// moved as unsigned integers of their width.
template <typename Bits>
class DynamicExpandOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    ASSIGN_OR_RETURN(std::vector<int64_t> dims, ReadInts(*this, ctx.input(1), "shape"));
    for (int64_t d : dims) {
      if (d < 0) {
        return absl::InvalidArgumentError(absl::StrCat("DynamicExpand '", name(), "': shape [",
                                                       absl::StrJoin(dims, ","),
                                                       "] has a negative dim"));
      }
    }
    auto target = BroadcastShapes(x.shape(), TensorShape(std::span<const int64_t>(dims)));
    if (!target.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "DynamicExpand '", name(), "': ", x.ShapeString(), " does not broadcast with [",
          absl::StrJoin(dims, ","), "]: ", target.status().message()));
    }
    if (x.shape() == *target) return ctx.set_output(0, x);
    ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastLikePlan(x, *target));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, *target));
    if (out->num_elements() == 0) return absl::OkStatus();
    RunBroadcastCopy<Bits>(ctx, plan, x.raw_data(), out->raw_data());
    return absl::OkStatus();
  }
};

// ONNX's Pad, every mode: each output element's source index per dim is
// its index minus the begin pad, then, outside the input, the constant
// (constant), the nearest edge (edge) or the mirror image (reflect, which
// needs pads shorter than the dim). Elements are copied by their byte size;
// rows of the last dim are walked one element at a time (simple over fast:
// Pad is rare in the models this serves).
class DynamicPadOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(std::string mode, c.attr<std::string>("mode"));
    mode_ = mode == "edge" ? Mode::kEdge : mode == "reflect" ? Mode::kReflect : Mode::kConstant;
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    ASSIGN_OR_RETURN(std::vector<int64_t> pads, ReadInts(*this, ctx.input(1), "pads"));
    const Tensor& value = ctx.input(2);
    const int rank = x.rank();
    auto error = [&](auto... parts) {
      return absl::InvalidArgumentError(absl::StrCat("DynamicPad '", name(), "' of ",
                                                     x.ShapeString(), ": ", parts...));
    };
    if (static_cast<int>(pads.size()) != 2 * rank) {
      return error("pads has ", pads.size(), " values; it needs 2 * rank = ", 2 * rank);
    }
    if (value.num_elements() != 1) return error("constant_value must hold one element");
    std::vector<int64_t> dims(rank);
    for (int d = 0; d < rank; ++d) {
      dims[d] = x.dim(d) + pads[d] + pads[d + rank];
      if (dims[d] < 0) return error("pads crop dim ", d, " below 0");
      const bool grows = pads[d] > 0 || pads[d + rank] > 0;
      if (mode_ != Mode::kConstant && grows && x.dim(d) == 0) {
        return error("dim ", d, " is empty: nothing to repeat at its edges");
      }
      if (mode_ == Mode::kReflect && (pads[d] >= x.dim(d) || pads[d + rank] >= x.dim(d)) &&
          grows) {
        return error("reflect pads of dim ", d, " (", pads[d], ", ", pads[d + rank],
                     ") must be shorter than the dim ", x.dim(d));
      }
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape(std::span<const int64_t>(dims))));
    const int64_t n = out->num_elements(), elem = DataTypeSize(x.dtype());
    const char* src = static_cast<const char*>(x.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    std::vector<int64_t> in_stride(rank, 1);
    for (int d = rank - 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * x.dim(d + 1);
    for (int64_t i = 0; i < n; ++i) {
      int64_t rest = i, offset = 0;
      bool inside = true;
      for (int d = rank - 1; d >= 0; --d) {
        int64_t k = rest % dims[d] - pads[d];
        rest /= dims[d];
        const int64_t size = x.dim(d);
        if (k < 0 || k >= size) {
          if (mode_ == Mode::kConstant) {
            inside = false;
            break;
          }
          if (mode_ == Mode::kEdge) k = k < 0 ? 0 : size - 1;
          else k = k < 0 ? -k : 2 * (size - 1) - k;
        }
        offset += k * in_stride[d];
      }
      std::memcpy(dst + i * elem, inside ? src + offset * elem : static_cast<const char*>(value.raw_data()),
                  elem);
    }
    return absl::OkStatus();
  }

 private:
  enum class Mode { kConstant, kEdge, kReflect };
  Mode mode_ = Mode::kConstant;
};

// Range: n = max(0, ceil((limit - start) / delta)), exact for integers
// (a ceiling division in int64, or wider math where that could overflow),
// in double for floats; element i is start + i * delta.
template <typename T>
class RangeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    for (int i = 0; i < 3; ++i) {
      if (ctx.input(i).rank() != 0) {
        return absl::InvalidArgumentError(absl::StrCat("Range '", name(), "': input ", i,
                                                       " (start, limit, delta) must be a scalar, is ",
                                                       ctx.input(i).ShapeString()));
      }
    }
    const T start = ctx.input(0).data<T>()[0], limit = ctx.input(1).data<T>()[0],
            delta = ctx.input(2).data<T>()[0];
    if (delta == T(0)) {
      return absl::InvalidArgumentError(absl::StrCat("Range '", name(), "': delta is 0"));
    }
    int64_t n = 0;
    if constexpr (std::is_floating_point_v<T>) {
      const double count = std::ceil((static_cast<double>(limit) - static_cast<double>(start)) /
                                     static_cast<double>(delta));
      if (!(count < 9.0e15)) {  // also NaN
        return absl::InvalidArgumentError(absl::StrCat("Range '", name(), "': from ", start,
                                                       " to ", limit, " by ", delta,
                                                       " has too many elements"));
      }
      n = count > 0 ? static_cast<int64_t>(count) : 0;
    } else {
      const __int128 span = static_cast<__int128>(limit) - start, d = delta;
      const __int128 q = span / d + ((span % d != 0 && ((span < 0) == (d < 0))) ? 1 : 0);
      n = q > 0 ? static_cast<int64_t>(q) : 0;
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape({n})));
    T* o = out->data<T>();
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(start + static_cast<T>(i) * delta);
    return absl::OkStatus();
  }
};

}  // namespace

void RegisterDynamicIndexingKernels(KernelRegistry& r) {
  const std::vector<DataType> ints = {DataType::kInt32, DataType::kInt64};
  r.Register<DynamicReshapeOp>("DynamicReshape", kDeviceCpu,
                               {{"T", AllElementTypes()}, {"Tshape", ints}});
  r.Register<DynamicSliceOp>("DynamicSlice", kDeviceCpu, {{"T", AllElementTypes()}, {"Tind", ints}});
  r.Register<DynamicAxesOp<true>>("DynamicUnsqueeze", kDeviceCpu,
                                  {{"T", AllElementTypes()}, {"Tind", ints}});
  r.Register<DynamicAxesOp<false>>("DynamicSqueeze", kDeviceCpu,
                                   {{"T", AllElementTypes()}, {"Tind", ints}});
  std::vector<DataType> by_width[4];  // 1, 2, 4, 8 bytes
  for (DataType t : AllElementTypes()) {
    const int64_t w = DataTypeSize(t);
    by_width[w == 1 ? 0 : w == 2 ? 1 : w == 4 ? 2 : 3].push_back(t);
  }
  r.Register<DynamicPadOp>("DynamicPad", kDeviceCpu, {{"T", AllElementTypes()}, {"Tpads", ints}});
  r.Register<RangeOp<float>>("Range", kDeviceCpu, {{"Tidx", {DataType::kFloat32}}});
  r.Register<RangeOp<double>>("Range", kDeviceCpu, {{"Tidx", {DataType::kFloat64}}});
  r.Register<RangeOp<int16_t>>("Range", kDeviceCpu, {{"Tidx", {DataType::kInt16}}});
  r.Register<RangeOp<int32_t>>("Range", kDeviceCpu, {{"Tidx", {DataType::kInt32}}});
  r.Register<RangeOp<int64_t>>("Range", kDeviceCpu, {{"Tidx", {DataType::kInt64}}});
  r.Register<DynamicExpandOp<uint8_t>>("DynamicExpand", kDeviceCpu,
                                       {{"T", by_width[0]}, {"Tshape", ints}});
  r.Register<DynamicExpandOp<uint16_t>>("DynamicExpand", kDeviceCpu,
                                        {{"T", by_width[1]}, {"Tshape", ints}});
  r.Register<DynamicExpandOp<uint32_t>>("DynamicExpand", kDeviceCpu,
                                        {{"T", by_width[2]}, {"Tshape", ints}});
  r.Register<DynamicExpandOp<uint64_t>>("DynamicExpand", kDeviceCpu,
                                        {{"T", by_width[3]}, {"Tshape", ints}});
}

}  // namespace graphrt
