// TF import of BatchMatMul / BatchMatMulV2 (core/graph/tf/tf_ops.cc): both
// become graphrt's BatchMatMulV2 with adj_x / adj_y carried over, and the
// imported node's shape is the broadcast batch times the product (the kernel
// itself is tested in tests/kernels/cpu/batch_matmul_op_test.cc).
#include <string>

#include "core/graph/tf/tf_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/tf/tf_test_util.h"

namespace graphrt {
namespace {

using tf_test::Parse;

std::string Placeholder(const std::string& name, const std::string& dims) {
  return "node { name: \"" + name + "\" op: \"Placeholder\" "
         "attr { key: \"dtype\" value { type: DT_FLOAT } } "
         "attr { key: \"shape\" value { shape { " + dims + " } } } }\n";
}

TEST(TfImportNnTest, BatchMatMulV2KeepsAdjointsAndBroadcasts) {
  for (const char* op : {"BatchMatMul", "BatchMatMulV2"}) {
    SCOPED_TRACE(op);
    // x [5, 1, 4, 3] with adj_x is [.., 3, 4]; y [2, 4, 6]: out [5, 2, 3, 6].
    const std::string text =
        Placeholder("x", "dim { size: 5 } dim { size: 1 } dim { size: 4 } dim { size: 3 }") +
        Placeholder("y", "dim { size: 2 } dim { size: 4 } dim { size: 6 }") +
        "node { name: \"mm\" op: \"" + op + "\" input: \"x\" input: \"y\" "
        "attr { key: \"T\" value { type: DT_FLOAT } } "
        "attr { key: \"adj_x\" value { b: true } } }\n";
    absl::StatusOr<Graph> g = ImportTfGraph(Parse(text));
    ASSERT_TRUE(g.ok()) << g.status();
    const Node* mm = g->FindNode("mm");
    ASSERT_NE(mm, nullptr);
    EXPECT_EQ(mm->op(), "BatchMatMulV2");
    EXPECT_TRUE(*mm->attr<bool>("adj_x"));
    EXPECT_FALSE(*mm->attr<bool>("adj_y"));
    EXPECT_EQ(mm->output_shape(0), (PartialShape{5, 2, 3, 6}));
  }
}

TEST(TfImportNnTest, MismatchedInnerDimsNameTheNode) {
  const std::string text = Placeholder("x", "dim { size: 2 } dim { size: 3 } dim { size: 4 }") +
                           Placeholder("y", "dim { size: 2 } dim { size: 5 } dim { size: 6 }") +
                           "node { name: \"bad_mm\" op: \"BatchMatMulV2\" input: \"x\" "
                           "input: \"y\" attr { key: \"T\" value { type: DT_FLOAT } } }\n";
  absl::Status s = ImportTfGraph(Parse(text)).status();
  EXPECT_THAT(s.message(), ::testing::AllOf(::testing::HasSubstr("bad_mm"),
                                            ::testing::HasSubstr("inner dimensions differ")));
}

}  // namespace
}  // namespace graphrt
