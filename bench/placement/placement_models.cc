// The MLP and the CNN of the placement benchmark, built by one layer
// builder for every placement (placement_models.h).
#include "bench/placement/placement_models.h"

#include <functional>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/gradients.h"
#include "core/graph/initializers.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/conv_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "core/graph/ops/pooling_ops.h"
#include "core/graph/optimizers.h"

namespace graphrt::placement {
namespace {

// How the layers make and read their variables: through a ReplicaContext
// (the strategies decide where they live) or plainly (model parallelism).
struct VariableAccess {
  std::function<Variable(absl::string_view, Tensor)> make;
  std::function<Output(const Variable&)> read;
};

struct Layers {
  Output loss;
  std::vector<Variable> variables;  // first layer first
};

// The device scope of layer `k` when `devices` is not empty (one per layer).
class LayerScope {
 public:
  LayerScope(GraphBuilder& b, std::span<const std::string> devices, int k) {
    if (!devices.empty()) scope_.emplace(b, devices[k]);
  }

 private:
  std::optional<GraphBuilder::DeviceScope> scope_;
};

int NumLayers(Model model) { return model == Model::kMlp ? 2 : 4; }

// `layer_devices`: empty (every layer in the caller's scope) or one device
// per layer. The input rescaling goes with layer 0, the loss with the last.
Layers BuildLayers(GraphBuilder& b, Model model, Output images, Output labels,
                   const VariableAccess& vars, std::span<const std::string> layer_devices) {
  InitRng rng(1);  // a fixed seed: mirrored replicas must start equal
  Layers r;
  auto dense = [&](absl::string_view name, Output in, int64_t fan_in, int64_t units) {
    GraphBuilder::NameScope scope(b, name);
    Variable kernel = vars.make("kernel", GlorotUniform({fan_in, units}, rng));
    Variable bias = vars.make("bias", Zeros({units}));
    r.variables.push_back(kernel);
    r.variables.push_back(bias);
    return ops::BiasAdd(ops::MatMul(in, vars.read(kernel)), vars.read(bias));
  };
  auto conv = [&](absl::string_view name, Output in, int64_t in_channels, int64_t filters) {
    GraphBuilder::NameScope scope(b, name);
    Variable kernel = vars.make("kernel", GlorotUniform({3, 3, in_channels, filters}, rng));
    Variable bias = vars.make("bias", Zeros({filters}));
    r.variables.push_back(kernel);
    r.variables.push_back(bias);
    // SAME, stride 1; then a 2x2 max pool, stride 2.
    return ops::MaxPool(ops::Relu(ops::BiasAdd(ops::Conv2D(in, vars.read(kernel)),
                                               vars.read(bias))));
  };
  const int last = NumLayers(model) - 1;
  Output x;
  {
    LayerScope on(b, layer_devices, 0);
    GraphBuilder::NameScope scope(b, "rescaling");
    std::vector<int64_t> shape = model == Model::kMlp ? std::vector<int64_t>{-1, 28 * 28}
                                                      : std::vector<int64_t>{-1, 28, 28, 1};
    x = ops::Cast(ops::Reshape(images, shape), DataType::kFloat32) * (1.0f / 255);
  }
  if (model == Model::kMlp) {
    {
      LayerScope on(b, layer_devices, 0);
      x = ops::Relu(dense("dense", x, 28 * 28, 100));
    }
    LayerScope on(b, layer_devices, 1);
    x = dense("dense_1", x, 100, 10);
  } else {
    {
      LayerScope on(b, layer_devices, 0);
      x = conv("conv2d", x, 1, 32);
    }
    {
      LayerScope on(b, layer_devices, 1);
      x = conv("conv2d_1", x, 32, 64);
    }
    {
      LayerScope on(b, layer_devices, 2);
      x = ops::Relu(dense("dense", ops::Reshape(x, {-1, 7 * 7 * 64}), 7 * 7 * 64, 128));
    }
    LayerScope on(b, layer_devices, 3);
    x = dense("dense_1", x, 128, 10);
  }
  LayerScope on(b, layer_devices, last);
  r.loss = ops::Mean(ops::SparseSoftmaxCrossEntropyWithLogits(x, labels, "xent").loss, {},
                     "loss");
  return r;
}

}  // namespace

const char* ModelName(Model model) { return model == Model::kMlp ? "Mlp" : "Cnn"; }

std::vector<distribute::GlobalFeed> Feeds() {
  return {{"images", DataType::kUint8, PartialShape{-1, 28, 28}},
          {"labels", DataType::kInt64, PartialShape{-1}}};
}

distribute::ModelFn MakeModelFn(Model model) {
  return [model](GraphBuilder& b, const distribute::ReplicaContext& ctx,
                 std::span<const Output> in) -> absl::StatusOr<distribute::ReplicaModel> {
    VariableAccess vars{
        [&](absl::string_view name, Tensor init) { return ctx.NewVariable(name, std::move(init)); },
        [&](const Variable& v) { return ctx.Read(v); }};
    Layers layers = BuildLayers(b, model, in[0], in[1], vars, {});
    RETURN_IF_ERROR(b.status());
    return distribute::ReplicaModel{layers.loss, layers.variables, {}};
  };
}

absl::StatusOr<PlainModel> BuildModelParallel(GraphBuilder& b, Model model,
                                              std::span<const std::string> devices) {
  if (devices.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model parallelism splits the layers over exactly 2 devices; got ", devices.size()));
  }
  PlainModel m;
  {
    GraphBuilder::DeviceScope on(b, devices[0]);
    for (const distribute::GlobalFeed& f : Feeds()) {
      m.feeds.push_back(b.Placeholder(f.dtype, f.shape, f.name));
    }
  }
  const int n = NumLayers(model);
  std::vector<std::string> layer_devices;
  for (int k = 0; k < n; ++k) layer_devices.push_back(devices[k < n / 2 ? 0 : 1]);
  VariableAccess vars{
      [&](absl::string_view name, Tensor init) { return b.NewVariable(name, std::move(init)); },
      [](const Variable& v) { return v.Read(); }};
  Layers layers = BuildLayers(b, model, m.feeds[0], m.feeds[1], vars, layer_devices);
  m.loss = layers.loss;
  ASSIGN_OR_RETURN(std::vector<Output> grads, AddVariableGradients(m.loss, layers.variables));
  // No device scope: each update is colocated with its variable.
  ASSIGN_OR_RETURN(m.train, ApplyGradients(SgdOptions{kLearningRate}, layers.variables, grads,
                                           "train"));
  RETURN_IF_ERROR(b.status());
  return m;
}

std::vector<Tensor> SyntheticBatch(int64_t batch) {
  std::mt19937 rng(7);
  Tensor images(DataType::kUint8, TensorShape{batch, 28, 28});
  Tensor labels(DataType::kInt64, TensorShape{batch});
  for (int64_t i = 0; i < batch * 28 * 28; ++i) images.data<uint8_t>()[i] = rng() % 256;
  for (int64_t i = 0; i < batch; ++i) labels.data<int64_t>()[i] = rng() % 10;
  return {images, labels};
}

}  // namespace graphrt::placement
