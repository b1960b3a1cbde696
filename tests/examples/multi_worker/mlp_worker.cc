// One task of the MLP multi-worker tests (tests/examples/multi_worker/
// mlp_multi_worker_test.cc starts two, through scripts/launch-workers or
// directly). It trains the Fashion-MNIST MLP (examples/fashion_mnist_mlp) on
// synthetic data and writes its variables to a file:
//
//   mlp_worker STEPS GLOBAL_BATCH OUT [--die-rank R --die-after N]
//                                     [--seed-rank R --seed S] [--local-devices N]
//
// With GRAPHRT_CONFIG set: --strategy multi_worker as the example runs it
// (MultiWorkerMirroredStrategy over Gloo, each task on its shard of every
// global batch), writing OUT.<rank>. Without: the plain single-process MLP
// (BuildMlp, MinimizeWithSgd: no strategy, no collective) on the whole
// global batches, writing OUT: the reference. Step k trains on examples
// [k*B, (k+1)*B) of one fixed shuffle, the same in every process.
// --die-rank R --die-after N: task R exits (status 3) after N steps, without
// a word to the others. --seed-rank R --seed S: task R draws its initial
// weights from seed S instead (the chief's broadcast must override them).
// --local-devices N: this task trains N replicas, on logical CPU devices
// /cpu:0 .. /cpu:N-1 (the hierarchical all-reduce).
// A failed step prints
//   "FAILED at step K after S s: <status>"
// (S: seconds since the last successful step ended) and exits 1.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/executor/cluster_spec.h"
#include "core/executor/gloo/gloo_communicator.h"
#include "core/executor/runtime.h"
#include "examples/fashion_mnist_mlp/mlp.h"
#include "examples/fashion_mnist_mlp/synthetic_dataset.h"

namespace graphrt {
namespace {

int Fail(const std::string& what) {
  std::printf("FAILED %s\n", what.c_str());
  std::fflush(stdout);
  return 1;
}

int Main(int argc, char** argv) {
  int64_t steps = 0, batch = 0;
  int die_rank = -1, die_after = -1, seed_rank = -1, seed = 0, local_devices = 1;
  if (argc < 4 || !absl::SimpleAtoi(argv[1], &steps) || !absl::SimpleAtoi(argv[2], &batch)) {
    return Fail("usage: mlp_worker STEPS GLOBAL_BATCH OUT [--die-rank R --die-after N]");
  }
  for (int i = 4; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--die-rank") == 0) die_rank = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--die-after") == 0) die_after = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--seed-rank") == 0) seed_rank = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--seed") == 0) seed = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--local-devices") == 0) local_devices = std::atoi(argv[i + 1]);
  }
  std::string out = argv[3];

  SessionOptions so;
  so.inter_op_threads = 1;
  so.intra_op_threads = 1;
  mnist::MlpOptions model;
  model.seed = 11;
  model.learning_rate = 0.05f;
  absl::StatusOr<std::optional<ClusterSpec>> spec = ClusterSpecFromEnv();
  if (!spec.ok()) return Fail(spec.status().ToString());
  if (spec->has_value()) {
    absl::StatusOr<std::shared_ptr<CollectiveCommunicator>> comm =
        CreateGlooCommunicator(**spec);
    if (!comm.ok()) return Fail(comm.status().ToString());
    RuntimeOptions ro{1, 1, nullptr};
    ro.communicator = *comm;
    so.runtime = Runtime::Create(ro);
    if (local_devices > 1) {
      absl::Status split = so.runtime->SetLogicalDeviceConfiguration(
          so.runtime->ListPhysicalDevices("CPU")[0],
          std::vector<LogicalDeviceConfiguration>(static_cast<size_t>(local_devices)));
      if (!split.ok()) return Fail(split.ToString());
      for (int d = 0; d < local_devices; ++d) model.devices.push_back(absl::StrCat("/cpu:", d));
    }
    model.strategy = "multi_worker";
    model.num_workers = (*spec)->num_tasks();
    model.worker_index = (*spec)->rank();
    out = absl::StrCat(out, ".", model.worker_index);
    if (model.worker_index == seed_rank) model.seed = static_cast<uint64_t>(seed);
  }
  auto trainer = mnist::Trainer::Create(model, so);
  if (!trainer.ok()) return Fail(trainer.status().ToString());

  const mnist::Dataset data = mnist::SyntheticDataset(steps * batch, 5);
  const std::vector<int64_t> order = mnist::ShuffledOrder(data.size(), 9);
  auto last = std::chrono::steady_clock::now();
  int64_t trained = 0;  // rows this process trained on
  for (int64_t k = 0; k < steps; ++k) {
    if (k == die_after && model.worker_index == die_rank) {
      std::printf("dying after %lld steps\n", static_cast<long long>(k));
      std::fflush(stdout);
      _exit(3);
    }
    auto r = (*trainer)->Step(data, std::span<const int64_t>(order).subspan(k * batch, batch));
    if (!r.ok()) {
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - last).count();
      return Fail(absl::StrCat("at step ", k, " after ", s, " s: ", r.status().ToString()));
    }
    trained += (*trainer)->last_step_examples();
    last = std::chrono::steady_clock::now();
  }
  // The variables, one per line: name, then every value ("%.9g": exact).
  FILE* f = std::fopen(out.c_str(), "w");
  if (f == nullptr) return Fail(absl::StrCat("cannot write ", out));
  for (const Variable& v : (*trainer)->model().variables) {
    auto var = (*trainer)->session().resources().LookupVariable(v.name());
    if (!var.ok()) return Fail(var.status().ToString());
    auto value = (*var)->Read();
    if (!value.ok()) return Fail(value.status().ToString());
    std::fprintf(f, "%s", v.name().c_str());
    for (float x : value->flat<float>()) std::fprintf(f, " %.9g", x);
    std::fprintf(f, "\n");
  }
  std::fclose(f);
  std::printf("DONE %lld steps on %lld examples, wrote %s\n", static_cast<long long>(steps),
              static_cast<long long>(trained), out.c_str());
  return 0;
}

}  // namespace
}  // namespace graphrt

int main(int argc, char** argv) { return graphrt::Main(argc, argv); }
