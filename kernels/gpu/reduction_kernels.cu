// Reduction CUDA kernels (see reduction_kernels.h).
//
// Paths: a [outer, n, inner] view runs one block per output (threads stride
// over n, then a shared-memory reduction) when outputs are few or columns
// long, else one thread per output (coalesced across the inner dim). Other
// layouts run one thread per output that walks its reduced elements by their
// strides. Each output's combination order depends on the shapes only.
#include <cmath>

#include "kernels/gpu/launch_util.cuh"
#include "kernels/gpu/reduction_kernels.h"

namespace graphrt {
namespace {

using gpu::BlockReduce;
using gpu::BlocksFor;
using gpu::GlobalThread;
using gpu::GridThreads;
using gpu::kThreads;
using gpu::RowThreads;

// Outputs at or above which a [outer, n, inner] view is reduced by one thread
// per output (when its columns are short or contiguous across threads).
constexpr int64_t kManyOutputs = 2048;
constexpr int64_t kShortColumn = 64;

bool ThreadPerOutput(int64_t outputs, int64_t n, int64_t inner) {
  return outputs >= kManyOutputs && (inner > 1 || n <= kShortColumn);
}

template <GpuReduceOp Op>
struct Reducer {  // kSum, kMean: double accumulation, as on the CPU
  using Acc = double;
  using Combine = gpu::SumFn;
  __device__ static Acc Init() { return 0.0; }
  __device__ static Acc Add(Acc a, float x) { return a + static_cast<double>(x); }
  __device__ static float Finish(Acc a, int64_t count) {
    if constexpr (Op == GpuReduceOp::kMean) return static_cast<float>(a / count);
    return static_cast<float>(a);
  }
};

template <>
struct Reducer<GpuReduceOp::kMax> {
  using Acc = float;
  using Combine = gpu::MaxFn;
  __device__ static Acc Init() { return -INFINITY; }
  __device__ static Acc Add(Acc a, float x) { return (x > a || x != x) ? x : a; }
  __device__ static float Finish(Acc a, int64_t) { return a; }
};

// Column o % inner of slab o / inner of a [outer, n, inner] view starts here.
__device__ inline int64_t ColumnStart(int64_t o, int64_t n, int64_t inner) {
  return o / inner * n * inner + o % inner;
}

template <GpuReduceOp Op>
__global__ void ReduceBlockPerOutput(const float* in, int64_t outputs, int64_t n, int64_t inner,
                                     float* out) {
  using R = Reducer<Op>;
  __shared__ typename R::Acc smem[kThreads];
  for (int64_t o = blockIdx.x; o < outputs; o += gridDim.x) {  // uniform in the block
    const float* column = in + ColumnStart(o, n, inner);
    typename R::Acc acc = R::Init();
    for (int64_t r = threadIdx.x; r < n; r += blockDim.x) acc = R::Add(acc, column[r * inner]);
    acc = BlockReduce(acc, smem, typename R::Combine{});
    if (threadIdx.x == 0) out[o] = R::Finish(acc, n);
  }
}

template <GpuReduceOp Op>
__global__ void ReduceThreadPerOutput(const float* in, int64_t outputs, int64_t n, int64_t inner,
                                      float* out) {
  using R = Reducer<Op>;
  for (int64_t o = GlobalThread(); o < outputs; o += GridThreads()) {
    const float* column = in + ColumnStart(o, n, inner);
    typename R::Acc acc = R::Init();
    for (int64_t r = 0; r < n; ++r) acc = R::Add(acc, column[r * inner]);
    out[o] = R::Finish(acc, n);
  }
}

template <GpuReduceOp Op>
__global__ void ReduceGeneralKernel(const float* in, ReduceLayout layout, int64_t outputs,
                                    int64_t count, float* out) {
  using R = Reducer<Op>;
  for (int64_t o = GlobalThread(); o < outputs; o += GridThreads()) {
    int64_t rem = o, base = 0;
    for (int g = layout.num_kept - 1; g >= 0; --g) {
      base += rem % layout.kept_sizes[g] * layout.kept_strides[g];
      rem /= layout.kept_sizes[g];
    }
    typename R::Acc acc = R::Init();
    for (int64_t r = 0; r < count; ++r) {
      int64_t rr = r, offset = base;
      for (int g = layout.num_reduced - 1; g >= 0; --g) {
        offset += rr % layout.reduced_sizes[g] * layout.reduced_strides[g];
        rr /= layout.reduced_sizes[g];
      }
      acc = R::Add(acc, in[offset]);
    }
    out[o] = R::Finish(acc, count);
  }
}

template <GpuReduceOp Op>
void RunMiddle(const float* in, int64_t outer, int64_t n, int64_t inner, float* out,
               cudaStream_t stream) {
  const int64_t outputs = outer * inner;
  if (ThreadPerOutput(outputs, n, inner)) {
    ReduceThreadPerOutput<Op><<<BlocksFor(outputs), kThreads, 0, stream>>>(in, outputs, n, inner,
                                                                            out);
  } else {
    ReduceBlockPerOutput<Op><<<BlocksFor(outputs, 1), RowThreads(n), 0, stream>>>(
        in, outputs, n, inner, out);
  }
}

// ArgMax: a candidate maximum and its index. NaN beats any number; equal
// values (or two NaNs) go to the lower index.
struct Candidate {
  float value;
  int64_t index;
};

struct ArgMaxFn {
  __device__ Candidate operator()(Candidate a, Candidate b) const {
    const bool a_nan = a.value != a.value, b_nan = b.value != b.value;
    if (a_nan != b_nan) return a_nan ? a : b;
    if (!a_nan && a.value != b.value) return a.value > b.value ? a : b;
    return a.index <= b.index ? a : b;
  }
};

// Scans column elements [begin, n) in steps of `step`; an element replaces
// the best only when strictly better, so ties keep the first index.
__device__ inline Candidate ScanColumn(const float* column, int64_t inner, int64_t n,
                                       int64_t begin, int64_t step) {
  Candidate best{NAN, -1};  // index -1: nothing seen yet
  for (int64_t r = begin; r < n; r += step) {
    const float x = column[r * inner];
    const bool better = best.index < 0 || x > best.value ||
                        (x != x && best.value == best.value);
    if (better) best = {x, r};
  }
  return best;
}

template <typename Out>
__global__ void ArgMaxThreadPerOutput(const float* in, int64_t outputs, int64_t n, int64_t inner,
                                      Out* out) {
  for (int64_t o = GlobalThread(); o < outputs; o += GridThreads()) {
    out[o] = static_cast<Out>(ScanColumn(in + ColumnStart(o, n, inner), inner, n, 0, 1).index);
  }
}

template <typename Out>
__global__ void ArgMaxBlockPerOutput(const float* in, int64_t outputs, int64_t n, int64_t inner,
                                     Out* out) {
  __shared__ Candidate smem[kThreads];
  for (int64_t o = blockIdx.x; o < outputs; o += gridDim.x) {  // uniform in the block
    Candidate best =
        ScanColumn(in + ColumnStart(o, n, inner), inner, n, threadIdx.x, blockDim.x);
    if (best.index < 0) best = {-INFINITY, n};  // no element: loses to every real one
    best = BlockReduce(best, smem, ArgMaxFn{});
    if (threadIdx.x == 0) out[o] = static_cast<Out>(best.index);
  }
}

template <typename Out>
void RunArgMax(const float* in, int64_t outer, int64_t n, int64_t inner, Out* out,
               cudaStream_t stream) {
  const int64_t outputs = outer * inner;
  if (ThreadPerOutput(outputs, n, inner) || n <= kShortColumn) {
    ArgMaxThreadPerOutput<<<BlocksFor(outputs), kThreads, 0, stream>>>(in, outputs, n, inner,
                                                                        out);
  } else {
    ArgMaxBlockPerOutput<<<BlocksFor(outputs, 1), RowThreads(n), 0, stream>>>(in, outputs, n,
                                                                               inner, out);
  }
}

}  // namespace

void LaunchReduceMiddle(GpuReduceOp op, const float* in, int64_t outer, int64_t n, int64_t inner,
                        float* out, cudaStream_t stream) {
  if (outer * inner <= 0) return;
  switch (op) {
    case GpuReduceOp::kSum: return RunMiddle<GpuReduceOp::kSum>(in, outer, n, inner, out, stream);
    case GpuReduceOp::kMean: return RunMiddle<GpuReduceOp::kMean>(in, outer, n, inner, out, stream);
    case GpuReduceOp::kMax: return RunMiddle<GpuReduceOp::kMax>(in, outer, n, inner, out, stream);
  }
}

void LaunchReduceGeneral(GpuReduceOp op, const float* in, const ReduceLayout& layout,
                         int64_t outputs, int64_t reduced_count, float* out,
                         cudaStream_t stream) {
  if (outputs <= 0) return;
  const int blocks = BlocksFor(outputs);
  switch (op) {
    case GpuReduceOp::kSum:
      return ReduceGeneralKernel<GpuReduceOp::kSum><<<blocks, kThreads, 0, stream>>>(
          in, layout, outputs, reduced_count, out);
    case GpuReduceOp::kMean:
      return ReduceGeneralKernel<GpuReduceOp::kMean><<<blocks, kThreads, 0, stream>>>(
          in, layout, outputs, reduced_count, out);
    case GpuReduceOp::kMax:
      return ReduceGeneralKernel<GpuReduceOp::kMax><<<blocks, kThreads, 0, stream>>>(
          in, layout, outputs, reduced_count, out);
  }
}

void LaunchArgMax(const float* in, int64_t outer, int64_t n, int64_t inner, void* out, bool out64,
                  cudaStream_t stream) {
  if (outer * inner <= 0) return;
  if (out64) {
    RunArgMax(in, outer, n, inner, static_cast<int64_t*>(out), stream);
  } else {
    RunArgMax(in, outer, n, inner, static_cast<int32_t*>(out), stream);
  }
}

}  // namespace graphrt
