// One call of a collective kernel into the rendezvous
// (collective_rendezvous.h), built the same way by the CPU collectives
// (kernels/cpu/collective_ops.cc) and the GPU ones
// (kernels/gpu/nccl_collective_kernel.h): from the op's three int32 key
// inputs (group_size, group_key, instance_key) and its timeout_seconds attr,
// so both read the keys, wait and fail alike; and their registration for
// the collectives' dtypes. Tested through them
// (tests/kernels/cpu/collective_ops_test.cc: timeouts, step deadlines).
// Thread-safety: plain functions and values.
#ifndef GRAPHRT_KERNELS_COMMON_COLLECTIVE_CALL_H_
#define GRAPHRT_KERNELS_COMMON_COLLECTIVE_CALL_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/executor/kernel_registry.h"
#include "core/executor/op_kernel.h"
#include "core/graph/tensor.h"
#include "core/graph/tensor_shape.h"
#include "kernels/common/collective_rendezvous.h"

namespace graphrt {

struct RendezvousCall {
  CollectiveRendezvous::Key key;
  int group_size = 1;
  CollectiveRendezvous::WaitOptions wait;
  std::string label;
};

// OK when `t`, input `index` of `kernel`, is an int32 scalar; else
// INVALID_ARGUMENT naming the op, the node and the input's shape.
absl::Status CheckCollectiveKey(const OpKernel& kernel, const Tensor& t, int index);

// This step's call for `keys` (group_size, group_key, instance_key): the
// rendezvous key of the context's resources and step, a timeout of
// `timeout_seconds` (none when <= 0, else at least 1 ms), the step's
// cancellation, and the label "<device> (node '<name>')".
RendezvousCall MakeCollectiveCall(const OpKernel& kernel, OpKernelContext& ctx,
                                  const std::array<int32_t, 3>& keys, float timeout_seconds,
                                  absl::string_view device);

// A broadcast's tensors: the sender's input 0 as `x` (also set as its
// output, unchanged), or the receiver's output of `shape` (its attr) as
// `out`; the other stays null.
absl::Status BroadcastTensors(OpKernelContext& ctx, bool send, const PartialShape& shape,
                              const Tensor** x, Tensor** out);

// Registers K<float>, K<int32_t> and K<int64_t> (the collectives' dtypes)
// for `op` on `device_type`.
template <template <typename> class K>
void RegisterCollectiveTypes(KernelRegistry& r, const char* op, const char* device_type) {
  r.Register<K<float>>(op, device_type, {{"T", {DataType::kFloat32}}});
  r.Register<K<int32_t>>(op, device_type, {{"T", {DataType::kInt32}}});
  r.Register<K<int64_t>>(op, device_type, {{"T", {DataType::kInt64}}});
}

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_COLLECTIVE_CALL_H_
