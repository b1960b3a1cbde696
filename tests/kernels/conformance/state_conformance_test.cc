// Conformance of Cast (between every dtype pair the CPU supports that a
// model uses) and of resource variables: AssignVariable, AssignAddVariable,
// ApplyGradientDescent and ReadVariable over several steps, so the value
// must persist on the device between runs. See conformance.h.
#include <cmath>
#include <vector>

#include "core/graph/ops/array_ops.h"
#include "tests/kernels/conformance/conformance.h"

namespace graphrt::conformance {
namespace {

GRAPHRT_CONFORMANCE_SUITE(StateConformance);

// `x` cast to `dst`; the expected value is the C++ conversion of the
// reference: truncation toward zero for float -> int, != 0 for -> bool.
Case Cast(Tensor x, DataType dst) {
  Case c;
  c.expected = {MakeTensor(dst, x.shape(), [&](int64_t i) {
    const double v = ValueAt(x, i);
    return dst == DataType::kBool ? (v != 0 ? 1.0 : 0.0) : std::trunc(v);
  })};
  if (dst == DataType::kFloat32) {
    c.expected = {MakeTensor(dst, x.shape(), [&](int64_t i) { return ValueAt(x, i); })};
  }
  c.inputs = {std::move(x)};
  c.build = [dst](GraphBuilder&, const Inputs& in) { return Fetches{ops::Cast(in[0], dst, "op")}; };
  return c;
}

TEST_P(StateConformance, CastFloatToInt32Truncates) {
  RunCase(Cast(RandomTensor({7, 9}, 1, -100, 100), DataType::kInt32));
}
TEST_P(StateConformance, CastInt32ToFloat) {
  RunCase(Cast(RandomInts(DataType::kInt32, {7, 9}, 2, -1 << 20, 1 << 20), DataType::kFloat32));
}
TEST_P(StateConformance, CastFloatToInt64) {
  RunCase(Cast(RandomTensor({5, 3}, 3, -1e6, 1e6), DataType::kInt64));
}
TEST_P(StateConformance, CastInt64ToFloat) {
  RunCase(Cast(RandomInts(DataType::kInt64, {5, 3}, 4, -1 << 20, 1 << 20), DataType::kFloat32));
}
// The MLP's input path: uint8 images to float32.
TEST_P(StateConformance, CastUint8ToFloat) {
  RunCase(Cast(RandomInts(DataType::kUint8, {4, 28, 28}, 5, 0, 255), DataType::kFloat32));
}
TEST_P(StateConformance, CastFloatToBool) {
  Tensor x = RandomTensor({6, 6}, 6);
  for (int64_t i = 0; i < x.num_elements(); i += 3) x.data<float>()[i] = 0.0f;
  RunCase(Cast(x, DataType::kBool));
}
TEST_P(StateConformance, CastBoolToFloat) {
  RunCase(Cast(RandomInts(DataType::kBool, {6, 6}, 7, 0, 1), DataType::kFloat32));
}
TEST_P(StateConformance, CastFloatToFloat) {
  RunCase(Cast(RandomTensor({3, 3}, 8), DataType::kFloat32));
}

// v -= alpha * delta, three steps; each step's Read follows its update (the
// builder orders them), so the fetch after step 3 is the third update.
TEST_P(StateConformance, VariableApplyGradientDescent) {
  const Tensor init = RandomTensor({4, 5}, 9);
  Case c;
  c.inputs = {Tensor::Scalar<float>(0.1f), RandomTensor({4, 5}, 10)};
  c.build = [init](GraphBuilder& b, const Inputs& in) {
    Variable v = b.NewVariable("v", init);
    v.ApplyGradientDescent(in[0], in[1], "op");
    return Fetches{v.Read("read")};
  };
  c.steps = 3;
  std::vector<float> v(init.flat<float>().begin(), init.flat<float>().end());
  for (int step = 0; step < c.steps; ++step) {
    for (size_t i = 0; i < v.size(); ++i) v[i] -= 0.1f * c.inputs[1].data<float>()[i];
  }
  c.expected = {MakeTensor(DataType::kFloat32, {4, 5}, [&](int64_t i) { return v[i]; })};
  RunCase(c);
}

// Assign then AssignAdd in one step: the builder orders them as written.
TEST_P(StateConformance, VariableAssignThenAssignAdd) {
  Case c;
  c.inputs = {RandomTensor({8}, 11), RandomTensor({8}, 12)};
  c.build = [](GraphBuilder& b, const Inputs& in) {
    Variable v = b.NewVariable("v", MakeTensor(DataType::kFloat32, {8}, [](int64_t) { return 0; }));
    v.Assign(in[0], "assign");
    v.AssignAdd(in[1], "op");
    return Fetches{v.Read("read")};
  };
  c.steps = 2;
  c.expected = {RefBinary(c.inputs[0], c.inputs[1], [](double a, double b) { return a + b; })};
  RunCase(c);
}

// Accumulates across steps: the value lives in the device's memory.
TEST_P(StateConformance, VariableAssignAddAccumulates) {
  Case c;
  c.inputs = {RandomTensor({3, 3}, 13)};
  const Tensor init = RandomTensor({3, 3}, 14);
  c.build = [init](GraphBuilder& b, const Inputs& in) {
    Variable v = b.NewVariable("v", init);
    v.AssignAdd(in[0], "op");
    return Fetches{v.Read("read")};
  };
  c.steps = 4;
  std::vector<float> v(init.flat<float>().begin(), init.flat<float>().end());
  for (int step = 0; step < c.steps; ++step) {
    for (size_t i = 0; i < v.size(); ++i) v[i] += c.inputs[0].data<float>()[i];
  }
  c.expected = {MakeTensor(DataType::kFloat32, {3, 3}, [&](int64_t i) { return v[i]; })};
  RunCase(c);
}

TEST_P(StateConformance, Int32VariableAssignAdd) {
  Case c;
  c.inputs = {Tensor::FromVector<int32_t>({1, -2, 3})};
  c.build = [](GraphBuilder& b, const Inputs& in) {
    Variable v = b.NewVariable("v", Tensor::FromVector<int32_t>({10, 20, 30}));
    v.AssignAdd(in[0], "op");
    return Fetches{v.Read("read")};
  };
  c.steps = 2;
  c.expected = {Tensor::FromVector<int32_t>({12, 16, 36})};
  RunCase(c);
}

}  // namespace
}  // namespace graphrt::conformance
