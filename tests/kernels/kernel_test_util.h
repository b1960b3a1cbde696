// Test harness for kernels: runs one op on given input tensors, with no
// session, so kernel tests check the kernel alone.
//
//   auto out = RunKernel("Add", {a, b});             // outputs, or the error
//   auto out = RunKernel("MatMul", {a, b}, {{"transpose_b", true}});
//
// Inputs become Const nodes feeding the op; the op's kernel is made from
// KernelRegistry::Global() for `device_type` and run with an intra-op pool
// of `intra_threads` threads. Also: comparison helpers with a tolerance.
#ifndef GRAPHRT_TESTS_KERNELS_KERNEL_TEST_UTIL_H_
#define GRAPHRT_TESTS_KERNELS_KERNEL_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/executor/op_kernel.h"
#include "core/graph/attr_value.h"
#include "core/graph/tensor.h"
#include "gtest/gtest.h"

namespace graphrt::testing {

struct KernelRunOptions {
  std::string device_type = kDeviceCpu;
  int intra_threads = 2;
  bool forward_inputs = false;  // let the kernel take over input buffers
};

absl::StatusOr<std::vector<Tensor>> RunKernel(const std::string& op,
                                              const std::vector<Tensor>& inputs,
                                              const AttrMap& attrs = {},
                                              const KernelRunOptions& options = {});

// Like RunKernel, but each input reaches the op through a Placeholder of
// unknown shape, so shape inference accepts any shapes and the kernel's own
// shape checks are what run. No intra-op pool: ParallelFor runs inline.
absl::StatusOr<std::vector<Tensor>> RunKernelUnshaped(const std::string& op,
                                                      const std::vector<Tensor>& inputs,
                                                      const AttrMap& attrs);

// Expects same dtype and shape, and |a - b| <= atol + rtol * |b| elementwise.
void ExpectTensorNear(const Tensor& actual, const Tensor& expected, double atol = 1e-5,
                      double rtol = 1e-5);
// Expects same dtype, shape and exactly equal elements.
void ExpectTensorEq(const Tensor& actual, const Tensor& expected);

// Element `i` of a numeric or bool tensor as a double (NaN for other dtypes).
double ValueAt(const Tensor& t, int64_t i);

// A float32 tensor of `shape`, uniform in [lo, hi), from `seed`.
Tensor RandomFloats(const TensorShape& shape, float lo, float hi, uint32_t seed);

template <typename T>
Tensor T_(std::vector<T> values, TensorShape shape) {
  return Tensor::FromVector<T>(values, shape);
}

}  // namespace graphrt::testing

#endif  // GRAPHRT_TESTS_KERNELS_KERNEL_TEST_UTIL_H_
