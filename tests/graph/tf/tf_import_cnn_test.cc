// TF import of a frozen Keras-style CNN (Conv2D, FusedBatchNormV3 in
// inference, MaxPool, DepthwiseConv2dNative, AvgPool, written as a GraphDef
// here): it imports, runs, and matches the same graph built with graphrt's op
// functions; training-mode batch norm and NCHW are refused naming the node.
#include <string>
#include <vector>

#include "core/executor/session.h"
#include "core/graph/ops/batch_norm_ops.h"
#include "core/graph/ops/conv_ops.h"
#include "core/graph/ops/pooling_ops.h"
#include "core/graph/tf/tf_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/graph/tf/tf_test_util.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using tf_test::Parse;

std::string FloatConst(const std::string& name, const std::vector<int>& dims,
                       const std::vector<float>& values) {
  std::string s = "node { name: '" + name + "' op: 'Const' attr { key: 'dtype' value { type: "
                  "DT_FLOAT } } attr { key: 'value' value { tensor { dtype: DT_FLOAT "
                  "tensor_shape {";
  for (int d : dims) s += " dim { size: " + std::to_string(d) + " }";
  s += " }";
  for (float v : values) s += " float_val: " + std::to_string(v);
  return s + " } } } }\n";
}

std::vector<float> Values(int n, float scale) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = scale * static_cast<float>((i * 7) % 11 - 5);
  return v;
}

std::string CnnGraph(const std::string& format, bool training) {
  auto attrs = [&] {
    return " attr { key: 'T' value { type: DT_FLOAT } } attr { key: 'data_format' value { s: '" +
           format + "' } } attr { key: 'padding' value { s: 'SAME' } }";
  };
  std::string g = R"(node { name: 'images' op: 'Placeholder'
      attr { key: 'dtype' value { type: DT_FLOAT } }
      attr { key: 'shape' value { shape { dim { size: -1 } dim { size: 6 } dim { size: 6 }
                                          dim { size: 1 } } } } }
)";
  g += FloatConst("w", {3, 3, 1, 2}, Values(18, 0.1f));
  g += FloatConst("gamma", {2}, {1.5f, 0.5f}) + FloatConst("beta", {2}, {0.1f, -0.2f});
  g += FloatConst("mean", {2}, {0.05f, -0.1f}) + FloatConst("var", {2}, {0.9f, 1.3f});
  g += FloatConst("dw", {3, 3, 2, 2}, Values(36, 0.05f));
  g += "node { name: 'conv' op: 'Conv2D' input: 'images' input: 'w'" + attrs() +
       " attr { key: 'strides' value { list { i: 1 i: 1 i: 1 i: 1 } } }"
       " attr { key: 'dilations' value { list { i: 1 i: 1 i: 1 i: 1 } } }"
       " attr { key: 'use_cudnn_on_gpu' value { b: true } } }\n";
  g += "node { name: 'bn' op: 'FusedBatchNormV3' input: 'conv' input: 'gamma' input: 'beta'"
       " input: 'mean' input: 'var'"
       " attr { key: 'T' value { type: DT_FLOAT } } attr { key: 'U' value { type: DT_FLOAT } }"
       " attr { key: 'epsilon' value { f: 0.001 } }"
       " attr { key: 'is_training' value { b: " + std::string(training ? "true" : "false") +
       " } } }\n";
  g += "node { name: 'pool' op: 'MaxPool' input: 'bn'" + attrs() +
       " attr { key: 'ksize' value { list { i: 1 i: 2 i: 2 i: 1 } } }"
       " attr { key: 'strides' value { list { i: 1 i: 2 i: 2 i: 1 } } } }\n";
  g += "node { name: 'depthwise' op: 'DepthwiseConv2dNative' input: 'pool' input: 'dw'" +
       attrs() + " attr { key: 'strides' value { list { i: 1 i: 1 i: 1 i: 1 } } } }\n";
  g += "node { name: 'out' op: 'AvgPool' input: 'depthwise'" + attrs() +
       " attr { key: 'ksize' value { list { i: 1 i: 3 i: 3 i: 1 } } }"
       " attr { key: 'strides' value { list { i: 1 i: 3 i: 3 i: 1 } } } }\n";
  return g;
}

TEST(TfImportCnnTest, FrozenCnnMatchesTheSameGraphBuiltWithOps) {
  absl::StatusOr<Graph> imported = ImportTfGraph(Parse(CnnGraph("NHWC", false)));
  ASSERT_TRUE(imported.ok()) << imported.status();
  const Tensor images = testing::RandomFloats({3, 6, 6, 1}, -1, 1, 5);
  auto session = Session::Create(*std::move(imported));
  ASSERT_TRUE(session.ok()) << session.status();
  auto got = (*session)->Run({{"images", images}}, {"out"});
  ASSERT_TRUE(got.ok()) << got.status();

  GraphBuilder b;
  Output x = b.Placeholder(DataType::kFloat32, {-1, 6, 6, 1}, "images");
  auto vec = [&](std::vector<float> v) { return b.Const(Tensor::FromVector<float>(v, {2})); };
  Output h = ops::Conv2D(x, b.Const(Tensor::FromVector<float>(Values(18, 0.1f), {3, 3, 1, 2})));
  h = ops::FusedBatchNormV3(h, vec({1.5f, 0.5f}), vec({0.1f, -0.2f}), vec({0.05f, -0.1f}),
                            vec({0.9f, 1.3f}), {.epsilon = 0.001f, .is_training = false}).y;
  h = ops::MaxPool(h, {.padding = "SAME"});
  h = ops::DepthwiseConv2dNative(
      h, b.Const(Tensor::FromVector<float>(Values(36, 0.05f), {3, 3, 2, 2})));
  Output out = ops::AvgPool(h, {.ksize = {1, 3, 3, 1}, .strides = {1, 3, 3, 1},
                                .padding = "SAME"});
  auto built = Session::Create(b.Build().value());
  ASSERT_TRUE(built.ok()) << built.status();
  auto want = (*built)->Run({{"images", images}}, {out.name()});
  ASSERT_TRUE(want.ok()) << want.status();
  EXPECT_EQ((*got)[0].shape(), (TensorShape{3, 1, 1, 4}));
  testing::ExpectTensorEq((*got)[0], (*want)[0]);
}

TEST(TfImportCnnTest, TrainingBatchNormAndNchwAreRefusedNamingTheNode) {
  absl::Status training = ImportTfGraph(Parse(CnnGraph("NHWC", true))).status();
  EXPECT_THAT(training.message(), AllOf(HasSubstr("bn"), HasSubstr("inference only")));
  absl::Status nchw = ImportTfGraph(Parse(CnnGraph("NCHW", false))).status();
  EXPECT_THAT(nchw.message(), AllOf(HasSubstr("conv"), HasSubstr("NHWC only")));
}

}  // namespace
}  // namespace graphrt
