// Result checks of the soak program: a fetched tensor against its
// reference, a trace against the reference trace's shape. Each returns OK or
// INTERNAL naming what was checked (`what`), the first differing element,
// its value and the reference's.
//
// Note [Bit-exact soak checks]
// Rationale: a soak run must catch a wrong result (a race overwriting a
// buffer, a tensor read after its memory went back to a pool) and must not
// fail on legitimate rounding differences.
// Approach: every runtime of the soak gives its devices one intra-op thread,
// so each kernel runs its float operations in one order whatever the
// schedule of the step (AddN sums its inputs in graph order; a MatMul is not
// split), and the results of every workload equal, bit for bit, those of a
// one-thread reference run (as tests/executor/multi_device_test.cc checks
// for split graphs). A wrong value of any size is caught.
// Limitations: runtimes with several intra-op threads may split a kernel's
// work differently from the reference and would need a tolerance; the soak
// has none (its concurrency is 8 threads over several devices and inter-op
// pools).
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

// Same dtype, shape and bytes.
absl::Status CheckBitEqual(const Tensor& got, const Tensor& want, absl::string_view what);
// Equal scalars (a loss, a count).
absl::Status CheckEqual(float got, float want, absl::string_view what);
// `events` node events over `devices` devices, each with
// 0 <= ready <= start <= end and a device index in range.
absl::Status CheckTrace(const StepTrace& trace, size_t events, size_t devices,
                        absl::string_view what);

}  // namespace graphrt::soak

#endif  // GRAPHRT_BENCH_SOAK_CHECKS_H_
