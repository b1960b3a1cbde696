#include "kernels/gpu/nccl_launch.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/gpu/nccl_clique.h"
#include "kernels/gpu/nccl_library.h"

namespace graphrt {
namespace {

// Restores the thread's current CUDA device when it goes.
class RestoreDevice {
 public:
  RestoreDevice() { ok_ = cudaGetDevice(&device_) == cudaSuccess; }
  ~RestoreDevice() {
    if (ok_) (void)cudaSetDevice(device_);
  }
  RestoreDevice(const RestoreDevice&) = delete;
  RestoreDevice& operator=(const RestoreDevice&) = delete;

 private:
  int device_ = 0;
  bool ok_ = false;
};

absl::Status Cuda(cudaError_t e, const char* call, const std::string& where) {
  absl::Status s = CudaStatus(e, call);
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(s.message(), " for ", where));
}

// `bytes` from `src` to `dst` in `rank`'s memory, on its stream.
absl::Status CopyOnRank(const NcclRank& rank, void* dst, const void* src, size_t bytes,
                        const std::string& where) {
  if (bytes == 0 || dst == src) return absl::OkStatus();
  RETURN_IF_ERROR(Cuda(cudaSetDevice(rank.device->physical_id()), "cudaSetDevice", where));
  return Cuda(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, rank.device->stream()),
              "cudaMemcpyAsync", where);
}

// A group of one: the result is the input.
absl::Status LaunchAlone(const NcclCollectiveCall& call, const NcclRank& rank) {
  if (call.kind == NcclCollective::kBroadcast) return absl::OkStatus();  // the sender alone
  return CopyOnRank(rank, rank.recv, rank.send,
                    static_cast<size_t>(rank.count) * DataTypeSize(call.dtype), call.where);
}

// Rank r's part of an all-gather whose counts differ: its own share copied
// locally (before the group), then a send to and a receive from every peer.
absl::Status EnqueueUnevenGather(const NcclLibrary& nccl, const NcclClique& clique,
                                 ncclDataType_t type, size_t elem, int r,
                                 std::span<const NcclRank> ranks, const std::string& where) {
  const NcclRank& me = ranks[r];
  char* out = static_cast<char*>(me.recv);
  for (int p = 0; p < static_cast<int>(ranks.size()); ++p) {
    const size_t count = static_cast<size_t>(ranks[p].count);
    if (p != r && count > 0) {
      RETURN_IF_ERROR(nccl.Check(
          nccl.Recv(out, count, type, p, clique.comms[r], me.device->stream()), "ncclRecv",
          where, clique.comms[r]));
    }
    if (p != r && me.count > 0) {
      RETURN_IF_ERROR(nccl.Check(nccl.Send(me.send, static_cast<size_t>(me.count), type, p,
                                           clique.comms[r], me.device->stream()),
                                 "ncclSend", where, clique.comms[r]));
    }
    out += count * elem;
  }
  return absl::OkStatus();
}

// Rank r's part of `call`, inside the group.
absl::Status Enqueue(const NcclLibrary& nccl, const NcclClique& clique,
                     const NcclCollectiveCall& call, ncclDataType_t type, bool even, int r,
                     std::span<const NcclRank> ranks) {
  const NcclRank& me = ranks[r];
  ncclComm_t comm = clique.comms[r];
  const size_t count = static_cast<size_t>(me.count);
  switch (call.kind) {
    case NcclCollective::kAllReduce:
      return nccl.Check(nccl.AllReduce(me.send, me.recv, count, type, call.reduction, comm,
                                       me.device->stream()),
                        "ncclAllReduce", call.where, comm);
    case NcclCollective::kBroadcast:
      return nccl.Check(nccl.Broadcast(r == call.root ? me.send : nullptr, me.recv, count, type,
                                       call.root, comm, me.device->stream()),
                        "ncclBroadcast", call.where, comm);
    case NcclCollective::kAllGather:
      if (even) {
        return nccl.Check(
            nccl.AllGather(me.send, me.recv, count, type, comm, me.device->stream()),
            "ncclAllGather", call.where, comm);
      }
      return EnqueueUnevenGather(nccl, clique, type, DataTypeSize(call.dtype), r, ranks,
                                 call.where);
  }
  return absl::InternalError("unknown NcclCollective");
}

}  // namespace

absl::Status LaunchNcclCollective(const NcclCollectiveCall& call,
                                  std::span<const NcclRank> ranks) {
  RestoreDevice restore;
  ASSIGN_OR_RETURN(ncclDataType_t type, NcclDataType(call.dtype));
  if (ranks.size() == 1) return LaunchAlone(call, ranks[0]);
  bool even = true, empty = true;
  for (const NcclRank& r : ranks) {
    even = even && r.count == ranks[0].count;
    empty = empty && r.count == 0;
  }
  if (empty) return absl::OkStatus();  // every rank agrees: nothing moves
  absl::StatusOr<const NcclLibrary*> loaded = NcclLibrary::Get();
  if (!loaded.ok()) {
    return absl::Status(loaded.status().code(),
                        absl::StrCat(call.where, ": ", loaded.status().message()));
  }
  const NcclLibrary& nccl = **loaded;
  std::vector<CudaDevice*> devices;
  for (const NcclRank& r : ranks) devices.push_back(r.device);
  const size_t elem = DataTypeSize(call.dtype);
  return NcclCliques::Default().WithClique(
      nccl, devices, call.where, [&](const NcclClique& clique) -> absl::Status {
        if (call.kind == NcclCollective::kAllGather && !even) {
          int64_t offset = 0;  // each rank's own share first, outside the NCCL group
          std::vector<int64_t> offsets;
          for (const NcclRank& r : ranks) {
            offsets.push_back(offset);
            offset += r.count;
          }
          for (size_t r = 0; r < ranks.size(); ++r) {
            RETURN_IF_ERROR(CopyOnRank(ranks[r], static_cast<char*>(ranks[r].recv) +
                                                     offsets[r] * elem,
                                       ranks[r].send, ranks[r].count * elem, call.where));
          }
        }
        RETURN_IF_ERROR(nccl.Check(nccl.GroupStart(), "ncclGroupStart", call.where));
        absl::Status first;
        for (int r = 0; r < static_cast<int>(ranks.size()) && first.ok(); ++r) {
          first = Enqueue(nccl, clique, call, type, even, r, ranks);
        }
        // Always closed, even after a failed call: the group must end.
        absl::Status end = nccl.Check(nccl.GroupEnd(), "ncclGroupEnd", call.where);
        return first.ok() ? end : first;
      });
}

}  // namespace graphrt
