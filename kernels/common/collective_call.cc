#include "kernels/common/collective_call.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace graphrt {

absl::Status CheckCollectiveKey(const OpKernel& kernel, const Tensor& t, int index) {
  if (t.dtype() == DataType::kInt32 && t.num_elements() == 1 && t.shape().rank() == 0) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      kernel.op(), " '", kernel.name(), "': group_size, group_key and instance_key must be "
      "int32 scalars; input ", index, " is ", t.ShapeString()));
}

RendezvousCall MakeCollectiveCall(const OpKernel& kernel, OpKernelContext& ctx,
                                  const std::array<int32_t, 3>& keys, float timeout_seconds,
                                  absl::string_view device) {
  RendezvousCall call;
  call.group_size = keys[0];
  call.key = {ctx.resources(), keys[1], keys[2], ctx.step_id()};
  if (timeout_seconds > 0) {
    call.wait.timeout = std::chrono::milliseconds(
        std::max<int64_t>(1, static_cast<int64_t>(timeout_seconds * 1000.0f)));
  }
  call.wait.cancellation = ctx.cancellation();
  call.label = absl::StrCat(device, " (node '", kernel.name(), "')");
  return call;
}

absl::Status BroadcastTensors(OpKernelContext& ctx, bool send, const PartialShape& shape,
                              const Tensor** x, Tensor** out) {
  if (send) {
    *x = &ctx.input(0);
    return ctx.set_output(0, **x);
  }
  ASSIGN_OR_RETURN(TensorShape s, shape.ToTensorShape());
  ASSIGN_OR_RETURN(*out, ctx.allocate_output(0, s));
  return absl::OkStatus();
}

}  // namespace graphrt
