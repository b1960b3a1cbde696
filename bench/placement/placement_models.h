// The two models bench/placement/placement_bench.cc places four ways: the
// book's MLP (784-100-10) and issue 17's CNN (conv 32, pool, conv 64, pool,
// dense 128, dense 10), both from uint8 images [?, 28, 28] and int64 labels,
// trained with plain SGD at 0.01.
//
// One layer builder serves every placement:
//   MakeModelFn(model)           a distribute::ModelFn: (a) one device (a
//                                one-replica CentralStorageStrategy), (c)
//                                MirroredStrategy, (d) CentralStorageStrategy
//                                all build the model through it;
//   BuildModelParallel(b, m, d)  (b): the first half of the layers on d[0],
//                                the rest (and the loss) on d[1], variables
//                                on their layer's device, no strategy (the
//                                strategies put every update on the replica's
//                                or the parameter device, which would be a
//                                colocation conflict with variables on two
//                                devices).
// The CNN is written here, not taken from examples/fashion_mnist_cnn:
// that example's BuildCnnLayers runs inside a ModelFn (the example's
// --strategy builds through it), but takes no device per layer, which (b)
// needs. Same layers, shapes and initialisation (Glorot uniform kernels,
// zero biases, drawn from seed 1 in layer order).
//
// Thread-safety: like GraphBuilder (one thread per builder).
#ifndef GRAPHRT_BENCH_PLACEMENT_PLACEMENT_MODELS_H_
#define GRAPHRT_BENCH_PLACEMENT_PLACEMENT_MODELS_H_

#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/builder.h"
#include "core/graph/distribute/strategy.h"

namespace graphrt::placement {

enum class Model { kMlp, kCnn };

// Plain SGD: every placement trains with it.
inline constexpr float kLearningRate = 0.01f;

const char* ModelName(Model model);  // "Mlp", "Cnn"

// The global feeds of both models: images (uint8 [-1, 28, 28]), labels (int64 [-1]).
std::vector<distribute::GlobalFeed> Feeds();

// The model as a strategy's model function (layers in the replica's scope).
distribute::ModelFn MakeModelFn(Model model);

// A graph trained without a strategy.
struct PlainModel {
  std::vector<Output> feeds;  // images, labels
  Output loss;                // mean cross-entropy of the batch
  Output train;               // target: one SGD step
};

// Model parallelism over two devices: layers [0, n/2) on devices[0], the
// rest on devices[1] (gradient nodes follow their forward nodes). Errors:
// INVALID_ARGUMENT when `devices` does not hold exactly two.
absl::StatusOr<PlainModel> BuildModelParallel(GraphBuilder& b, Model model,
                                              std::span<const std::string> devices);

// A batch of `batch` random images and labels (fixed seed): the feeds.
std::vector<Tensor> SyntheticBatch(int64_t batch);

}  // namespace graphrt::placement

#endif  // GRAPHRT_BENCH_PLACEMENT_PLACEMENT_MODELS_H_
