// Symbolic reverse-mode differentiation (TF's tf.gradients), and the
// registry of per-op gradient functions it uses.
//
//   ASSIGN_OR_RETURN(std::vector<Output> dx, AddGradients(loss, {x, w.Read()}));
//   ASSIGN_OR_RETURN(std::vector<Output> dw, AddVariableGradients(loss, {w1, b1}));
//
// AddGradients adds to y's builder the nodes computing d(sum of y)/d(x) for
// each x. It walks back from y, in reverse topological order, over the nodes
// that lie on a path from some x to y, calling each node's gradient function
// and summing with AddN the gradients that reach one output. Gradient
// functions are registered per op beside the op (core/graph/ops/*_grad.cc).
// Only float32 tensors carry gradients: paths through other dtypes (labels,
// uint8 images, ArgMax indices) are cut. New nodes are named
// "gradients/<forward node>_grad/..." and request the forward node's device.
//
// Errors: INVALID_ARGUMENT when y or an x is invalid or not float32;
// UNIMPLEMENTED naming the node and its op when a path from an x to y
// crosses an op with no gradient function. An x that y does not depend on
// gets an invalid Output from AddGradients; AddVariableGradients reports it,
// naming the variable.
//
// Thread-safety: like GraphBuilder, one thread at a time per builder. The
// registry is thread-safe.
#ifndef GRAPHRT_CORE_GRAPH_GRADIENTS_H_
#define GRAPHRT_CORE_GRAPH_GRADIENTS_H_

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/builder.h"
#include "core/base/sync.h"

namespace graphrt {

// What a gradient function sees of one forward node.
struct GradContext {
  GraphBuilder& builder;
  const Node& node;
  std::span<const Output> inputs;   // the node's data inputs
  std::span<const Output> outputs;  // the node's outputs
  // d(y)/d(output i); an invalid Output where no gradient reaches output i
  // (every output of a single-output node has one).
  std::span<const Output> grads;
  // Input i needs a gradient: it is float32 and lies on a path from an x.
  // Functions may skip building the others.
  std::span<const bool> wanted;
};

// Sets input_grads[i] (pre-sized to the node's inputs, all invalid) to the
// gradient for input i, or leaves it invalid for none.
using GradFn = std::function<absl::Status(const GradContext&, std::vector<Output>& input_grads)>;

class GradientRegistry {
 public:
  // The registry holding every standard op's gradient (filled on first use).
  static GradientRegistry& Global();

  void Register(std::string op, GradFn fn);
  // nullptr when `op` has no gradient function.
  const GradFn* Find(absl::string_view op) const;

 private:
  mutable Mutex mu_;
  // unique_ptr: functions handed out by Find stay put while others register.
  absl::flat_hash_map<std::string, std::unique_ptr<const GradFn>> fns_ ABSL_GUARDED_BY(mu_);
};

// Registers the gradients of core/graph/ops/ (called once by Global()): one
// function per op family, each in core/graph/ops/<family>_grad.cc.
void RegisterStandardGradients(GradientRegistry& registry);
void RegisterArrayGradients(GradientRegistry& registry);
void RegisterMathGradients(GradientRegistry& registry);
void RegisterNnGradients(GradientRegistry& registry);
void RegisterLayoutGradients(GradientRegistry& registry);
void RegisterRandomGradients(GradientRegistry& registry);
void RegisterConvGradients(GradientRegistry& registry);
void RegisterPoolingGradients(GradientRegistry& registry);
void RegisterBatchNormGradients(GradientRegistry& registry);
void RegisterElementwiseGradients(GradientRegistry& registry);

// d(sum of y)/d(x) for each of `xs` (see the top of this file).
absl::StatusOr<std::vector<Output>> AddGradients(
    Output y, std::span<const Output> xs,
    const GradientRegistry& registry = GradientRegistry::Global());

// d(sum of y)/d(variable) for each variable: the gradients reaching every
// ReadVariable of it, summed.
absl::StatusOr<std::vector<Output>> AddVariableGradients(
    Output y, std::span<const Variable> variables,
    const GradientRegistry& registry = GradientRegistry::Global());

// Helpers for gradient functions.
namespace grad {

// `grad` (shaped like the broadcast of x and other) summed down to x's shape,
// or `grad` itself when the shapes known now show that x was not broadcast.
Output ReduceToInput(Output grad, Output x, Output other);
// `grad` reshaped to x's shape, which must be known up to one dim.
absl::StatusOr<Output> ReshapeToInput(Output grad, Output x);

}  // namespace grad
}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_GRADIENTS_H_
