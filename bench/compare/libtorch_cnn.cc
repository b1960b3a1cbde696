// Issue 17's CNN trained with libtorch (C++ frontend, Debian's libtorch, which
// runs convolutions through oneDNN), a peer for graphrt's
// examples/fashion_mnist_cnn and keras_cnn.py. See README.md beside this file.
//
//   libtorch_cnn --data DIR --mode step  [--threads N] [--warmup 30] [--steps 300]
//   libtorch_cnn --data DIR --mode train [--threads N] [--epochs 3] [--seed 1]
//
// Model: uint8 28x28x1 -> x/255 -> Conv2D(32, 3x3, same, relu) -> MaxPool(2)
// -> Conv2D(64, 3x3, same, relu) -> MaxPool(2) -> Flatten -> Dense(128,
// relu) -> Dense(10). Sparse softmax cross-entropy, mean over the batch. SGD
// with momentum 0.9 (torch's v = 0.9 v + g, p -= lr v is Keras' update for a
// constant lr), lr 0.01, batch 64. Kernels Glorot-uniform, biases 0, as
// Keras. Data: the first 5,000 training images held out for validation.
// Tensors are NCHW, torch's native layout (Keras and graphrt use NHWC).
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

constexpr int64_t kValidation = 5000;

// Multiply-adds of one image's forward pass; a step is 2 * batch * (forward
// + backward) FLOP, backward = 2 * forward less the first layer's input
// gradient (keras_cnn.py's step_flops, cnn_model.cc's CnnTrainStepFlops).
constexpr int64_t kConv1Macs = 28 * 28 * 32 * 9;
constexpr int64_t kForwardMacs = kConv1Macs + 14 * 14 * 64 * 9 * 32 + 7 * 7 * 64 * 128 + 128 * 10;
double StepFlops(int64_t batch) { return 2.0 * batch * (3 * kForwardMacs - kConv1Macs); }

struct CnnImpl : torch::nn::Module {
  CnnImpl()
      : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 32, 3).padding(1)))),
        conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(32, 64, 3).padding(1)))),
        hidden(register_module("hidden", torch::nn::Linear(7 * 7 * 64, 128))),
        logits(register_module("logits", torch::nn::Linear(128, 10))) {
    torch::NoGradGuard no_grad;
    // fan_in = in * kh * kw and fan_out = out * kh * kw, as Keras computes them.
    for (torch::Tensor* w : {&conv1->weight, &conv2->weight, &hidden->weight, &logits->weight}) {
      torch::nn::init::xavier_uniform_(*w);
    }
    for (torch::Tensor* b : {&conv1->bias, &conv2->bias, &hidden->bias, &logits->bias}) {
      torch::nn::init::zeros_(*b);
    }
  }
  // x: [b, 1, 28, 28] uint8.
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor h = x.to(torch::kFloat32).mul_(1.0f / 255.0f);
    h = torch::max_pool2d(torch::relu(conv1(h)), 2);
    h = torch::max_pool2d(torch::relu(conv2(h)), 2);
    h = torch::relu(hidden(h.flatten(1)));
    return logits(h);
  }
  torch::nn::Conv2d conv1, conv2;
  torch::nn::Linear hidden, logits;
};
TORCH_MODULE(Cnn);

struct Options {
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string mode = "step";
  int threads = 2;
  int warmup = 30;
  int steps = 300;
  int epochs = 3;
  int batch = 64;
  double lr = 0.01;
  uint64_t seed = 1;
};

// One step on rows[0..n): gather, forward, loss, backward, update; the loss
// comes back to the host.
float TrainStep(Cnn& model, torch::optim::SGD& sgd, const compare::Split& train, const int64_t* rows,
                int64_t n) {
  torch::Tensor x = torch::empty({n, 1, 28, 28}, torch::kUInt8);
  torch::Tensor y = torch::empty({n}, torch::kInt64);
  const uint8_t* src = train.images.data_ptr<uint8_t>();
  const int64_t* lab = train.labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(x.data_ptr<uint8_t>() + i * compare::kPixels, src + rows[i] * compare::kPixels,
                compare::kPixels);
    y.data_ptr<int64_t>()[i] = lab[rows[i]];
  }
  sgd.zero_grad();
  torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(x), y);
  loss.backward();
  sgd.step();
  return loss.item<float>();
}

double Accuracy(Cnn& model, const compare::Split& s) {
  torch::NoGradGuard no_grad;
  int64_t correct = 0;
  for (int64_t b = 0; b < s.size(); b += 1000) {
    const int64_t e = std::min(s.size(), b + 1000);
    torch::Tensor out = model->forward(s.images.slice(0, b, e).view({e - b, 1, 28, 28}));
    correct += out.argmax(1).eq(s.labels.slice(0, b, e)).sum().item<int64_t>();
  }
  return static_cast<double>(correct) / static_cast<double>(s.size());
}

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

int RunStep(const Options& o, Cnn& model, torch::optim::SGD& sgd, const compare::Split& train) {
  std::vector<int64_t> order(static_cast<size_t>(train.size()));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.seed);
  std::shuffle(order.begin(), order.end(), rng);
  size_t pos = 0;
  auto next_rows = [&]() {
    if (pos + static_cast<size_t>(o.batch) > order.size()) pos = 0;
    pos += static_cast<size_t>(o.batch);
    return order.data() + pos - o.batch;
  };
  float sink = 0;
  for (int i = 0; i < o.warmup; ++i) sink += TrainStep(model, sgd, train, next_rows(), o.batch);
  std::vector<double> us;
  for (int i = 0; i < o.steps; ++i) {
    const int64_t* rows = next_rows();
    const auto t0 = Clock::now();
    sink += TrainStep(model, sgd, train, rows, o.batch);
    us.push_back(Seconds(t0, Clock::now()) * 1e6);
  }
  const double mean = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size());
  std::sort(us.begin(), us.end());
  auto pct = [&](double q) { return us[static_cast<size_t>(q * static_cast<double>(us.size() - 1))]; };
  std::printf("libtorch cnn step: batch=%d threads=%d warmup=%d steps=%d\n", o.batch, o.threads, o.warmup,
              o.steps);
  std::printf("step_us median=%.1f p10=%.1f p90=%.1f mean=%.1f gflops=%.1f (loss sink %.3f)\n", pct(0.5),
              pct(0.1), pct(0.9), mean, StepFlops(o.batch) / pct(0.5) / 1e3,
              sink / static_cast<float>(o.warmup + o.steps));
  return 0;
}

int RunTrain(const Options& o, Cnn& model, torch::optim::SGD& sgd, const compare::Split& train,
             const compare::Split& val, const compare::Split& test) {
  std::vector<int64_t> order(static_cast<size_t>(train.size()));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.seed);
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto t0 = Clock::now();
    std::shuffle(order.begin(), order.end(), rng);
    double loss_sum = 0;
    for (size_t b = 0; b < order.size(); b += static_cast<size_t>(o.batch)) {
      const int64_t n = static_cast<int64_t>(std::min(order.size() - b, static_cast<size_t>(o.batch)));
      loss_sum += static_cast<double>(TrainStep(model, sgd, train, order.data() + b, n)) * n;
    }
    const double val_acc = Accuracy(model, val);
    std::printf("epoch %d: loss=%.4f val_acc=%.4f epoch_s=%.1f\n", epoch,
                loss_sum / static_cast<double>(train.size()), val_acc, Seconds(t0, Clock::now()));
    std::fflush(stdout);
  }
  std::printf("test accuracy: %.4f\n", Accuracy(model, test));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "usage: libtorch_cnn [--data DIR] [--mode step|train] [--threads N] [--warmup N] "
                           "[--steps N] [--epochs N] [--batch N] [--lr X] [--seed N]\n");
      return 2;
    }
    const std::string v = argv[++i];
    if (a == "--data") o.data = v;
    else if (a == "--mode") o.mode = v;
    else if (a == "--threads") o.threads = std::stoi(v);
    else if (a == "--warmup") o.warmup = std::stoi(v);
    else if (a == "--steps") o.steps = std::stoi(v);
    else if (a == "--epochs") o.epochs = std::stoi(v);
    else if (a == "--batch") o.batch = std::stoi(v);
    else if (a == "--lr") o.lr = std::stod(v);
    else if (a == "--seed") o.seed = std::stoull(v);
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if ((o.mode != "step" && o.mode != "train") || o.threads < 1 || o.batch < 1 || o.steps < 1) {
    std::fprintf(stderr, "bad --mode, --threads, --batch or --steps\n");
    return 2;
  }
  at::set_num_interop_threads(o.threads);  // both pools before any parallel work
  torch::set_num_threads(o.threads);
  torch::manual_seed(o.seed);
  try {
    compare::Split all = compare::LoadSplit(o.data, "train");
    compare::Split test = compare::LoadSplit(o.data, "t10k");
    compare::Split val{all.images.slice(0, 0, kValidation).clone(), all.labels.slice(0, 0, kValidation).clone()};
    compare::Split train{all.images.slice(0, kValidation).clone(), all.labels.slice(0, kValidation).clone()};
    std::printf("libtorch %s; intra-op threads %d, inter-op threads %d\n", TORCH_VERSION, at::get_num_threads(),
                at::get_num_interop_threads());
    Cnn model;
    torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(o.lr).momentum(0.9));
    if (o.mode == "step") return RunStep(o, model, sgd, train);
    return RunTrain(o, model, sgd, train, val, test);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
