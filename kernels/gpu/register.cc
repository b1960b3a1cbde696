// RegisterGpuKernels (every family of this folder) and the CUDA device queries
// (see register.h).
#include "kernels/gpu/register.h"

#include <cuda_runtime_api.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace graphrt {

void RegisterGpuKernels(KernelRegistry& r) {
  RegisterConstantGpuKernels(r);
  RegisterShapeGpuKernels(r);
  RegisterCwiseBinaryGpuKernels(r);
  RegisterCwiseUnaryGpuKernels(r);
  RegisterCastGpuKernels(r);
  RegisterMatMulGpuKernels(r);
  RegisterBiasAddGpuKernels(r);
  RegisterReductionGpuKernels(r);
  RegisterSoftmaxGpuKernels(r);
  RegisterVariableGpuKernels(r);
}

int CudaDeviceCount() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky error; no GPU here
    return 0;
  }
  return count;
}

std::string CudaDeviceDescription(int id) {
  cudaDeviceProp prop{};
  char bus_id[32] = {};
  cudaError_t e = cudaGetDeviceProperties(&prop, id);
  if (e == cudaSuccess) e = cudaDeviceGetPCIBusId(bus_id, sizeof(bus_id), id);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return absl::StrCat("CUDA device ", id, " (", cudaGetErrorString(e), ")");
  }
  return absl::StrFormat("%s, pci bus id %s, compute capability %d.%d, %.1f GiB", prop.name,
                         bus_id, prop.major, prop.minor,
                         static_cast<double>(prop.totalGlobalMem) / (1 << 30));
}

}  // namespace graphrt
