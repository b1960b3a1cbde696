// The host side of the in-process collectives: the participants' agreement
// checks and the all-reduce, broadcast and all-gather over host tensors,
// called from a CollectiveRendezvous `work` (collective_rendezvous.h) with
// every participant's buffers. Callers: the CPU collectives
// (kernels/cpu/collective_ops.cc) and the GPU collectives' path through the
// host (kernels/gpu/nccl_collective_kernel.h, Note [GPU collectives through
// the host]), so the two give the same errors and the same bits.
//
// Every participant runs the checks on the same data, so all reach the
// same verdict. Ranks are positions in `all` (the rendezvous sorts them by
// label). Inputs and outputs are host memory.
//
// Thread-safety: the functions keep no state; each writes only what its
// comment says, so the participants may call them at once.
#ifndef GRAPHRT_KERNELS_COMMON_COLLECTIVE_WORK_H_
#define GRAPHRT_KERNELS_COMMON_COLLECTIVE_WORK_H_

#include <cstdint>
#include <span>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/tensor.h"
#include "kernels/common/collective_rendezvous.h"

namespace graphrt {

using CollectiveParticipants = std::span<const CollectiveRendezvous::Participant* const>;

// OK when every participant's input has x's dtype and shape (all dims, or
// all but the first when `except_first`); else INVALID_ARGUMENT naming
// all[0], the first participant that differs, both shapes and `what`.
absl::Status CheckCollectiveInputs(const Tensor& x, CollectiveParticipants all,
                                   absl::string_view what, bool except_first);

// The broadcast's one sender (the participant with an input);
// INVALID_ARGUMENT when several send (naming two) or none does.
absl::StatusOr<const CollectiveRendezvous::Participant*> FindBroadcastSender(
    CollectiveParticipants all);

// OK when `receiver`'s output has the dtype and shape of `sender`'s input;
// else INVALID_ARGUMENT naming both.
absl::Status CheckBroadcastReceiver(const CollectiveRendezvous::Participant& receiver,
                                    const CollectiveRendezvous::Participant& sender);

// Participant `rank`'s part of a broadcast: FindBroadcastSender's verdict,
// then, for a receiver (all[rank]->output set), CheckBroadcastReceiver's and
// a copy of the sender's input into its output.
absl::Status BroadcastShare(int rank, CollectiveParticipants all);

// An all-gather's output shape: x's, with the first dims of every
// participant's input summed (checked by CheckCollectiveInputs first).
TensorShape AllGatherShape(const Tensor& x, CollectiveParticipants all);

// Copies every participant's input, in rank order, into `dst` (which holds
// AllGatherShape's bytes).
void AllGatherInto(CollectiveParticipants all, void* dst);

// Note [All-reduce slices]: participant `rank` reduces elements
// [n*rank/N, n*(rank+1)/N) of every input, in rank order (so every output
// gets the same bits whoever arrived first), into its own output
// (all[rank]->output), then copies that slice into the others' outputs. Each
// input element is read once and each output element written once over all
// participants; once every participant has run its share, every output
// holds the result. Max when `max`, else sum; then divided by N when
// `mean` (an integer mean truncates). `parallel_for` splits the slice
// (OpKernelContext::ParallelFor's contract). T: float, int32_t, int64_t.
using CollectiveParallelFor = absl::FunctionRef<void(
    int64_t total, int64_t cost_per_unit_ns, absl::FunctionRef<void(int64_t, int64_t)> fn)>;
template <typename T>
void AllReduceShare(int rank, CollectiveParticipants all, bool max, bool mean,
                    CollectiveParallelFor parallel_for);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_COLLECTIVE_WORK_H_
