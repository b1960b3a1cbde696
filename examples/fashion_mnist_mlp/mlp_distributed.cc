// The book's MLP under a distribution strategy (core/graph/distribute/):
// the same layers, initialisation and loss as BuildMlp, built once per
// replica by MirroredStrategy, CentralStorageStrategy or (replicas in every
// process) MultiWorkerMirroredStrategy, plus a
// single-device evaluation head on replica 0's variables.
#include "core/base/status_macros.h"
#include "core/graph/distribute/strategy.h"
#include "core/graph/initializers.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "examples/common/strategy.h"
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
  examples::StrategyPlacement placement{o.strategy, {devices.begin(), devices.end()},
                                        o.num_workers, o.worker_index};
  ASSIGN_OR_RETURN(examples::StrategyModel built,
                   examples::BuildUnderStrategy(b, placement, feeds, model_fn,
                                                SgdOptions{o.learning_rate}));
  m.sync_initial = built.sync_initial;
  m.num_workers = built.num_workers;
  m.worker_index = built.worker_index;
  const distribute::DistributedModel* dm = &built.model;
  m.images = dm->feeds[0];
  m.labels = dm->feeds[1];
  m.loss = dm->loss;
  m.train = dm->train;
  m.replicas = dm->num_replicas();
  std::vector<Output> correct;
  for (const distribute::ReplicaModel& r : dm->replicas) correct.push_back(r.outputs[0]);
  {
    GraphBuilder::DeviceScope on(b, dm->devices[0]);
    m.correct = correct.size() == 1 ? correct[0] : ops::AddN(correct, "correct");
  }
  m.logits = Output();  // per replica; evaluation has its own head
  for (const distribute::MirroredVariable& v : dm->variables) m.variables.push_back(v.replicas[0]);
  RETURN_IF_ERROR(b.status());
  return m;
}

}  // namespace graphrt::mnist
