// Kernel availability for placement tests. The placer takes a function
// "which device types can run this node?" (placement.h); the kernel
// registry that answers it in a session lives in core/executor, which the
// placer's tests do not link. This stands in for it: every op has a CPU
// kernel, and GPU kernels exist only as listed, optionally for some dtypes
// of one type attr.
#ifndef GRAPHRT_TESTS_PLACER_KERNEL_DESCRIPTORS_H_
#define GRAPHRT_TESTS_PLACER_KERNEL_DESCRIPTORS_H_

#include <algorithm>
#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/placer/placement.h"

namespace graphrt::testing {

struct GpuKernel {
  std::string op;
  std::string type_attr;         // "": any dtype
  std::vector<DataType> allowed;  // dtypes of `type_attr` with a GPU kernel
};

inline SupportedTypesFn CpuKernelsAnd(std::vector<GpuKernel> gpu) {
  return [gpu = std::move(gpu)](const Node& n) {
    std::vector<std::string> types = {"CPU"};
    for (const GpuKernel& k : gpu) {
      if (k.op != n.op()) continue;
      if (!k.type_attr.empty()) {
        absl::StatusOr<DataType> t = n.attr<DataType>(k.type_attr);
        if (!t.ok() || std::find(k.allowed.begin(), k.allowed.end(), *t) == k.allowed.end()) {
          continue;
        }
      }
      types.push_back("GPU");
      break;
    }
    return types;
  };
}

}  // namespace graphrt::testing

#endif  // GRAPHRT_TESTS_PLACER_KERNEL_DESCRIPTORS_H_
