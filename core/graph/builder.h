// GraphBuilder: the C++ API users build graphs with.
//
//   GraphBuilder b;
//   Output x = b.Placeholder(DataType::kFloat32, {-1, 784}, "x");
//   Variable w = b.NewVariable("w", initial_w);
//   Output y = ops::Relu(ops::MatMul(x, w.Read()) + bias);
//   absl::StatusOr<Graph> graph = b.Build();
//
// Op functions (core/graph/ops/*.h) take Outputs and return Outputs; errors
// are kept by the builder (the first one wins, later calls become no-ops
// returning invalid Outputs) and returned by Build(), naming the node.
// NameScope and DeviceScope are RAII objects, like `with tf.name_scope()` and
// `with tf.device()`: nodes made while one is alive get its prefix or its
// device request. Stateful ops on one resource get control edges in program
// order automatically (see Note [Automatic control dependencies]).
//
// Thread-safety: a GraphBuilder and its Outputs are used by one thread.
#ifndef GRAPHRT_CORE_GRAPH_BUILDER_H_
#define GRAPHRT_CORE_GRAPH_BUILDER_H_

#include <span>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/graph/graph.h"
#include "core/graph/tensor.h"

namespace graphrt {

class GraphBuilder;

// One output of one node, with the builder that made it.
class Output {
 public:
  Output() = default;
  Output(GraphBuilder* builder, int node, int index)
      : builder_(builder), node_(node), index_(index) {}

  bool valid() const { return builder_ != nullptr && node_ >= 0; }
  GraphBuilder* builder() const { return builder_; }
  int node_id() const { return node_; }
  int index() const { return index_; }
  const Node& node() const;
  DataType dtype() const;
  PartialShape shape() const;
  std::string name() const;  // "node" or "node:k", what Session::Run takes

 private:
  GraphBuilder* builder_ = nullptr;
  int node_ = -1;
  int index_ = 0;
};

// A resource variable: a handle node plus the ops that read and update it.
class Variable {
 public:
  Variable() = default;
  explicit Variable(Output handle, DataType dtype) : handle_(handle), dtype_(dtype) {}
  Output handle() const { return handle_; }
  DataType dtype() const { return dtype_; }
  PartialShape shape() const;
  std::string name() const { return handle_.valid() ? handle_.node().name() : ""; }

  Output Read(absl::string_view name = {}) const;
  // Updates have no outputs: the returned Output names the update node, to
  // be run as a target (Session::Run's `targets`) or used as a dependency.
  Output Assign(Output value, absl::string_view name = {}) const;
  Output AssignAdd(Output delta, absl::string_view name = {}) const;
  // var -= alpha * delta
  Output ApplyGradientDescent(Output alpha, Output delta, absl::string_view name = {}) const;

 private:
  Output handle_;
  DataType dtype_ = DataType::kInvalid;
};

class GraphBuilder {
 public:
  explicit GraphBuilder(const OpRegistry* ops = &OpRegistry::Global());
  GraphBuilder(const GraphBuilder&) = delete;
  GraphBuilder& operator=(const GraphBuilder&) = delete;

  // Adds a node of `op`. `name` empty: the op's name, made unique within the
  // current name scope. Returns the node id, or -1 once an error is recorded.
  int AddNode(absl::string_view op, std::span<const Output> inputs, AttrMap attrs = {},
              absl::string_view name = {});
  // Output 0 of a new node (most ops have exactly one).
  Output Op(absl::string_view op, std::span<const Output> inputs, AttrMap attrs = {},
            absl::string_view name = {});

  Output Placeholder(DataType dtype, PartialShape shape = {}, absl::string_view name = {});
  Output Const(Tensor value, absl::string_view name = {});
  template <typename T>
  Output Scalar(T value, absl::string_view name = {}) {
    return Const(Tensor::Scalar<T>(value), name);
  }
  Variable NewVariable(absl::string_view name, Tensor initial_value);
  // A control-only node that runs after all of `deps` (TF's tf.group).
  Output Group(std::span<const Output> deps, absl::string_view name = {});

  // Adds a control edge; recorded as an error if it would close a cycle.
  void AddControlDependency(Output from, Output to);

  // The first error, or OK.
  const absl::Status& status() const { return status_; }
  // Records `status` unless an error is already held.
  void SetError(absl::Status status);
  const Graph& graph() const { return graph_; }
  // A copy of the graph built so far, or the first error. The builder and
  // its Outputs stay valid, so Outputs can name fetches afterwards.
  absl::StatusOr<Graph> Build() const;

  class NameScope {
   public:
    NameScope(GraphBuilder& b, absl::string_view scope);
    ~NameScope();
   private:
    GraphBuilder& b_;
  };
  class DeviceScope {
   public:
    DeviceScope(GraphBuilder& b, absl::string_view device);
    ~DeviceScope();
   private:
    GraphBuilder& b_;
  };
  // Nodes made while alive are placed on the same device as `op`'s node
  // (TF's colocate_with): the attr "_colocate_with" names it.
  class ColocateWith {
   public:
    ColocateWith(GraphBuilder& b, const Output& op);
    ~ColocateWith();
   private:
    GraphBuilder& b_;
  };
  // Resource ops made while alive get no automatic control dependencies
  // and are not remembered for later ones (Note [Automatic control
  // dependencies]): for ops that run in a step of their own and must not
  // join the program order of the training step, such as
  // MultiWorkerMirroredStrategy's broadcast of initial values. The caller
  // orders them itself.
  class UnorderedResourceScope {
   public:
    explicit UnorderedResourceScope(GraphBuilder& b);
    ~UnorderedResourceScope();
   private:
    GraphBuilder& b_;
  };

 private:
  std::string ScopedName(absl::string_view name, absl::string_view op) const;
  void OrderResourceAccess(int node_id, std::span<const Output> inputs);

  Graph graph_;
  absl::Status status_;
  std::vector<std::string> name_scopes_;
  std::vector<std::string> device_scopes_;
  std::vector<std::string> colocate_scopes_;
  struct ResourceState {
    int last_write = -1;
    std::vector<int> reads_since_write;
  };
  absl::flat_hash_map<int, ResourceState> resources_;  // by handle node id
  int unordered_depth_ = 0;  // UnorderedResourceScopes alive
};

// Arithmetic on Outputs, with numpy broadcasting (ops Add, Sub, Mul, Div, Neg).
Output operator+(Output a, Output b);
Output operator-(Output a, Output b);
Output operator*(Output a, Output b);
Output operator/(Output a, Output b);
Output operator-(Output a);
// Mixed with a scalar of the output's dtype (float32 or int32).
Output operator+(Output a, float b);
Output operator*(Output a, float b);
Output operator*(float a, Output b);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_BUILDER_H_
