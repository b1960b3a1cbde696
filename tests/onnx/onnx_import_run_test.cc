// Imported models run: the core converters (Constant in every attribute
// form, Identity, Cast, CastLike, Dropout at inference) against values
// written out from the ONNX operator spec.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/executor/session.h"
#include "core/graph/onnx/onnx_import.h"
#include "tests/onnx/onnx_run_util.h"
#include "tests/onnx/onnx_test_util.h"

namespace graphrt {
namespace {

using onnx::AttributeProto;
using onnx::TensorProto;
using namespace onnx_test;  // NOLINT: test builders
using testing::ElementsAre;

absl::StatusOr<std::vector<Tensor>> RunModel(const onnx::ModelProto& proto,
                                             std::vector<Tensor> inputs = {}) {
  absl::StatusOr<OnnxModel> m = ImportOnnxModel(proto);
  if (!m.ok()) return m.status();
  return RunOnnxModel(std::move(*m), inputs);
}

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.flat<T>().begin(), t.flat<T>().end());
}

TEST(OnnxImportRunTest, ConstantInEveryAttributeForm) {
  onnx::ModelProto m = Model(13);
  AddAttr(AddNode(m, "Constant", {}, {"t"}), "value", AttributeProto::TENSOR)
      ->mutable_t()
      ->CopyFrom(FloatTensor("", {2}, {1.5f, -2}));
  AddAttr(AddNode(m, "Constant", {}, {"f"}), "value_float", AttributeProto::FLOAT)->set_f(0.25f);
  AttributeProto* fs = AddAttr(AddNode(m, "Constant", {}, {"fs"}), "value_floats",
                               AttributeProto::FLOATS);
  fs->add_floats(3);
  fs->add_floats(4);
  AddAttr(AddNode(m, "Constant", {}, {"i"}), "value_int", AttributeProto::INT)->set_i(-7);
  AttributeProto* is = AddAttr(AddNode(m, "Constant", {}, {"is"}), "value_ints",
                               AttributeProto::INTS);
  is->add_ints(1ll << 40);
  is->add_ints(5);
  AddOutput(m, "t", TensorProto::FLOAT, {2});
  AddOutput(m, "f", TensorProto::FLOAT, {});
  AddOutput(m, "fs", TensorProto::FLOAT, {2});
  AddOutput(m, "i", TensorProto::INT64, {});
  AddOutput(m, "is", TensorProto::INT64, {2});
  absl::StatusOr<std::vector<Tensor>> out = RunModel(m);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(1.5f, -2));
  EXPECT_EQ((*out)[1].rank(), 0);
  EXPECT_EQ((*out)[1].scalar<float>(), 0.25f);
  EXPECT_THAT(Values<float>((*out)[2]), ElementsAre(3, 4));
  EXPECT_EQ((*out)[3].scalar<int64_t>(), -7);
  EXPECT_THAT(Values<int64_t>((*out)[4]), ElementsAre(1ll << 40, 5));
}

TEST(OnnxImportRunTest, ConstantRefusesStringsAndSparse) {
  onnx::ModelProto m = Model(13);
  AddAttr(AddNode(m, "Constant", {}, {"s"}, "c"), "value_string", AttributeProto::STRING)
      ->set_s("hi");
  AddOutput(m, "s", TensorProto::STRING, {});
  absl::Status s = ImportOnnxModel(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), testing::HasSubstr("ONNX node 'c' (Constant): string constants"));
}

TEST(OnnxImportRunTest, IdentityOfInputAndOfInitializer) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::INT32, {3});
  *m.mutable_graph()->add_initializer() = FloatTensor("w", {1}, {9});
  AddNode(m, "Identity", {"x"}, {"y"});
  AddNode(m, "Identity", {"w"}, {"z"});
  AddOutput(m, "y", TensorProto::INT32, {3});
  AddOutput(m, "z", TensorProto::FLOAT, {1});
  absl::StatusOr<std::vector<Tensor>> out =
      RunModel(m, {Tensor::FromVector<int32_t>({4, -5, 6})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values<int32_t>((*out)[0]), ElementsAre(4, -5, 6));
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(9));
}

TEST(OnnxImportRunTest, CastAtRunTimeAndFoldedForIntegerConstants) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {3});
  AddAttr(AddNode(m, "Cast", {"x"}, {"y"}), "to", AttributeProto::INT)->set_i(TensorProto::INT32);
  AttributeProto* ints = AddAttr(AddNode(m, "Constant", {}, {"c"}), "value_ints",
                                 AttributeProto::INTS);
  ints->add_ints(0);
  ints->add_ints(300);
  AddAttr(AddNode(m, "Cast", {"c"}, {"b"}), "to", AttributeProto::INT)->set_i(TensorProto::BOOL);
  AddAttr(AddNode(m, "Cast", {"c"}, {"u"}), "to", AttributeProto::INT)->set_i(TensorProto::UINT8);
  AddOutput(m, "y", TensorProto::INT32, {3});
  AddOutput(m, "b", TensorProto::BOOL, {2});
  AddOutput(m, "u", TensorProto::UINT8, {2});
  absl::StatusOr<std::vector<Tensor>> out = RunModel(m, {Tensor::FromVector<float>({1.9f, -2.5f, 0})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values<int32_t>((*out)[0]), ElementsAre(1, -2, 0));  // truncation toward zero
  EXPECT_THAT(Values<bool>((*out)[1]), ElementsAre(false, true));
  EXPECT_THAT(Values<uint8_t>((*out)[2]), ElementsAre(0, 300 % 256));  // wraps modulo 2^8
}

TEST(OnnxImportRunTest, CastToRefusedOrUndefinedTypeNamesTheNode) {
  for (auto [to, code] : {std::pair{int{TensorProto::BFLOAT16}, absl::StatusCode::kUnimplemented},
                          std::pair{0, absl::StatusCode::kInvalidArgument}}) {
    onnx::ModelProto m = Model(13);
    AddInput(m, "x", TensorProto::FLOAT, {1});
    AddAttr(AddNode(m, "Cast", {"x"}, {"y"}, "c"), "to", AttributeProto::INT)->set_i(to);
    AddOutput(m, "y", TensorProto::FLOAT, {1});
    absl::Status s = ImportOnnxModel(m, {.run_checker = false}).status();
    EXPECT_EQ(s.code(), code) << s;
    EXPECT_THAT(s.message(), testing::HasSubstr("ONNX node 'c' (Cast)"));
  }
}

TEST(OnnxImportRunTest, CastLikeTakesTheSecondInputsType) {
  onnx::ModelProto m = Model(15);
  AddInput(m, "x", TensorProto::FLOAT, {2});
  AddInput(m, "like", TensorProto::DOUBLE, {1});
  AddNode(m, "CastLike", {"x", "like"}, {"y"});
  AddOutput(m, "y", TensorProto::DOUBLE, {2});
  absl::StatusOr<std::vector<Tensor>> out =
      RunModel(m, {Tensor::FromVector<float>({0.5f, -1}), Tensor::FromVector<double>({0})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].dtype(), DataType::kFloat64);
  EXPECT_THAT(Values<double>((*out)[0]), ElementsAre(0.5, -1));
}

TEST(OnnxImportRunTest, DropoutIsIdentityWithAllTrueMask) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {-1, 2});
  AddNode(m, "Dropout", {"x"}, {"y", "mask"});
  AddOutput(m, "y", TensorProto::FLOAT, {-1, 2});
  AddOutput(m, "mask", TensorProto::BOOL, {-1, 2});
  absl::StatusOr<std::vector<Tensor>> out =
      RunModel(m, {Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, TensorShape{3, 2})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_EQ((*out)[1].dtype(), DataType::kBool);
  EXPECT_EQ((*out)[1].shape(), (TensorShape{3, 2}));
  EXPECT_THAT(Values<bool>((*out)[1]), testing::Each(true));
}

TEST(OnnxImportRunTest, DropoutBeforeOpset10HasMaskOfInputType) {
  onnx::ModelProto m = Model(7);
  AddInput(m, "x", TensorProto::FLOAT, {2});
  AddNode(m, "Dropout", {"x"}, {"y", "mask"});
  AddOutput(m, "y", TensorProto::FLOAT, {2});
  AddOutput(m, "mask", TensorProto::FLOAT, {2});
  absl::StatusOr<std::vector<Tensor>> out = RunModel(m, {Tensor::FromVector<float>({7, 8})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(1, 1));
}

TEST(OnnxImportRunTest, DropoutTrainingModeWithZeroRatioIsIdentity) {
  onnx::ModelProto m = Model(13);
  AddInput(m, "x", TensorProto::FLOAT, {2});
  *m.mutable_graph()->add_initializer() = FloatTensor("r", {}, {0});
  TensorProto t;
  t.set_name("t");
  t.set_data_type(TensorProto::BOOL);
  t.add_int32_data(1);
  *m.mutable_graph()->add_initializer() = t;
  AddNode(m, "Dropout", {"x", "r", "t"}, {"y"});
  AddOutput(m, "y", TensorProto::FLOAT, {2});
  absl::StatusOr<std::vector<Tensor>> out = RunModel(m, {Tensor::FromVector<float>({7, 8})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(7, 8));
  // A non-zero ratio in training mode is random: refused.
  m.mutable_graph()->mutable_initializer(0)->set_float_data(0, 0.5f);
  EXPECT_EQ(ImportOnnxModel(m).status().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace graphrt
