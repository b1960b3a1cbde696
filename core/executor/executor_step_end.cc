// ExecutorPlan::FinishStep: the end of a step that ran nodes on asynchronous
// devices.
//
// Note [Step end on asynchronous devices]
// Rationale: an asynchronous device's kernels return before their work has
// run (GPU kernels are launched without host waits: Note [GPU stream order]
// in core/executor/cuda/cuda_device.cc), so when the last node has been
// launched the device may still be computing, fetched tensors are in device
// memory, and an error in a running kernel has not been seen yet.
// Approach: each fetched tensor the host cannot read is staged by its device
// (Device::StageToHost: an asynchronous copy into a host buffer, pinned when
// the device has a pinned pool, so the copy is a real DMA); then each
// asynchronous device the step used is synchronised once. A kernel fault
// surfaces there as the step's status, naming the device; the step's own
// error, when it has one, wins, but the devices are still drained so the
// next step starts on idle devices.
// Limitations: an asynchronous fault names the device, not the node (only
// launch errors know their node); CUDA_LAUNCH_BLOCKING=1 pins it down.
#include "absl/strings/str_cat.h"
#include "core/executor/executor.h"

namespace graphrt {

absl::Status ExecutorPlan::FinishStep(absl::Status status, std::vector<Tensor>* fetched) const {
  for (size_t i = 0; status.ok() && i < fetched->size(); ++i) {
    Tensor& value = (*fetched)[i];
    if (value.host_accessible()) continue;  // host memory, or a resource handle
    Device* device = env_.devices[fetch_devices_[i]];
    absl::StatusOr<Tensor> staged = device->StageToHost(value);
    if (!staged.ok()) {
      status = absl::Status(staged.status().code(),
                            absl::StrCat("fetch ", i, " from ", device->name(), ": ",
                                         staged.status().message()));
      break;
    }
    // The device buffer stays alive in the step's entries until the wait below.
    value = *std::move(staged);
  }
  for (int32_t d : async_devices_) {
    absl::Status s = env_.devices[d]->Synchronize();
    if (status.ok()) status = std::move(s);
  }
  return status;
}

}  // namespace graphrt
