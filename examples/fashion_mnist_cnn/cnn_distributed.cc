#include "examples/fashion_mnist_cnn/cnn_distributed.h"

#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/base/status_macros.h"
#include "core/graph/ops/math_ops.h"

namespace graphrt::mnist {

absl::StatusOr<DistributedCnn> BuildDistributedCnn(GraphBuilder& b, const CnnOptions& o,
                                                   std::span<const std::string> devices) {
  if (!o.device.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--device ", o.device, " and --strategy ", o.strategy.strategy,
        ": a strategy places each replica on its own device; name them with --devices"));
  }
  CnnOptions layer_options = o;
  for (const std::string& d : devices) {
    // FusedConv2D has a CPU kernel only.
    if (absl::StrContains(absl::AsciiStrToUpper(d), "GPU")) layer_options.fuse_conv_layers = false;
  }
  DistributedCnn m;
  Cnn& cnn = m.cnn;
  distribute::ModelFn model_fn = [&](GraphBuilder& b, const distribute::ReplicaContext& ctx,
                                     std::span<const Output> in)
      -> absl::StatusOr<distribute::ReplicaModel> {
    CnnVariableAccess vars{[&ctx](absl::string_view name, Tensor init) {
                             return ctx.NewVariable(name, std::move(init));
                           },
                           [&ctx](const Variable& v) { return ctx.Read(v); }};
    if (ctx.replica_id == 0) {
      // The evaluation head first, so that it gets the single-device names
      // ("images", "logits", ...); built before any update, fetching it
      // trains nothing.
      cnn.images = b.Placeholder(DataType::kUint8, {-1, 28, 28}, "images");
      cnn.labels = b.Placeholder(DataType::kInt64, {-1}, "labels");
      CnnLayers eval = BuildCnnLayers(b, cnn.images, cnn.labels, layer_options, vars);
      cnn.variables = eval.variables;
      cnn.logits = eval.logits;
      cnn.probabilities = eval.probabilities;
      cnn.loss = eval.loss;
      cnn.correct = eval.correct;
      // The training layers read the same variables (same order, same seed).
      size_t next = 0;
      vars.make = [&cnn, next](absl::string_view, Tensor) mutable {
        return cnn.variables[next++];
      };
    }
    CnnLayers train = BuildCnnLayers(b, in[0], in[1], layer_options, vars);
    RETURN_IF_ERROR(b.status());
    return distribute::ReplicaModel{train.loss, train.variables, {train.correct}};
  };
  const std::vector<distribute::GlobalFeed> feeds = {
      {"train_images", DataType::kUint8, PartialShape{-1, 28, 28}},
      {"train_labels", DataType::kInt64, PartialShape{-1}}};
  ASSIGN_OR_RETURN(m.strategy, examples::BuildUnderStrategy(b, {o.strategy.strategy,
                                                                {devices.begin(), devices.end()},
                                                                o.strategy.num_workers,
                                                                o.strategy.worker_index},
                                                            feeds, model_fn,
                                                            CnnOptimizerOptions(o)));
  const distribute::DistributedModel& dm = m.strategy.model;
  cnn.train_images = dm.feeds[0];
  cnn.train_labels = dm.feeds[1];
  cnn.train_loss = dm.loss;
  cnn.train = dm.train;
  std::vector<Output> correct;
  for (const distribute::ReplicaModel& r : dm.replicas) correct.push_back(r.outputs[0]);
  {
    GraphBuilder::DeviceScope on(b, dm.devices[0]);
    cnn.train_correct = correct.size() == 1 ? correct[0] : ops::AddN(correct, "train_correct");
  }
  RETURN_IF_ERROR(b.status());
  return m;
}

namespace {

// "train/..." for the strategies' "update/..." (Adam's beta powers).
std::string PlainName(absl::string_view name) {
  if (absl::ConsumePrefix(&name, "update/")) return absl::StrCat("train/", name);
  return std::string(name);
}

}  // namespace

CheckpointOptions SingleDeviceCheckpointNames() {
  CheckpointOptions o;
  o.save_as = [](absl::string_view name) -> std::optional<std::string> {
    if (absl::StartsWith(name, "replica_")) return std::nullopt;
    return PlainName(name);
  };
  o.restore_from = [](absl::string_view name) {
    if (absl::StartsWith(name, "replica_") && name.find('/') != absl::string_view::npos) {
      name.remove_prefix(name.find('/') + 1);
    }
    return PlainName(name);
  };
  return o;
}

}  // namespace graphrt::mnist
