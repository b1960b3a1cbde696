// The book's MLP under a distribution strategy (core/graph/distribute/):
// the same layers, initialisation and loss as BuildMlp, built once per
// replica by MirroredStrategy, CentralStorageStrategy or (one replica per
// process) MultiWorkerMirroredStrategy, plus a
// single-device evaluation head on replica 0's variables.
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/distribute/multi_worker_strategy.h"
#include "core/graph/distribute/strategy.h"
#include "core/graph/initializers.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "examples/fashion_mnist_mlp/mlp.h"

namespace graphrt::mnist {
namespace {

struct Head {
  Output loss, correct;
};

// Logits of uint8 images [n, 28, 28] through the two dense layers; then the
// mean cross-entropy and the count of right predictions.
Head Forward(GraphBuilder& b, Output images, Output labels, std::span<const Variable> v,
             const distribute::ReplicaContext& ctx) {
  Output x;
  {
    GraphBuilder::NameScope scope(b, "rescaling");
    x = ops::Cast(ops::Reshape(images, {-1, 28 * 28}), DataType::kFloat32) * (1.0f / 255);
  }
  Output hidden = ops::Relu(ops::BiasAdd(ops::MatMul(x, ctx.Read(v[0])), ctx.Read(v[1])));
  Output logits = ops::BiasAdd(ops::MatMul(hidden, ctx.Read(v[2])), ctx.Read(v[3]));
  auto xent = ops::SparseSoftmaxCrossEntropyWithLogits(logits, labels, "xent");
  Output right = ops::Equal(ops::ArgMax(logits, 1), labels);
  return {ops::Mean(xent.loss, {}, "loss"),
          ops::Sum(ops::Cast(right, DataType::kFloat32), {}, "correct")};
}

}  // namespace

absl::StatusOr<std::vector<std::string>> StrategyDevices(const MlpOptions& options,
                                                         Runtime* runtime) {
  std::vector<std::string> names;
  if (runtime == nullptr) {
    names.push_back("/job:localhost/replica:0/task:0/device:CPU:0");
  } else {
    for (const DeviceAttributes& d : runtime->ListLogicalDevices()) names.push_back(d.name);
  }
  if (options.devices.empty()) return distribute::DefaultStrategyDevices(names);
  RETURN_IF_ERROR(distribute::CheckDevicesExist(options.devices, names));
  return options.devices;
}

absl::StatusOr<Mlp> BuildDistributedMlp(GraphBuilder& b, const MlpOptions& o,
                                        std::span<const std::string> devices) {
  Mlp m;
  distribute::ModelFn model_fn = [&](GraphBuilder& b, const distribute::ReplicaContext& ctx,
                                     std::span<const Output> in)
      -> absl::StatusOr<distribute::ReplicaModel> {
    InitRng rng(o.seed);  // the same draws in every replica
    distribute::ReplicaModel r;
    auto dense = [&](absl::string_view name, int64_t fan_in, int64_t units) {
      GraphBuilder::NameScope scope(b, name);
      r.variables.push_back(ctx.NewVariable("kernel", GlorotUniform({fan_in, units}, rng)));
      r.variables.push_back(ctx.NewVariable("bias", Zeros({units})));
    };
    dense("dense", 28 * 28, o.hidden);
    dense("dense_1", o.hidden, o.classes);
    Head train = Forward(b, in[0], in[1], r.variables, ctx);
    r.loss = train.loss;
    r.outputs.push_back(train.correct);
    if (ctx.replica_id == 0) {
      // Built before any update, so fetching it trains nothing.
      GraphBuilder::NameScope scope(b, "eval");
      m.eval_images = b.Placeholder(DataType::kUint8, {-1, 28, 28}, "images");
      m.eval_labels = b.Placeholder(DataType::kInt64, {-1}, "labels");
      Head eval = Forward(b, m.eval_images, m.eval_labels, r.variables, ctx);
      m.eval_loss = eval.loss;
      m.eval_correct = eval.correct;
    }
    return r;
  };
  std::vector<distribute::GlobalFeed> feeds = {
      {"images", DataType::kUint8, PartialShape{-1, 28, 28}},
      {"labels", DataType::kInt64, PartialShape{-1}}};
  std::vector<std::string> list(devices.begin(), devices.end());
  SgdOptions sgd{o.learning_rate};
  absl::StatusOr<distribute::DistributedModel> dm;
  if (o.strategy == "multi_worker") {
    distribute::MultiWorkerOptions mw;
    mw.num_workers = o.num_workers;
    mw.worker_index = o.worker_index;
    if (!list.empty()) mw.device = list[0];
    list = {mw.device};
    absl::StatusOr<distribute::MultiWorkerModel> built =
        distribute::MultiWorkerMirroredStrategy(mw).Build(b, feeds, model_fn, sgd);
    RETURN_IF_ERROR(built.status());
    m.sync_initial = built->sync_initial;
    m.num_workers = built->num_workers;
    m.worker_index = built->worker_index;
    dm = std::move(built->model);
  } else if (o.strategy == "mirrored") {
    dm = distribute::MirroredStrategy(list).Build(b, feeds, model_fn, sgd);
  } else if (o.strategy == "central") {
    dm = distribute::CentralStorageStrategy(list).Build(b, feeds, model_fn, sgd);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown strategy '", o.strategy, "'; use mirrored, central or multi_worker"));
  }
  RETURN_IF_ERROR(dm.status());
  m.images = dm->feeds[0];
  m.labels = dm->feeds[1];
  m.loss = dm->loss;
  m.train = dm->train;
  m.replicas = dm->num_replicas();
  std::vector<Output> correct;
  for (const distribute::ReplicaModel& r : dm->replicas) correct.push_back(r.outputs[0]);
  {
    GraphBuilder::DeviceScope on(b, list[0]);
    m.correct = correct.size() == 1 ? correct[0] : ops::AddN(correct, "correct");
  }
  m.logits = Output();  // per replica; evaluation has its own head
  for (const distribute::MirroredVariable& v : dm->variables) m.variables.push_back(v.replicas[0]);
  RETURN_IF_ERROR(b.status());
  return m;
}

}  // namespace graphrt::mnist
