#include "core/graph/builder.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace graphrt {

const Node& Output::node() const { return builder_->graph().node(node_); }
DataType Output::dtype() const {
  return valid() && index_ < node().num_outputs() ? node().output_type(index_)
                                                   : DataType::kInvalid;
}
PartialShape Output::shape() const {
  return valid() && index_ < node().num_outputs() ? node().output_shape(index_)
                                                   : PartialShape();
}
std::string Output::name() const {
  if (!valid()) return "<invalid>";
  return index_ == 0 ? node().name() : absl::StrCat(node().name(), ":", index_);
}

GraphBuilder::GraphBuilder(const OpRegistry* ops) : graph_(ops) {}

void GraphBuilder::SetError(absl::Status status) {
  if (status_.ok() && !status.ok()) status_ = std::move(status);
}

std::string GraphBuilder::ScopedName(absl::string_view name, absl::string_view op) const {
  std::string prefix = absl::StrJoin(name_scopes_, "/");
  if (!prefix.empty()) prefix += "/";
  return graph_.UniqueName(absl::StrCat(prefix, name.empty() ? op : name));
}

// Note [Automatic control dependencies]
// Rationale: `v.assign_add(1)` then `v.assign(v * 2)` must give (v + 1) * 2
// on every run, as in TF2 functions, though the two ops share no data edge.
// Approach: per resource (keyed by its handle node) the builder remembers the
// last write and the reads since. A read waits for the last write; a write
// waits for the last write and for every read since (no write-after-read
// race). Program order is the order ops are added to the builder.
// Limitations: only resources reached through a direct handle input are
// tracked; ops that take no handle are ordered by data edges alone. Ops made
// in an UnorderedResourceScope are left out (neither ordered nor
// remembered): they run in steps of their own.
void GraphBuilder::OrderResourceAccess(int node_id, std::span<const Output> inputs) {
  const Node& node = graph_.node(node_id);
  if (!node.is_stateful() || unordered_depth_ > 0) return;
  const bool read_only = node.op() == "ReadVariable";
  for (const Output& in : inputs) {
    if (in.dtype() != DataType::kResource) continue;
    ResourceState& state = resources_[in.node_id()];
    auto depend_on = [&](int from) {
      if (from >= 0 && from != node_id) SetError(graph_.AddControlEdge(from, node_id));
    };
    depend_on(state.last_write);
    if (read_only) {
      state.reads_since_write.push_back(node_id);
    } else {
      for (int r : state.reads_since_write) depend_on(r);
      state.reads_since_write.clear();
      state.last_write = node_id;
    }
  }
}

int GraphBuilder::AddNode(absl::string_view op, std::span<const Output> inputs, AttrMap attrs,
                          absl::string_view name) {
  if (!status_.ok()) return -1;
  NodeDef def;
  def.op = std::string(op);
  def.name = ScopedName(name, op);
  def.attrs = std::move(attrs);
  if (!device_scopes_.empty()) def.device = device_scopes_.back();
  if (!colocate_scopes_.empty()) def.attrs["_colocate_with"] = colocate_scopes_.back();
  for (const Output& in : inputs) {
    if (!in.valid() || in.builder() != this) {
      SetError(absl::InvalidArgumentError(absl::StrCat(
          "node '", def.name, "' (", op, "): an input is ",
          in.valid() ? "from another GraphBuilder" : "invalid (an earlier op failed)")));
      return -1;
    }
    def.inputs.push_back(in.name());
  }
  absl::StatusOr<Node*> node = graph_.AddNode(def);
  if (!node.ok()) {
    SetError(node.status());
    return -1;
  }
  OrderResourceAccess((*node)->id(), inputs);
  return (*node)->id();
}

Output GraphBuilder::Op(absl::string_view op, std::span<const Output> inputs, AttrMap attrs,
                        absl::string_view name) {
  int id = AddNode(op, inputs, std::move(attrs), name);
  return id < 0 ? Output() : Output(this, id, 0);
}

Output GraphBuilder::Placeholder(DataType dtype, PartialShape shape, absl::string_view name) {
  return Op("Placeholder", {}, {{"dtype", dtype}, {"shape", std::move(shape)}}, name);
}

Output GraphBuilder::Const(Tensor value, absl::string_view name) {
  if (!value.IsInitialized()) {
    SetError(absl::InvalidArgumentError(
        absl::StrCat("Const '", name, "': the value tensor is uninitialised")));
    return Output();
  }
  DataType dtype = value.dtype();
  return Op("Const", {}, {{"value", std::move(value)}, {"dtype", dtype}}, name);
}

Variable GraphBuilder::NewVariable(absl::string_view name, Tensor initial_value) {
  if (!initial_value.IsInitialized()) {
    SetError(absl::InvalidArgumentError(
        absl::StrCat("variable '", name, "': the initial value is uninitialised")));
    return Variable();
  }
  DataType dtype = initial_value.dtype();
  PartialShape shape(initial_value.shape());
  Output handle = Op("VarHandleOp", {},
                     {{"dtype", dtype}, {"shape", shape},
                      {"initial_value", std::move(initial_value)}},
                     name.empty() ? "Variable" : name);
  return Variable(handle, dtype);
}

Output GraphBuilder::Group(std::span<const Output> deps, absl::string_view name) {
  int id = AddNode("NoOp", {}, {}, name.empty() ? "group" : name);
  if (id < 0) return Output();
  Output group(this, id, 0);
  for (const Output& d : deps) AddControlDependency(d, group);
  return group;
}

void GraphBuilder::AddControlDependency(Output from, Output to) {
  if (!status_.ok()) return;
  if (!from.valid() || !to.valid()) {
    SetError(absl::InvalidArgumentError("control dependency on an invalid Output"));
    return;
  }
  SetError(graph_.AddControlEdge(from.node_id(), to.node_id()));
}

absl::StatusOr<Graph> GraphBuilder::Build() const {
  if (!status_.ok()) return status_;
  return Graph::FromNodeDefs(graph_.ToNodeDefs(), &graph_.ops());
}

GraphBuilder::NameScope::NameScope(GraphBuilder& b, absl::string_view scope) : b_(b) {
  b_.name_scopes_.emplace_back(scope);
}
GraphBuilder::NameScope::~NameScope() { b_.name_scopes_.pop_back(); }

GraphBuilder::DeviceScope::DeviceScope(GraphBuilder& b, absl::string_view device) : b_(b) {
  b_.device_scopes_.emplace_back(device);
}
GraphBuilder::DeviceScope::~DeviceScope() { b_.device_scopes_.pop_back(); }

GraphBuilder::ColocateWith::ColocateWith(GraphBuilder& b, const Output& op) : b_(b) {
  b_.colocate_scopes_.push_back(op.valid() ? op.node().name() : std::string());
}
GraphBuilder::ColocateWith::~ColocateWith() { b_.colocate_scopes_.pop_back(); }

PartialShape Variable::shape() const {
  if (!handle_.valid()) return PartialShape();
  auto s = handle_.node().attr<PartialShape>("shape");
  return s.ok() ? *s : PartialShape();
}

GraphBuilder::UnorderedResourceScope::UnorderedResourceScope(GraphBuilder& b) : b_(b) {
  ++b_.unordered_depth_;
}
GraphBuilder::UnorderedResourceScope::~UnorderedResourceScope() { --b_.unordered_depth_; }

Output Variable::Read(absl::string_view name) const {
  if (!handle_.valid()) return Output();
  Output in[] = {handle_};
  return handle_.builder()->Op("ReadVariable", in, {{"dtype", dtype_}, {"shape", shape()}},
                               name.empty() ? absl::StrCat(this->name(), "/read") : name);
}

namespace {
Output Update(const Output& handle, absl::string_view op, std::span<const Output> args,
              absl::string_view name, absl::string_view suffix) {
  if (!handle.valid()) return Output();
  std::vector<Output> in = {handle};
  in.insert(in.end(), args.begin(), args.end());
  GraphBuilder* b = handle.builder();
  return b->Op(op, in, {}, name.empty() ? absl::StrCat(handle.node().name(), "/", suffix) : name);
}
}  // namespace

Output Variable::Assign(Output value, absl::string_view name) const {
  Output args[] = {value};
  return Update(handle_, "AssignVariable", args, name, "assign");
}

Output Variable::AssignAdd(Output delta, absl::string_view name) const {
  Output args[] = {delta};
  return Update(handle_, "AssignAddVariable", args, name, "assign_add");
}

Output Variable::ApplyGradientDescent(Output alpha, Output delta, absl::string_view name) const {
  Output args[] = {alpha, delta};
  return Update(handle_, "ApplyGradientDescent", args, name, "apply_gradient_descent");
}

namespace {
Output Binary(absl::string_view op, Output a, Output b) {
  GraphBuilder* builder = a.valid() ? a.builder() : b.builder();
  if (builder == nullptr) return Output();
  Output in[] = {a, b};
  return builder->Op(op, in);
}
Output ScalarLike(Output like, float value) {
  if (!like.valid()) return Output();
  GraphBuilder* b = like.builder();
  switch (like.dtype()) {
    case DataType::kInt32: return b->Scalar<int32_t>(static_cast<int32_t>(value));
    case DataType::kInt64: return b->Scalar<int64_t>(static_cast<int64_t>(value));
    default: return b->Scalar<float>(value);
  }
}
}  // namespace

Output operator+(Output a, Output b) { return Binary("Add", a, b); }
Output operator-(Output a, Output b) { return Binary("Sub", a, b); }
Output operator*(Output a, Output b) { return Binary("Mul", a, b); }
Output operator/(Output a, Output b) { return Binary("Div", a, b); }
Output operator-(Output a) {
  if (!a.valid()) return Output();
  Output in[] = {a};
  return a.builder()->Op("Neg", in);
}
Output operator+(Output a, float b) { return a + ScalarLike(a, b); }
Output operator*(Output a, float b) { return a * ScalarLike(a, b); }
Output operator*(float a, Output b) { return ScalarLike(b, a) * b; }

}  // namespace graphrt
