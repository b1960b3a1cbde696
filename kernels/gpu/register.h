// RegisterGpuKernels: every GPU kernel, registered in one place. Built only
// when CUDA is on (GRAPHRT_CUDA). Each op family (a *_ops.cc file of this
// folder, with its CUDA kernels in the matching *_kernels.cu) exposes one
// Register* function; RegisterGpuKernels calls them all and registers the
// device-neutral kernels of kernels/common (kernels/common/register.h) for
// the GPU's dtypes:
//   _Copy NoOp                       any dtype
//   Const                            float32
//   Identity Reshape ExpandDims      float32, int32, int64, uint8, bool
//   Squeeze
//   VarHandleOp ReadVariable         float32 variables (others stay on the CPU)
// (no Placeholder: feeds arrive in host memory). register.cc runs it into
// KernelRegistry::Global() when the program starts.
//
// GPU kernels launch on their device's compute stream (CudaDevice::stream())
// and never wait on the host; shapes are checked on the host, so shape errors
// are returned synchronously, while faults raised by a running kernel surface
// at the device's Synchronize. Float32 unless said otherwise.
#ifndef GRAPHRT_KERNELS_GPU_REGISTER_H_
#define GRAPHRT_KERNELS_GPU_REGISTER_H_

#include "core/executor/kernel_registry.h"

namespace graphrt {

void RegisterGpuKernels(KernelRegistry& registry);

// The families.
void RegisterShapeGpuKernels(KernelRegistry& r);        // BroadcastLike* Size*
void RegisterCwiseBinaryGpuKernels(KernelRegistry& r);  // Add Sub Mul Div Maximum ReluGrad
                                                        // Equal (+int32, int64) AddN
void RegisterCwiseUnaryGpuKernels(KernelRegistry& r);   // Neg Relu Exp Log Tanh Sigmoid
                                                        // Sqrt Rsqrt Square
void RegisterCastGpuKernels(KernelRegistry& r);         // Cast*
void RegisterMatMulGpuKernels(KernelRegistry& r);       // MatMul, FusedMatMul (cuBLAS)
void RegisterBiasAddGpuKernels(KernelRegistry& r);      // BiasAdd BiasAddGrad
void RegisterReductionGpuKernels(KernelRegistry& r);    // Sum Mean Max ReduceSumLike ArgMax
void RegisterSoftmaxGpuKernels(KernelRegistry& r);      // Softmax LogSoftmax
                                                        // SparseSoftmaxCrossEntropyWithLogits
void RegisterVariableGpuKernels(KernelRegistry& r);     // AssignVariable AssignAddVariable
                                                        // ApplyGradientDescent
void RegisterTrainingGpuKernels(KernelRegistry& r);     // ApplyMomentum ApplyAdam
void RegisterLayoutGpuKernels(KernelRegistry& r);     // Pad* PadV2* SliceLike* ConcatV2*
                                                        // SplitLike* Transpose*
void RegisterRandomGpuKernels(KernelRegistry& r);     // StatelessRandomUniformLike
// cuDNN (defined and registered only in builds with cuDNN: GRAPHRT_HAVE_CUDNN).
void RegisterCudnnConvGpuKernels(KernelRegistry& r);      // Conv2D DepthwiseConv2dNative
                                                          // and their Backprop{Input,Filter}
void RegisterCudnnPoolGpuKernels(KernelRegistry& r);      // MaxPool AvgPool MaxPoolGrad
                                                          // AvgPoolGrad
void RegisterCudnnBatchNormGpuKernels(KernelRegistry& r); // FusedBatchNormV3
                                                          // FusedBatchNormGradV3
// NCCL (defined and registered only in builds with NCCL's header: GRAPHRT_HAVE_NCCL).
void RegisterNcclCollectiveGpuKernels(KernelRegistry& r); // CollectiveReduceV2
                                                          // CollectiveBcast{Send,Recv}V2
                                                          // CollectiveGatherV2 (float32,
                                                          // int32, int64)
// *: also int32, int64, uint8, bool (they move or alias data only).

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_REGISTER_H_
