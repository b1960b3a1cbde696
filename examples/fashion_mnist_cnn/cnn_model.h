// The CNN of issue 17 for Fashion-MNIST, built over the public graph API;
// shared by the example (fashion_mnist_cnn), its tests and the training-step
// benchmark (bench/compare/cnn_step_bench.cc).
//
// Model (Keras: Rescaling(1/255), Conv2D(32, 3, padding="same",
// activation="relu"), MaxPooling2D(2), Conv2D(64, 3, same, relu),
// MaxPooling2D(2), Flatten, Dense(128, relu), Dense(10); sparse categorical
// cross-entropy from logits): uint8 images [?, 28, 28] are reshaped to NHWC
// [?, 28, 28, 1], cast and scaled in the graph; every layer has a bias;
// kernels are Glorot-uniform (Keras counts a conv kernel's fans as
// receptive field times channels, as core/graph/initializers.h does),
// biases zero, all drawn from `seed` in layer order. Each conv layer is
// Conv2D, BiasAdd and Relu; with CnnOptions::fuse_conv_layers on the CPU it
// is one FusedConv2D node instead (conv, bias and relu in one kernel;
// core/graph/ops/conv_ops.h), whose gradient masks the relu on the pooled
// gradient (Note [Relu mask through a following max pool], conv_grad.cc):
// the values of Conv2D, BiasAdd and Relu (the bias gradient's float sums in
// another order), with fewer passes over the activations (no faster a step
// on the machine measured: bench/RESULTS.md, 2026-12-06).
//
// Node names the outside world uses: feeds "images" (uint8 [?, 28, 28]) and
// "labels" (int64 [?]); fetches "logits" (float32 [?, 10]) and
// "probabilities" (their softmax). FreezeGraph on "logits"/"probabilities"
// gives the inference graph that `graphrt run` serves.
//
// Thread-safety: BuildCnn uses the builder it is given (one thread).
#ifndef GRAPHRT_EXAMPLES_FASHION_MNIST_CNN_CNN_MODEL_H_
#define GRAPHRT_EXAMPLES_FASHION_MNIST_CNN_CNN_MODEL_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/builder.h"
#include "core/graph/optimizers.h"
#include "examples/common/strategy.h"

namespace graphrt::mnist {

enum class CnnOptimizer { kSgd, kMomentum, kAdam };

// "sgd", "momentum", "adam" (the --optimizer flag); INVALID_ARGUMENT naming
// the accepted values otherwise.
absl::StatusOr<CnnOptimizer> ParseCnnOptimizer(absl::string_view name);

struct CnnOptions {
  int classes = 10;
  CnnOptimizer optimizer = CnnOptimizer::kMomentum;
  // The recipe: SGD with momentum 0.9 at 0.01. A value <= 0 means
  // the optimizer's default: 0.01 for sgd and momentum, Keras' 0.001 for adam.
  float learning_rate = 0;
  float momentum = 0.9f;  // momentum only
  uint64_t seed = 1;      // weight initialisation
  std::string device;     // the layers' device request; "": the placer's choice
  // Each conv layer as one FusedConv2D node (conv + bias + relu; CPU only)
  // instead of Conv2D, BiasAdd and Relu. Ignored (the three ops are built)
  // when `device` names a GPU; CnnTrainer::Create also turns it off when its
  // session's runtime has a device other than CPUs. Off by default: on the
  // CPU the fused step measured no faster (bench/RESULTS.md, "FusedConv2D"),
  // and the unfused graph is the one the recorded accuracies came from.
  bool fuse_conv_layers = false;
  // Data parallelism (examples/common/strategy.h, docs/distribute.md):
  // strategy.strategy "" trains on one device (BuildCnn); "mirrored",
  // "central" or "multi_worker" builds the model once per replica
  // (BuildDistributedCnn, cnn_distributed.h). `device` must then be empty.
  examples::StrategyPlacement strategy;
};

// The learning rate `options` trains with (its default resolved).
float EffectiveLearningRate(const CnnOptions& options);
// The optimizer `options` trains with, its learning rate resolved.
OptimizerOptions CnnOptimizerOptions(const CnnOptions& options);

// The single-device model. Under a strategy (cnn_distributed.h) the same
// fields, but images..correct are an evaluation head on replica 0's
// variables (the names above, so FreezeGraph serves it) and train_* the
// global batch's feeds and results.
struct Cnn {
  Output images;         // feed: uint8 [?, 28, 28]
  Output labels;         // feed: int64 [?]
  Output logits;         // float32 [?, classes]
  Output probabilities;  // float32 [?, classes], softmax of the logits
  Output loss;           // float32 scalar: mean cross-entropy of the batch
  Output correct;        // float32 scalar: how many predictions in the batch are right
  Output train;          // target: one optimizer step on every variable
  std::vector<Variable> variables;  // conv2d/{kernel,bias}, conv2d_1/..., dense/..., dense_1/...
                                    // (replica 0's under a strategy)
  // What a training step feeds and fetches; without a strategy, the fields
  // above.
  Output train_images, train_labels, train_loss, train_correct;
};

absl::StatusOr<Cnn> BuildCnn(GraphBuilder& b, const CnnOptions& options);

// How BuildCnnLayers makes and reads its variables: plainly (BuildCnn) or
// through a strategy's ReplicaContext (cnn_distributed.cc).
struct CnnVariableAccess {
  std::function<Variable(absl::string_view name, Tensor initial_value)> make;
  std::function<Output(const Variable&)> read;
};
struct CnnLayers {
  std::vector<Variable> variables;  // in layer order, as Cnn::variables
  Output logits, probabilities, loss, correct;
};
// The layers from `images` and `labels` to the loss, in the caller's
// device and name scope, the variables made through `vars` in layer order
// from options.seed (no optimizer, no placeholders).
CnnLayers BuildCnnLayers(GraphBuilder& b, Output images, Output labels, const CnnOptions& options,
                         const CnnVariableAccess& vars);

// Floating-point operations of one training step at `batch` (forward,
// both backward passes except the input gradient of the first convolution,
// which nothing needs): 2 per multiply-add of the convolutions and matrix
// products, which are all but ~1% of the step. About 1.6 GFLOP at 64.
int64_t CnnTrainStepFlops(int64_t batch);

}  // namespace graphrt::mnist

#endif  // GRAPHRT_EXAMPLES_FASHION_MNIST_CNN_CNN_MODEL_H_
