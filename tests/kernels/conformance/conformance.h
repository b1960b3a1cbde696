// Device conformance suite: one test body per kernel case, run on every
// device present, each device's result checked against a naive reference
// computed in the test and, off the CPU, against the CPU device's result
// (STYLE.md item 8; IREE's hal/cts, ggml's test-backend-ops).
//
//   GRAPHRT_CONFORMANCE_SUITE(CwiseConformance);
//   TEST_P(CwiseConformance, AddBroadcastRow) {
//     Case c;
//     c.inputs = {RandomTensor({4, 5}, 1), RandomTensor({5}, 2)};
//     c.build = [](GraphBuilder&, const Inputs& in) { return Fetches{ops::Add(in[0], in[1])}; };
//     c.expected = {RefBinary(c.inputs[0], c.inputs[1], std::plus<>())};
//     RunCase(c);  // last statement: it may skip
//   }
//
// Each case's inputs become Const nodes pinned to /CPU:0; the nodes `build`
// makes are pinned to the device under test, with soft placement off, so a
// missing kernel can never fall back silently. The graph runs through a
// Session on one runtime shared by the binary (SharedRuntime), whose GPUs
// are capped at 2 GiB each so that other tests can make runtimes of their own.
//
// Devices: "CPU:0" always, plus every logical GPU; without one, "GPU:0" is
// still instantiated and skips ("no GPU device: ..."), so a run shows what
// it did not check. When the kernel registry has no kernel for a node on the
// device's type, the case skips with the reason from the known-gap list
// (kKnownGaps in conformance.cc: "int32 stays on the CPU as in TF", ...).
// On the CPU a missing kernel is a failure.
//
// Tolerances: |actual - expected| <= max(atol, rtol * |expected|) for float32
// (NaN matches NaN); integer and bool outputs must be equal.
//
// Thread-safety: tests use it from the gtest main thread.
#ifndef GRAPHRT_TESTS_KERNELS_CONFORMANCE_CONFORMANCE_H_
#define GRAPHRT_TESTS_KERNELS_CONFORMANCE_CONFORMANCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/executor/runtime.h"
#include "core/graph/builder.h"
#include "core/graph/tensor.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt::conformance {

struct Tolerance {
  double rtol = 0;
  double atol = 0;  // the floor for values near 0
};
// float32 elementwise ops.
inline constexpr Tolerance kElementwise{1e-5, 1e-6};
// MatMul, reductions, softmax and anything that sums: float32 sums differ by
// summation order between devices.
inline constexpr Tolerance kAccumulating{1e-4, 1e-5};
// kAccumulating for sums of `terms` values of magnitude <= 1: rounding grows
// like sqrt(terms), and results near 0 need that much absolute slack.
Tolerance SumTolerance(int64_t terms);

using Inputs = std::vector<Output>;
using Fetches = std::vector<Output>;

struct Case {
  // Become Const nodes "in0", "in1", ... pinned to /CPU:0.
  std::vector<Tensor> inputs;
  // Makes the op(s) under test from the input Consts; every node it makes is
  // pinned to the device under test. Returns what to fetch.
  std::function<Fetches(GraphBuilder& b, const Inputs& in)> build;
  // The naive reference, one per fetch, computed by the test with plain loops.
  std::vector<Tensor> expected;
  Tolerance tol = kElementwise;
  // Session::Run calls; the fetches of the last one are checked (stateful
  // cases, whose value changes every step).
  int steps = 1;
};

// "CPU:0", then every logical GPU of SharedRuntime() ("GPU:0", ...), or
// "GPU:0" when there is none (its cases skip).
std::vector<std::string> ConformanceDevices();
// "CPU0", "GPU1": the parameter's part of a test name.
std::string DeviceParamName(const ::testing::TestParamInfo<std::string>& info);
// The runtime every case runs on, made on first use: each GPU one logical
// device of 2 GiB, the CPU with 2 inter-op and 2 intra-op threads.
std::shared_ptr<Runtime> SharedRuntime();
// Whether SharedRuntime() has logical device `device` ("GPU:0").
bool HasDevice(const std::string& device);
inline constexpr char kNoGpuReason[] = "no GPU device: built without CUDA or none visible";

class DeviceConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Skips when the device under test does not exist.
  void SetUp() override;
  // Runs `c` on the device under test and checks it (see the file comment).
  // Call it last in a test body: it may GTEST_SKIP.
  void RunCase(const Case& c);
};

// A test suite of conformance cases, instantiated once per device.
#define GRAPHRT_CONFORMANCE_SUITE(Suite)                                          \
  using Suite = ::graphrt::conformance::DeviceConformanceTest;                    \
  INSTANTIATE_TEST_SUITE_P(Devices, Suite,                                        \
                           ::testing::ValuesIn(::graphrt::conformance::ConformanceDevices()), \
                           ::graphrt::conformance::DeviceParamName)

// ---- Inputs, seeded -------------------------------------------------------

// float32 uniform in [lo, hi).
Tensor RandomTensor(const TensorShape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f);
// int32 or int64 uniform in [lo, hi].
Tensor RandomInts(DataType dtype, const TensorShape& shape, uint32_t seed, int64_t lo,
                  int64_t hi);

// ---- Naive references (double arithmetic, plain loops) ----------------------

// Element `i` of any numeric or bool tensor, as a double.
using ::graphrt::testing::ValueAt;
// A tensor of `dtype` and `shape` with element i = fn(i), converted from double.
Tensor MakeTensor(DataType dtype, const TensorShape& shape,
                  const std::function<double(int64_t)>& fn);
// numpy broadcasting of two shapes (the reference's own, not the runtime's).
TensorShape BroadcastShape(const TensorShape& a, const TensorShape& b);
// The flat index into `in` (broadcast to `out`) of flat element `i` of `out`.
int64_t BroadcastIndex(const TensorShape& in, const TensorShape& out, int64_t i);
// out[i] = fn(a[i'], b[i'']) with broadcasting; `dtype` kInvalid: a's dtype.
Tensor RefBinary(const Tensor& a, const Tensor& b, const std::function<double(double, double)>& fn,
                 DataType dtype = DataType::kInvalid);
Tensor RefUnary(const Tensor& x, const std::function<double(double)>& fn);
// [m, k] x [k, n] after the transposes.
Tensor RefMatMul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b);
enum class Reduction { kSum, kMean, kMax };
// Reduces `axes` (empty: all; negative from the end) of float32 x.
Tensor RefReduce(const Tensor& x, std::vector<int64_t> axes, bool keep_dims, Reduction r);
// Softmax (or log-softmax) of a float32 matrix along its last axis.
Tensor RefSoftmax(const Tensor& logits, bool log);

}  // namespace graphrt::conformance

#endif  // GRAPHRT_TESTS_KERNELS_CONFORMANCE_CONFORMANCE_H_
