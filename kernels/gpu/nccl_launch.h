// LaunchNcclCollective: enqueues one collective for every rank of a group of
// GPUs, each rank's part on its device's compute stream, from the calling
// thread. The GPU collective kernels (nccl_collective_kernel.cc) call it
// from whichever participant is the last to be ready, once per collective
// (Note [NCCL collectives through the rendezvous] there), for groups on
// distinct physical GPUs only.
//
// A group of one is a stream-ordered copy and needs no NCCL. Larger groups
// go through the process's NcclCliques (nccl_clique.h): their communicators,
// made on first use, and the lock that orders every NCCL launch. The
// collectives then run on the GPUs after whatever was enqueued on each
// stream before; nothing here waits for them.
//
// Errors: INTERNAL naming `where`, the call and NCCL's or CUDA's reason;
// FAILED_PRECONDITION when NCCL cannot be loaded (nccl_library.h). The step
// then fails; whether a group whose ncclGroupEnd failed left some ranks'
// parts enqueued is NCCL's to say (not seen on a GPU yet). The calling
// thread's current CUDA device is restored.
//
// Thread-safety: thread-safe.
#ifndef GRAPHRT_KERNELS_GPU_NCCL_LAUNCH_H_
#define GRAPHRT_KERNELS_GPU_NCCL_LAUNCH_H_

#include <cstdint>
#include <span>
#include <string>

#include <nccl.h>

#include "absl/status/status.h"
#include "core/executor/cuda/cuda_device.h"
#include "core/graph/tensor.h"

namespace graphrt {

enum class NcclCollective { kAllReduce, kBroadcast, kAllGather };

// One rank's buffers, in device memory of `device`.
struct NcclRank {
  CudaDevice* device = nullptr;
  const void* send = nullptr;  // its input; null for a broadcast's receiver
  void* recv = nullptr;        // its output; a broadcast's sender: its input (never written)
  // Elements: of the input (an all-gather's share of this rank), else of
  // the output. All-reduce and broadcast counts are equal across ranks.
  int64_t count = 0;
};

struct NcclCollectiveCall {
  NcclCollective kind = NcclCollective::kAllReduce;
  DataType dtype = DataType::kFloat32;  // float32, int32 or int64
  ncclRedOp_t reduction = ncclSum;      // all-reduce: ncclSum, ncclMax, ncclAvg
  int root = 0;                         // broadcast: the sender's rank
  std::string where;                    // names the node and op in errors
};

// Ranks in rank order. All-gather: each rank's recv holds the sum of the
// counts and receives rank r's input at the sum of the counts before r
// (counts may differ: grouped ncclSend/ncclRecv; equal: ncclAllGather).
absl::Status LaunchNcclCollective(const NcclCollectiveCall& call,
                                  std::span<const NcclRank> ranks);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_NCCL_LAUNCH_H_
