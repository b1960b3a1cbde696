// Registration of the indexing kernels beyond GatherV2 (called from
// RegisterIndexingKernels in indexing_gather.cc, so register.h's list stays
// one line for the family).
#ifndef GRAPHRT_KERNELS_CPU_INDEXING_KERNELS_H_
#define GRAPHRT_KERNELS_CPU_INDEXING_KERNELS_H_

#include <cstdint>
#include <vector>

#include "core/executor/kernel_registry.h"
#include "core/executor/op_kernel.h"
#include "core/graph/ops/indexing_slice.h"

namespace graphrt {

void RegisterIndexingElementKernels(KernelRegistry& r);  // GatherElements Tile Trilu OneHot
void RegisterCumsumKernels(KernelRegistry& r);           // Cumsum
void RegisterTopKKernels(KernelRegistry& r);             // TopKV2
void RegisterDynamicIndexingKernels(KernelRegistry& r);  // DynamicReshape DynamicSlice ...
void RegisterScatterKernels(KernelRegistry& r);          // GatherND ScatterND ScatterElements

// The elements of an int32 or int64 tensor (indices, multiples, shapes, pads
// read at run time) as int64s; the kernels' registrations admit no other
// dtype for these operands.
inline std::vector<int64_t> IntsAsInt64(const Tensor& t) {
  if (t.dtype() == DataType::kInt64) {
    return std::vector<int64_t>(t.flat<int64_t>().begin(), t.flat<int64_t>().end());
  }
  return std::vector<int64_t>(t.flat<int32_t>().begin(), t.flat<int32_t>().end());
}

// Output 0 of ctx: x sliced by plan `p` (made against x's shape), shared
// with x when the plan keeps everything. Used by StridedSlice and
// DynamicSlice (indexing_slice.cc).
absl::Status WriteStridedSlice(OpKernelContext& ctx, const Tensor& x,
                               const StridedSlicePlan& p);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_INDEXING_KERNELS_H_
