// Tests for kernels/cpu/cwise_binary.h and kernels/common/cwise_shape.h:
// broadcast plans, each op and dtype by
// hand, broadcasting of many shape pairs against a per-element reference
// written here (coordinates, not plans), 1<<20-element inputs so that
// ParallelFor splits, forwarding, integer edge cases, AddN, and errors.
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/kernel_registry.h"
#include "core/executor/resource_mgr.h"
#include "core/graph/graph.h"
#include "core/base/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/common/cwise_shape.h"
#include "tests/kernels/kernel_test_util.h"

namespace graphrt {
namespace {

using ::graphrt::testing::ExpectTensorEq;
using ::graphrt::testing::ExpectTensorNear;
using ::graphrt::testing::KernelRunOptions;
using ::graphrt::testing::RunKernel;
using ::graphrt::testing::T_;
using ::testing::HasSubstr;
using Dims = std::vector<int64_t>;
using Fn = std::function<double(const std::vector<double>&)>;

// Runs `op` on `inputs` themselves (no copies) fed through Placeholders of
// unknown shape: shape inference accepts anything, so the kernel's own checks
// run, and a forwarded input can be seen (it shares the output's buffer).
absl::StatusOr<std::vector<Tensor>> RunOnPlaceholders(const std::string& op,
                                                      std::vector<Tensor>& inputs,
                                                      bool forward = false) {
  Graph graph;
  NodeDef def{"op", op, {}, "", {}};
  for (size_t i = 0; i < inputs.size(); ++i) {
    NodeDef p{absl::StrCat("in", i), "Placeholder", {}, "", {{"dtype", inputs[i].dtype()}}};
    RETURN_IF_ERROR(graph.AddNode(p).status());
    def.inputs.push_back(p.name);
  }
  ASSIGN_OR_RETURN(Node * node, graph.AddNode(def));
  ResourceMgr resources;
  OpKernelConstruction c(*node, kDeviceCpu, &resources, HostAllocator());
  ASSIGN_OR_RETURN(std::unique_ptr<OpKernel> kernel, KernelRegistry::Global().CreateKernel(c));
  std::vector<Tensor*> ptrs;
  for (Tensor& t : inputs) ptrs.push_back(&t);
  std::vector<Tensor> outputs(node->num_outputs());
  OpKernelContext::Params params;
  params.kernel = kernel.get();
  params.inputs = ptrs;
  params.forwardable = forward ? ~uint64_t{0} : 0;
  params.outputs = outputs;
  params.allocator = HostAllocator();
  params.resources = &resources;
  OpKernelContext ctx(params);
  RETURN_IF_ERROR(kernel->Compute(ctx));
  return outputs;
}

double At(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::kFloat32: return t.data<float>()[i];
    case DataType::kInt32: return t.data<int32_t>()[i];
    case DataType::kInt64: return static_cast<double>(t.data<int64_t>()[i]);
    case DataType::kUint8: return t.data<uint8_t>()[i];
    default: return t.data<bool>()[i] ? 1 : 0;
  }
}

void Set(Tensor& t, int64_t i, double v) {
  switch (t.dtype()) {
    case DataType::kFloat32: t.data<float>()[i] = static_cast<float>(v); break;
    case DataType::kInt32: t.data<int32_t>()[i] = static_cast<int32_t>(v); break;
    case DataType::kInt64: t.data<int64_t>()[i] = static_cast<int64_t>(v); break;
    case DataType::kUint8: t.data<uint8_t>()[i] = static_cast<uint8_t>(v); break;
    default: t.data<bool>()[i] = v != 0; break;
  }
}

// Integers in [lo, hi] (eighths for float32; parity for bool); zeros become
// 3 when `nonzero`.
Tensor Random(DataType dtype, const Dims& dims, uint32_t seed, int lo = -100, int hi = 100,
              bool nonzero = false) {
  Tensor t(dtype, TensorShape(dims));
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    int v = dist(gen);
    if (nonzero && v == 0) v = 3;
    Set(t, i, dtype == DataType::kFloat32 ? v / 8.0 : dtype == DataType::kBool ? (v & 1) : v);
  }
  return t;
}

// out[c] = f(in_k[c with broadcast dims pinned to 0] for each k), computed
// per output coordinate.
Tensor Reference(const std::vector<Tensor>& in, const Dims& out_dims, DataType out_type,
                 const Fn& f) {
  Tensor out(out_type, TensorShape(out_dims));
  const int rank = static_cast<int>(out_dims.size());
  std::vector<int64_t> c(rank);
  std::vector<double> args(in.size());
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    int64_t rem = i;
    for (int d = rank - 1; d >= 0; --d) {
      c[d] = rem % out_dims[d];
      rem /= out_dims[d];
    }
    for (size_t k = 0; k < in.size(); ++k) {
      const TensorShape& s = in[k].shape();
      int64_t idx = 0;
      for (int d = 0; d < s.rank(); ++d) {
        idx = idx * s.dim(d) + (s.dim(d) == 1 ? 0 : c[rank - s.rank() + d]);
      }
      args[k] = At(in[k], idx);
    }
    Set(out, i, f(args));
  }
  return out;
}

struct OpCase {
  const char* op;
  Fn f;
};

std::vector<OpCase> Ops(DataType t) {
  const bool integral = t != DataType::kFloat32;
  return {
      {"Add", [](auto& a) { return a[0] + a[1]; }},
      {"Sub", [](auto& a) { return a[0] - a[1]; }},
      {"Mul", [](auto& a) { return a[0] * a[1]; }},
      {"Div", [integral](auto& a) { return integral ? std::trunc(a[0] / a[1]) : a[0] / a[1]; }},
      {"Maximum", [](auto& a) { return std::max(a[0], a[1]); }},
  };
}

// Every op of `dtype` on random x, y against the reference.
void CheckAllOps(DataType dtype, const Dims& xd, const Dims& yd, const Dims& out,
                 const KernelRunOptions& options = {}) {
  for (const OpCase& c : Ops(dtype)) {
    SCOPED_TRACE(absl::StrCat(c.op, " ", DataTypeName(dtype), " x", TensorShape(xd).DebugString(),
                              " y", TensorShape(yd).DebugString()));
    const bool div = std::string(c.op) == "Div";
    Tensor x = Random(dtype, xd, 1), y = Random(dtype, yd, 2, -100, 100, div);
    auto got = RunKernel(c.op, {x, y}, {}, options);
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectTensorNear((*got)[0], Reference({x, y}, out, dtype, c.f), 1e-6, 1e-6);
  }
}

TEST(CwiseBroadcastPlanTest, KindsAndCollapsedDims) {
  using Kind = BroadcastPlan::Kind;
  auto plan = [](TensorShape x, TensorShape y) { return *MakeBroadcastPlan(x, y); };
  EXPECT_EQ(plan({2, 3}, {2, 3}).kind, Kind::kSame);
  EXPECT_EQ(plan({1, 6}, {6}).kind, Kind::kSame);
  EXPECT_EQ(plan({}, {2, 3}).kind, Kind::kScalarX);
  EXPECT_EQ(plan({2, 3}, {1, 1}).kind, Kind::kScalarY);
  EXPECT_EQ(plan({0, 3}, {3}).kind, Kind::kEmpty);
  BroadcastPlan p = plan({2, 3, 4}, {4});  // the two leading dims merge
  EXPECT_EQ(p.kind, Kind::kRepeatY);
  EXPECT_EQ(p.out_shape, TensorShape({2, 3, 4}));
  EXPECT_EQ(p.period, 4);
  p = plan({1, 5}, {3, 1, 5});
  EXPECT_EQ(p.kind, Kind::kRepeatX);
  EXPECT_EQ(p.period, 5);
  p = plan({2, 3, 4, 5}, {2, 3, 1, 1});  // pairs of dims merge
  EXPECT_EQ(p.kind, Kind::kGeneral);
  EXPECT_EQ(p.dims, DimVector({6, 20}));
  EXPECT_EQ(p.x_strides, DimVector({20, 1}));
  EXPECT_EQ(p.y_strides, DimVector({1, 0}));
  p = plan({5, 2, 3, 4}, {5, 1, 1, 4});
  EXPECT_EQ(p.dims, DimVector({5, 6, 4}));
  EXPECT_EQ(p.x_strides, DimVector({24, 4, 1}));
  EXPECT_EQ(p.y_strides, DimVector({4, 0, 1}));
  p = plan({4, 1, 3}, {2, 1});
  EXPECT_EQ(p.dims, DimVector({4, 2, 3}));
  EXPECT_EQ(p.x_strides, DimVector({3, 0, 1}));
  EXPECT_EQ(p.y_strides, DimVector({0, 1, 0}));
  p = *MakeBroadcastPlan({3}, {1}, {2, 3});  // both broadcast along dim 0
  EXPECT_EQ(p.dims, DimVector({2, 3}));
  EXPECT_EQ(p.x_strides, DimVector({0, 1}));
  EXPECT_EQ(p.y_strides, DimVector({0, 0}));
  EXPECT_FALSE(MakeBroadcastPlan({2, 3}, {3}, {3}).ok());
}

TEST(CwiseBinaryTest, EachOpByHand) {
  const Tensor xf = T_<float>({1, -2, 3.5f, 8}, {2, 2}), yf = T_<float>({2, 4, -0.5f, 8}, {2, 2});
  const std::vector<std::pair<const char*, std::vector<float>>> want = {
      {"Add", {3, 2, 3, 16}}, {"Sub", {-1, -6, 4, 0}}, {"Mul", {2, -8, -1.75f, 64}},
      {"Div", {0.5f, -0.5f, -7, 1}}, {"Maximum", {2, 4, 3.5f, 8}}};
  for (const auto& [op, values] : want) {
    auto out = RunKernel(op, {xf, yf});
    ASSERT_TRUE(out.ok()) << op << ": " << out.status();
    ExpectTensorEq((*out)[0], T_<float>(values, {2, 2}));
  }
  const std::vector<std::pair<const char*, std::vector<int64_t>>> iwant = {
      {"Add", {9, -5, 5, 12}}, {"Sub", {5, -9, 9, -6}}, {"Mul", {14, -14, -14, 27}},
      {"Div", {3, -3, -3, 0}}, {"Maximum", {7, 2, 7, 9}}};
  for (const auto& [op, values] : iwant) {
    auto o64 = RunKernel(op, {T_<int64_t>({7, -7, 7, 3}, {4}), T_<int64_t>({2, 2, -2, 9}, {4})});
    auto o32 = RunKernel(op, {T_<int32_t>({7, -7, 7, 3}, {4}), T_<int32_t>({2, 2, -2, 9}, {4})});
    ASSERT_TRUE(o64.ok() && o32.ok()) << op << ": " << o64.status() << " " << o32.status();
    ExpectTensorEq((*o64)[0], T_<int64_t>(values, {4}));
    ExpectTensorEq((*o32)[0], T_<int32_t>({values.begin(), values.end()}, {4}));
  }
}

TEST(CwiseBinaryTest, BroadcastByHand) {
  auto out = RunKernel("Add", {T_<float>({1, 2, 3, 4, 5, 6}, {2, 3}), T_<float>({10, 20, 30}, {3})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<float>({11, 22, 33, 14, 25, 36}, {2, 3}));
  out = RunKernel("Sub", {T_<int32_t>({10, 20}, {2, 1}), T_<int32_t>({1, 2, 3}, {1, 3})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<int32_t>({9, 8, 7, 19, 18, 17}, {2, 3}));
  out = RunKernel("Sub", {T_<float>({10}, {}), T_<float>({1, 2, 3}, {3})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<float>({9, 8, 7}, {3}));
  out = RunKernel("Div", {T_<int64_t>({10, 20, 30}, {3}), T_<int64_t>({4}, {})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<int64_t>({2, 5, 7}, {3}));
}

TEST(CwiseBinaryTest, BroadcastShapesMatchReference) {
  struct Case { Dims x, y, out; };
  const std::vector<Case> cases = {
      {{2, 3}, {3}, {2, 3}},          {{2, 1}, {1, 3}, {2, 3}},       {{4, 1, 3}, {2, 1}, {4, 2, 3}},
      {{}, {2, 3}, {2, 3}},           {{2, 3}, {}, {2, 3}},           {{3}, {2, 3}, {2, 3}},
      {{1, 1}, {2, 3}, {2, 3}},       {{2, 3, 4}, {4}, {2, 3, 4}},    {{2, 1, 4}, {1, 3, 1}, {2, 3, 4}},
      {{5, 1, 1, 2}, {3, 1, 2}, {5, 3, 1, 2}}, {{1, 2, 1, 3, 1}, {2, 1, 3, 1, 2}, {2, 2, 3, 3, 2}},
      {{3, 1}, {3, 1}, {3, 1}},       {{0, 3}, {3}, {0, 3}},          {{2, 0}, {1}, {2, 0}},
      {{7, 255}, {255}, {7, 255}},    {{256}, {7, 256}, {7, 256}},    {{2, 3, 4, 5}, {2, 3, 1, 1}, {2, 3, 4, 5}},
      {{5, 2, 3, 4}, {5, 1, 1, 4}, {5, 2, 3, 4}}, {{2, 1, 3, 1, 4}, {5, 1, 1, 1}, {2, 5, 3, 1, 4}},
  };
  for (DataType t : {DataType::kFloat32, DataType::kInt32, DataType::kInt64}) {
    for (const Case& c : cases) CheckAllOps(t, c.x, c.y, c.out);
  }
}

TEST(CwiseBinaryTest, LargeInputsSplitAcrossThreads) {
  constexpr int64_t kN = int64_t{1} << 20;
  for (DataType t : {DataType::kFloat32, DataType::kInt32, DataType::kInt64}) {
    CheckAllOps(t, {kN}, {kN}, {kN});
    CheckAllOps(t, {kN / 4, 4}, {4}, {kN / 4, 4});     // short period, tiled
    CheckAllOps(t, {kN / 4, 4}, {kN / 4, 1}, {kN / 4, 4});  // short rows
  }
  for (DataType t : {DataType::kInt32, DataType::kInt64}) {  // divisors in [1, 100]
    Tensor x = Random(t, {kN / 4, 4}, 5), y = Random(t, {kN / 4, 4}, 6, 1, 100);
    auto got = RunKernel("Div", {x, y});
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectTensorEq((*got)[0], Reference({x, y}, {kN / 4, 4}, t,
                                        [](auto& a) { return std::trunc(a[0] / a[1]); }));
  }
  // Periods that do not divide the pieces ParallelFor makes: pieces start mid-period.
  CheckAllOps(DataType::kFloat32, {kN / 3, 3}, {3}, {kN / 3, 3});
  CheckAllOps(DataType::kInt32, {300}, {kN / 300, 300}, {kN / 300, 300});
  CheckAllOps(DataType::kFloat32, {}, {kN}, {kN});
  CheckAllOps(DataType::kFloat32, {1000}, {kN / 1000, 1000}, {kN / 1000, 1000});
  CheckAllOps(DataType::kFloat32, {1, 1024}, {1024, 1}, {1024, 1024});
  CheckAllOps(DataType::kFloat32, {256, 1, 1024}, {4, 1}, {256, 4, 1024});
}

TEST(CwiseBinaryTest, ForwardingGivesSameResults) {
  const KernelRunOptions forward{.forward_inputs = true};
  for (DataType t : {DataType::kFloat32, DataType::kInt32}) {
    CheckAllOps(t, {2, 3}, {2, 3}, {2, 3}, forward);
    CheckAllOps(t, {3}, {2, 3}, {2, 3}, forward);
    CheckAllOps(t, {2, 3}, {2, 1}, {2, 3}, forward);
    CheckAllOps(t, {}, {5}, {5}, forward);
    CheckAllOps(t, {4, 1, 3}, {2, 1}, {4, 2, 3}, forward);
    CheckAllOps(t, {1 << 20}, {1 << 20}, {1 << 20}, forward);
  }
}

TEST(CwiseBinaryTest, ForwardsTheFullSizedInput) {
  std::vector<Tensor> in = {T_<float>({1}, {1}), T_<float>({1, 2, 3}, {3})};
  auto out = RunOnPlaceholders("Sub", in, /*forward=*/true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE((*out)[0].SharesBufferWith(in[1]));
  ExpectTensorEq((*out)[0], T_<float>({0, -1, -2}, {3}));
  std::vector<Tensor> eq = {T_<float>({1, 2}, {2}), T_<float>({1, 3}, {2})};
  out = RunOnPlaceholders("Equal", eq, /*forward=*/true);  // bool output: no forwarding
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<bool>({true, false}, {2}));
}

TEST(CwiseBinaryTest, SmallElementwiseOpTakesItsInputsBuffer) {
  // Note [Small elementwise fast path]: a forwardable, unshared input of the
  // output's shape is moved into the output and left empty.
  std::vector<Tensor> in = {T_<float>({1, 2, 3}, {3}), T_<float>({10, 20, 30}, {3})};
  const void* buffer = in[0].raw_data();
  auto out = RunOnPlaceholders("Sub", in, /*forward=*/true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].raw_data(), buffer);
  EXPECT_FALSE(in[0].IsInitialized());
  ExpectTensorEq((*out)[0], T_<float>({-9, -18, -27}, {3}));
  std::vector<Tensor> scalar_y = {T_<float>({1, 2}, {2}), T_<float>({4}, {})};
  buffer = scalar_y[0].raw_data();
  out = RunOnPlaceholders("Div", scalar_y, /*forward=*/true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].raw_data(), buffer);
  ExpectTensorEq((*out)[0], T_<float>({0.25f, 0.5f}, {2}));
  std::vector<Tensor> scalar_x = {T_<int32_t>({100}, {}), T_<int32_t>({1, 2}, {2})};
  out = RunOnPlaceholders("Sub", scalar_x, /*forward=*/true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(scalar_x[1].IsInitialized());  // y had the output's shape
  ExpectTensorEq((*out)[0], T_<int32_t>({99, 98}, {2}));
  // Not forwardable, or shared: inputs stay as they were.
  std::vector<Tensor> kept = {T_<float>({1, 2}, {2}), T_<float>({3, 4}, {2})};
  out = RunOnPlaceholders("Add", kept, /*forward=*/false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(kept[0].IsInitialized() && kept[1].IsInitialized());
  ExpectTensorEq((*out)[0], T_<float>({4, 6}, {2}));
  Tensor extra_ref = kept[0];
  out = RunOnPlaceholders("Mul", kept, /*forward=*/true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(kept[0].IsInitialized());
  ExpectTensorEq(extra_ref, T_<float>({1, 2}, {2}));
}

TEST(CwiseBinaryTest, IncompatibleShapesNameBoth) {
  const Tensor a = T_<float>({1, 2, 3, 4, 5, 6}, {2, 3}), b = T_<float>({1, 2, 3, 4}, {4});
  auto graph_error = RunKernel("Add", {a, b});  // rejected by the shape function
  EXPECT_EQ(graph_error.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<Tensor> in = {a, b};
  auto kernel_error = RunOnPlaceholders("Mul", in);  // rejected by the kernel
  EXPECT_EQ(kernel_error.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(kernel_error.status().message(), HasSubstr("[2,3]"));
  EXPECT_THAT(kernel_error.status().message(), HasSubstr("[4]"));
  EXPECT_THAT(kernel_error.status().message(), HasSubstr("Mul"));
}

TEST(CwiseBinaryTest, IntegerDivisionByZeroIsAnError) {
  auto out = RunKernel("Div", {T_<int32_t>({1, 2, 3}, {3}), T_<int32_t>({1, 0, 2}, {3})});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("division by zero"));
  EXPECT_THAT(out.status().message(), HasSubstr("index 1"));
  out = RunKernel("Div", {T_<int64_t>({1, 2, 3}, {3}), T_<int64_t>({0}, {})});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  out = RunKernel("Div", {T_<int32_t>({1, 2, 3, 4}, {2, 2}), T_<int32_t>({5, 0}, {2, 1})});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  // Float follows IEEE.
  out = RunKernel("Div", {T_<float>({1, -1, 0}, {3}), T_<float>({0}, {})});
  ASSERT_TRUE(out.ok()) << out.status();
  const float inf = std::numeric_limits<float>::infinity();
  const float* q = (*out)[0].data<float>();  // (ExpectTensorNear fails on equal infinities)
  EXPECT_EQ(q[0], inf);
  EXPECT_EQ(q[1], -inf);
  EXPECT_TRUE(std::isnan(q[2]));
}

TEST(CwiseBinaryTest, IntegerEdgeCasesWrap) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  auto out = RunKernel("Div", {T_<int32_t>({kMin, 7, -7}, {3}), T_<int32_t>({-1, -1, -1}, {3})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<int32_t>({kMin, -7, 7}, {3}));
  out = RunKernel("Add", {T_<int32_t>({kMax}, {1}), T_<int32_t>({1}, {1})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<int32_t>({kMin}, {1}));
  constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
  auto out64 = RunKernel("Sub", {T_<int64_t>({kMin64}, {1}), T_<int64_t>({1}, {1})});
  ASSERT_TRUE(out64.ok()) << out64.status();
  EXPECT_EQ((*out64)[0].data<int64_t>()[0], std::numeric_limits<int64_t>::max());
  out64 = RunKernel("Div", {T_<int64_t>({kMin64}, {1}), T_<int64_t>({-1}, {1})});
  ASSERT_TRUE(out64.ok()) << out64.status();
  EXPECT_EQ((*out64)[0].data<int64_t>()[0], kMin64);
}

TEST(CwiseBinaryTest, Int32DivisionIsExactOverTheRange) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  const std::vector<int32_t> v = {kMin, kMin + 1, -(1 << 30) - 1, -46341, -7, -1, 1, 2, 3,
                                  7, 46340, 46341, (1 << 30) + 1, kMax - 1, kMax};
  // With and without a -1 among the divisors (the kernel picks its loop by that).
  for (bool minus_one : {true, false}) {
    std::vector<int32_t> xs, ys, want;
    for (int32_t a : v) {
      for (int32_t b : v) {
        if (b == -1 && !minus_one) continue;
        xs.push_back(a);
        ys.push_back(b);
        // int64 division truncates too; only kMin / -1 leaves int32, and wraps.
        const int64_t q = int64_t{a} / int64_t{b};
        want.push_back(q == int64_t{kMax} + 1 ? kMin : static_cast<int32_t>(q));
      }
    }
    const int64_t n = static_cast<int64_t>(xs.size());
    auto out = RunKernel("Div", {T_<int32_t>(xs, {n}), T_<int32_t>(ys, {n})});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorEq((*out)[0], T_<int32_t>(want, {n}));
  }
}

TEST(CwiseBinaryTest, MaximumPropagatesNaN) {
  const float nan = std::nanf("");
  auto out = RunKernel("Maximum", {T_<float>({nan, 1, 2}, {3}), T_<float>({1, nan, 3}, {3})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<float>({nan, nan, 3}, {3}));
}

TEST(CwiseBinaryTest, EqualAllTypes) {
  for (DataType t : {DataType::kFloat32, DataType::kInt32, DataType::kInt64, DataType::kUint8,
                     DataType::kBool}) {
    SCOPED_TRACE(DataTypeName(t));
    for (const auto& [xd, yd, od] : std::vector<std::tuple<Dims, Dims, Dims>>{
             {{6}, {6}, {6}}, {{2, 3}, {3}, {2, 3}}, {{}, {4}, {4}}, {{4, 1, 3}, {2, 1}, {4, 2, 3}}}) {
      Tensor x = Random(t, xd, 3, 0, 3), y = Random(t, yd, 4, 0, 3);
      auto out = RunKernel("Equal", {x, y});
      ASSERT_TRUE(out.ok()) << out.status();
      ExpectTensorEq((*out)[0], Reference({x, y}, od, DataType::kBool,
                                          [](auto& a) { return a[0] == a[1] ? 1.0 : 0.0; }));
    }
  }
  const float nan = std::nanf("");
  auto out = RunKernel("Equal", {T_<float>({nan, 0.0f}, {2}), T_<float>({nan, -0.0f}, {2})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<bool>({false, true}, {2}));
}

Fn Sum() {
  return [](const std::vector<double>& a) {
    double s = 0;
    for (double v : a) s += v;
    return s;
  };
}

TEST(CwiseBinaryTest, AddNSameShape) {
  for (DataType t : {DataType::kFloat32, DataType::kInt32, DataType::kInt64}) {
    for (int n : {1, 2, 3, 5}) {
      for (int64_t size : {int64_t{7}, int64_t{1} << 20}) {
        for (bool forward : {false, true}) {
          SCOPED_TRACE(absl::StrCat(DataTypeName(t), " N=", n, " size=", size, " fwd=", forward));
          std::vector<Tensor> in;
          for (int k = 0; k < n; ++k) in.push_back(Random(t, {size}, 10 + k));
          auto out = RunKernel("AddN", in, {}, {.forward_inputs = forward});
          ASSERT_TRUE(out.ok()) << out.status();
          ExpectTensorNear((*out)[0], Reference(in, {size}, t, Sum()), 1e-6, 1e-6);
        }
      }
    }
  }
}

TEST(CwiseBinaryTest, AddNBroadcasts) {
  auto out = RunKernel("AddN", {T_<float>({1, 2, 3}, {3}), T_<float>({10, 20, 30}, {3}),
                                T_<float>({100, 200}, {2, 1})});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectTensorEq((*out)[0], T_<float>({111, 122, 133, 211, 222, 233}, {2, 3}));
  for (bool forward : {false, true}) {
    std::vector<Tensor> in = {Random(DataType::kInt64, {4, 1, 3}, 1),
                              Random(DataType::kInt64, {2, 1}, 2),
                              Random(DataType::kInt64, {}, 3), Random(DataType::kInt64, {4, 2, 3}, 4)};
    out = RunKernel("AddN", in, {}, {.forward_inputs = forward});
    ASSERT_TRUE(out.ok()) << out.status();
    ExpectTensorEq((*out)[0], Reference(in, {4, 2, 3}, DataType::kInt64, Sum()));
  }
  std::vector<Tensor> bad = {T_<float>({1, 2, 3}, {3}), T_<float>({1, 2}, {2})};
  auto err = RunOnPlaceholders("AddN", bad);
  EXPECT_EQ(err.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(err.status().message(), HasSubstr("[3]"));
  EXPECT_THAT(err.status().message(), HasSubstr("[2]"));
}

}  // namespace
}  // namespace graphrt
