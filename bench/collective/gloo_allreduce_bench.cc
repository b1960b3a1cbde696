// Cross-process all-reduce bandwidth: graphrt's path against Gloo's own
// all-reduce called directly, and memcpy (docs/collectives.md, "Across
// processes"). Run it as two processes of one cluster:
//
//   scripts/launch-workers 2 -- build/release/bench/gloo_allreduce_bench
//
// Scenarios (B = 4 KiB .. 64 MiB of float32, sum):
//   BM_GlooAllReduce_GraphrtOp/B    a Session running CollectiveReduceV2 with
//                                   communication_hint "cluster" on a B-byte
//                                   Variable read (no feed copy), output fetched
//   BM_GlooAllReduce_Communicator/B CollectiveCommunicator::AllReduce (the
//                                   header exchange and the Gloo call)
//   BM_GlooAllReduce_GlooDirect/B   gloo::allreduce (ring) on a context of
//                                   its own: what Gloo itself achieves
//   BM_GlooAllReduce_GlooRingOld/B  gloo::AllreduceRing<float> (Gloo's older
//                                   algorithm class), made once per size
//   BM_GlooAllReduce_Memcpy/B       one memcpy of B bytes in one process
// bytes_per_second is B per iteration (NCCL's algbw). Iteration counts are
// fixed per size (Iterations()) so both processes run every benchmark in
// lockstep, in rounds (Register()); only task 0 prints.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <gloo/allreduce.h>
#include <gloo/allreduce_ring.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/transport/tcp/device.h>

#include "core/executor/cluster_spec.h"
#include "core/executor/gloo/gloo_communicator.h"
#include "core/executor/runtime.h"
#include "core/executor/session.h"
#include "core/graph/ops/collective_ops.h"

namespace graphrt {
namespace {

struct Cluster {
  ClusterSpec spec;
  std::shared_ptr<CollectiveCommunicator> comm;
  std::shared_ptr<Runtime> runtime;
  std::shared_ptr<gloo::Context> direct;  // Gloo's own context, for the baseline
};

Cluster* cluster = nullptr;

int64_t Iterations(int64_t bytes) {
  if (bytes <= (64 << 10)) return 400;
  if (bytes <= (1 << 20)) return 60;
  if (bytes <= (4 << 20)) return 20;
  if (bytes <= (16 << 20)) return 8;
  return 4;
}

void BM_GlooAllReduce_GraphrtOp(benchmark::State& state) {
  const int64_t n = state.range(0) / 4;
  GraphBuilder b;
  Tensor ones(DataType::kFloat32, TensorShape{n});
  for (int64_t i = 0; i < n; ++i) ones.data<float>()[i] = 1.0f;
  Variable v = b.NewVariable("v", ones);
  ops::CollectiveOptions o{cluster->spec.num_tasks(), 1, 1};
  o.communication_hint = "cluster";
  Output y = ops::CollectiveAllReduce(v.Read(), ops::CollectiveReduction::kSum, o, "ar");
  SessionOptions so;
  so.runtime = cluster->runtime;
  auto session = Session::Create(*b.Build(), so);
  if (!session.ok()) {
    state.SkipWithError("session");
    return;
  }
  for (auto _ : state) {
    auto r = (*session)->Run({}, {y});
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_GlooAllReduce_Communicator(benchmark::State& state) {
  Tensor t(DataType::kFloat32, TensorShape{state.range(0) / 4});
  std::memset(t.raw_data(), 0, t.TotalBytes());
  CollectiveCall call{"bench", "bench", 1, 1, {}};
  for (auto _ : state) {
    absl::Status st = cluster->comm->AllReduce(call, t, CollectiveCommunicator::Reduction::kSum);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      return;
    }
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_GlooAllReduce_GlooDirect(benchmark::State& state) {
  std::vector<float> data(state.range(0) / 4, 0.0f);
  uint32_t tag = 0;
  for (auto _ : state) {
    gloo::AllreduceOptions opts(cluster->direct);
    opts.setAlgorithm(gloo::AllreduceOptions::Algorithm::RING);
    opts.setOutput(data.data(), data.size());
    opts.setReduceFunction(static_cast<void (*)(void*, const void*, const void*, size_t)>(
        &gloo::sum<float>));
    opts.setTag(tag++);
    gloo::allreduce(opts);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_GlooAllReduce_GlooRingOld(benchmark::State& state) {
  std::vector<float> data(state.range(0) / 4, 0.0f);
  gloo::AllreduceRing<float> ring(cluster->direct, {data.data()}, static_cast<int>(data.size()));
  for (auto _ : state) ring.run();
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_GlooAllReduce_Memcpy(benchmark::State& state) {
  std::vector<char> a(state.range(0), 1), b(state.range(0));
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), a.size());
    benchmark::DoNotOptimize(b.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

// Rounds of every (size, scenario) pair in turn, so load on a shared machine
// hits them alike; take each row's median over the rounds (GRAPHRT_BENCH_ROUNDS,
// default 5). Both processes register the same sequence.
void Register() {
  const char* env = std::getenv("GRAPHRT_BENCH_ROUNDS");
  const int rounds = env != nullptr && std::atoi(env) > 0 ? std::atoi(env) : 5;
  const std::pair<const char*, void (*)(benchmark::State&)> scenarios[] = {
      {"BM_GlooAllReduce_GraphrtOp", BM_GlooAllReduce_GraphrtOp},
      {"BM_GlooAllReduce_Communicator", BM_GlooAllReduce_Communicator},
      {"BM_GlooAllReduce_GlooDirect", BM_GlooAllReduce_GlooDirect},
      {"BM_GlooAllReduce_GlooRingOld", BM_GlooAllReduce_GlooRingOld},
      {"BM_GlooAllReduce_Memcpy", BM_GlooAllReduce_Memcpy}};
  for (int round = 0; round < rounds; ++round) {
    for (int64_t bytes : {4 << 10, 64 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20}) {
      for (const auto& [name, fn] : scenarios) {
        benchmark::RegisterBenchmark(name, fn)
            ->Arg(bytes)
            ->Iterations(Iterations(bytes))
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

int Main(int argc, char** argv) {
  auto spec = ClusterSpecFromEnv();
  if (!spec.ok() || !spec->has_value()) {
    std::fprintf(stderr, "gloo_allreduce_bench: run it under scripts/launch-workers 2 -- ... (%s)\n",
                 spec.ok() ? "GRAPHRT_CONFIG unset" : std::string(spec.status().message()).c_str());
    return 2;
  }
  static Cluster c;
  c.spec = **spec;
  auto comm = CreateGlooCommunicator(c.spec);
  if (!comm.ok() || !(*comm)->Connect().ok()) {
    std::fprintf(stderr, "gloo_allreduce_bench: cannot connect\n");
    return 1;
  }
  c.comm = *comm;
  RuntimeOptions ro;
  ro.inter_op_threads = 1;
  ro.intra_op_threads = 1;
  ro.communicator = c.comm;
  c.runtime = Runtime::Create(ro);
  // Gloo's own context for the baseline, in the same rendezvous directory.
  gloo::transport::tcp::attr attr;
  attr.hostname = c.spec.host(c.spec.rank());
  auto device = gloo::transport::tcp::CreateDevice(attr);
  gloo::rendezvous::FileStore store(c.spec.rendezvous);
  gloo::rendezvous::PrefixStore prefixed("bench-direct", store);
  auto direct = std::make_shared<gloo::rendezvous::Context>(c.spec.rank(), c.spec.num_tasks());
  direct->setTimeout(c.spec.timeout);
  direct->connectFullMesh(prefixed, device);
  c.direct = direct;
  cluster = &c;
  // Only task 0 reports; the others run the same sequence silently.
  if (c.spec.rank() != 0 && std::freopen("/dev/null", "w", stdout) == nullptr) return 1;
  Register();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace graphrt

int main(int argc, char** argv) { return graphrt::Main(argc, argv); }
