#include "kernels/gpu/nccl_library.h"

#include <dlfcn.h>

#include "absl/strings/str_cat.h"

namespace graphrt {
namespace {

constexpr char kFix[] =
    "; the collectives between GPUs need NCCL 2.13 or later: put libnccl.so.2 on "
    "LD_LIBRARY_PATH (the CUDA toolkit ships it in lib64), or place the collective on the CPU";

// `name` from `handle` into `fn`; false when the library lacks it.
template <typename Fn>
bool Resolve(void* handle, const char* name, Fn& fn) {
  fn = reinterpret_cast<Fn>(dlsym(handle, name));
  return fn != nullptr;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NcclLibrary>> NcclLibrary::Load(const std::string& file) {
  // Note [NCCL loaded at run time]: never closed.
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return absl::FailedPreconditionError(absl::StrCat(
        "NCCL could not be loaded from ", file, " (", why != nullptr ? why : "no reason given",
        ")", kFix));
  }
  auto lib = std::make_unique<NcclLibrary>();
  lib->file = file;
  bool ok = Resolve(handle, "ncclGetVersion", lib->GetVersion);
  ok = Resolve(handle, "ncclGetErrorString", lib->GetErrorString) && ok;
  ok = Resolve(handle, "ncclGetLastError", lib->GetLastError) && ok;
  ok = Resolve(handle, "ncclCommInitAll", lib->CommInitAll) && ok;
  ok = Resolve(handle, "ncclCommDestroy", lib->CommDestroy) && ok;
  ok = Resolve(handle, "ncclAllReduce", lib->AllReduce) && ok;
  ok = Resolve(handle, "ncclBroadcast", lib->Broadcast) && ok;
  ok = Resolve(handle, "ncclAllGather", lib->AllGather) && ok;
  ok = Resolve(handle, "ncclSend", lib->Send) && ok;
  ok = Resolve(handle, "ncclRecv", lib->Recv) && ok;
  ok = Resolve(handle, "ncclGroupStart", lib->GroupStart) && ok;
  ok = Resolve(handle, "ncclGroupEnd", lib->GroupEnd) && ok;
  if (!ok || lib->GetVersion(&lib->version) != ncclSuccess) {
    return absl::FailedPreconditionError(absl::StrCat(
        file, " lacks NCCL functions graphrt calls (ncclGetLastError, ncclSend, ...) or does "
        "not report its version", kFix));
  }
  if (lib->version < kMinVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        file, " is NCCL version code ", lib->version, ", older than ", kMinVersion, kFix));
  }
  return lib;
}

absl::StatusOr<const NcclLibrary*> NcclLibrary::Get() {
  // Loaded once per process (Note [NCCL loaded at run time]); never destroyed.
  static const absl::StatusOr<std::unique_ptr<NcclLibrary>>* const loaded =
      new absl::StatusOr<std::unique_ptr<NcclLibrary>>(Load("libnccl.so.2"));
  if (!loaded->ok()) return loaded->status();
  return loaded->value().get();
}

absl::Status NcclLibrary::Check(ncclResult_t result, const char* call, absl::string_view where,
                                ncclComm_t comm) const {
  if (result == ncclSuccess) return absl::OkStatus();
  const char* last = GetLastError(comm);
  return absl::InternalError(absl::StrCat("NCCL error ", GetErrorString(result), " in ", call,
                                          " for ", where,
                                          last != nullptr && *last != '\0'
                                              ? absl::StrCat(": ", last) : std::string()));
}

absl::StatusOr<ncclDataType_t> NcclDataType(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat32: return ncclFloat32;
    case DataType::kInt32: return ncclInt32;
    case DataType::kInt64: return ncclInt64;
    default:
      return absl::UnimplementedError(absl::StrCat(
          "the GPU collectives take float32, int32 or int64; got ", DataTypeName(dtype)));
  }
}

}  // namespace graphrt
