// TensorFromOnnx / DataTypeFromOnnx: every mapped dtype from its typed field
// and from raw_data, and the refusals (strings, complex, bfloat16, external
// data, wrong counts).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/onnx/onnx_import.h"
#include "tests/onnx/onnx_test_util.h"

namespace graphrt::onnx_import {
namespace {

using onnx::TensorProto;
using testing::HasSubstr;

TEST(OnnxTensorTest, MapsEveryNumericType) {
  const std::pair<int, DataType> cases[] = {
      {TensorProto::FLOAT, DataType::kFloat32},  {TensorProto::DOUBLE, DataType::kFloat64},
      {TensorProto::FLOAT16, DataType::kFloat16}, {TensorProto::INT8, DataType::kInt8},
      {TensorProto::INT16, DataType::kInt16},    {TensorProto::INT32, DataType::kInt32},
      {TensorProto::INT64, DataType::kInt64},    {TensorProto::UINT8, DataType::kUint8},
      {TensorProto::UINT16, DataType::kUint16},  {TensorProto::UINT32, DataType::kUint32},
      {TensorProto::UINT64, DataType::kUint64},  {TensorProto::BOOL, DataType::kBool}};
  for (auto [onnx_type, dtype] : cases) {
    absl::StatusOr<DataType> got = DataTypeFromOnnx(onnx_type);
    ASSERT_TRUE(got.ok()) << onnx_type;
    EXPECT_EQ(*got, dtype) << onnx_type;
  }
}

TEST(OnnxTensorTest, RefusesStringsComplexAndBfloat16WithReason) {
  EXPECT_THAT(DataTypeFromOnnx(TensorProto::STRING).status().message(), HasSubstr("string"));
  EXPECT_THAT(DataTypeFromOnnx(TensorProto::COMPLEX64).status().message(), HasSubstr("complex"));
  EXPECT_THAT(DataTypeFromOnnx(TensorProto::COMPLEX128).status().message(), HasSubstr("complex"));
  EXPECT_THAT(DataTypeFromOnnx(TensorProto::BFLOAT16).status().message(), HasSubstr("bfloat16"));
  EXPECT_EQ(DataTypeFromOnnx(TensorProto::STRING).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(DataTypeFromOnnx(99).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(OnnxTensorTest, ReadsTypedFields) {
  TensorProto f = onnx_test::FloatTensor("f", {2, 2}, {1, -2, 3.5f, 4});
  absl::StatusOr<Tensor> t = TensorFromOnnx(f);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->shape(), (TensorShape{2, 2}));
  EXPECT_THAT(std::vector<float>(t->flat<float>().begin(), t->flat<float>().end()),
              testing::ElementsAre(1, -2, 3.5f, 4));

  TensorProto i8;
  i8.set_data_type(TensorProto::INT8);
  i8.add_dims(3);
  for (int v : {-128, 0, 127}) i8.add_int32_data(v);
  t = TensorFromOnnx(i8);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), DataType::kInt8);
  EXPECT_EQ(t->data<int8_t>()[0], -128);
  EXPECT_EQ(t->data<int8_t>()[2], 127);

  TensorProto u64;
  u64.set_data_type(TensorProto::UINT64);
  u64.add_dims(1);
  u64.add_uint64_data(~0ull);
  t = TensorFromOnnx(u64);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->data<uint64_t>()[0], ~0ull);

  TensorProto h;  // float16 bits in int32_data: 0x3C00 is 1.0
  h.set_data_type(TensorProto::FLOAT16);
  h.add_int32_data(0x3C00);
  t = TensorFromOnnx(h);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->rank(), 0);
  EXPECT_EQ(HalfToFloat(t->data<Float16>()[0]), 1.0f);

  TensorProto b;
  b.set_data_type(TensorProto::BOOL);
  b.add_dims(2);
  b.add_int32_data(1);
  b.add_int32_data(0);
  t = TensorFromOnnx(b);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->data<bool>()[0]);
  EXPECT_FALSE(t->data<bool>()[1]);

  TensorProto d;
  d.set_data_type(TensorProto::DOUBLE);
  d.add_dims(1);
  d.add_double_data(0.1);
  t = TensorFromOnnx(d);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->data<double>()[0], 0.1);
}

TEST(OnnxTensorTest, ReadsRawData) {
  TensorProto r;
  r.set_data_type(TensorProto::INT64);
  r.add_dims(2);
  int64_t values[2] = {-5, 1ll << 40};
  r.set_raw_data(std::string(reinterpret_cast<const char*>(values), sizeof(values)));
  absl::StatusOr<Tensor> t = TensorFromOnnx(r);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->data<int64_t>()[0], -5);
  EXPECT_EQ(t->data<int64_t>()[1], 1ll << 40);
}

TEST(OnnxTensorTest, RefusesBadCountsNegativeDimsAndExternalData) {
  TensorProto few = onnx_test::FloatTensor("w", {3}, {1, 2});
  EXPECT_THAT(TensorFromOnnx(few).status().message(), HasSubstr("'w': 2 values"));
  TensorProto raw;
  raw.set_name("r");
  raw.set_data_type(TensorProto::FLOAT);
  raw.add_dims(2);
  raw.set_raw_data("abc");
  EXPECT_EQ(TensorFromOnnx(raw).status().code(), absl::StatusCode::kInvalidArgument);
  TensorProto neg = onnx_test::FloatTensor("n", {-1}, {});
  EXPECT_THAT(TensorFromOnnx(neg).status().message(), HasSubstr("negative dimension"));
  TensorProto ext = onnx_test::FloatTensor("big", {1}, {});
  ext.set_data_location(TensorProto::EXTERNAL);
  onnx::StringStringEntryProto* loc = ext.add_external_data();
  loc->set_key("location");
  loc->set_value("weights.bin");
  absl::Status s = TensorFromOnnx(ext).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.message(), HasSubstr("external file"));
  TensorProto str;
  str.set_name("s");
  str.set_data_type(TensorProto::STRING);
  EXPECT_THAT(TensorFromOnnx(str).status().message(), HasSubstr("'s': ONNX dtype string"));
}

TEST(OnnxTensorTest, ParseOnnxTensorRefusesGarbage) {
  EXPECT_EQ(ParseOnnxTensor("\xff\xff\xff").status().code(), absl::StatusCode::kDataLoss);
  TensorProto f = onnx_test::FloatTensor("f", {1}, {7});
  absl::StatusOr<Tensor> t = ParseOnnxTensor(f.SerializeAsString());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->data<float>()[0], 7);
}

}  // namespace
}  // namespace graphrt::onnx_import
