#include "core/executor/resource_mgr.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace graphrt {

std::string VariableResource::DebugString() const {
  return absl::StrCat("variable '", name_, "' ", DataTypeName(dtype_), shape_.DebugString());
}

absl::StatusOr<Tensor> VariableResource::Read() const {
  MutexLock lock(&mu_);
  if (!value_.IsInitialized()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "variable '", name_, "' is read before it was given a value; "
        "create it with an initial value or run an assignment first"));
  }
  return value_;
}

absl::Status VariableResource::Assign(const Tensor& value) {
  if (value.dtype() != dtype_) {
    return absl::InvalidArgumentError(absl::StrCat("variable '", name_, "' holds ",
                                                   DataTypeName(dtype_), ", cannot assign ",
                                                   value.ShapeString()));
  }
  if (!shape_.IsCompatibleWith(value.shape())) {
    return absl::InvalidArgumentError(absl::StrCat("variable '", name_, "' has shape ",
                                                   shape_.DebugString(), ", cannot assign ",
                                                   value.ShapeString()));
  }
  MutexLock lock(&mu_);
  value_ = value;
  return absl::OkStatus();
}

absl::Status VariableResource::Update(absl::FunctionRef<absl::Status(Tensor&)> update) {
  MutexLock lock(&mu_);
  if (!value_.IsInitialized()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "variable '", name_, "' is updated before it was given a value"));
  }
  if (!value_.RefCountIsOne()) {
    absl::StatusOr<Tensor> copy = value_.Clone(value_.allocator());
    if (!copy.ok()) return copy.status();
    value_ = *std::move(copy);
  }
  return update(value_);
}

absl::StatusOr<std::shared_ptr<VariableResource>> ResourceMgr::LookupOrCreateVariable(
    const std::string& name, DataType dtype, const PartialShape& shape) {
  MutexLock lock(&mu_);
  auto it = variables_.find(name);
  if (it != variables_.end()) {
    if (it->second->dtype() != dtype) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variable '", name, "' already exists as ", DataTypeName(it->second->dtype()),
          ", not ", DataTypeName(dtype)));
    }
    return it->second;
  }
  auto var = std::make_shared<VariableResource>(name, dtype, shape);
  variables_.emplace(name, var);
  return var;
}

absl::StatusOr<std::shared_ptr<VariableResource>> ResourceMgr::LookupVariable(
    const std::string& name) const {
  MutexLock lock(&mu_);
  auto it = variables_.find(name);
  if (it == variables_.end()) {
    return absl::NotFoundError(absl::StrCat("no variable named '", name, "'"));
  }
  return it->second;
}

}  // namespace graphrt
