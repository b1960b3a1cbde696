// LpNormalization, LpPool and GlobalLpPool imported, and the opset-6
// `broadcast` / `axis` attrs of Add & co and PRelu's per-channel slope,
// against loops written here from the ONNX operator spec.
#include <cmath>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/executor/session.h"
#include "core/graph/onnx/onnx_import.h"
#include "tests/onnx/onnx_test_util.h"

namespace graphrt {
namespace {

using onnx::AttributeProto;
using onnx::TensorProto;
using namespace onnx_test;  // NOLINT: test builders

Tensor RunOne(const onnx::ModelProto& proto, const std::vector<Tensor>& inputs) {
  absl::StatusOr<OnnxModel> m = ImportOnnxModel(proto);
  EXPECT_TRUE(m.ok()) << m.status();
  if (!m.ok()) return Tensor();
  FeedList feeds;
  for (size_t i = 0; i < inputs.size(); ++i) feeds.emplace_back(m->inputs[i], inputs[i]);
  auto s = Session::Create(std::move(m->graph));
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return Tensor();
  absl::StatusOr<std::vector<Tensor>> out = (*s)->Run(feeds, {m->outputs[0]});
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? (*out)[0] : Tensor();
}

std::vector<float> Random(int n, int seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-2, 2);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

void SetInt(onnx::NodeProto* n, const char* name, int64_t v) {
  AddAttr(n, name, AttributeProto::INT)->set_i(v);
}
void SetInts(onnx::NodeProto* n, const char* name, const std::vector<int64_t>& v) {
  AttributeProto* a = AddAttr(n, name, AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

TEST(OnnxLpTest, LpNormalizationBothNormsAlongAxis) {
  for (int p : {1, 2}) {
    for (int axis : {0, 1}) {
      onnx::ModelProto m = Model(13);
      AddInput(m, "x", TensorProto::FLOAT, {3, 4});
      onnx::NodeProto* n = AddNode(m, "LpNormalization", {"x"}, {"y"});
      SetInt(n, "p", p);
      SetInt(n, "axis", axis);
      AddOutput(m, "y", TensorProto::FLOAT, {3, 4});
      const std::vector<float> x = Random(12, p * 10 + axis);
      Tensor y = RunOne(m, {Tensor::FromVector(x, TensorShape{3, 4})});
      ASSERT_EQ(y.num_elements(), 12);
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 4; ++j) {
          double norm = 0;
          for (int k = 0; k < (axis == 0 ? 3 : 4); ++k) {
            const double v = axis == 0 ? x[k * 4 + j] : x[i * 4 + k];
            norm += p == 1 ? std::abs(v) : v * v;
          }
          if (p == 2) norm = std::sqrt(norm);
          EXPECT_NEAR(y.flat<float>()[i * 4 + j], x[i * 4 + j] / norm, 1e-5) << p << axis << i << j;
        }
      }
    }
  }
}

// LpPool 2x2, stride 1, pads 1 on [1, 1, 3, 3], p = 1, 2, 3; and the global one.
TEST(OnnxLpTest, LpPoolAndGlobalLpPool) {
  const std::vector<float> x = Random(9, 4);
  for (int p : {1, 2, 3}) {
    onnx::ModelProto m = Model(13);
    AddInput(m, "x", TensorProto::FLOAT, {1, 1, 3, 3});
    onnx::NodeProto* n = AddNode(m, "LpPool", {"x"}, {"y"});
    SetInt(n, "p", p);
    SetInts(n, "kernel_shape", {2, 2});
    SetInts(n, "pads", {1, 1, 1, 1});
    AddOutput(m, "y", TensorProto::FLOAT, {1, 1, 4, 4});
    Tensor y = RunOne(m, {Tensor::FromVector(x, TensorShape{1, 1, 3, 3})});
    ASSERT_EQ(y.num_elements(), 16) << y.ShapeString();
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) {
        double sum = 0;
        for (int di = 0; di < 2; ++di) {
          for (int dj = 0; dj < 2; ++dj) {
            const int r = i - 1 + di, c = j - 1 + dj;
            if (r >= 0 && r < 3 && c >= 0 && c < 3) sum += std::pow(std::abs(x[r * 3 + c]), p);
          }
        }
        EXPECT_NEAR(y.flat<float>()[i * 4 + j], std::pow(sum, 1.0 / p), 1e-5) << p << i << j;
      }
    }

    onnx::ModelProto g = Model(13);
    AddInput(g, "x", TensorProto::FLOAT, {1, 1, 3, 3});
    SetInt(AddNode(g, "GlobalLpPool", {"x"}, {"y"}), "p", p);
    AddOutput(g, "y", TensorProto::FLOAT, {1, 1, 1, 1});
    Tensor gy = RunOne(g, {Tensor::FromVector(x, TensorShape{1, 1, 3, 3})});
    double sum = 0;
    for (float v : x) sum += std::pow(std::abs(v), p);
    ASSERT_EQ(gy.num_elements(), 1);
    EXPECT_NEAR(gy.flat<float>()[0], std::pow(sum, 1.0 / p), 1e-5) << p;
  }
}

// Opset 6 Sub with broadcast 1 and axis 1: B [3] runs along A's axis 1 of
// [2, 3, 2] (numpy alone would align it with the last axis and fail).
TEST(OnnxLegacyBroadcastTest, AxisPlacesB) {
  onnx::ModelProto m = Model(6);
  AddInput(m, "a", TensorProto::FLOAT, {2, 3, 2});
  AddInput(m, "b", TensorProto::FLOAT, {3});
  onnx::NodeProto* n = AddNode(m, "Sub", {"a", "b"}, {"y"});
  SetInt(n, "broadcast", 1);
  SetInt(n, "axis", 1);
  AddOutput(m, "y", TensorProto::FLOAT, {2, 3, 2});
  const std::vector<float> a = Random(12, 1), b = {10, 20, 30};
  Tensor y = RunOne(m, {Tensor::FromVector(a, TensorShape{2, 3, 2}), Tensor::FromVector(b)});
  ASSERT_EQ(y.num_elements(), 12);
  for (int i = 0; i < 12; ++i) EXPECT_FLOAT_EQ(y.flat<float>()[i], a[i] - b[(i / 2) % 3]) << i;
}

TEST(OnnxLegacyBroadcastTest, PReluSlopePerChannel) {
  onnx::ModelProto m = Model(6);
  AddInput(m, "x", TensorProto::FLOAT, {2, 3, 2});
  AddInput(m, "s", TensorProto::FLOAT, {3});
  AddNode(m, "PRelu", {"x", "s"}, {"y"});
  AddOutput(m, "y", TensorProto::FLOAT, {2, 3, 2});
  const std::vector<float> x = Random(12, 2), s = {0.1f, 0.2f, 0.3f};
  Tensor y = RunOne(m, {Tensor::FromVector(x, TensorShape{2, 3, 2}), Tensor::FromVector(s)});
  ASSERT_EQ(y.num_elements(), 12);
  for (int i = 0; i < 12; ++i) {
    const float want = x[i] >= 0 ? x[i] : s[(i / 2) % 3] * x[i];
    EXPECT_FLOAT_EQ(y.flat<float>()[i], want) << i;
  }
}

}  // namespace
}  // namespace graphrt
