// Result checks of the soak program: a fetched tensor against its
// reference, a trace against the reference trace's shape. Each returns OK or
// INTERNAL naming what was checked (`what`), the first differing element,
// its value and the reference's.
//
// Note [Soak tolerances]
// Rationale: a soak run must catch a wrong result (a race overwriting a
// buffer, a tensor read after its memory went back to a pool) without
// failing on legitimate rounding differences.
// Approach: graphs whose kernels run with one intra-op thread compute the
// same float operations in the same order on every runtime, so the
// multi-device and OOM workloads compare bit for bit (as
// tests/executor/multi_device_test.cc does). The MLP training step sums
// gradients of the batch, where the order of an AddN's inputs may follow the
// schedule of a multi-threaded step: its values are compared within a
// relative 1e-5 (float32 has 24 bits; a different summation order of 16
// terms moves a few ulps, a wrong value moves far more).
// Limitations: a corruption smaller than the tolerance in the MLP's values
// is not caught there (it is in the bit-exact workloads).
//
// Thread-safety: pure functions.
#ifndef GRAPHRT_BENCH_SOAK_CHECKS_H_
#define GRAPHRT_BENCH_SOAK_CHECKS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/executor/step_trace.h"
#include "core/graph/tensor.h"

namespace graphrt::soak {

inline constexpr double kMlpRelativeTolerance = 1e-5;

// Same dtype, shape and bytes.
absl::Status CheckBitEqual(const Tensor& got, const Tensor& want, absl::string_view what);
// float32 tensors of one shape, each |got - want| <= tol * max(1, |want|).
absl::Status CheckNear(const Tensor& got, const Tensor& want, double tol, absl::string_view what);
absl::Status CheckNear(double got, double want, double tol, absl::string_view what);
// `events` node events over `devices` devices, each with
// 0 <= ready <= start <= end and a device index in range.
absl::Status CheckTrace(const StepTrace& trace, size_t events, size_t devices,
                        absl::string_view what);

}  // namespace graphrt::soak

#endif  // GRAPHRT_BENCH_SOAK_CHECKS_H_
