// RegisterGpuKernels (every family of this folder), run into
// KernelRegistry::Global() when the program starts.
#include "kernels/gpu/register.h"

#include "kernels/common/register.h"
#include "kernels/gpu/gpu_op_util.h"

namespace graphrt {

void RegisterGpuKernels(KernelRegistry& r) {
  NeutralKernelTypes neutral;  // _Copy and NoOp: any dtype; no Placeholder
  neutral.constant = std::vector<DataType>{DataType::kFloat32};
  neutral.data = GpuDataTypes();
  neutral.variable = std::vector<DataType>{DataType::kFloat32};  // int variables stay on the CPU
  RegisterNeutralKernels(r, kDeviceGpu, neutral);
  RegisterShapeGpuKernels(r);
  RegisterCwiseBinaryGpuKernels(r);
  RegisterCwiseUnaryGpuKernels(r);
  RegisterCastGpuKernels(r);
  RegisterMatMulGpuKernels(r);
  RegisterBiasAddGpuKernels(r);
  RegisterReductionGpuKernels(r);
  RegisterSoftmaxGpuKernels(r);
  RegisterVariableGpuKernels(r);
  RegisterTrainingGpuKernels(r);
  RegisterLayoutGpuKernels(r);
  RegisterRandomGpuKernels(r);
#ifdef GRAPHRT_HAVE_CUDNN
  RegisterCudnnConvGpuKernels(r);
  RegisterCudnnPoolGpuKernels(r);
  RegisterCudnnBatchNormGpuKernels(r);
#endif
#ifdef GRAPHRT_HAVE_NCCL
  RegisterNcclCollectiveGpuKernels(r);
#endif
}

GRAPHRT_REGISTER_KERNELS(gpu, RegisterGpuKernels);

// Referenced by the linker flag graphrt::kernels_gpu exports (-u), so that
// static links keep this file and its registration.
extern "C" void graphrt_link_kernels_gpu() {}

}  // namespace graphrt
