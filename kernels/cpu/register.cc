// RegisterCpuKernels, run into KernelRegistry::Global() when the program
// starts (kernels register themselves: the core names none of them).
#include "kernels/cpu/register.h"

#include "kernels/common/register.h"

namespace graphrt {

void RegisterCpuKernels(KernelRegistry& r) {
  NeutralKernelTypes neutral;  // every dtype
  neutral.placeholder = true;  // fed values are host tensors
  RegisterNeutralKernels(r, kDeviceCpu, neutral);
  RegisterCwiseBinaryKernels(r);
  RegisterCwiseUnaryKernels(r);
  RegisterCastKernels(r);
  RegisterMatMulKernels(r);
  RegisterBiasAddKernels(r);
  RegisterShapeKernels(r);
  RegisterReductionKernels(r);
  RegisterSoftmaxKernels(r);
  RegisterXentKernels(r);
  RegisterVariableKernels(r);
  RegisterTrainingKernels(r);
  RegisterPadConcatKernels(r);
  RegisterTransposeKernels(r);
  RegisterRandomKernels(r);
  RegisterConvKernels(r);
  RegisterDepthwiseConvKernels(r);
  RegisterPoolingKernels(r);
  RegisterBatchNormKernels(r);
  RegisterIndexingKernels(r);
  RegisterSliceKernels(r);
  RegisterConvNdKernels(r);
  RegisterPoolNdKernels(r);
  RegisterConvTransposeNdKernels(r);
  RegisterBatchMatMulKernels(r);
  RegisterSoftmaxNdKernels(r);
  RegisterNormKernels(r);
  RegisterNllLossKernels(r);
  RegisterElementwiseUnaryKernels(r);
  RegisterElementwiseBinaryKernels(r);
  RegisterCollectiveKernels(r);
  RegisterResizeKernels(r);
  RegisterEinsumKernels(r);
  RegisterMiscKernels(r);
  RegisterSelectKernels(r);
  RegisterDetectionKernels(r);
}

GRAPHRT_REGISTER_KERNELS(cpu, RegisterCpuKernels);

// Referenced by the linker flag graphrt::kernels_cpu exports (-u), so that
// static links keep this file and its registration.
extern "C" void graphrt_link_kernels_cpu() {}

}  // namespace graphrt
