#include "core/executor/session_variables.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace graphrt {

absl::StatusOr<std::vector<SessionVariable>> ListSessionVariables(Session& session) {
  const Graph& graph = session.graph();
  std::vector<Device*> devices = session.runtime()->devices();
  std::vector<SessionVariable> out;
  for (int id = 0; id < graph.num_nodes(); ++id) {
    const Node& node = graph.node(id);
    if (node.op() != "VarHandleOp") continue;
    SessionVariable v;
    v.node = &node;
    absl::StatusOr<std::shared_ptr<VariableResource>> var =
        session.resources().LookupVariable(node.name());
    if (!var.ok()) {
      return absl::InternalError(absl::StrCat("node ", node.DebugName(), ": ",
                                              var.status().message()));
    }
    v.variable = *std::move(var);
    const int index = session.placement()[id].device_index;
    if (index < 0 || index >= static_cast<int>(devices.size())) {
      return absl::InternalError(absl::StrCat("node ", node.DebugName(), " has no device"));
    }
    v.device = devices[index];
    ASSIGN_OR_RETURN(v.dtype, node.attr<DataType>("dtype"));
    ASSIGN_OR_RETURN(v.shape, node.attr<PartialShape>("shape"));
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const SessionVariable& a, const SessionVariable& b) {
    return a.node->name() < b.node->name();
  });
  return out;
}

absl::StatusOr<Tensor> ReadToHost(const SessionVariable& v) {
  absl::StatusOr<Tensor> value = v.variable->Read();
  if (!value.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "variable '", v.node->name(), "' has no value yet: give it an initial value or run "
        "an assignment first"));
  }
  if (value->host_accessible()) return value;  // shared: copy-on-write keeps it stable
  Tensor host(value->dtype(), value->shape());
  if (!host.IsInitialized() && value->TotalBytes() > 0) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "no host memory for a copy of variable '", v.node->name(), "' (",
        value->ShapeString(), ")"));
  }
  if (value->TotalBytes() > 0) {
    RETURN_IF_ERROR(v.device->CopyToHost(value->raw_data(), host.raw_data(), value->TotalBytes()));
  }
  return host;
}

absl::StatusOr<Tensor> CopyToVariableDevice(const SessionVariable& v, const Tensor& host) {
  ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(v.device->allocator(), host.dtype(), host.shape()));
  const size_t bytes = host.TotalBytes();
  if (bytes == 0) return out;
  if (v.device->host_memory()) {
    std::memcpy(out.raw_data(), host.raw_data(), bytes);
  } else {
    RETURN_IF_ERROR(v.device->CopyFromHost(host.raw_data(), out.raw_data(), bytes));
  }
  return out;
}

}  // namespace graphrt
