// One training step of the book's MNIST model (examples/fashion_mnist_mlp):
// gather a batch of uint8 images, run forward, gradients and the SGD update,
// fetch the loss and the number right. Synthetic images (uniform bytes) and
// labels: the step's cost does not depend on the pixel values, and the bench
// needs no dataset. Args: batch, inter-op threads, intra-op threads.
//   BM_MlpTrainStep/32/1/1   the demo's step on one thread (bench/compare/
//                            runs it beside libtorch and Keras)
//   BM_MlpTrainStep/32/1/2   kernels split over both cores
//   BM_MlpTrainStep/32/2/2   both cores for both pools
//   BM_MlpTrainStep/256/1/1  a larger batch
#include <benchmark/benchmark.h>

#include <vector>

#include "examples/fashion_mnist_mlp/mlp.h"
#include "examples/fashion_mnist_mlp/synthetic_dataset.h"

namespace graphrt::mnist {
namespace {

void BM_MlpTrainStep(benchmark::State& state) {
  const int64_t batch = state.range(0);
  SessionOptions options;
  options.inter_op_threads = static_cast<int>(state.range(1));
  options.intra_op_threads = static_cast<int>(state.range(2));
  auto trainer = Trainer::Create(MlpOptions{}, options).value();
  const Dataset data = SyntheticDataset(4096, 3);
  const std::vector<int64_t> order = ShuffledOrder(data.size(), 1);
  int64_t begin = 0;
  for (auto _ : state) {
    if (begin + batch > data.size()) begin = 0;
    auto result = trainer->Step(data, std::span<const int64_t>(order).subspan(begin, batch));
    if (!result.ok()) {
      state.SkipWithError(std::string(result.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(result->first);
    begin += batch;
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_MlpTrainStep)
    ->Args({32, 1, 1})
    ->Args({32, 1, 2})
    ->Args({32, 2, 2})
    ->Args({256, 1, 1})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
}  // namespace graphrt::mnist

BENCHMARK_MAIN();
