// RegisterCpuKernels: every CPU kernel, registered in one place: the
// device-neutral kernels of kernels/common (Const Placeholder Identity NoOp
// _Copy Reshape ExpandDims Squeeze VarHandleOp ReadVariable, for every dtype: see
// kernels/common/register.h) and this folder's families, each of which (one
// file pair) exposes one Register* function. register.cc runs
// RegisterCpuKernels into KernelRegistry::Global() when the program starts;
// call it yourself only to fill a registry of your own.
#ifndef GRAPHRT_KERNELS_CPU_REGISTER_H_
#define GRAPHRT_KERNELS_CPU_REGISTER_H_

#include "core/executor/kernel_registry.h"

namespace graphrt {

void RegisterCpuKernels(KernelRegistry& registry);

// The families (kernels/cpu/<family>.cc).
void RegisterCwiseBinaryKernels(KernelRegistry& r); // Add Sub Mul Div Maximum Equal AddN
                                                    // ReluGrad
void RegisterCwiseUnaryKernels(KernelRegistry& r);  // Neg Exp Log Relu Sigmoid Tanh
                                                    // Sqrt Rsqrt Square
void RegisterCastKernels(KernelRegistry& r);        // Cast
void RegisterMatMulKernels(KernelRegistry& r);      // MatMul, FusedMatMul
void RegisterBiasAddKernels(KernelRegistry& r);     // BiasAdd BiasAddGrad
void RegisterShapeKernels(KernelRegistry& r);       // BroadcastLike Size
void RegisterReductionKernels(KernelRegistry& r);   // Sum Mean Max Min Prod ArgMax ReduceSumLike
void RegisterSoftmaxKernels(KernelRegistry& r);     // Softmax LogSoftmax
void RegisterXentKernels(KernelRegistry& r);        // SparseSoftmaxCrossEntropyWithLogits
void RegisterVariableKernels(KernelRegistry& r);    // AssignVariable AssignAddVariable
                                                    // ApplyGradientDescent
void RegisterTrainingKernels(KernelRegistry& r);    // ApplyMomentum ApplyAdam
void RegisterPadConcatKernels(KernelRegistry& r);   // Pad PadV2 SliceLike ConcatV2 SplitLike
void RegisterTransposeKernels(KernelRegistry& r);   // Transpose
void RegisterRandomKernels(KernelRegistry& r);      // StatelessRandomUniformLike
void RegisterConvKernels(KernelRegistry& r);        // Conv2D Conv2DBackpropInput
                                                    // Conv2DBackpropFilter
void RegisterDepthwiseConvKernels(KernelRegistry& r);  // DepthwiseConv2dNative and its
                                                       // BackpropInput, BackpropFilter
void RegisterPoolingKernels(KernelRegistry& r);     // MaxPool AvgPool MaxPoolGrad AvgPoolGrad
void RegisterBatchNormKernels(KernelRegistry& r);   // FusedBatchNormV3 FusedBatchNormGradV3
void RegisterIndexingKernels(KernelRegistry& r);    // GatherV2
void RegisterSliceKernels(KernelRegistry& r);       // StridedSlice
void RegisterConvNdKernels(KernelRegistry& r);      // ConvNd (ONNX Conv, NCHW)
void RegisterPoolNdKernels(KernelRegistry& r);      // MaxPoolNd AvgPoolNd
void RegisterConvTransposeNdKernels(KernelRegistry& r);  // ConvTransposeNd (ONNX ConvTranspose)
void RegisterBatchMatMulKernels(KernelRegistry& r); // BatchMatMulV2
void RegisterSoftmaxNdKernels(KernelRegistry& r);   // SoftmaxNd
void RegisterNormKernels(KernelRegistry& r);        // Standardize
void RegisterNllLossKernels(KernelRegistry& r);     // NegativeLogLikelihoodLoss
void RegisterElementwiseUnaryKernels(KernelRegistry& r);   // Abs Erf Floor ... LeakyRelu Elu
                                                           // Gelu IsNan ... (elementwise_unary.h)
void RegisterElementwiseBinaryKernels(KernelRegistry& r);  // Minimum Pow FloorMod Less ...
                                                           // SelectV2 (elementwise_binary.h)
void RegisterCollectiveKernels(KernelRegistry& r);  // CollectiveReduceV2 CollectiveGatherV2
                                                    // CollectiveBcast{Send,Recv}V2
void RegisterResizeKernels(KernelRegistry& r);     // Resize (ONNX semantics)
void RegisterEinsumKernels(KernelRegistry& r);     // Einsum
void RegisterMiscKernels(KernelRegistry& r);       // Shrink MeanVarianceNormalization
                                                    // MatrixDeterminant
void RegisterSelectKernels(KernelRegistry& r);     // ReverseSequence Compress NonZero
                                                    // MaxUnpool
void RegisterDetectionKernels(KernelRegistry& r);  // NonMaxSuppression

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_REGISTER_H_
