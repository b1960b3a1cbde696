#include "examples/fashion_mnist_mlp/mlp.h"

#include <chrono>
#include <cstring>
#include <optional>

#include "core/graph/initializers.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/ops/nn_ops.h"
#include "core/graph/optimizers.h"
#include "core/base/status_macros.h"
#include "examples/common/strategy.h"

namespace graphrt::mnist {

absl::StatusOr<Mlp> BuildMlp(GraphBuilder& b, const MlpOptions& o) {
  Mlp m;
  m.images = b.Placeholder(DataType::kUint8, {-1, 28, 28}, "images");
  m.labels = b.Placeholder(DataType::kInt64, {-1}, "labels");
  InitRng rng(o.seed);
  {
    std::optional<GraphBuilder::DeviceScope> device;
    if (!o.device.empty()) device.emplace(b, o.device);
    Output x;
    {
      GraphBuilder::NameScope scope(b, "rescaling");
      x = ops::Cast(ops::Reshape(m.images, {-1, 28 * 28}), DataType::kFloat32) * (1.0f / 255);
    }
    auto dense = [&](absl::string_view name, Output in, int64_t fan_in, int64_t units) {
      GraphBuilder::NameScope scope(b, name);
      Variable w = b.NewVariable("kernel", GlorotUniform({fan_in, units}, rng));
      Variable bias = b.NewVariable("bias", Zeros({units}));
      m.variables.push_back(w);
      m.variables.push_back(bias);
      return ops::BiasAdd(ops::MatMul(in, w.Read()), bias.Read());
    };
    Output hidden = ops::Relu(dense("dense", x, 28 * 28, o.hidden));
    m.logits = dense("dense_1", hidden, o.hidden, o.classes);
    auto xent = ops::SparseSoftmaxCrossEntropyWithLogits(m.logits, m.labels, "xent");
    m.loss = ops::Mean(xent.loss, {}, "loss");
    Output right = ops::Equal(ops::ArgMax(m.logits, 1), m.labels);
    m.correct = ops::Sum(ops::Cast(right, DataType::kFloat32), {}, "correct");
  }
  ASSIGN_OR_RETURN(m.train, MinimizeWithSgd(m.loss, m.variables, o.learning_rate, "train"));
  m.eval_images = m.images;
  m.eval_labels = m.labels;
  m.eval_loss = m.loss;
  m.eval_correct = m.correct;
  return m;
}

std::vector<int64_t> ShuffledOrder(int64_t n, uint64_t seed) {
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  InitRng rng(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    const int64_t j = static_cast<int64_t>(rng.Next() % static_cast<uint64_t>(i + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

absl::StatusOr<std::unique_ptr<Trainer>> Trainer::Create(const MlpOptions& options,
                                                         const SessionOptions& session_options) {
  std::unique_ptr<Trainer> t(new Trainer);
  if (options.strategy.empty()) {
    ASSIGN_OR_RETURN(t->model_, BuildMlp(t->builder_, options));
  } else {
    ASSIGN_OR_RETURN(std::vector<std::string> devices,
                     examples::ReplicaDevices(options.strategy, options.devices,
                                              session_options.runtime.get()));
    ASSIGN_OR_RETURN(t->model_, BuildDistributedMlp(t->builder_, options, devices));
  }
  t->replicas_ = t->model_.replicas;
  ASSIGN_OR_RETURN(Graph graph, t->builder_.Build());
  ASSIGN_OR_RETURN(t->session_, Session::Create(std::move(graph), session_options));
  const Mlp& m = t->model_;
  ASSIGN_OR_RETURN(t->train_step_,
                   t->session_->MakeCallable({m.images, m.labels}, {m.loss, m.correct}, {m.train}));
  ASSIGN_OR_RETURN(t->eval_step_, t->session_->MakeCallable({m.eval_images, m.eval_labels},
                                                             {m.eval_loss, m.eval_correct}));
  if (m.sync_initial.valid()) {
    // Every worker starts from the chief's values (a collective: every
    // worker runs it here, before its first step).
    RETURN_IF_ERROR(t->session_->Run({}, {}, {m.sync_initial}).status());
  }
  return t;
}

std::array<Tensor, 2> GatherBatch(const Dataset& data, std::span<const int64_t> order) {
  const int64_t n = static_cast<int64_t>(order.size());
  const int64_t pixels = data.images.num_elements() / std::max<int64_t>(1, data.size());
  Tensor images(DataType::kUint8, {n, data.images.dim(1), data.images.dim(2)});
  Tensor labels(DataType::kInt64, {n});
  const uint8_t* src = data.images.data<uint8_t>();
  uint8_t* dst = images.data<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(dst + i * pixels, src + order[i] * pixels, static_cast<size_t>(pixels));
    labels.data<int64_t>()[i] = data.labels.data<int64_t>()[order[i]];
  }
  return {std::move(images), std::move(labels)};
}

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

absl::StatusOr<std::pair<float, float>> Trainer::Step(const Dataset& data,
                                                      std::span<const int64_t> order) {
  // A strategy splits the batch evenly: drop the remainder. Multi-worker:
  // this worker's rows of the global batch, then its replicas' split.
  const size_t workers = static_cast<size_t>(model_.num_workers);
  order = order.first(order.size() - order.size() % workers);
  const size_t per_worker = order.size() / workers;
  order = order.subspan(static_cast<size_t>(model_.worker_index) * per_worker, per_worker);
  order = order.first(order.size() - order.size() % static_cast<size_t>(replicas_));
  last_step_examples_ = static_cast<int64_t>(order.size());
  if (order.empty()) return std::make_pair(0.0f, 0.0f);
  std::array<Tensor, 2> feeds = GatherBatch(data, order);
  ASSIGN_OR_RETURN(std::vector<Tensor> out, session_->RunCallable(train_step_, feeds));
  return std::make_pair(out[0].scalar<float>(), out[1].scalar<float>());
}

absl::Status Trainer::TracedStep(const Dataset& data, std::span<const int64_t> order,
                                 RunMetadata& metadata) {
  std::array<Tensor, 2> feeds = GatherBatch(data, order);
  RunOptions options;
  options.trace = true;
  return session_
      ->Run(options, {{model_.images, feeds[0]}, {model_.labels, feeds[1]}},
            {model_.loss, model_.correct}, {model_.train}, &metadata)
      .status();
}

absl::StatusOr<Metrics> Trainer::TrainEpoch(const Dataset& data, int batch_size,
                                            uint64_t shuffle_seed, const ProgressFn& progress) {
  if (batch_size < 1) return absl::InvalidArgumentError("the batch size must be at least 1");
  const auto start = std::chrono::steady_clock::now();
  const std::vector<int64_t> order = ShuffledOrder(data.size(), shuffle_seed);
  Metrics m;
  const int64_t steps = (data.size() + batch_size - 1) / batch_size;
  double loss_sum = 0, correct = 0, trained = 0;
  for (int64_t begin = 0; begin < data.size(); begin += batch_size) {
    const int64_t end = std::min<int64_t>(begin + batch_size, data.size());
    ASSIGN_OR_RETURN(auto result,
                     Step(data, std::span<const int64_t>(order).subspan(begin, end - begin)));
    // Weighted by the examples the step really trained on (a strategy may
    // drop a remainder; a worker trains on its shard).
    const double n = static_cast<double>(last_step_examples_);
    loss_sum += static_cast<double>(result.first) * n;
    correct += result.second;
    trained += n;
    m.examples = end;
    ++m.steps;
    m.loss = trained > 0 ? loss_sum / trained : 0;
    m.accuracy = trained > 0 ? correct / trained : 0;
    if (progress) {
      m.seconds = Seconds(start);
      progress(m.steps, steps, m);
    }
  }
  m.seconds = Seconds(start);
  return m;
}

absl::StatusOr<Metrics> Trainer::Evaluate(const Dataset& data, int batch_size) {
  return EvaluateInBatches(*session_, eval_step_, data, batch_size);
}

absl::StatusOr<Metrics> EvaluateInBatches(Session& session, Session::CallableHandle eval_step,
                                          const Dataset& data, int batch_size) {
  // A batch size of 0 would never advance.
  if (batch_size < 1) return absl::InvalidArgumentError("the batch size must be at least 1");
  const auto start = std::chrono::steady_clock::now();
  Metrics m;
  std::vector<int64_t> order(data.size());
  for (int64_t i = 0; i < data.size(); ++i) order[i] = i;
  double loss_sum = 0, correct = 0;
  for (int64_t begin = 0; begin < data.size(); begin += batch_size) {
    const int64_t end = std::min<int64_t>(begin + batch_size, data.size());
    std::array<Tensor, 2> feeds =
        GatherBatch(data, std::span<const int64_t>(order).subspan(begin, end - begin));
    ASSIGN_OR_RETURN(std::vector<Tensor> out, session.RunCallable(eval_step, feeds));
    loss_sum += static_cast<double>(out[0].scalar<float>()) * static_cast<double>(end - begin);
    correct += out[1].scalar<float>();
    ++m.steps;
  }
  m.examples = data.size();
  m.loss = data.size() > 0 ? loss_sum / static_cast<double>(data.size()) : 0;
  m.accuracy = data.size() > 0 ? correct / static_cast<double>(data.size()) : 0;
  m.seconds = Seconds(start);
  return m;
}

}  // namespace graphrt::mnist
