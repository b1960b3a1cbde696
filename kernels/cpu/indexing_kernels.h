// Registration of the indexing kernels beyond GatherV2 (called from
// RegisterIndexingKernels in indexing_gather.cc, so register.h's list stays
// one line for the family).
#ifndef GRAPHRT_KERNELS_CPU_INDEXING_KERNELS_H_
#define GRAPHRT_KERNELS_CPU_INDEXING_KERNELS_H_

#include "core/executor/kernel_registry.h"

namespace graphrt {

void RegisterIndexingElementKernels(KernelRegistry& r);  // GatherElements Tile Trilu OneHot
void RegisterCumsumKernels(KernelRegistry& r);           // Cumsum
void RegisterTopKKernels(KernelRegistry& r);             // TopKV2

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_INDEXING_KERNELS_H_
