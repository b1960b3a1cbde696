// CollectiveRendezvous: where the N participants of one in-process
// collective (all-reduce, broadcast, all-gather between logical devices of
// one process) meet, and the two barriers around their shared work.
//
//   CollectiveRendezvous::Participant me{label, &input, output};
//   RETURN_IF_ERROR(rendezvous.Run(key, "CollectiveReduceV2", group_size, me, wait,
//       [&](int rank, std::span<const CollectiveRendezvous::Participant* const> all) {
//         ... read every all[i]->input, write slice `rank` of every output ...
//       }));
//
// Who calls it: the collective kernels (kernels/cpu/collective_ops.cc and,
// between GPUs, kernels/gpu/nccl_collective_kernel.cc), one
// call per participant, each on its own thread; tests and benchmarks call it
// directly. See Note [In-process collectives] in collective_rendezvous.cc.
//
// Semantics: Run blocks until `group_size` participants have joined `key`,
// then calls `work` once on every participant's thread, each with its rank
// (participants sorted by label, so ranks and reduction order do not depend
// on who came first) and every participant's buffers; it returns once all
// of them have finished `work`, so a participant's input and output stay
// valid for as long as another may touch them. A participant that waits
// longer than WaitOptions::timeout, or whose token is cancelled, leaves the
// instance (nobody will touch its buffers) and returns DEADLINE_EXCEEDED /
// CANCELLED naming the group, the instance and who had arrived. Once all
// have arrived the work is not interruptible (it is bounded by memory
// bandwidth, not by a peer).
//
// Thread-safety: every method is thread-safe. Ownership: the caller owns
// the tensors; the rendezvous keeps only pointers, for the duration of Run.
#ifndef GRAPHRT_KERNELS_COMMON_COLLECTIVE_RENDEZVOUS_H_
#define GRAPHRT_KERNELS_COMMON_COLLECTIVE_RENDEZVOUS_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "core/base/sync.h"
#include "core/executor/cancellation.h"
#include "core/graph/tensor.h"

namespace graphrt {

class CollectiveRendezvous {
 public:
  // One collective instance of one step. `scope` separates sessions (whose
  // step ids overlap): the kernels pass their session's ResourceMgr.
  struct Key {
    const void* scope = nullptr;
    int64_t group_key = 0;
    int64_t instance_key = 0;
    int64_t step_id = 0;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.scope, k.group_key, k.instance_key, k.step_id);
    }
    friend bool operator==(const Key& a, const Key& b) {
      return std::tie(a.scope, a.group_key, a.instance_key, a.step_id) ==
             std::tie(b.scope, b.group_key, b.instance_key, b.step_id);
    }
  };

  // What one participant brings. `label` orders ranks and names it in
  // errors (the kernels use "<device> (node '<name>')"): labels of one
  // instance must differ. `input` / `output` may be null (a broadcast
  // receiver has no input; an all-gather allocates its output in `work`).
  struct Participant {
    std::string label;
    const Tensor* input = nullptr;
    Tensor* output = nullptr;
    // Whatever the kernel wants its peers to reach in `work` (the GPU
    // kernels: their device and launch state); the rendezvous never reads it.
    void* context = nullptr;
  };

  struct WaitOptions {
    // How long to wait for the others; the kernels take the op's
    // timeout_seconds attr (default 60 s, as issue 19 asks).
    std::chrono::milliseconds timeout{60'000};
    // The step's token (OpKernelContext::cancellation()); may be null.
    CancellationToken* cancellation = nullptr;
  };

  using Work = absl::FunctionRef<void(int rank, std::span<const Participant* const> all)>;

  CollectiveRendezvous() = default;
  CollectiveRendezvous(const CollectiveRendezvous&) = delete;
  CollectiveRendezvous& operator=(const CollectiveRendezvous&) = delete;

  // The rendezvous the CPU kernels use: one per process, keyed by session
  // (Key::scope), so it holds nothing between steps.
  static CollectiveRendezvous& Default();

  // Joins `key` as `self` and runs `work` as described at the top of this
  // file. `op` names the collective kind in errors; participants of one key
  // must agree on it and on group_size (INVALID_ARGUMENT for the one that
  // disagrees, which does not join). group_size 1 runs work at once.
  // Thread-safe.
  absl::Status Run(const Key& key, absl::string_view op, int group_size, Participant self,
                   const WaitOptions& wait, Work work);

  // Instances some participant is waiting in now (for tests). Thread-safe.
  int pending_instances() const;

 private:
  struct Instance;
  mutable Mutex mu_;
  absl::flat_hash_map<Key, std::shared_ptr<Instance>> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_COLLECTIVE_RENDEZVOUS_H_
