// Registration of the indexing kernels beyond GatherV2 (called from
// RegisterIndexingKernels in indexing_gather.cc, so register.h's list stays
// one line for the family).
#ifndef GRAPHRT_KERNELS_CPU_INDEXING_KERNELS_H_
#define GRAPHRT_KERNELS_CPU_INDEXING_KERNELS_H_

#include "core/executor/kernel_registry.h"
#include "core/executor/op_kernel.h"
#include "core/graph/ops/indexing_slice.h"

namespace graphrt {

void RegisterIndexingElementKernels(KernelRegistry& r);  // GatherElements Tile Trilu OneHot
void RegisterCumsumKernels(KernelRegistry& r);           // Cumsum
void RegisterTopKKernels(KernelRegistry& r);             // TopKV2
void RegisterDynamicIndexingKernels(KernelRegistry& r);
void RegisterScatterKernels(KernelRegistry& r);         // GatherND ScatterND ScatterElements  // DynamicReshape DynamicSlice DynamicSqueeze DynamicUnsqueeze

// Output 0 of ctx: x sliced by plan `p` (made against x's shape), shared
// with x when the plan keeps everything. Used by StridedSlice and
// DynamicSlice (indexing_slice.cc).
absl::Status WriteStridedSlice(OpKernelContext& ctx, const Tensor& x,
                               const StridedSlicePlan& p);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_INDEXING_KERNELS_H_
