// TF import of the ops the ONNX misc family added (Einsum, MatrixDeterminant,
// ReverseSequence): each becomes the graphrt op of TF's name with its attrs
// carried over; a missing required attr is an error naming the node.
#include <string>

#include "core/graph/tf/tf_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/graph/tf/tf_test_util.h"

namespace graphrt {
namespace {

using ::testing::HasSubstr;

using tf_test::Parse;

constexpr char kInputs[] = R"(
  node { name: "a" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
         attr { key: "shape" value { shape { dim { size: 2 } dim { size: 3 } } } } }
  node { name: "b" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
         attr { key: "shape" value { shape { dim { size: 3 } dim { size: 3 } } } } }
  node { name: "len" op: "Placeholder" attr { key: "dtype" value { type: DT_INT64 } }
         attr { key: "shape" value { shape { dim { size: 2 } } } } })";

TEST(TfImportMiscOpsTest, EinsumDeterminantReverseSequence) {
  absl::StatusOr<Graph> g = ImportTfGraph(Parse(std::string(kInputs) + R"(
    node { name: "e" op: "Einsum" input: "a" input: "b"
           attr { key: "equation" value { s: "ij,jk->ik" } } }
    node { name: "d" op: "MatrixDeterminant" input: "b" }
    node { name: "r" op: "ReverseSequence" input: "a" input: "len"
           attr { key: "seq_dim" value { i: 1 } } attr { key: "batch_dim" value { i: 0 } } })"));
  ASSERT_TRUE(g.ok()) << g.status();
  const Node* e = g->FindNode("e");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->op(), "Einsum");
  EXPECT_EQ(e->attr<std::string>("equation").value(), "ij,jk->ik");
  const Node* d = g->FindNode("d");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->op(), "MatrixDeterminant");
  const Node* r = g->FindNode("r");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->op(), "ReverseSequence");
  EXPECT_EQ(r->attr<int64_t>("seq_dim").value(), 1);
  EXPECT_EQ(r->attr<int64_t>("batch_dim").value(), 0);
}

TEST(TfImportMiscOpsTest, MissingAttrsNameTheNode) {
  absl::Status s = ImportTfGraph(Parse(std::string(kInputs) + R"(
    node { name: "e" op: "Einsum" input: "a" input: "b" })")).status();
  EXPECT_THAT(s.message(), HasSubstr("'equation'"));
  EXPECT_THAT(s.message(), HasSubstr("e"));
  s = ImportTfGraph(Parse(std::string(kInputs) + R"(
    node { name: "rev" op: "ReverseSequence" input: "a" input: "len" })")).status();
  EXPECT_THAT(s.message(), HasSubstr("'seq_dim'"));
  EXPECT_THAT(s.message(), HasSubstr("rev"));
}

}  // namespace
}  // namespace graphrt
