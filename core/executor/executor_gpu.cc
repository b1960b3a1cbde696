// ExecutorPlan::FinishOnGpus: the end of a step that ran nodes on GPUs.
//
// Note [Step end on GPUs]
// Rationale: GPU kernels are launched without host waits (Note [GPU stream
// order] in cuda_queue.cc), so when the last node has been launched the
// device may still be computing, fetched tensors are in device memory, and
// an error in a running kernel has not been seen yet.
// Approach: each fetched device tensor gets a host buffer (pinned when the
// device has a pinned pool, so the copy is a real DMA) and an asynchronous
// device-to-host copy; then each GPU the step used is synchronised once. A
// kernel fault surfaces there as the step's status, naming the device; the
// step's own error, when it has one, wins, but the devices are still drained
// so the next step starts on idle devices.
// Limitations: an asynchronous fault names the device, not the node (only
// launch errors know their node); CUDA_LAUNCH_BLOCKING=1 pins it down.
#include "absl/strings/str_cat.h"
#include "core/executor/executor.h"
#include "core/memory/bfc_allocator.h"

namespace graphrt {

absl::Status ExecutorPlan::FinishOnGpus(absl::Status status, std::vector<Tensor>* fetched) const {
  for (size_t i = 0; status.ok() && i < fetched->size(); ++i) {
    GpuQueue* gpu = env_.devices[fetch_devices_[i]].gpu;
    Tensor& value = (*fetched)[i];
    if (gpu == nullptr || value.dtype() == DataType::kResource) continue;
    absl::StatusOr<Tensor> copy = absl::ResourceExhaustedError("no pinned memory");
    if (gpu->pinned_allocator() != nullptr) {
      copy = Tensor::Allocate(gpu->pinned_allocator(), value.dtype(), value.shape());
    }
    // Pinned memory is an optimisation: ordinary host memory also works.
    if (!copy.ok()) copy = Tensor::Allocate(HostPoolAllocator(), value.dtype(), value.shape());
    if (!copy.ok()) {
      status = absl::Status(copy.status().code(),
                            absl::StrCat("fetch ", i, " from ", gpu->name(), ": ",
                                         copy.status().message()));
      break;
    }
    status = gpu->CopyToHostAsync(value.raw_data(), copy->raw_data(), value.TotalBytes());
    // The device buffer stays alive in the step's entries until the wait below.
    if (status.ok()) value = *std::move(copy);
  }
  for (int32_t d : gpu_devices_) {
    absl::Status s = env_.devices[d].gpu->Synchronize();
    if (status.ok()) status = std::move(s);
  }
  return status;
}

}  // namespace graphrt
