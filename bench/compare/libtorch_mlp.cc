// The TF book's MNIST classifier, trained with libtorch (C++ frontend), as a
// peer for graphrt's examples/fashion_mnist_mlp. See README.md beside this file.
//
//   libtorch_mlp --data DIR --mode step  [--threads N] [--warmup 200] [--steps 2000]
//   libtorch_mlp --data DIR --mode train [--threads N] [--epochs 10] [--seed 1]
//
// Model: uint8 28x28 -> flatten -> x/255 -> Dense(100, relu) -> Dense(10).
// Loss: softmax cross-entropy over integer labels, mean over the batch.
// Optimiser: plain SGD, lr 0.01, batch 32. Kernels Glorot-uniform, biases 0.
// Data: first 5,000 training images held out for validation, the other
// 55,000 shuffled every epoch, the last partial batch included.
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "libtorch_idx.h"

namespace {

using compare::kPixels;
using compare::LoadSplit;
using compare::Split;

constexpr int64_t kHidden = 100;
constexpr int64_t kClasses = 10;
constexpr int64_t kValidation = 5000;

// ---- model ------------------------------------------------------------------

struct MlpImpl : torch::nn::Module {
  MlpImpl()
      : hidden(register_module("hidden", torch::nn::Linear(kPixels, kHidden))),
        logits(register_module("logits", torch::nn::Linear(kHidden, kClasses))) {
    torch::NoGradGuard no_grad;
    for (auto* layer : {&hidden, &logits}) {
      torch::nn::init::xavier_uniform_((*layer)->weight);  // Glorot uniform
      torch::nn::init::zeros_((*layer)->bias);
    }
  }
  // x: [b, 784] uint8.
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor h = x.to(torch::kFloat32).mul_(1.0f / 255.0f);
    h = torch::relu(hidden(h));
    return logits(h);
  }
  torch::nn::Linear hidden;
  torch::nn::Linear logits;
};
TORCH_MODULE(Mlp);

struct Options {
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string mode = "step";
  int threads = 1;
  int warmup = 200;
  int steps = 2000;
  int epochs = 10;
  int batch = 32;
  double lr = 0.01;
  uint64_t seed = 1;
};

// One training step on the rows `rows[0..n)`. Returns the batch's mean loss;
// adds the number of correct predictions to *correct when it is not null.
float TrainStep(Mlp& model, torch::optim::SGD& sgd, const Split& train, const int64_t* rows, int64_t n,
                int64_t* correct) {
  // Gather the batch (uint8 rows and labels) into fresh tensors.
  torch::Tensor x = torch::empty({n, kPixels}, torch::kUInt8);
  torch::Tensor y = torch::empty({n}, torch::kInt64);
  const uint8_t* src = train.images.data_ptr<uint8_t>();
  const int64_t* lab = train.labels.data_ptr<int64_t>();
  uint8_t* dx = x.data_ptr<uint8_t>();
  int64_t* dy = y.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(dx + i * kPixels, src + rows[i] * kPixels, kPixels);
    dy[i] = lab[rows[i]];
  }
  sgd.zero_grad();
  torch::Tensor out = model->forward(x);
  torch::Tensor loss = torch::nn::functional::cross_entropy(out, y);
  loss.backward();
  sgd.step();
  if (correct != nullptr) *correct += out.argmax(1).eq(y).sum().item<int64_t>();
  return loss.item<float>();
}

// Mean loss and accuracy over a whole split, in chunks of 1,000.
std::pair<double, double> Evaluate(Mlp& model, const Split& s) {
  torch::NoGradGuard no_grad;
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t b = 0; b < s.size(); b += 1000) {
    const int64_t e = std::min(s.size(), b + 1000);
    torch::Tensor x = s.images.slice(0, b, e);
    torch::Tensor y = s.labels.slice(0, b, e);
    torch::Tensor out = model->forward(x);
    loss_sum += torch::nn::functional::cross_entropy(
                    out, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    correct += out.argmax(1).eq(y).sum().item<int64_t>();
  }
  return {loss_sum / static_cast<double>(s.size()), static_cast<double>(correct) / static_cast<double>(s.size())};
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

int RunStep(const Options& o, Mlp& model, torch::optim::SGD& sgd, const Split& train) {
  std::mt19937_64 rng(o.seed);
  std::vector<int64_t> order(static_cast<size_t>(train.size()));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  size_t pos = 0;
  auto next_rows = [&]() {
    if (pos + static_cast<size_t>(o.batch) > order.size()) pos = 0;
    const int64_t* r = order.data() + pos;
    pos += static_cast<size_t>(o.batch);
    return r;
  };
  float sink = 0;
  for (int i = 0; i < o.warmup; ++i) sink += TrainStep(model, sgd, train, next_rows(), o.batch, nullptr);
  std::vector<double> us;
  us.reserve(static_cast<size_t>(o.steps));
  for (int i = 0; i < o.steps; ++i) {
    const int64_t* rows = next_rows();
    const auto t0 = Clock::now();
    sink += TrainStep(model, sgd, train, rows, o.batch, nullptr);
    const auto t1 = Clock::now();
    us.push_back(Seconds(t0, t1) * 1e6);
  }
  const double mean = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size());
  std::printf("libtorch step: batch=%d threads=%d warmup=%d steps=%d\n", o.batch, o.threads, o.warmup, o.steps);
  std::printf("step_us median=%.1f p10=%.1f p90=%.1f mean=%.1f (loss sink %.3f)\n", Percentile(us, 0.5),
              Percentile(us, 0.1), Percentile(us, 0.9), mean, sink / static_cast<float>(o.warmup + o.steps));
  return 0;
}

int RunTrain(const Options& o, Mlp& model, torch::optim::SGD& sgd, const Split& train, const Split& val,
             const Split& test) {
  std::mt19937_64 rng(o.seed);
  std::vector<int64_t> order(static_cast<size_t>(train.size()));
  std::iota(order.begin(), order.end(), 0);
  double total_s = 0;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto t0 = Clock::now();
    std::shuffle(order.begin(), order.end(), rng);
    double loss_sum = 0;
    int64_t correct = 0;
    for (size_t b = 0; b < order.size(); b += static_cast<size_t>(o.batch)) {
      const int64_t n = static_cast<int64_t>(std::min(order.size() - b, static_cast<size_t>(o.batch)));
      loss_sum += static_cast<double>(TrainStep(model, sgd, train, order.data() + b, n, &correct)) * n;
    }
    const auto t1 = Clock::now();
    const auto [val_loss, val_acc] = Evaluate(model, val);
    const auto t2 = Clock::now();
    total_s += Seconds(t0, t2);
    std::printf(
        "epoch %2d: loss=%.4f acc=%.4f val_loss=%.4f val_acc=%.4f epoch_s=%.2f (train %.2f, val %.2f)\n", epoch,
        loss_sum / static_cast<double>(train.size()), static_cast<double>(correct) / static_cast<double>(train.size()),
        val_loss, val_acc, Seconds(t0, t2), Seconds(t0, t1), Seconds(t1, t2));
    std::fflush(stdout);
  }
  const auto [test_loss, test_acc] = Evaluate(model, test);
  std::printf("total training s: %.2f; test loss: %.4f\n", total_s, test_loss);
  std::printf("test accuracy: %.4f\n", test_acc);
  return 0;
}

void Usage() {
  std::fprintf(stderr,
               "usage: libtorch_mlp [--data DIR] [--mode step|train] [--threads N] [--warmup N] [--steps N]\n"
               "                    [--epochs N] [--batch N] [--lr X] [--seed N]\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        Usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data") o.data = value();
    else if (a == "--mode") o.mode = value();
    else if (a == "--threads") o.threads = std::stoi(value());
    else if (a == "--warmup") o.warmup = std::stoi(value());
    else if (a == "--steps") o.steps = std::stoi(value());
    else if (a == "--epochs") o.epochs = std::stoi(value());
    else if (a == "--batch") o.batch = std::stoi(value());
    else if (a == "--lr") o.lr = std::stod(value());
    else if (a == "--seed") o.seed = std::stoull(value());
    else {
      Usage();
      return 2;
    }
  }
  if ((o.mode != "step" && o.mode != "train") || o.threads < 1 || o.batch < 1) {
    Usage();
    return 2;
  }
  // Both pools must be sized before any parallel work starts.
  at::set_num_interop_threads(o.threads);
  torch::set_num_threads(o.threads);
  torch::manual_seed(o.seed);

  try {
    Split all = LoadSplit(o.data, "train");
    Split test = LoadSplit(o.data, "t10k");
    Split val{all.images.slice(0, 0, kValidation).clone(), all.labels.slice(0, 0, kValidation).clone()};
    Split train{all.images.slice(0, kValidation).clone(), all.labels.slice(0, kValidation).clone()};
    std::printf("libtorch %s; intra-op threads %d, inter-op threads %d; train %lld, val %lld, test %lld\n",
                TORCH_VERSION, at::get_num_threads(), at::get_num_interop_threads(),
                static_cast<long long>(train.size()), static_cast<long long>(val.size()),
                static_cast<long long>(test.size()));
    Mlp model;
    torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(o.lr));
    if (o.mode == "step") return RunStep(o, model, sgd, train);
    return RunTrain(o, model, sgd, train, val, test);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
