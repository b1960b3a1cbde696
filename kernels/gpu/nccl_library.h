// NcclLibrary: the NCCL functions the GPU collectives call
// (nccl_collective_kernel.cc, nccl_launch.cc), resolved from libnccl.so.2 at run time, and the
// translation of NCCL results and dtypes into graphrt's terms.
//
// Note [NCCL loaded at run time]
// Rationale: libnccl.so.2 is a 200 MiB library that ships with the CUDA
// toolkit on the build machines but not necessarily where a binary runs
// (scripts/gpu-bundle leaves CUDA's libraries to the GPU machine). Linking
// it would make every binary that links the GPU kernels fail to start on a
// machine without it, for the sake of one op family.
// Approach: only nccl.h is needed to build (cmake/graphrt_nccl.cmake). The
// first collective that needs NCCL (a group of two or more GPUs) loads the
// library with dlopen and resolves the functions below once per process (a
// loaded library is process-wide state anyway); the result, or the error,
// is kept. A missing or too old library is FAILED_PRECONDITION naming it and
// the fixes; the GPU collectives then send their groups through the host
// (Note [GPU collectives through the host]). A group of one GPU never
// loads it.
// Limitations: the library is never unloaded.
//
// Thread-safety: Get() is thread-safe; an NcclLibrary is immutable, and NCCL
// itself decides which of its calls may run concurrently (communicators are
// not thread-safe: nccl_clique.h serialises their use).
#ifndef GRAPHRT_KERNELS_GPU_NCCL_LIBRARY_H_
#define GRAPHRT_KERNELS_GPU_NCCL_LIBRARY_H_

#include <memory>
#include <string>

#include <nccl.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/tensor.h"

namespace graphrt {

struct NcclLibrary {
  // The oldest NCCL accepted: 2.13 has ncclGetLastError; ncclAvg (2.10),
  // ncclSend/ncclRecv (2.7) come with it.
  static constexpr int kMinVersion = 21300;

  // The process's NCCL, loaded from "libnccl.so.2" on first use; the same
  // result (or error) afterwards. Thread-safe.
  static absl::StatusOr<const NcclLibrary*> Get();
  // NCCL loaded from `file` (a name dlopen searches for, or a path), not
  // cached: for tests. FAILED_PRECONDITION when it cannot be loaded, lacks
  // a function, or is older than kMinVersion.
  static absl::StatusOr<std::unique_ptr<NcclLibrary>> Load(const std::string& file);

  std::string file;  // what was loaded
  int version = 0;   // ncclGetVersion's code, e.g. 22809 for 2.28.9

  decltype(&::ncclGetVersion) GetVersion = nullptr;
  decltype(&::ncclGetErrorString) GetErrorString = nullptr;
  decltype(&::ncclGetLastError) GetLastError = nullptr;
  decltype(&::ncclCommInitAll) CommInitAll = nullptr;
  decltype(&::ncclCommDestroy) CommDestroy = nullptr;
  decltype(&::ncclAllReduce) AllReduce = nullptr;
  decltype(&::ncclBroadcast) Broadcast = nullptr;
  decltype(&::ncclAllGather) AllGather = nullptr;
  decltype(&::ncclSend) Send = nullptr;
  decltype(&::ncclRecv) Recv = nullptr;
  decltype(&::ncclGroupStart) GroupStart = nullptr;
  decltype(&::ncclGroupEnd) GroupEnd = nullptr;

  // OK, or INTERNAL "NCCL error <NCCL's string> in <call> for <where>: <last
  // error>" (the last error of `comm`, or of the thread's last call when
  // comm is null).
  absl::Status Check(ncclResult_t result, const char* call, absl::string_view where,
                     ncclComm_t comm = nullptr) const;
};

// NCCL's type for `dtype`: float32, int32 and int64 (the collectives'
// dtypes, core/graph/ops/collective_ops.h); UNIMPLEMENTED for others.
absl::StatusOr<ncclDataType_t> NcclDataType(DataType dtype);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_NCCL_LIBRARY_H_
