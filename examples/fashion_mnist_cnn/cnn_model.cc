#include "examples/fashion_mnist_cnn/cnn_model.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
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

namespace graphrt::mnist {
namespace {

constexpr int64_t kConv1 = 32, kConv2 = 64, kHidden = 128;
constexpr int64_t kFlat = 7 * 7 * kConv2;  // two 2x2 pools: 28 -> 14 -> 7

}  // namespace

absl::StatusOr<CnnOptimizer> ParseCnnOptimizer(absl::string_view name) {
  if (name == "sgd") return CnnOptimizer::kSgd;
  if (name == "momentum") return CnnOptimizer::kMomentum;
  if (name == "adam") return CnnOptimizer::kAdam;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown optimizer \"", name, "\": use sgd, momentum or adam"));
}

float EffectiveLearningRate(const CnnOptions& o) {
  if (o.learning_rate > 0) return o.learning_rate;
  return o.optimizer == CnnOptimizer::kAdam ? 0.001f : 0.01f;
}

OptimizerOptions CnnOptimizerOptions(const CnnOptions& o) {
  const float lr = EffectiveLearningRate(o);
  switch (o.optimizer) {
    case CnnOptimizer::kSgd:
      return SgdOptions{lr};
    case CnnOptimizer::kMomentum:
      return MomentumOptions{.learning_rate = lr, .momentum = o.momentum};
    case CnnOptimizer::kAdam:
      break;
  }
  return AdamOptions{.learning_rate = lr};
}

CnnLayers BuildCnnLayers(GraphBuilder& b, Output images, Output labels, const CnnOptions& o,
                         const CnnVariableAccess& vars) {
  CnnLayers m;
  InitRng rng(o.seed);
  // FusedConv2D has a CPU kernel only.
  const bool fuse =
      o.fuse_conv_layers && !absl::StrContains(absl::AsciiStrToUpper(o.device), "GPU");
  Output x;
  {
    GraphBuilder::NameScope scope(b, "rescaling");
    x = ops::Cast(ops::Reshape(images, {-1, 28, 28, 1}), DataType::kFloat32) * (1.0f / 255);
  }
  auto variable = [&](absl::string_view name, Tensor init) {
    Variable v = vars.make(name, std::move(init));
    m.variables.push_back(v);
    return vars.read(v);
  };
  auto conv = [&](absl::string_view name, Output in, int64_t in_channels, int64_t filters) {
    GraphBuilder::NameScope scope(b, name);
    Output kernel = variable("kernel", GlorotUniform({3, 3, in_channels, filters}, rng));
    Output bias = variable("bias", Zeros({filters}));
    if (fuse) return ops::FusedConv2D(in, kernel, bias, "Relu");  // SAME, stride 1
    return ops::Relu(ops::BiasAdd(ops::Conv2D(in, kernel), bias));
  };
  auto pool = [&](absl::string_view name, Output in) {
    GraphBuilder::NameScope scope(b, name);
    return ops::MaxPool(in);  // 2x2, stride 2, VALID: Keras' MaxPooling2D(2)
  };
  auto dense = [&](absl::string_view name, Output in, int64_t fan_in, int64_t units) {
    GraphBuilder::NameScope scope(b, name);
    Output kernel = variable("kernel", GlorotUniform({fan_in, units}, rng));
    Output bias = variable("bias", Zeros({units}));
    return ops::BiasAdd(ops::MatMul(in, kernel), bias);
  };
  x = pool("max_pooling2d", conv("conv2d", x, 1, kConv1));
  x = pool("max_pooling2d_1", conv("conv2d_1", x, kConv1, kConv2));
  {
    GraphBuilder::NameScope scope(b, "flatten");
    x = ops::Reshape(x, {-1, kFlat});
  }
  x = ops::Relu(dense("dense", x, kFlat, kHidden));
  m.logits = ops::Identity(dense("dense_1", x, kHidden, o.classes), "logits");
  m.probabilities = ops::Softmax(m.logits, "probabilities");
  auto xent = ops::SparseSoftmaxCrossEntropyWithLogits(m.logits, labels, "xent");
  m.loss = ops::Mean(xent.loss, {}, "loss");
  Output right = ops::Equal(ops::ArgMax(m.logits, 1), labels);
  m.correct = ops::Sum(ops::Cast(right, DataType::kFloat32), {}, "correct");
  return m;
}

absl::StatusOr<Cnn> BuildCnn(GraphBuilder& b, const CnnOptions& o) {
  Cnn m;
  m.images = b.Placeholder(DataType::kUint8, {-1, 28, 28}, "images");
  m.labels = b.Placeholder(DataType::kInt64, {-1}, "labels");
  {
    std::optional<GraphBuilder::DeviceScope> device;
    if (!o.device.empty()) device.emplace(b, o.device);
    const CnnVariableAccess plain{
        [&b](absl::string_view name, Tensor init) { return b.NewVariable(name, std::move(init)); },
        [](const Variable& v) { return v.Read(); }};
    CnnLayers layers = BuildCnnLayers(b, m.images, m.labels, o, plain);
    m.variables = std::move(layers.variables);
    m.logits = layers.logits;
    m.probabilities = layers.probabilities;
    m.loss = layers.loss;
    m.correct = layers.correct;
  }
  ASSIGN_OR_RETURN(std::vector<Output> grads, AddVariableGradients(m.loss, m.variables));
  ASSIGN_OR_RETURN(m.train, ApplyGradients(CnnOptimizerOptions(o), m.variables, grads, "train"));
  m.train_images = m.images;
  m.train_labels = m.labels;
  m.train_loss = m.loss;
  m.train_correct = m.correct;
  return m;
}

int64_t CnnTrainStepFlops(int64_t batch) {
  // Multiply-adds of one image's forward pass, per layer.
  const int64_t conv1 = 28 * 28 * kConv1 * (3 * 3 * 1);
  const int64_t conv2 = 14 * 14 * kConv2 * (3 * 3 * kConv1);
  const int64_t dense = kFlat * kHidden;
  const int64_t dense1 = kHidden * 10;
  const int64_t forward = conv1 + conv2 + dense + dense1;
  // Backward: a filter (weight) gradient for every layer and an input
  // gradient for every layer but the first, each as costly as the forward.
  const int64_t backward = 2 * forward - conv1;
  return 2 * batch * (forward + backward);
}

}  // namespace graphrt::mnist
