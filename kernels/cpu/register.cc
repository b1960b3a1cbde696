#include "kernels/cpu/register.h"

namespace graphrt {

void RegisterCpuKernels(KernelRegistry& r) {
  RegisterConstantKernels(r);
  RegisterCopyKernels(r);
  RegisterCwiseBinaryKernels(r);
  RegisterCwiseUnaryKernels(r);
  RegisterCastKernels(r);
  RegisterReshapeKernels(r);
  RegisterMatMulKernels(r);
  RegisterBiasAddKernels(r);
  RegisterShapeKernels(r);
  RegisterReductionKernels(r);
  RegisterSoftmaxKernels(r);
  RegisterXentKernels(r);
  RegisterVariableKernels(r);
}

}  // namespace graphrt
