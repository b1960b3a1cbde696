// NcclCliques: the process's NCCL communicators, one clique (a communicator
// per rank) per ordered set of logical GPU devices, and the lock under which
// every NCCL collective of the process is launched. The GPU collectives
// (nccl_collective_kernel.cc, through nccl_launch.h) are its only users.
//
// Note [NCCL communicators per device set]
// Rationale: an NCCL communicator belongs to a fixed, ordered set of GPUs
// and costs milliseconds to seconds to make (topology, connections), so it
// is made once per set and kept. Two rules of NCCL shape the rest: the ranks
// of a communicator must enqueue its collectives in one order, and
// collectives of communicators that share GPUs must reach every GPU in one
// order; otherwise their kernels wait for each other on the GPUs forever,
// with no error and no timeout. A communicator is also not thread-safe.
// Approach: one process-wide cache (like CollectiveRendezvous::Default(),
// which the participants meet in first) keyed by the group's Device
// pointers in rank order, so two runtimes, or two groups of logical devices
// on the same cards, never share a communicator. One thread launches a
// collective for every rank of its group (an ncclGroupStart/End over the
// ranks' communicators and streams) under the cache's one mutex: launches
// are totally ordered across the process, so every GPU sees collectives in
// one order and no communicator is used by two threads. A clique is made on
// first use by that thread with ncclCommInitAll (no unique id to pass
// around, no rank blocking until the others come). Why not a per-device
// service: a clique spans devices and the order must hold across cliques, so
// the lock would be process-wide anyway; instead each member device holds a
// small NcclMembership service whose destruction (with the device) drops
// every clique the device is in, so a clique never outlives its devices and a
// device made later at the same address never finds a stale one.
// Limitations: launches are serialised process-wide (host-side enqueues,
// microseconds each; the collectives themselves run concurrently on the
// GPUs). NCCL refuses two ranks on one physical GPU: the GPU collectives
// send such groups through the host instead (Note [GPU collectives through
// the host] in nccl_collective_kernel.cc), and CheckDistinctGpus guards the
// cliques, naming the devices, before NCCL is asked. Cliques live until one
// of their devices is destroyed.
//
// Thread-safety: every method is thread-safe.
#ifndef GRAPHRT_KERNELS_GPU_NCCL_CLIQUE_H_
#define GRAPHRT_KERNELS_GPU_NCCL_CLIQUE_H_

#include <span>
#include <string>
#include <vector>

#include <nccl.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "core/base/sync.h"
#include "core/executor/cuda/cuda_device.h"
#include "kernels/gpu/nccl_library.h"

namespace graphrt {

// OK when no two of the devices (`names[i]` on CUDA device
// `physical_ids[i]`, in rank order) share a physical GPU; else
// FAILED_PRECONDITION naming the first two that do, the card, and the fixes.
absl::Status CheckDistinctGpus(std::span<const std::string> names,
                               std::span<const int> physical_ids);

// One communicator per rank; made and destroyed by NcclCliques.
struct NcclClique {
  const NcclLibrary* nccl = nullptr;
  std::vector<ncclComm_t> comms;  // by rank
};

class NcclCliques {
 public:
  // The process's cache, the only one (member devices point back to it);
  // never destroyed: kernels may run at exit.
  static NcclCliques& Default();

  NcclCliques(const NcclCliques&) = delete;
  NcclCliques& operator=(const NcclCliques&) = delete;

  // Runs `launch` with the clique of `devices` (rank order, two or more, on
  // distinct physical GPUs), made on first use, under the launch lock (Note
  // [NCCL communicators per device set]); returns its status. An error
  // making the clique names `where` and NCCL's reason, and nothing is kept.
  absl::Status WithClique(const NcclLibrary& nccl, std::span<CudaDevice* const> devices,
                          absl::string_view where,
                          absl::FunctionRef<absl::Status(const NcclClique&)> launch);

  // Destroys every clique `device` is in (NcclMembership calls it when the
  // device goes).
  void Forget(const Device* device);

  // Cliques made and not forgotten (for tests).
  int size() const;

 private:
  NcclCliques() = default;
  mutable Mutex mu_;
  absl::flat_hash_map<std::vector<const Device*>, NcclClique> cliques_ ABSL_GUARDED_BY(mu_);
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_NCCL_CLIQUE_H_
