// Graph construction and validation: every bad graph gets a status that
// names the node at fault.
#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

NodeDef Placeholder(const std::string& name, DataType dtype = DataType::kFloat32) {
  return NodeDef{name, "Placeholder", {}, "", {{"dtype", dtype}}};
}

NodeDef Node(const std::string& name, const std::string& op, std::vector<std::string> inputs) {
  return NodeDef{name, op, std::move(inputs), "", {}};
}

TEST(GraphTest, BuildsFromDefsInAnyOrderAndRoundTrips) {
  std::vector<NodeDef> defs = {Node("sum", "Add", {"a", "b"}), Placeholder("a"),
                               Placeholder("b"), Node("after", "NoOp", {"^sum"})};
  absl::StatusOr<Graph> g = Graph::FromNodeDefs(defs);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->num_nodes(), 4);
  const graphrt::Node* sum = g->FindNode("sum");
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(sum->op(), "Add");
  ASSERT_EQ(sum->num_inputs(), 2);
  EXPECT_EQ(g->node(sum->input(0).node).name(), "a");
  EXPECT_EQ(g->node(sum->input(1).node).name(), "b");
  EXPECT_EQ(sum->output_type(0), DataType::kFloat32);
  // Inputs precede their consumers in id order.
  for (int id = 0; id < g->num_nodes(); ++id) {
    for (const Endpoint& e : g->node(id).inputs()) EXPECT_LT(e.node, id);
    for (int c : g->node(id).control_inputs()) EXPECT_LT(c, id);
  }
  absl::StatusOr<Graph> again = Graph::FromNodeDefs(g->ToNodeDefs());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->num_nodes(), 4);
  const graphrt::Node* after = again->FindNode("after");
  ASSERT_NE(after, nullptr);
  ASSERT_EQ(after->control_inputs().size(), 1u);
  EXPECT_EQ(again->node(after->control_inputs()[0]).name(), "sum");
}

TEST(GraphTest, UnknownOpNamesNodeAndOp) {
  auto g = Graph::FromNodeDefs({Node("mystery", "Frobnicate", {})});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(g.status().message(),
              AllOf(HasSubstr("'mystery'"), HasSubstr("unknown op 'Frobnicate'")));
}

TEST(GraphTest, WrongArityNamesNodeAndExpectedInputs) {
  auto g = Graph::FromNodeDefs({Placeholder("a"), Node("lonely_add", "Add", {"a"})});
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(),
              AllOf(HasSubstr("'lonely_add'"), HasSubstr("expects 2 inputs"), HasSubstr("got 1")));
}

TEST(GraphTest, DtypeMismatchNamesNodeInputAndTypes) {
  auto g = Graph::FromNodeDefs(
      {Placeholder("f"), Placeholder("i", DataType::kInt32), Node("mixed", "Add", {"f", "i"})});
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), AllOf(HasSubstr("'mixed'"), HasSubstr("input 1"),
                                          HasSubstr("float32"), HasSubstr("int32")));
}

TEST(GraphTest, DuplicateNameIsRejectedWithASuggestion) {
  auto g = Graph::FromNodeDefs({Placeholder("x"), Placeholder("x")});
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), AllOf(HasSubstr("duplicate"), HasSubstr("'x'")));

  Graph graph;
  ASSERT_TRUE(graph.AddNode(Placeholder("x")).ok());
  auto again = graph.AddNode(Placeholder("x"));
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(), HasSubstr("try 'x_1'"));
  EXPECT_EQ(graph.num_nodes(), 1);
}

TEST(GraphTest, UnknownInputIsNotFound) {
  auto g = Graph::FromNodeDefs({Node("id", "Identity", {"ghost"})});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(g.status().message(), AllOf(HasSubstr("'id'"), HasSubstr("ghost")));
}

TEST(GraphTest, OutputIndexOutOfRangeIsRejected) {
  auto g = Graph::FromNodeDefs({Placeholder("a"), Node("id", "Identity", {"a:3"})});
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), AllOf(HasSubstr("'id'"), HasSubstr("a:3")));
}

TEST(GraphTest, DataCycleNamesTheNodesOnIt) {
  auto g = Graph::FromNodeDefs({Placeholder("src"), Node("p", "Identity", {"q"}),
                                Node("q", "Identity", {"p"}), Node("ok", "Identity", {"src"})});
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), AllOf(HasSubstr("cycle"), HasSubstr("p"), HasSubstr("q")));
  EXPECT_THAT(g.status().message(), ::testing::Not(HasSubstr("ok")));
}

TEST(GraphTest, ControlCycleThroughDefsIsFound) {
  auto g = Graph::FromNodeDefs({Node("m", "NoOp", {"^n"}), Node("n", "NoOp", {"^m"})});
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), HasSubstr("cycle"));
}

TEST(GraphTest, AddControlEdgeRejectsCyclesAndKeepsTheGraphValid) {
  Graph g;
  ASSERT_TRUE(g.AddNode(Placeholder("a")).ok());
  ASSERT_TRUE(g.AddNode(Node("b", "Identity", {"a"})).ok());
  ASSERT_TRUE(g.AddNode(Node("c", "Identity", {"b"})).ok());
  ASSERT_TRUE(g.AddNode(Node("d", "NoOp", {})).ok());
  // c -> a closes a -> b -> c -> a.
  absl::Status s = g.AddControlEdge(2, 0);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("c -> a"), HasSubstr("cycle")));
  EXPECT_TRUE(g.node(0).control_inputs().empty());
  // A backwards edge that closes nothing is fine, and later cycle checks
  // see it: d -> a, then a -> d would close a loop.
  EXPECT_TRUE(g.AddControlEdge(3, 0).ok());
  EXPECT_FALSE(g.AddControlEdge(2, 3).ok());
  EXPECT_FALSE(g.AddControlEdge(0, 0).ok());
  // Repeated edges are kept once.
  EXPECT_TRUE(g.AddControlEdge(3, 0).ok());
  EXPECT_EQ(g.node(0).control_inputs().size(), 1u);
  EXPECT_TRUE(g.Validate().ok());
  // The ids are no longer a topological order; a rebuild reorders them.
  auto rebuilt = Graph::FromNodeDefs(g.ToNodeDefs());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_LT(rebuilt->FindNode("d")->id(), rebuilt->FindNode("a")->id());
}

TEST(GraphTest, MissingRequiredAttrAndUnknownAttr) {
  auto missing = Graph::FromNodeDefs({Node("p", "Placeholder", {})});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), AllOf(HasSubstr("'p'"), HasSubstr("'dtype'")));
  NodeDef extra = Placeholder("q");
  extra.attrs["colour"] = int64_t{3};
  auto unknown = Graph::FromNodeDefs({extra});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), AllOf(HasSubstr("'q'"), HasSubstr("colour")));
}

TEST(GraphTest, ShapeFunctionErrorsNameTheNode) {
  NodeDef a = Placeholder("a");
  a.attrs["shape"] = PartialShape({2, 3});
  NodeDef b = Placeholder("b");
  b.attrs["shape"] = PartialShape({4, 5});
  auto g = Graph::FromNodeDefs({a, b, Node("bad_add", "Add", {"a", "b"})});
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), HasSubstr("bad_add"));
}

TEST(GraphTest, UniqueNameCountsUp) {
  Graph g;
  EXPECT_EQ(g.UniqueName("x"), "x");
  ASSERT_TRUE(g.AddNode(Placeholder("x")).ok());
  EXPECT_EQ(g.UniqueName("x"), "x_1");
  ASSERT_TRUE(g.AddNode(Placeholder("x_1")).ok());
  ASSERT_TRUE(g.AddNode(Placeholder("x_2")).ok());
  EXPECT_EQ(g.UniqueName("x"), "x_3");
}

}  // namespace
}  // namespace graphrt
