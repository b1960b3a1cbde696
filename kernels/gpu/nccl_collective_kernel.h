// NcclCollectiveKernel: the base of the GPU collective kernels
// (nccl_collective_ops.cc): their keys and attrs, the meeting in the CPU
// collectives' rendezvous (Note [NCCL collectives through the rendezvous]
// in nccl_collective_kernel.cc), and the two ways a group's data moves: one
// NCCL launch for the group, or, when NCCL cannot serve the group (two of
// its devices share a physical GPU, or no NCCL to load), through host
// memory with the CPU kernels' code (Note [GPU collectives through the
// host], same file).
//
// A kernel's Compute calls Prepare, then Meet; when Meet leaves
// GpuPart::through_host set (the same for every participant), it finishes
// with RunThroughHost instead of relying on the NCCL launch.
//
// Thread-safety: the kernels keep only attrs; every method is const and
// thread-safe. A GpuPart belongs to one Compute call and lives on its stack.
#ifndef GRAPHRT_KERNELS_GPU_NCCL_COLLECTIVE_KERNEL_H_
#define GRAPHRT_KERNELS_GPU_NCCL_COLLECTIVE_KERNEL_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/executor/cuda/cuda_device.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/collective_call.h"
#include "kernels/common/collective_rendezvous.h"
#include "kernels/common/collective_work.h"
#include "kernels/gpu/nccl_launch.h"

namespace graphrt {

// What a participant shows its peers (CollectiveRendezvous::Participant::
// context) in the first meeting.
struct GpuPart {
  CudaDevice* device = nullptr;
  OpKernelContext* ctx = nullptr;
  Tensor* output = nullptr;    // once allocated
  absl::Status prepared;       // its checks and allocation, in `work`
  bool through_host = false;   // decided in `work`; every participant agrees
  std::atomic<int> ready{0};   // rank 0's only: participants prepared so far
  absl::Status launched;       // the launch's status, set by the launcher
};

// Whether a group whose devices are on CUDA devices `physical_ids` (rank
// order) moves its data through the host rather than NCCL: when two of them
// share a physical GPU (NCCL refuses two ranks on one GPU), or when a group
// of two or more finds no NCCL to load (`nccl_loadable`, asked only then).
bool CollectiveThroughHost(std::span<const int> physical_ids,
                           absl::FunctionRef<bool()> nccl_loadable);

class NcclCollectiveKernel : public OpKernel {
 public:
  // The int32 keys are inputs first_key..first_key+2.
  NcclCollectiveKernel(const OpKernelConstruction& c, int first_key);

  // FAILED_PRECONDITION for a cross-process ("cluster", "gloo") collective:
  // those run on the CPU.
  absl::Status Init(const OpKernelConstruction& c) const;

 protected:
  struct Call : RendezvousCall {
    std::string where;  // names the node in launch errors
  };

  // The keys (from the graph, or copied from device memory), the timeout
  // and the labels of this step's call.
  absl::StatusOr<Call> Prepare(OpKernelContext& ctx, CudaDevice& device) const;

  // Joins the rendezvous and runs Note [NCCL collectives through the
  // rendezvous]: `check` (on every participant, in `work`) checks the group
  // and allocates what `me` still lacks; `plan` (on the launcher, for an
  // NCCL group only) says what to launch, filling one NcclRank per
  // participant. OK with me.through_host set: nothing was launched, the
  // caller goes on with RunThroughHost.
  using Check = absl::FunctionRef<absl::Status(CollectiveParticipants all, GpuPart& me)>;
  using Plan = absl::FunctionRef<NcclCollectiveCall(
      CollectiveParticipants all, const std::vector<GpuPart*>& parts,
      std::vector<NcclRank>& ranks)>;
  absl::Status Meet(const Call& call, const char* kind, GpuPart& me, const Tensor* x,
                    Tensor* out, Check check, Plan plan) const;

  // Note [GPU collectives through the host]: `x` (null for a broadcast's
  // receiver) copied to host memory, a second meeting under `kind` where
  // `work` runs on every participant over host copies (inputs, and outputs
  // shaped like `out`; work writes only its own output and its share of the
  // others', as in collective_work.h), then the host result copied into
  // `out` (null for a broadcast's sender). A participant whose copy failed
  // still comes to the meeting, so all of them fail at once, naming it.
  using HostWork = absl::FunctionRef<absl::Status(int rank, CollectiveParticipants all)>;
  absl::Status RunThroughHost(const Call& call, const char* kind, CudaDevice& device,
                              const Tensor* x, Tensor* out, HostWork work) const;

 private:
  const int first_key_;
  float timeout_seconds_ = 0.0f;
  std::string hint_;
  bool constant_keys_ = true;
  std::array<int32_t, 3> keys_{};
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_NCCL_COLLECTIVE_KERNEL_H_
