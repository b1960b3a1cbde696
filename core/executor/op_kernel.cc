#include "core/executor/op_kernel.h"

#include "absl/strings/str_cat.h"
#include "core/executor/device.h"

namespace graphrt {

OpKernelConstruction::OpKernelConstruction(const Node& node, Device* device,
                                           ResourceMgr* resources, const Graph* graph)
    : node_(node), graph_(graph), device_type_(device->type()), resources_(resources),
      allocator_(device->allocator()), device_(device) {}

std::optional<Tensor> OpKernelConstruction::ConstantInput(int i) const {
  if (graph_ == nullptr || i < 0 || i >= node_.num_inputs()) return std::nullopt;
  Endpoint e = node_.input(i);
  // A _Copy (the partitioner's, between devices) passes the value through.
  while (graph_->node(e.node).op() == "_Copy" && graph_->node(e.node).num_inputs() == 1) {
    e = graph_->node(e.node).input(0);
  }
  const Node& producer = graph_->node(e.node);
  if (producer.op() != "Const" || e.index != 0) return std::nullopt;
  absl::StatusOr<Tensor> value = producer.attr<Tensor>("value");
  if (!value.ok()) return std::nullopt;
  return *std::move(value);
}

absl::StatusOr<Tensor> OpKernelConstruction::CopyToDevice(const Tensor& host) const {
  if (device_ == nullptr || device_->host_memory()) return host.Clone(allocator_);
  absl::StatusOr<Tensor> copy = Tensor::Allocate(allocator_, host.dtype(), host.shape());
  if (!copy.ok()) return copy.status();
  // Ordered before every kernel launched later on the device.
  absl::Status s = device_->CopyFromHost(host.raw_data(), copy->raw_data(), host.TotalBytes());
  if (!s.ok()) return s;
  return copy;
}

int64_t OpKernel::CostEstimateNs(std::span<const Tensor* const> inputs) const {
  int64_t elements = 0;
  for (const Tensor* t : inputs) elements += t->num_elements();
  return elements / 4;  // ~4 elements per ns for a vectorised pass
}

absl::StatusOr<Tensor*> OpKernelContext::allocate_output(int i, const TensorShape& shape) {
  absl::StatusOr<Tensor> t = Tensor::Allocate(p_.allocator, p_.kernel->output_type(i), shape);
  if (!t.ok()) return t.status();
  p_.outputs[i] = *std::move(t);
  if (p_.bytes_allocated != nullptr) {
    *p_.bytes_allocated += static_cast<int64_t>(p_.outputs[i].TotalBytes());
  }
  return &p_.outputs[i];
}

absl::StatusOr<Tensor*> OpKernelContext::forward_input_or_allocate_output(
    int input_index, int i, const TensorShape& shape) {
  return ForwardOrAllocate(input_index, i, shape, /*move=*/false);
}

absl::StatusOr<Tensor*> OpKernelContext::take_input_or_allocate_output(
    int input_index, int i, const TensorShape& shape) {
  return ForwardOrAllocate(input_index, i, shape, /*move=*/true);
}

absl::StatusOr<Tensor*> OpKernelContext::ForwardOrAllocate(int input_index, int i,
                                                           const TensorShape& shape, bool move) {
  if (input_index < 64 && (p_.forwardable >> input_index & 1) != 0) {
    Tensor& in = *p_.inputs[input_index];
    if (in.dtype() == p_.kernel->output_type(i) &&
        in.num_elements() == shape.num_elements() && in.RefCountIsOne() &&
        in.allocator() == p_.allocator) {
      if (in.shape() == shape) {
        // `in` is this node's only use of the entry (forwardable) and nothing
        // else holds the buffer, so moving it out is invisible to others.
        if (move) {
          p_.outputs[i] = std::move(in);
        } else {
          p_.outputs[i] = in;
        }
        return &p_.outputs[i];
      }
      absl::StatusOr<Tensor> reshaped = in.Reshaped(shape);
      if (reshaped.ok()) {
        p_.outputs[i] = *std::move(reshaped);
        return &p_.outputs[i];
      }
    }
  }
  return allocate_output(i, shape);
}

absl::Status OpKernelContext::set_output(int i, Tensor value) {
  if (value.dtype() != p_.kernel->output_type(i)) {
    return absl::InternalError(absl::StrCat("output ", i, " must be ",
                                            DataTypeName(p_.kernel->output_type(i)),
                                            ", the kernel produced ",
                                            DataTypeName(value.dtype())));
  }
  p_.outputs[i] = std::move(value);
  return absl::OkStatus();
}

void OpKernelContext::ParallelFor(int64_t total, int64_t cost_per_unit_ns,
                                  absl::FunctionRef<void(int64_t, int64_t)> fn) const {
  if (p_.intra_op == nullptr) {
    if (total > 0) fn(0, total);
    return;
  }
  p_.intra_op->ParallelFor(total, cost_per_unit_ns, fn);
}

}  // namespace graphrt
