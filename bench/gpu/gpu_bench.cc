// GPU execution benchmarks (built only with CUDA). Scenarios:
//   BM_GpuExecutor_Chain/N          N float32 Adds over 256 elements on GPU:0, each
//                                   on the previous result; fed from the host and
//                                   fetched back. per_node = step time / N: the host
//                                   cost of one GPU node (dispatch + launch).
//   BM_GpuExecutor_IdentityChain/N  N Identity nodes on GPU:0 (no launches: a GPU
//                                   Identity shares its input), the same feed and
//                                   fetch: the executor's part of per_node above.
//   BM_GpuRaw_Chain/N               Chain's work in plain CUDA: a copy in, N launches
//                                   of an add-one kernel, a copy out, one stream
//                                   sync: the floor for BM_GpuExecutor_Chain.
//   BM_GpuMatMul_Graphrt/n          an n x n x n float32 MatMul on GPU:0 (operands
//                                   are Consts already in device memory), run as a
//                                   target: one step = launch + cuBLAS + one sync.
//   BM_GpuMatMul_Cublas/n           cublasSgemm on a stream and a sync: its floor.
//   BM_Mlp_Forward/{cpu,gpu,mixed}/B  the book's 784-300-100-10 dense network (relu,
//                                   relu, softmax; weights in variables) on a batch
//                                   of B fed from the host, probabilities fetched:
//                                   cpu: all on CPU:0; gpu: all on GPU:0; mixed:
//                                   layers 1-2 on GPU:0, layer 3 and softmax on CPU:0.
// Without a GPU every GPU scenario skips saying why; BM_Mlp_Forward/cpu runs.
// All share one runtime: 2 inter-op threads, intra-op = cores, each GPU one
// logical device with an 8 GiB pool, so the cuBLAS baseline has room beside it.
#include <benchmark/benchmark.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "bench/executor/bench_util.h"
#include "bench/gpu/raw_kernels.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"

namespace graphrt {
namespace {

constexpr char kNoGpu[] = "no GPU device: built without CUDA or none visible";
constexpr int64_t kChainElements = 256;

std::shared_ptr<Runtime> BenchRuntime() {
  static const std::shared_ptr<Runtime> runtime = [] {
    auto rt = Runtime::Create({.inter_op_threads = 2, .intra_op_threads = 0});
    for (const PhysicalDevice& gpu : rt->ListPhysicalDevices("GPU")) {
      (void)rt->SetLogicalDeviceConfiguration(gpu, {{.memory_limit_mb = 8192}});
    }
    return rt;
  }();
  return runtime;
}

// False (and the benchmark skipped) when there is no logical GPU.
bool HaveGpu(benchmark::State& state) {
  if (!BenchRuntime()->ListLogicalDevices("GPU").empty()) return true;
  state.SkipWithError(kNoGpu);
  return false;
}

// Null (and the benchmark skipped with the status) when creation fails.
std::unique_ptr<Session> MakeSession(const GraphBuilder& b, benchmark::State& state) {
  SessionOptions o;
  o.runtime = BenchRuntime();
  o.allow_soft_placement = false;  // a node that cannot run where asked is an error
  auto graph = b.Build();
  auto session = graph.ok() ? Session::Create(*std::move(graph), o)
                            : absl::StatusOr<std::unique_ptr<Session>>(graph.status());
  if (!session.ok()) {
    state.SkipWithError(std::string(session.status().message()).c_str());
    return nullptr;
  }
  return *std::move(session);
}

// Chain of `n` nodes on GPU:0 from a host-fed placeholder; Add or Identity.
void RunChain(benchmark::State& state, bool add) {
  if (!HaveGpu(state)) return;
  const int64_t n = state.range(0);
  GraphBuilder b;
  Output x;
  {
    GraphBuilder::DeviceScope cpu(b, "/CPU:0");
    x = b.Placeholder(DataType::kFloat32, {kChainElements}, "x");
  }
  Output cur = x;
  {
    GraphBuilder::DeviceScope gpu(b, "/GPU:0");
    Output one = b.Scalar<float>(1.0f, "one");
    for (int64_t i = 0; i < n; ++i) cur = add ? ops::Add(cur, one) : ops::Identity(cur);
  }
  auto session = MakeSession(b, state);
  if (session == nullptr) return;
  auto h = session->MakeCallable({x}, {cur});
  if (!h.ok()) return state.SkipWithError(std::string(h.status().message()).c_str());
  Tensor feed(DataType::kFloat32, {kChainElements});
  for (float& v : feed.flat<float>()) v = 0.0f;
  auto check = session->RunCallable(*h, std::span<const Tensor>(&feed, 1));
  if (!check.ok()) return state.SkipWithError(std::string(check.status().message()).c_str());
  if ((*check)[0].data<float>()[kChainElements - 1] != (add ? static_cast<float>(n) : 0.0f)) {
    return state.SkipWithError("the chain computed a wrong value");
  }
  bench::RunSteps(state, *session, *h, std::span<const Tensor>(&feed, 1), n);
}

void BM_GpuExecutor_Chain(benchmark::State& state) { RunChain(state, /*add=*/true); }
void BM_GpuExecutor_IdentityChain(benchmark::State& state) { RunChain(state, /*add=*/false); }
BENCHMARK(BM_GpuExecutor_Chain)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->UseRealTime();
BENCHMARK(BM_GpuExecutor_IdentityChain)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->UseRealTime();

// ---- Plain CUDA baselines ----------------------------------------------------

// The CUDA device count, 0 without a driver or a device (and the error cleared).
int CudaDevices() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return count;
}

// Device buffers and a stream on GPU 0, freed on scope exit.
struct CudaScratch {
  cudaStream_t stream = nullptr;
  std::vector<float*> buffers;
  cudaError_t error = cudaSuccess;

  explicit CudaScratch(std::vector<size_t> floats) {
    error = cudaSetDevice(0);
    if (error == cudaSuccess) error = cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
    for (size_t n : floats) {
      float* p = nullptr;
      if (error == cudaSuccess) error = cudaMalloc(reinterpret_cast<void**>(&p), n * sizeof(float));
      buffers.push_back(p);
    }
  }
  ~CudaScratch() {
    for (float* p : buffers) {
      if (p != nullptr) cudaFree(p);
    }
    if (stream != nullptr) cudaStreamDestroy(stream);
  }
};

bool CudaOk(benchmark::State& state, cudaError_t e, const char* what) {
  if (e == cudaSuccess) return true;
  state.SkipWithError((std::string(what) + ": " + cudaGetErrorString(e)).c_str());
  return false;
}

void BM_GpuRaw_Chain(benchmark::State& state) {
  if (CudaDevices() == 0) return state.SkipWithError(kNoGpu);
  const int n = static_cast<int>(state.range(0));
  CudaScratch s({kChainElements});
  if (!CudaOk(state, s.error, "setup")) return;
  std::vector<float> in(kChainElements, 0.0f), out(kChainElements, 0.0f);
  const size_t bytes = kChainElements * sizeof(float);
  for (auto _ : state) {
    cudaError_t e = cudaMemcpyAsync(s.buffers[0], in.data(), bytes, cudaMemcpyHostToDevice,
                                    s.stream);
    if (e == cudaSuccess) e = bench::LaunchAddOneChain(s.buffers[0], kChainElements, n, s.stream);
    if (e == cudaSuccess) {
      e = cudaMemcpyAsync(out.data(), s.buffers[0], bytes, cudaMemcpyDeviceToHost, s.stream);
    }
    if (e == cudaSuccess) e = cudaStreamSynchronize(s.stream);
    if (!CudaOk(state, e, "chain")) return;
  }
  if (out[0] != static_cast<float>(n)) {
    return state.SkipWithError("the chain computed a wrong value");
  }
  state.counters["per_node"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_GpuRaw_Chain)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->UseRealTime();

// ---- MatMul ------------------------------------------------------------------

// n x n float32 values in [-0.5, 0.5): a cheap deterministic pattern.
Tensor Pattern(int64_t n, int salt) {
  Tensor t(DataType::kFloat32, {n, n});
  float* p = t.data<float>();
  for (int64_t i = 0; i < n * n; ++i) p[i] = static_cast<float>((i * 7 + salt) % 17 - 8) / 16.0f;
  return t;
}

void SetFlops(benchmark::State& state, int64_t n) {
  state.counters["FLOPS"] = benchmark::Counter(
      2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n) *
          static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

void BM_GpuMatMul_Graphrt(benchmark::State& state) {
  if (!HaveGpu(state)) return;
  const int64_t n = state.range(0);
  GraphBuilder b;
  Output product;
  {
    GraphBuilder::DeviceScope gpu(b, "/GPU:0");
    product = ops::MatMul(b.Const(Pattern(n, 1), "a"), b.Const(Pattern(n, 2), "b"), {}, "c");
  }
  auto session = MakeSession(b, state);
  if (session == nullptr) return;
  auto h = session->MakeCallable({}, {}, {product});
  if (!h.ok()) return state.SkipWithError(std::string(h.status().message()).c_str());
  bench::RunSteps(state, *session, *h, {});
  SetFlops(state, n);
}

void BM_GpuMatMul_Cublas(benchmark::State& state) {
  if (CudaDevices() == 0) return state.SkipWithError(kNoGpu);
  const int64_t n = state.range(0);
  const size_t elements = static_cast<size_t>(n * n);
  CudaScratch s({elements, elements, elements});
  if (!CudaOk(state, s.error, "setup")) return;
  const Tensor a = Pattern(n, 1), b = Pattern(n, 2);
  const auto h2d = cudaMemcpyHostToDevice;
  if (!CudaOk(state, cudaMemcpy(s.buffers[0], a.raw_data(), a.TotalBytes(), h2d), "copy") ||
      !CudaOk(state, cudaMemcpy(s.buffers[1], b.raw_data(), b.TotalBytes(), h2d), "copy")) {
    return;
  }
  cublasHandle_t handle = nullptr;
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) {
    return state.SkipWithError("cublasCreate failed");
  }
  cublasSetStream(handle, s.stream);
  const float alpha = 1.0f, beta = 0.0f;
  const int dim = static_cast<int>(n);
  for (auto _ : state) {
    // Row-major C = A B is column-major C^T = B^T A^T (as kernels/gpu/matmul_ops.cc).
    const cublasStatus_t st = cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, dim, dim, dim, &alpha,
                                          s.buffers[1], dim, s.buffers[0], dim, &beta,
                                          s.buffers[2], dim);
    if (st != CUBLAS_STATUS_SUCCESS) {
      state.SkipWithError(cublasGetStatusName(st));
      break;
    }
    if (!CudaOk(state, cudaStreamSynchronize(s.stream), "sync")) break;
  }
  cublasDestroy(handle);
  SetFlops(state, n);
}

BENCHMARK(BM_GpuMatMul_Graphrt)->RangeMultiplier(2)->Range(1024, 8192)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GpuMatMul_Cublas)->RangeMultiplier(2)->Range(1024, 8192)
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- The MLP forward pass ------------------------------------------------------

enum class Where { kCpu, kGpu, kMixed };

// A [rows, cols] weight: a pattern scaled by 1/sqrt(rows), like Glorot's range.
Tensor Weight(int64_t rows, int64_t cols, int salt) {
  Tensor t(DataType::kFloat32, {rows, cols});
  const float scale = 1.0f / std::sqrt(static_cast<float>(rows));
  float* p = t.data<float>();
  for (int64_t i = 0; i < rows * cols; ++i) {
    p[i] = scale * static_cast<float>((i * 13 + salt) % 19 - 9) / 9.0f;
  }
  return t;
}

void BM_Mlp_Forward(benchmark::State& state, Where where) {
  if (where != Where::kCpu && !HaveGpu(state)) return;
  const int64_t batch = state.range(0);
  const std::string hidden_device = where == Where::kCpu ? "/CPU:0" : "/GPU:0";
  const std::string output_device = where == Where::kGpu ? "/GPU:0" : "/CPU:0";
  GraphBuilder b;
  Output x;
  {
    GraphBuilder::DeviceScope cpu(b, "/CPU:0");  // feeds arrive in host memory
    x = b.Placeholder(DataType::kFloat32, {-1, 784}, "x");
  }
  const int64_t sizes[] = {784, 300, 100, 10};
  Output h = x;
  for (int layer = 0; layer < 3; ++layer) {
    GraphBuilder::DeviceScope d(b, layer < 2 ? hidden_device : output_device);
    const std::string l = std::to_string(layer);
    Variable w = b.NewVariable("w" + l, Weight(sizes[layer], sizes[layer + 1], layer));
    Tensor zeros(DataType::kFloat32, {sizes[layer + 1]});
    for (float& v : zeros.flat<float>()) v = 0.0f;
    Variable bias = b.NewVariable("b" + l, zeros);
    h = ops::BiasAdd(ops::MatMul(h, w.Read()), bias.Read());
    h = layer < 2 ? ops::Relu(h) : ops::Softmax(h, "probs");
  }
  auto session = MakeSession(b, state);
  if (session == nullptr) return;
  auto handle = session->MakeCallable({x}, {h});
  if (!handle.ok()) return state.SkipWithError(std::string(handle.status().message()).c_str());
  Tensor feed(DataType::kFloat32, {batch, 784});
  float* p = feed.data<float>();
  for (int64_t i = 0; i < feed.num_elements(); ++i) p[i] = static_cast<float>(i % 256) / 255.0f;
  bench::RunSteps(state, *session, *handle, std::span<const Tensor>(&feed, 1));
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK_CAPTURE(BM_Mlp_Forward, cpu, Where::kCpu)->Arg(32)->Arg(1024)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Mlp_Forward, gpu, Where::kGpu)->Arg(32)->Arg(1024)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Mlp_Forward, mixed, Where::kMixed)->Arg(32)->Arg(1024)
    ->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace graphrt

BENCHMARK_MAIN();
