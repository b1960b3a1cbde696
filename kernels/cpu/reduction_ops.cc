// Reductions on the CPU: Sum, Mean, Max, Min and Prod over a set of axes (attr axis, a
// list of ints, empty = every axis, negatives count from the end; attr
// keep_dims), and ArgMax along one axis (attr axis; attr output_type int32 or
// int64; ties go to the first index, a NaN counts as the maximum). All for
// float32, int32 and int64. ReduceSumLike(x, like) sums x down to like's
// shape (like must broadcast to x's shape): the gradient of a broadcast.
//
// Numerics: float sums accumulate in double (1e6 values of 0.1 sum to within
// 1e-7 relative); integer sums wrap like the element type. Mean of ints
// divides with truncation. Max propagates NaN. Results do not depend on the
// number of intra-op threads: work is cut into fixed pieces, combined in order.
// Min, like Max, propagates NaN; Prod multiplies as Sum adds (double for
// floats, wrapping for ints).
// Empty reductions: Sum gives 0, Prod 1, float Mean NaN (as numpy); Max, Min, int Mean and
// ArgMax along an empty axis give INVALID_ARGUMENT.
//
// Paths (see ReductionPlan): reducing trailing dims (rows), leading or
// middle dims (column accumulators), and for anything else a walk over the
// input in memory order into per-output accumulators. Work is split over the
// intra-op pool. Plans, output shapes and axis errors are every device's
// (kernels/common/reduction_shape.h).
// Thread-safety: Compute is thread-safe (kernels keep only their attrs).
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include <Eigen/Core>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/executor/op_kernel.h"
#include "core/graph/shape_inference.h"
#include "core/base/status_macros.h"
#include "kernels/common/reduction_shape.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

// Reducers: Acc is the accumulator type; Add folds in an element, Merge
// combines two partial results, Finish makes the output from the
// accumulator and the number of elements folded in.
template <typename T>
struct SumReducer {
  // Integers wrap through uint64 (no signed overflow); floats use double.
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
  static constexpr bool kHasEmptyValue = true;
  static T EmptyValue() { return T(0); }
  static Acc Init() { return Acc(0); }
  static Acc Add(Acc a, T x) { return a + static_cast<Acc>(x); }
  static Acc Merge(Acc a, Acc b) { return a + b; }
  static T Finish(Acc a, int64_t) {
    if constexpr (std::is_floating_point_v<T>) return static_cast<T>(a);
    else return static_cast<T>(static_cast<int64_t>(a));
  }
};

template <typename T>
struct MeanReducer : SumReducer<T> {
  using Acc = typename SumReducer<T>::Acc;
  static constexpr bool kHasEmptyValue = std::is_floating_point_v<T>;
  static T EmptyValue() { return std::numeric_limits<T>::quiet_NaN(); }
  static T Finish(Acc a, int64_t count) {
    if constexpr (std::is_floating_point_v<T>) return static_cast<T>(a / count);
    else return static_cast<T>(static_cast<int64_t>(a) / count);
  }
};

template <typename T>
struct MaxReducer {
  using Acc = T;
  static constexpr bool kHasEmptyValue = false;
  static Acc Init() {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::lowest();
  }
  // A NaN wins and, once held, stays (nothing compares greater than it).
  // `|`, not `||`: no branch, so column loops can vectorise.
  static Acc Add(Acc a, T x) {
    if constexpr (std::is_floating_point_v<T>) return ((x > a) | std::isnan(x)) ? x : a;
    else return x > a ? x : a;
  }
  static Acc Merge(Acc a, Acc b) { return Add(a, b); }
  static T Finish(Acc a, int64_t) { return a; }
  // A contiguous run, n > 0: Eigen's vectorised max is several times faster
  // than the lane loop (whose NaN test does not vectorise well).
  static Acc AddRun(Acc a, const T* p, int64_t n) {
    Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>> run(p, n);
    if constexpr (std::is_floating_point_v<T>) {
      return Merge(a, run.template maxCoeff<Eigen::PropagateNaN>());
    } else {
      return Merge(a, run.maxCoeff());
    }
  }
};

// Min mirrors Max: a NaN wins and stays.
template <typename T>
struct MinReducer {
  using Acc = T;
  static constexpr bool kHasEmptyValue = false;
  static Acc Init() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::max();
  }
  static Acc Add(Acc a, T x) {
    if constexpr (std::is_floating_point_v<T>) return ((x < a) | std::isnan(x)) ? x : a;
    else return x < a ? x : a;
  }
  static Acc Merge(Acc a, Acc b) { return Add(a, b); }
  static T Finish(Acc a, int64_t) { return a; }
};

// Prod: floats multiply in double, integers wrap like the element type
// (through uint64, no signed overflow); the empty product is 1.
template <typename T>
struct ProdReducer {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
  static constexpr bool kHasEmptyValue = true;
  static T EmptyValue() { return T(1); }
  static Acc Init() { return Acc(1); }
  static Acc Add(Acc a, T x) { return a * static_cast<Acc>(x); }
  static Acc Merge(Acc a, Acc b) { return a * b; }
  static T Finish(Acc a, int64_t) {
    if constexpr (std::is_floating_point_v<T>) return static_cast<T>(a);
    else return static_cast<T>(static_cast<int64_t>(a));
  }
};

// Elements per piece handed to the pool; fixed so results do not depend on
// the number of threads.
constexpr int64_t kChunkElements = 16384;
constexpr int64_t kColumnBlock = 256;

template <class R, typename T>
typename R::Acc ReduceContiguous(const T* p, int64_t n, typename R::Acc acc) {
  using Acc = typename R::Acc;
  if constexpr (requires { R::AddRun(acc, p, n); }) {
    return n > 0 ? R::AddRun(acc, p, n) : acc;
  }
  constexpr int kLanes = 8;  // independent accumulators: the loop vectorises
  if (n >= kLanes) {
    Acc lane[kLanes];
    for (Acc& l : lane) l = R::Init();
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
      for (int j = 0; j < kLanes; ++j) lane[j] = R::Add(lane[j], p[i + j]);
    }
    for (const Acc& l : lane) acc = R::Merge(acc, l);
    p += i;
    n -= i;
  }
  for (int64_t i = 0; i < n; ++i) acc = R::Add(acc, p[i]);
  return acc;
}

// [rows, n] -> [rows]: each output element reduces one contiguous row.
template <class R, typename T>
void ReduceTrailing(const OpKernelContext& ctx, const T* in, int64_t rows, int64_t n,
                    int64_t count, T* out) {
  using Acc = typename R::Acc;
  if (rows >= 8 || n < 2 * kChunkElements) {
    ctx.ParallelFor(rows, n / 4 + 1, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        out[r] = R::Finish(ReduceContiguous<R>(in + r * n, n, R::Init()), count);
      }
    });
    return;
  }
  // Few long rows: split each row into chunks, combined in order.
  const int64_t chunks = (n + kChunkElements - 1) / kChunkElements;
  std::vector<Acc> partial(chunks);
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = in + r * n;
    ctx.ParallelFor(chunks, kChunkElements / 4, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        const int64_t lo = c * kChunkElements;
        partial[c] = ReduceContiguous<R>(row + lo, std::min(kChunkElements, n - lo), R::Init());
      }
    });
    Acc acc = R::Init();
    for (const Acc& p : partial) acc = R::Merge(acc, p);
    out[r] = R::Finish(acc, count);
  }
}

// [outer, n, inner] -> [outer, inner] with inner > 1: column accumulators.
// Pieces are (outer index, chunk of rows, block of columns); the per-chunk
// partial results are merged in order.
template <class R, typename T>
void ReduceColumns(const OpKernelContext& ctx, const T* in, int64_t outer, int64_t n,
                   int64_t inner, int64_t count, T* out) {
  using Acc = typename R::Acc;
  const int64_t chunk_rows = std::max<int64_t>(64, (kChunkElements + inner - 1) / inner);
  const int64_t chunks = (n + chunk_rows - 1) / chunk_rows;
  const int64_t blocks = (inner + kColumnBlock - 1) / kColumnBlock;
  // [outer, chunks, inner]; not needed when each column is one chunk.
  std::vector<Acc> partial(chunks > 1 ? outer * chunks * inner : 0);
  const int64_t unit_cost = std::min(chunk_rows, n) * std::min(kColumnBlock, inner) / 4 + 1;
  ctx.ParallelFor(outer * chunks * blocks, unit_cost, [&](int64_t begin, int64_t end) {
    Acc local[kColumnBlock];
    for (int64_t u = begin; u < end; ++u) {
      const int64_t o = u / (chunks * blocks), ch = u / blocks % chunks, b = u % blocks;
      const int64_t c0 = b * kColumnBlock, width = std::min(kColumnBlock, inner - c0);
      const int64_t r0 = ch * chunk_rows, r1 = std::min(n, r0 + chunk_rows);
      Acc* acc = chunks > 1 ? partial.data() + (o * chunks + ch) * inner + c0 : local;
      for (int64_t c = 0; c < width; ++c) acc[c] = R::Init();
      for (int64_t r = r0; r < r1; ++r) {
        const T* row = in + (o * n + r) * inner + c0;
        for (int64_t c = 0; c < width; ++c) acc[c] = R::Add(acc[c], row[c]);
      }
      if (chunks == 1) {
        for (int64_t c = 0; c < width; ++c) out[o * inner + c0 + c] = R::Finish(acc[c], count);
      }
    }
  });
  if (chunks == 1) return;
  ctx.ParallelFor(outer * inner, chunks / 2 + 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t o = i / inner, c = i % inner;
      Acc acc = partial[o * chunks * inner + c];
      for (int64_t ch = 1; ch < chunks; ++ch) {
        acc = R::Merge(acc, partial[(o * chunks + ch) * inner + c]);
      }
      out[i] = R::Finish(acc, count);
    }
  });
}

// Any other grouping ([R, K, R], [R, K, R, K], ...): walks the input in memory
// order, one innermost run at a time, folding into per-output accumulators.
// Pieces are ranges of the outermost kept group, so each output is folded by
// one piece, in memory order, whatever the number of threads.
template <class R, typename T>
void ReduceGeneral(const OpKernelContext& ctx, const T* in, int64_t total,
                   const ReductionPlan& plan, T* out) {
  using Acc = typename R::Acc;
  const std::vector<ReductionPlan::Group>& g = plan.groups;
  const int last = static_cast<int>(g.size()) - 1;
  std::vector<int64_t> in_stride(g.size()), out_stride(g.size(), 0);
  for (int64_t i = last, s = 1, o = 1; i >= 0; --i) {
    in_stride[i] = s;
    s *= g[i].size;
    if (!g[i].reduced) {
      out_stride[i] = o;
      o *= g[i].size;
    }
  }
  const int split = g[0].reduced ? 1 : 0;  // groups alternate; here split < last
  std::vector<Acc> acc(total / plan.reduced_count);
  ctx.ParallelFor(g[split].size, total / g[split].size / 4 + 1, [&](int64_t begin, int64_t end) {
    const int64_t out_begin = begin * out_stride[split], out_end = end * out_stride[split];
    std::fill(acc.begin() + out_begin, acc.begin() + out_end, R::Init());
    std::vector<int64_t> idx(last, 0);
    idx[split] = begin;
    int64_t in_off = begin * in_stride[split], out_off = out_begin;
    while (true) {
      if (g[last].reduced) {
        acc[out_off] = ReduceContiguous<R>(in + in_off, g[last].size, acc[out_off]);
      } else {
        for (int64_t c = 0; c < g[last].size; ++c) {
          acc[out_off + c] = R::Add(acc[out_off + c], in[in_off + c]);
        }
      }
      int k = last - 1;
      for (; k >= 0; --k) {  // odometer over the outer groups
        const int64_t lo = k == split ? begin : 0, hi = k == split ? end : g[k].size;
        in_off += in_stride[k];
        out_off += out_stride[k];
        if (++idx[k] < hi) break;
        in_off -= (idx[k] - lo) * in_stride[k];
        out_off -= (idx[k] - lo) * out_stride[k];
        idx[k] = lo;
      }
      if (k < 0) break;
    }
    for (int64_t o = out_begin; o < out_end; ++o) out[o] = R::Finish(acc[o], plan.reduced_count);
  });
}

// Reduces `input` by `plan` into `output` (allocated with the plan's
// element count).
template <typename R, typename T>
absl::Status RunReduction(const OpKernelContext& ctx, const Tensor& input,
                          const ReductionPlan& plan, Tensor& output,
                          absl::FunctionRef<std::string()> describe) {
  T* out = output.data<T>();
  const int64_t outputs = output.num_elements();
  if (outputs == 0) return absl::OkStatus();
  if (plan.reduced_count == 0) {
    if constexpr (R::kHasEmptyValue) {
      std::fill(out, out + outputs, R::EmptyValue());
      return absl::OkStatus();
    } else {
      return absl::InvalidArgumentError(describe());
    }
  }
  const T* in = input.data<T>();
  const int64_t count = plan.reduced_count;
  // Groups alternate kept (K) and reduced (R).
  const std::vector<ReductionPlan::Group>& g = plan.groups;
  if (g.empty() || (g.size() == 1 && !g[0].reduced)) {  // nothing to fold: a copy
    ReduceTrailing<R>(ctx, in, outputs, 1, count, out);
  } else if (g.back().reduced && g.size() <= 2) {  // [R] or [K, R]
    ReduceTrailing<R>(ctx, in, outputs, g.back().size, count, out);
  } else if (!g.back().reduced && g.size() <= 3) {  // [R, K] or [K, R, K]
    const int64_t outer = g.size() == 3 ? g[0].size : 1;
    ReduceColumns<R>(ctx, in, outer, g[g.size() - 2].size, g.back().size, count, out);
  } else {
    ReduceGeneral<R>(ctx, in, input.num_elements(), plan, out);
  }
  return absl::OkStatus();
}

// kAxesInput: DynamicSum and the like (core/graph/ops/indexing_dynamic.h),
// whose axes are input 1 (int32/int64, rank 1) read when they run, with
// ONNX's noop_with_empty_axes (empty axes then pass the input through).
template <typename T, template <typename> class Reducer, bool kAxesInput = false>
class ReduceOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  using R = Reducer<T>;

  absl::Status Init(const OpKernelConstruction& c) {
    if constexpr (kAxesInput) {
      ASSIGN_OR_RETURN(noop_with_empty_axes_, c.attr<bool>("noop_with_empty_axes"));
    } else {
      ASSIGN_OR_RETURN(axis_, c.attr<std::vector<int64_t>>("axis"));
    }
    ASSIGN_OR_RETURN(keep_dims_, c.attr<bool>("keep_dims"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& input = ctx.input(0);
    std::vector<int64_t> run_time;
    if constexpr (kAxesInput) {
      const Tensor& axes = ctx.input(1);
      if (axes.rank() != 1) {
        return absl::InvalidArgumentError(absl::StrCat(op(), " '", name(),
                                                       "': axes must be rank 1, is ",
                                                       axes.ShapeString()));
      }
      if (axes.dtype() == DataType::kInt64) {
        run_time.assign(axes.flat<int64_t>().begin(), axes.flat<int64_t>().end());
      } else {
        run_time.assign(axes.flat<int32_t>().begin(), axes.flat<int32_t>().end());
      }
      if (run_time.empty() && noop_with_empty_axes_) return ctx.set_output(0, input);
      // Empty means every axis, spelled out so a rank-0 input reduces nothing.
      if (run_time.empty()) {
        if (input.rank() == 0) return ctx.set_output(0, input);
        for (int d = 0; d < input.rank(); ++d) run_time.push_back(d);
      }
    }
    const std::vector<int64_t>& axes = kAxesInput ? run_time : axis_;
    auto plan = PlanReduction(input.shape(), axes, keep_dims_);
    if (!plan.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(op(), " '", name(), "': ", plan.status().message()));
    }
    ASSIGN_OR_RETURN(Tensor * output, ctx.allocate_output(0, plan->output));
    return RunReduction<R, T>(ctx, input, *plan, *output,
                              [&] { return EmptyReductionMessage(op(), input, axes); });
  }

 private:
  std::vector<int64_t> axis_;
  bool keep_dims_ = false;
  bool noop_with_empty_axes_ = false;
};

template <typename T>
class ReduceSumLikeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& input = ctx.input(0);
    const TensorShape& like = ctx.input(1).shape();
    if (input.shape() == like) return ctx.set_output(0, input);
    ASSIGN_OR_RETURN(std::vector<int64_t> axes, AxesToShape(input.shape(), like));
    ASSIGN_OR_RETURN(ReductionPlan plan, PlanReduction(input.shape(), axes, true));
    ASSIGN_OR_RETURN(Tensor * output, ctx.allocate_output(0, like));
    return RunReduction<SumReducer<T>, T>(ctx, input, plan, *output, [] { return ""; });
  }
};

// NaN counts as the maximum; ties keep the earlier index. Branch-free (`|`,
// `&`) so the column loop vectorises.
template <typename T>
bool Better(T x, T best) {
  if constexpr (std::is_floating_point_v<T>) {
    return (x > best) | (std::isnan(x) & !std::isnan(best));
  } else {
    return x > best;
  }
}

// First index of the maximum of p[0, n), n > 0: a vectorised Max, then a
// search for the first element equal to it (or the first NaN).
template <typename T>
int64_t ArgMaxContiguous(const T* p, int64_t n) {
  const T max = ReduceContiguous<MaxReducer<T>>(p, n, MaxReducer<T>::Init());
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(max)) {
      for (int64_t i = 0; i < n; ++i) {
        if (std::isnan(p[i])) return i;
      }
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] == max) return i;
  }
  return 0;  // not reached: max is one of the elements
}

template <typename T, typename Out>
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
    const int64_t outer = plan.outer, n = plan.n, inner = plan.inner;
    ASSIGN_OR_RETURN(Tensor * output, ctx.allocate_output(0, plan.output));
    if (output->num_elements() == 0) return absl::OkStatus();
    if (n == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ArgMax along axis ", axis_, " of ", input.ShapeString(), ": the axis is empty"));
    }
    const T* in = input.data<T>();
    Out* out = output->data<Out>();
    if (inner == 1) {
      ctx.ParallelFor(outer, n / 4 + 1, [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) {
          out[o] = static_cast<Out>(ArgMaxContiguous(in + o * n, n));
        }
      });
      return absl::OkStatus();
    }
    // Columns: pieces are (outer index, block of columns), scanned row by row.
    const int64_t blocks = (inner + kColumnBlock - 1) / kColumnBlock;
    const int64_t unit_cost = n * std::min(inner, kColumnBlock) / 4 + 1;
    ctx.ParallelFor(outer * blocks, unit_cost, [&](int64_t begin, int64_t end) {
      T best[kColumnBlock];
      Out index[kColumnBlock];
      for (int64_t u = begin; u < end; ++u) {
        const int64_t o = u / blocks, c0 = u % blocks * kColumnBlock;
        const int64_t width = std::min(kColumnBlock, inner - c0);
        const T* base = in + o * n * inner + c0;
        for (int64_t c = 0; c < width; ++c) {
          best[c] = base[c];
          index[c] = 0;
        }
        for (int64_t r = 1; r < n; ++r) {
          const T* row = base + r * inner;
          const Out rr = static_cast<Out>(r);
          for (int64_t c = 0; c < width; ++c) {
            const bool better = Better(row[c], best[c]);
            best[c] = better ? row[c] : best[c];
            index[c] = better ? rr : index[c];
          }
        }
        std::copy(index, index + width, out + o * inner + c0);
      }
    });
    return absl::OkStatus();
  }

 private:
  int64_t axis_ = 0;
};

template <typename T>
void RegisterFor(KernelRegistry& r) {
  const std::vector<TypeConstraint> t = {{"T", {DataTypeOf<T>()}}};
  r.Register<ReduceOp<T, SumReducer>>("Sum", kDeviceCpu, t);
  r.Register<ReduceOp<T, MeanReducer>>("Mean", kDeviceCpu, t);
  r.Register<ReduceOp<T, MaxReducer>>("Max", kDeviceCpu, t);
  r.Register<ReduceOp<T, MinReducer>>("Min", kDeviceCpu, t);
  r.Register<ReduceOp<T, ProdReducer>>("Prod", kDeviceCpu, t);
  r.Register<ReduceSumLikeOp<T>>("ReduceSumLike", kDeviceCpu, t);
  r.Register<ArgMaxOp<T, int32_t>>("ArgMax", kDeviceCpu,
                                   {{"T", {DataTypeOf<T>()}}, {"output_type", {DataType::kInt32}}});
  r.Register<ArgMaxOp<T, int64_t>>("ArgMax", kDeviceCpu,
                                   {{"T", {DataTypeOf<T>()}}, {"output_type", {DataType::kInt64}}});
}

}  // namespace

// The five reductions for float64 (ONNX's ReduceX on double), and their
// run-time-axes forms for every reduction dtype.
template <typename T>
void RegisterReducers(KernelRegistry& r) {
  const std::vector<TypeConstraint> t = {{"T", {DataTypeOf<T>()}}};
  if constexpr (std::is_same_v<T, double>) {
    r.Register<ReduceOp<T, SumReducer>>("Sum", kDeviceCpu, t);
    r.Register<ReduceOp<T, MeanReducer>>("Mean", kDeviceCpu, t);
    r.Register<ReduceOp<T, MaxReducer>>("Max", kDeviceCpu, t);
    r.Register<ReduceOp<T, MinReducer>>("Min", kDeviceCpu, t);
    r.Register<ReduceOp<T, ProdReducer>>("Prod", kDeviceCpu, t);
  }
  const std::vector<TypeConstraint> d = {{"T", {DataTypeOf<T>()}},
                                         {"Tidx", {DataType::kInt32, DataType::kInt64}}};
  r.Register<ReduceOp<T, SumReducer, true>>("DynamicSum", kDeviceCpu, d);
  r.Register<ReduceOp<T, MeanReducer, true>>("DynamicMean", kDeviceCpu, d);
  r.Register<ReduceOp<T, MaxReducer, true>>("DynamicMax", kDeviceCpu, d);
  r.Register<ReduceOp<T, MinReducer, true>>("DynamicMin", kDeviceCpu, d);
  r.Register<ReduceOp<T, ProdReducer, true>>("DynamicProd", kDeviceCpu, d);
}

void RegisterReductionKernels(KernelRegistry& r) {
  RegisterFor<float>(r);
  RegisterFor<int32_t>(r);
  RegisterFor<int64_t>(r);
  RegisterReducers<float>(r);
  RegisterReducers<double>(r);
  RegisterReducers<int32_t>(r);
  RegisterReducers<int64_t>(r);
}

}  // namespace graphrt
