#include "core/graph/gradients.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/base/status_macros.h"

namespace graphrt {

GradientRegistry& GradientRegistry::Global() {
  static GradientRegistry* registry = [] {
    auto* r = new GradientRegistry;
    RegisterStandardGradients(*r);
    return r;
  }();
  return *registry;
}

void RegisterStandardGradients(GradientRegistry& registry) {
  RegisterArrayGradients(registry);
  RegisterMathGradients(registry);
  RegisterNnGradients(registry);
  RegisterLayoutGradients(registry);
  RegisterRandomGradients(registry);
  RegisterConvGradients(registry);
  RegisterPoolingGradients(registry);
  RegisterBatchNormGradients(registry);
  RegisterElementwiseGradients(registry);
}

void GradientRegistry::Register(std::string op, GradFn fn) {
  MutexLock lock(&mu_);
  fns_[std::move(op)] = std::make_unique<const GradFn>(std::move(fn));
}

const GradFn* GradientRegistry::Find(absl::string_view op) const {
  MutexLock lock(&mu_);
  auto it = fns_.find(op);
  return it == fns_.end() ? nullptr : it->second.get();
}

namespace {

bool Differentiable(DataType t) { return t == DataType::kFloat32; }

// Note [Which nodes get gradients]
// Rationale: only nodes on a path from some x to y need a gradient function
// run; others would add dead nodes, or fail for ops that have none.
// Approach: node ids are a topological order (the builder only adds nodes
// whose inputs exist). One forward pass marks nodes fed, through float32
// edges, by an x; one backward pass from y marks y's ancestors. A node gets
// its gradient function called when it is both, in decreasing id order, so
// every consumer has added its share before a node's gradients are summed.
// Limitations: control edges carry no gradient; an x's own node is not
// differentiated unless it is itself fed by another x.
class Backprop {
 public:
  Backprop(GraphBuilder& b, const GradientRegistry& registry)
      : b_(b), g_(b.graph()), registry_(registry) {}

  absl::StatusOr<std::vector<Output>> Run(Output y, std::span<const Output> xs) {
    if (!y.valid() || y.builder() != &b_) return absl::InvalidArgumentError("y is invalid");
    if (!Differentiable(y.dtype())) {
      return absl::InvalidArgumentError(absl::StrCat("cannot differentiate ", y.name(), ": it is ",
                                                     DataTypeName(y.dtype()),
                                                     "; gradients need float32"));
    }
    for (const Output& x : xs) {
      if (!x.valid() || x.builder() != &b_) {
        return absl::InvalidArgumentError("an x is invalid or from another builder");
      }
      if (!Differentiable(x.dtype())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot differentiate with respect to ", x.name(), ": it is ",
            DataTypeName(x.dtype()), "; gradients need float32"));
      }
      seeds_.insert({x.node_id(), x.index()});
    }
    MarkFromX(y.node_id());
    MarkAncestors(y.node_id());
    GraphBuilder::NameScope scope(b_, "gradients");
    pending_[{y.node_id(), y.index()}].push_back(OnesLike(y));
    for (int id = y.node_id(); id >= 0; --id) {
      if (!from_x_[id] || !ancestor_[id]) continue;
      RETURN_IF_ERROR(Differentiate(g_.node(id)));
    }
    std::vector<Output> result;
    for (const Output& x : xs) result.push_back(Sum({x.node_id(), x.index()}));
    if (!b_.status().ok()) return b_.status();
    return result;
  }

 private:
  bool FedByX(const Endpoint& e) const {
    return seeds_.contains({e.node, e.index}) || from_x_[e.node];
  }

  void MarkFromX(int last) {
    from_x_.assign(g_.num_nodes(), false);
    for (int id = 0; id <= last; ++id) {
      const Node& n = g_.node(id);
      for (int i = 0; i < n.num_inputs(); ++i) {
        if (Differentiable(n.input_type(i)) && FedByX(n.input(i))) {
          from_x_[id] = true;
          break;
        }
      }
    }
  }

  void MarkAncestors(int y) {
    ancestor_.assign(g_.num_nodes(), false);
    std::vector<int> stack = {y};
    ancestor_[y] = true;
    while (!stack.empty()) {
      const Node& n = g_.node(stack.back());
      stack.pop_back();
      for (const Endpoint& in : n.inputs()) {
        if (!ancestor_[in.node]) {
          ancestor_[in.node] = true;
          stack.push_back(in.node);
        }
      }
    }
  }

  Output OnesLike(Output y) {
    Output one = b_.Scalar(1.0f);
    const PartialShape s = y.shape();
    if (s.known_rank() && s.rank() == 0) return one;
    return ops::BroadcastLike(one, y);
  }

  // The gradient reaching output `e`: the sum of what its consumers sent.
  Output Sum(std::pair<int, int> e) {
    auto it = pending_.find(e);
    if (it == pending_.end() || it->second.empty()) return Output();
    if (it->second.size() == 1) return it->second[0];
    Output sum = ops::AddN(it->second);
    it->second = {sum};
    return sum;
  }

  absl::Status Differentiate(const Node& node) {
    const int id = node.id();
    std::vector<Output> inputs, outputs, grads;
    absl::InlinedVector<bool, 4> wanted;
    bool any_wanted = false;
    for (int i = 0; i < node.num_inputs(); ++i) {
      const Endpoint& in = node.input(i);
      inputs.emplace_back(&b_, in.node, in.index);
      wanted.push_back(Differentiable(node.input_type(i)) && FedByX(in));
      any_wanted = any_wanted || wanted.back();
    }
    bool any_grad = false;
    for (int k = 0; k < node.num_outputs(); ++k) {
      outputs.emplace_back(&b_, id, k);
      grads.push_back(Sum({id, k}));
      any_grad = any_grad || grads.back().valid();
    }
    if (!any_wanted || !any_grad) return absl::OkStatus();
    const GradFn* fn = registry_.Find(node.op());
    if (fn == nullptr) {
      return absl::UnimplementedError(absl::StrCat(
          "no gradient is registered for op ", node.op(), ", and node ", node.DebugName(),
          " lies on the path being differentiated; stop the gradient before it (feed or read "
          "its value instead) or register one with GradientRegistry::Register"));
    }
    // Gradient nodes request the forward node's device and carry its name.
    std::optional<GraphBuilder::DeviceScope> device;
    if (!node.requested_device().empty()) device.emplace(b_, node.requested_device());
    GraphBuilder::NameScope scope(b_, absl::StrCat(node.name(), "_grad"));
    std::vector<Output> input_grads(node.num_inputs());
    GradContext c{b_, node, inputs, outputs, grads, {wanted.data(), wanted.size()}};
    absl::Status s = (*fn)(c, input_grads);
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("gradient of node ", node.DebugName(), ": ",
                                                 s.message()));
    }
    if (!b_.status().ok()) return b_.status();
    for (int i = 0; i < node.num_inputs(); ++i) {
      if (wanted[i] && input_grads[i].valid()) {
        const Endpoint& in = node.input(i);
        pending_[{in.node, in.index}].push_back(input_grads[i]);
      }
    }
    return absl::OkStatus();
  }

  GraphBuilder& b_;
  const Graph& g_;
  const GradientRegistry& registry_;
  absl::flat_hash_set<std::pair<int, int>> seeds_;  // the xs
  std::vector<bool> from_x_;
  std::vector<bool> ancestor_;
  absl::flat_hash_map<std::pair<int, int>, std::vector<Output>> pending_;
};

}  // namespace

absl::StatusOr<std::vector<Output>> AddGradients(Output y, std::span<const Output> xs,
                                                 const GradientRegistry& registry) {
  if (!y.valid()) return absl::InvalidArgumentError("AddGradients: y is invalid");
  if (!y.builder()->status().ok()) return y.builder()->status();
  return Backprop(*y.builder(), registry).Run(y, xs);
}

absl::StatusOr<std::vector<Output>> AddVariableGradients(Output y,
                                                         std::span<const Variable> variables,
                                                         const GradientRegistry& registry) {
  if (!y.valid()) return absl::InvalidArgumentError("AddVariableGradients: y is invalid");
  GraphBuilder& b = *y.builder();
  const Graph& g = b.graph();
  // Every ReadVariable of each variable, found by its handle input.
  std::vector<Output> reads;
  std::vector<std::vector<int>> reads_of(variables.size());
  for (size_t v = 0; v < variables.size(); ++v) {
    const Output handle = variables[v].handle();
    if (!handle.valid() || handle.builder() != &b) {
      return absl::InvalidArgumentError(absl::StrCat("variable ", v, " is invalid"));
    }
    for (int id = handle.node_id() + 1; id <= y.node_id(); ++id) {
      const Node& n = g.node(id);
      if (n.op() == "ReadVariable" && n.input(0).node == handle.node_id()) {
        reads_of[v].push_back(static_cast<int>(reads.size()));
        reads.emplace_back(&b, id, 0);
      }
    }
  }
  ASSIGN_OR_RETURN(std::vector<Output> read_grads, AddGradients(y, reads, registry));
  std::vector<Output> result;
  GraphBuilder::NameScope scope(b, "gradients");
  for (size_t v = 0; v < variables.size(); ++v) {
    std::vector<Output> parts;
    for (int r : reads_of[v]) {
      if (read_grads[r].valid()) parts.push_back(read_grads[r]);
    }
    if (parts.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          y.name(), " does not depend on variable '", variables[v].name(),
          "' (through float32 ops): it would get no gradient; leave it out of the list"));
    }
    result.push_back(parts.size() == 1 ? parts[0] : ops::AddN(parts));
  }
  if (!b.status().ok()) return b.status();
  return result;
}

namespace grad {

Output ReduceToInput(Output grad, Output x, Output other) {
  // x needs no reduction when it alone has the output's shape: every dim of
  // `other` is absent or 1, or equal to x's known dim.
  const PartialShape xs = x.shape(), os = other.shape();
  bool covers = xs.known_rank() && os.known_rank() && xs.rank() >= os.rank();
  for (int i = 0; covers && i < os.rank(); ++i) {
    const int64_t od = os.dim(os.rank() - 1 - i), xd = xs.dim(xs.rank() - 1 - i);
    covers = od == 1 || (od >= 0 && od == xd);
  }
  return covers ? grad : ops::ReduceSumLike(grad, x);
}

absl::StatusOr<Output> ReshapeToInput(Output grad, Output x) {
  const PartialShape s = x.shape();
  int unknown = 0;
  for (int64_t d : s.dims()) unknown += d < 0;
  if (!s.known_rank() || unknown > 1) {
    return absl::UnimplementedError(absl::StrCat(
        "reshaping the gradient back to ", x.name(), " needs its shape known up to one dim; it is ",
        s.DebugString(), " (give the placeholder a shape)"));
  }
  return ops::Reshape(grad, std::vector<int64_t>(s.dims().begin(), s.dims().end()));
}

}  // namespace grad
}  // namespace graphrt
