// ResourceMgr: a session's resources (variables) by name, and the Variable
// resource itself.
//
// Variables persist across runs of the session that owns the ResourceMgr.
// Reading a variable shares its buffer (no copy); an update writes in place
// only when no reader still holds that buffer, and otherwise replaces it
// (copy-on-write), so a value read in a step never changes under the reader.
//
// Thread-safety: all methods are thread-safe; each variable has its own lock.
#ifndef GRAPHRT_CORE_EXECUTOR_RESOURCE_MGR_H_
#define GRAPHRT_CORE_EXECUTOR_RESOURCE_MGR_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "core/base/sync.h"
#include "core/graph/tensor.h"

namespace graphrt {

class VariableResource final : public ResourceBase {
 public:
  VariableResource(std::string name, DataType dtype, PartialShape shape)
      : name_(std::move(name)), dtype_(dtype), shape_(std::move(shape)) {}

  const std::string& name() const { return name_; }
  DataType dtype() const { return dtype_; }
  std::string DebugString() const override;

  // The current value (sharing its buffer). FAILED_PRECONDITION when the
  // variable has never been assigned.
  absl::StatusOr<Tensor> Read() const;
  // Replaces the value; checks dtype and the declared shape.
  absl::Status Assign(const Tensor& value);
  // Runs update(value) on a buffer nobody else holds (copying first when a
  // reader still holds the current one). `update` sees the current value.
  absl::Status Update(absl::FunctionRef<absl::Status(Tensor&)> update);

 private:
  const std::string name_;
  const DataType dtype_;
  const PartialShape shape_;
  mutable Mutex mu_;
  Tensor value_ ABSL_GUARDED_BY(mu_);
};

class ResourceMgr {
 public:
  // The variable called `name`, created (uninitialised) on first request.
  // INVALID_ARGUMENT when it exists with another dtype.
  absl::StatusOr<std::shared_ptr<VariableResource>> LookupOrCreateVariable(
      const std::string& name, DataType dtype, const PartialShape& shape);
  // NOT_FOUND when there is no such variable.
  absl::StatusOr<std::shared_ptr<VariableResource>> LookupVariable(
      const std::string& name) const;

 private:
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<VariableResource>> variables_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_RESOURCE_MGR_H_
