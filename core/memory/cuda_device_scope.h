// DeviceScope: makes a CUDA device current on the calling thread for a
// scope and gives the thread its previous device back at the end, so that
// code running on other callers' threads (allocators, device queues) never
// leaves their CUDA device changed, even when the scope switched devices
// again inside. cudaSetDevice is called only when the device differs.
// CUDA builds only.
//
// Thread-safety: the current device is per thread; a DeviceScope is used on
// the thread that made it.
#ifndef GRAPHRT_CORE_MEMORY_CUDA_DEVICE_SCOPE_H_
#define GRAPHRT_CORE_MEMORY_CUDA_DEVICE_SCOPE_H_

#include <cuda_runtime_api.h>

namespace graphrt {

class DeviceScope {
 public:
  explicit DeviceScope(int device) {
    if (cudaGetDevice(&previous_) != cudaSuccess) previous_ = -1;
    if (previous_ != device) status_ = cudaSetDevice(device);
  }
  ~DeviceScope() {
    int now = -1;
    if (previous_ >= 0 && cudaGetDevice(&now) == cudaSuccess && now != previous_) {
      cudaSetDevice(previous_);
    }
  }
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

  // cudaSetDevice's error, cudaSuccess when the device is current.
  cudaError_t status() const { return status_; }

 private:
  int previous_ = -1;
  cudaError_t status_ = cudaSuccess;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_CUDA_DEVICE_SCOPE_H_
