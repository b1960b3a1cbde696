// The converter table: no (op type, since opset) pair listed twice, lookups
// pick the newest entry at or below the model's opset.
#include "core/graph/onnx/onnx_converters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace graphrt::onnx_import {
namespace {

absl::Status Noop(OnnxContext&) { return absl::OkStatus(); }

TEST(OnnxConvertersTest, NoDuplicateEntries) {
  EXPECT_THAT(DuplicateOnnxConverters(AllOnnxConverterEntries()), testing::IsEmpty());
}

TEST(OnnxConvertersTest, DuplicateDetectionFindsRepeatedPairs) {
  std::vector<OnnxConverter> entries = {
      {"Foo", 7, Noop}, {"Bar", 7, Noop}, {"Foo", 13, Noop}, {"Foo", 7, Noop}};
  EXPECT_THAT(DuplicateOnnxConverters(entries), testing::ElementsAre("Foo since opset 7"));
}

TEST(OnnxConvertersTest, FindPicksNewestEntryAtOrBelowOpset) {
  const OnnxConverter* c = FindOnnxConverter("CastLike", 17);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->since_opset, 15);
  EXPECT_EQ(FindOnnxConverter("CastLike", 14), nullptr);  // CastLike appeared in opset 15
  EXPECT_EQ(FindOnnxConverter("NoSuchOp", 17), nullptr);
}

TEST(OnnxConvertersTest, SupportedOpsAreSortedAndUnique) {
  std::vector<std::string> ops = OnnxConverterOps();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  EXPECT_EQ(std::adjacent_find(ops.begin(), ops.end()), ops.end());
  EXPECT_THAT(ops, testing::IsSupersetOf({"Cast", "CastLike", "Constant", "Dropout", "Identity"}));
}

}  // namespace
}  // namespace graphrt::onnx_import
