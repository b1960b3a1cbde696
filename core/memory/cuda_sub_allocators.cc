// CUDA sub-allocators. Thread-safe; built only with CUDA (see the header).
#include "core/memory/cuda_sub_allocators.h"

#include <cuda.h>
#include <cuda_runtime_api.h>

#include <iterator>
#include <map>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/memory/cuda_device_scope.h"
#include "core/base/sync.h"

namespace graphrt {

// Note [VMM regions]
// Rationale: cudaMalloc'd regions land anywhere, so a pool that grows and
// shrinks scatters its regions over the address space; the VMM API keeps the
// whole pool in one reserved range and maps physical memory in and out.
// Approach: the address range is reserved once; each Alloc maps one physical
// allocation (cuMemCreate) at the lowest free offset that fits (first fit) and
// each Free unmaps and releases it. The BFC treats every mapping as its own
// region: neighbouring mappings are not merged into one growing region, so
// Release can return any wholly free one without moving live data.
// Limitations: a mapping cannot outgrow the reserved range; the range is fixed
// at creation (reserve the device's total memory to be safe; it costs only
// address space).

namespace {

constexpr size_t kCudaGranule = size_t{2} << 20;

absl::Status CudaError(cudaError_t e, absl::string_view what) {
  return absl::ResourceExhaustedError(absl::StrCat(what, ": ", cudaGetErrorName(e), " (",
                                                   cudaGetErrorString(e), ")"));
}

size_t RoundUp(size_t n, size_t m) { return (n + m - 1) / m * m; }

class CudaMallocSubAllocator final : public SubAllocator {
 public:
  explicit CudaMallocSubAllocator(int device) : device_(device) {}
  absl::StatusOr<SubAllocation> Alloc(size_t bytes) override {
    const size_t size = RoundUp(bytes, kCudaGranule);
    DeviceScope scope(device_);
    if (scope.status() != cudaSuccess) return CudaError(scope.status(), "cudaSetDevice");
    void* ptr = nullptr;
    const cudaError_t e = cudaMalloc(&ptr, size);
    if (e != cudaSuccess) {
      cudaGetLastError();  // clear the (non-sticky) error so later calls see cudaSuccess
      return CudaError(e, absl::StrCat("cudaMalloc(", size, ") on GPU ", device_));
    }
    return SubAllocation{ptr, size};
  }
  absl::Status Free(void* ptr, size_t bytes) override {
    DeviceScope scope(device_);
    const cudaError_t e = cudaFree(ptr);
    return e == cudaSuccess ? absl::OkStatus() : CudaError(e, "cudaFree");
  }
  std::string Name() const override { return absl::StrCat("cuda_malloc:", device_); }
  size_t Granularity() const override { return kCudaGranule; }
  MemorySpace memory_space() const override { return MemorySpace::Device("GPU", device_); }

 private:
  const int device_;
};

class CudaHostSubAllocator final : public SubAllocator {
 public:
  absl::StatusOr<SubAllocation> Alloc(size_t bytes) override {
    const size_t size = RoundUp(bytes, kCudaGranule);
    void* ptr = nullptr;
    const cudaError_t e = cudaHostAlloc(&ptr, size, cudaHostAllocPortable);
    if (e != cudaSuccess) {
      cudaGetLastError();
      return CudaError(e, absl::StrCat("cudaHostAlloc(", size, ")"));
    }
    return SubAllocation{ptr, size};
  }
  absl::Status Free(void* ptr, size_t bytes) override {
    const cudaError_t e = cudaFreeHost(ptr);
    return e == cudaSuccess ? absl::OkStatus() : CudaError(e, "cudaFreeHost");
  }
  std::string Name() const override { return "cuda_host"; }
  size_t Granularity() const override { return kCudaGranule; }
  MemorySpace memory_space() const override { return MemorySpace::PinnedHost(); }
};

// Driver entry points, fetched through the runtime (no link against libcuda).
struct Driver {
  decltype(&cuGetErrorString) get_error_string = nullptr;
  decltype(&cuMemGetAllocationGranularity) granularity = nullptr;
  decltype(&cuMemAddressReserve) reserve = nullptr;
  decltype(&cuMemAddressFree) address_free = nullptr;
  decltype(&cuMemCreate) create = nullptr;
  decltype(&cuMemRelease) release = nullptr;
  decltype(&cuMemMap) map = nullptr;
  decltype(&cuMemUnmap) unmap = nullptr;
  decltype(&cuMemSetAccess) set_access = nullptr;

  absl::Status Check(CUresult r, absl::string_view what) const {
    if (r == CUDA_SUCCESS) return absl::OkStatus();
    const char* text = nullptr;
    if (get_error_string == nullptr || get_error_string(r, &text) != CUDA_SUCCESS) text = "?";
    return absl::ResourceExhaustedError(absl::StrCat(what, ": CUresult ", r, " (", text, ")"));
  }
};

template <typename Fn>
absl::Status Load(const char* symbol, Fn* fn) {
  cudaDriverEntryPointQueryResult found;
  const cudaError_t e = cudaGetDriverEntryPointByVersion(
      symbol, reinterpret_cast<void**>(fn), 12000, cudaEnableDefault, &found);
  if (e != cudaSuccess) return CudaError(e, absl::StrCat("driver entry point ", symbol));
  if (found != cudaDriverEntryPointSuccess || *fn == nullptr) {
    return absl::UnavailableError(absl::StrCat("driver lacks ", symbol));
  }
  return absl::OkStatus();
}

absl::StatusOr<Driver> LoadDriver() {
  Driver d;
  for (absl::Status s : {Load("cuGetErrorString", &d.get_error_string),
                         Load("cuMemGetAllocationGranularity", &d.granularity),
                         Load("cuMemAddressReserve", &d.reserve),
                         Load("cuMemAddressFree", &d.address_free),
                         Load("cuMemCreate", &d.create), Load("cuMemRelease", &d.release),
                         Load("cuMemMap", &d.map), Load("cuMemUnmap", &d.unmap),
                         Load("cuMemSetAccess", &d.set_access)}) {
    if (!s.ok()) return s;
  }
  return d;
}

class CudaVmmSubAllocator final : public SubAllocator {
 public:
  CudaVmmSubAllocator(int device, Driver driver, CUmemAllocationProp prop, size_t granule,
                      CUdeviceptr base, size_t range)
      : device_(device), d_(driver), prop_(prop), granule_(granule), base_(base),
        range_(range) {}

  ~CudaVmmSubAllocator() override {
    MutexLock lock(&mu_);
    for (const auto& [offset, m] : mapped_) Unmap(offset, m).IgnoreError();
    d_.address_free(base_, range_);
  }

  absl::StatusOr<SubAllocation> Alloc(size_t bytes) override {
    const size_t size = RoundUp(bytes, granule_);
    MutexLock lock(&mu_);
    size_t offset = 0;  // first fit over the mapped ranges, in address order
    for (const auto& [at, m] : mapped_) {
      if (at - offset >= size) break;
      offset = at + m.bytes;
    }
    if (offset + size > range_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          Name(), ": no ", size, "-byte gap left in the reserved ", range_, "-byte range"));
    }
    DeviceScope scope(device_);
    CUmemGenericAllocationHandle handle;
    absl::Status s = d_.Check(d_.create(&handle, size, &prop_, 0), "cuMemCreate");
    if (!s.ok()) return s;
    const CUdeviceptr at = base_ + offset;
    s = d_.Check(d_.map(at, size, 0, handle, 0), "cuMemMap");
    if (s.ok()) {
      CUmemAccessDesc access = {};
      access.location = prop_.location;
      access.flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
      s = d_.Check(d_.set_access(at, size, &access, 1), "cuMemSetAccess");
      if (!s.ok()) d_.unmap(at, size);
    }
    if (!s.ok()) {
      d_.release(handle);
      return s;
    }
    mapped_[offset] = Mapping{size, handle};
    return SubAllocation{reinterpret_cast<void*>(at), size};
  }

  absl::Status Free(void* ptr, size_t bytes) override {
    MutexLock lock(&mu_);
    auto it = mapped_.find(reinterpret_cast<CUdeviceptr>(ptr) - base_);
    if (it == mapped_.end()) return absl::InvalidArgumentError(Name() + ": unknown region");
    // The pool hands buffers back while kernels that use them may still be
    // queued (Note [GPU stream order] in core/executor/cuda/cuda_device.cc), and
    // unlike cudaFree, unmapping does not wait for the device: wait here, so
    // a later mapping at the same address is never seen by an old kernel.
    DeviceScope scope(device_);
    cudaError_t synced = cudaDeviceSynchronize();
    if (synced != cudaSuccess) return CudaError(synced, "cudaDeviceSynchronize before cuMemUnmap");
    const absl::Status s = Unmap(it->first, it->second);
    mapped_.erase(it);
    return s;
  }

  std::string Name() const override { return absl::StrCat("cuda_vmm:", device_); }
  size_t Granularity() const override { return granule_; }
  MemorySpace memory_space() const override { return MemorySpace::Device("GPU", device_); }

 private:
  struct Mapping {
    size_t bytes;
    CUmemGenericAllocationHandle handle;
  };
  absl::Status Unmap(size_t offset, const Mapping& m) const {
    absl::Status s = d_.Check(d_.unmap(base_ + offset, m.bytes), "cuMemUnmap");
    const absl::Status r = d_.Check(d_.release(m.handle), "cuMemRelease");
    return s.ok() ? r : s;
  }

  const int device_;
  const Driver d_;
  const CUmemAllocationProp prop_;
  const size_t granule_;
  const CUdeviceptr base_;
  const size_t range_;
  Mutex mu_;
  std::map<size_t, Mapping> mapped_ ABSL_GUARDED_BY(mu_);  // offset -> mapping
};

}  // namespace

absl::StatusOr<int> CudaMemoryDeviceCount() {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    cudaGetLastError();
    return CudaError(e, "cudaGetDeviceCount");
  }
  return n;
}

absl::StatusOr<CudaMemoryInfo> QueryCudaMemory(int device) {
  DeviceScope scope(device);
  if (scope.status() != cudaSuccess) return CudaError(scope.status(), "cudaSetDevice");
  size_t free_bytes = 0, total_bytes = 0;
  const cudaError_t e = cudaMemGetInfo(&free_bytes, &total_bytes);
  if (e != cudaSuccess) return CudaError(e, "cudaMemGetInfo");
  return CudaMemoryInfo{static_cast<int64_t>(free_bytes), static_cast<int64_t>(total_bytes)};
}

absl::StatusOr<std::unique_ptr<SubAllocator>> CreateCudaMallocSubAllocator(int device) {
  if (absl::StatusOr<int> n = CudaMemoryDeviceCount(); !n.ok() || device < 0 || device >= *n) {
    return n.ok() ? absl::InvalidArgumentError(absl::StrCat("no GPU ", device, " (", *n,
                                                            " devices)"))
                  : n.status();
  }
  return std::make_unique<CudaMallocSubAllocator>(device);
}

absl::StatusOr<std::unique_ptr<SubAllocator>> CreateCudaHostSubAllocator() {
  if (absl::StatusOr<int> n = CudaMemoryDeviceCount(); !n.ok()) return n.status();
  return std::make_unique<CudaHostSubAllocator>();
}

absl::StatusOr<std::unique_ptr<SubAllocator>> CreateCudaVmmSubAllocator(
    int device, size_t address_space_bytes) {
  if (absl::StatusOr<int> n = CudaMemoryDeviceCount(); !n.ok() || device < 0 || device >= *n) {
    return n.ok() ? absl::InvalidArgumentError(absl::StrCat("no GPU ", device)) : n.status();
  }
  absl::StatusOr<Driver> driver = LoadDriver();
  if (!driver.ok()) return driver.status();
  DeviceScope scope(device);
  if (scope.status() != cudaSuccess) return CudaError(scope.status(), "cudaSetDevice");
  if (cudaError_t e = cudaFree(nullptr); e != cudaSuccess) return CudaError(e, "context init");
  CUmemAllocationProp prop = {};
  prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
  prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
  prop.location.id = device;
  size_t granule = 0;
  absl::Status s = driver->Check(
      driver->granularity(&granule, &prop, CU_MEM_ALLOC_GRANULARITY_RECOMMENDED),
      "cuMemGetAllocationGranularity");
  if (!s.ok()) return s;
  if (granule < 256) granule = kCudaGranule;
  const size_t range = RoundUp(address_space_bytes, granule);
  CUdeviceptr base = 0;
  s = driver->Check(driver->reserve(&base, range, granule, 0, 0), "cuMemAddressReserve");
  if (!s.ok()) return s;
  return std::make_unique<CudaVmmSubAllocator>(device, *driver, prop, granule, base, range);
}

}  // namespace graphrt
