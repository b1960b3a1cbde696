// The placement exports' Graphviz DOT: copies between two logical CPU
// devices are marked, and the text stays well-formed DOT (balanced braces,
// every edge endpoint declared, one declaration per graph node).
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/graph/builder.h"
#include "core/graph/ops/math_ops.h"
#include "core/placer/partition.h"
#include "core/placer/placement.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/placer/kernel_descriptors.h"

namespace graphrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// The line of `dot` that starts (after indentation) with `prefix`; "" if none.
std::string LineStartingWith(const std::string& dot, const std::string& prefix) {
  std::istringstream in(dot);
  for (std::string line; std::getline(in, line);) {
    const size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, prefix.size(), prefix) == 0) return line;
  }
  return "";
}

// A light structural check of the DOT PlacementToDot writes: it opens with
// "digraph", braces balance and never go negative outside quoted strings,
// quotes pair up, every "nA -> nB" names declared nodes, and n0..n{N-1} are
// each declared once.
::testing::AssertionResult PlausibleDot(const std::string& dot, int num_nodes) {
  if (dot.rfind("digraph ", 0) != 0) return ::testing::AssertionFailure() << "no digraph";
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < dot.size(); ++i) {
    const char c = dot[i];
    if (quoted) {
      if (c == '\\') {
        ++i;  // an escaped character
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '{' || c == '}') {
      depth += c == '{' ? 1 : -1;
      if (depth < 0) return ::testing::AssertionFailure() << "'}' without '{' at " << i;
    }
  }
  if (quoted) return ::testing::AssertionFailure() << "unterminated string";
  if (depth != 0) return ::testing::AssertionFailure() << "unbalanced braces: " << depth;

  std::multiset<std::string> declared;
  std::vector<std::pair<std::string, std::string>> edges;
  std::istringstream in(dot);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string a, arrow, b;
    words >> a >> arrow;
    if (a.empty() || a[0] != 'n' || a.find_first_not_of("0123456789", 1) != std::string::npos) {
      continue;  // the header, the legend, attributes, braces
    }
    if (arrow == "->") {
      words >> b;
      if (!b.empty() && b.back() == ';') b.pop_back();
      edges.emplace_back(a, b);
    } else if (arrow.rfind("[", 0) == 0) {
      declared.insert(a);
    }
  }
  for (int i = 0; i < num_nodes; ++i) {
    const std::string id = absl::StrCat("n", i);
    if (declared.count(id) != 1) {
      return ::testing::AssertionFailure() << id << " declared " << declared.count(id) << " times";
    }
  }
  if (declared.size() != static_cast<size_t>(num_nodes)) {
    return ::testing::AssertionFailure() << declared.size() << " nodes for " << num_nodes;
  }
  for (const auto& [from, to] : edges) {
    if (!declared.contains(from) || !declared.contains(to)) {
      return ::testing::AssertionFailure() << "edge " << from << " -> " << to << " undeclared";
    }
  }
  return ::testing::AssertionSuccess();
}

class PlacementExportTest : public ::testing::Test {
 protected:
  // x on CPU:0; y = x + x and z = y * x on CPU:1 (x crosses once).
  void BuildTwoDeviceGraph() {
    Output x;
    {
      GraphBuilder::DeviceScope cpu0(b_, "/cpu:0");
      x = b_.Scalar<float>(2.0f, "x");
    }
    GraphBuilder::DeviceScope cpu1(b_, "/cpu:1");
    Output y = ops::Add(x, x, "y");
    ops::Mul(y, x, "z");
  }
  std::vector<NodePlacement> Place() {
    auto g = b_.Build();
    EXPECT_TRUE(g.ok()) << g.status();
    graph_ = std::make_unique<Graph>(*std::move(g));
    auto p = PlaceGraph(*graph_, devices_,
                        testing::CpuKernelsAnd({}));
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *std::move(p) : std::vector<NodePlacement>{};
  }
  GraphBuilder b_;
  std::unique_ptr<Graph> graph_;
  std::vector<DeviceAttributes> devices_ = {CpuDeviceAttributes(0), CpuDeviceAttributes(1)};
};

TEST_F(PlacementExportTest, CopyNodeAndItsEdgesAreMarkedAfterPartitioning) {
  BuildTwoDeviceGraph();
  std::vector<NodePlacement> placement = Place();
  ASSERT_EQ(placement.size(), static_cast<size_t>(graph_->num_nodes()));
  auto parts = PartitionGraph(*graph_, placement, devices_);
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->num_copies, 1);  // one copy of x, shared by y and z
  const Graph& g = parts->graph;
  int copy = -1;
  for (int i = 0; i < g.num_nodes(); ++i) {
    if (g.node(i).op() == "_Copy") copy = i;
  }
  ASSERT_GE(copy, 0);
  const int x = g.FindNode("x")->id(), y = g.FindNode("y")->id(), z = g.FindNode("z")->id();

  const std::string dot = PlacementToDot(g, parts->placement);
  EXPECT_TRUE(PlausibleDot(dot, g.num_nodes())) << dot;
  // The copy node: an arrow shape with a red outline, filled as CPU:1.
  EXPECT_THAT(LineStartingWith(dot, absl::StrCat("n", copy, " [")),
              AllOf(HasSubstr("_Copy"), HasSubstr("shape=cds"), HasSubstr("#e31a1c"),
                    HasSubstr("fillcolor=\"#b2df8a\"")));
  // Into the copy: crosses devices, bold, red and labelled.
  EXPECT_THAT(LineStartingWith(dot, absl::StrCat("n", x, " -> n", copy)),
              AllOf(HasSubstr("style=bold"), HasSubstr("color=\"#e31a1c\""),
                    HasSubstr("label=\"copy CPU:0 -> CPU:1\"")));
  // Out of the copy to both consumers: bold and red, on one device (no label).
  for (int consumer : {y, z}) {
    const std::string edge = LineStartingWith(dot, absl::StrCat("n", copy, " -> n", consumer));
    EXPECT_THAT(edge,
                AllOf(HasSubstr("style=bold"), HasSubstr("#e31a1c"), Not(HasSubstr("label"))));
  }
  // x no longer feeds y or z directly; y -> z stays a plain edge.
  EXPECT_EQ(LineStartingWith(dot, absl::StrCat("n", x, " -> n", y)), "");
  EXPECT_EQ(LineStartingWith(dot, absl::StrCat("n", y, " -> n", z)),
            absl::StrCat("  n", y, " -> n", z, ";"));
  // The legend names both devices and explains the marking.
  EXPECT_THAT(dot, AllOf(HasSubstr("device:CPU:0"), HasSubstr("device:CPU:1"),
                         HasSubstr("legend_copy"), HasSubstr("_Copy: moves a tensor")));
}

TEST_F(PlacementExportTest, CrossDeviceEdgesAreLabelledBeforePartitioning) {
  BuildTwoDeviceGraph();
  std::vector<NodePlacement> placement = Place();
  ASSERT_EQ(placement.size(), static_cast<size_t>(graph_->num_nodes()));
  const int x = graph_->FindNode("x")->id(), z = graph_->FindNode("z")->id();
  const std::string dot = PlacementToDot(*graph_, placement);
  EXPECT_TRUE(PlausibleDot(dot, graph_->num_nodes())) << dot;
  EXPECT_THAT(LineStartingWith(dot, absl::StrCat("n", x, " -> n", z)),
              AllOf(HasSubstr("style=bold"), HasSubstr("label=\"copy CPU:0 -> CPU:1\"")));
  // No copy nodes yet: the only arrow shape is the legend's.
  size_t shapes = 0;
  for (size_t at = dot.find("shape=cds"); at != std::string::npos;
       at = dot.find("shape=cds", at + 1)) {
    ++shapes;
  }
  EXPECT_EQ(shapes, 1u);
}

TEST_F(PlacementExportTest, OneDeviceHasNoCopyMarking) {
  devices_ = {CpuDeviceAttributes(0)};
  Output a = b_.Scalar<float>(1.0f, "a");
  ops::Mul(ops::Add(a, a, "sum"), a, "product");
  std::vector<NodePlacement> placement = Place();
  ASSERT_EQ(placement.size(), static_cast<size_t>(graph_->num_nodes()));
  const std::string dot = PlacementToDot(*graph_, placement);
  EXPECT_TRUE(PlausibleDot(dot, graph_->num_nodes())) << dot;
  EXPECT_THAT(dot, AllOf(Not(HasSubstr("copy")), Not(HasSubstr("cds")),
                         Not(HasSubstr("#e31a1c")), HasSubstr("legend_0")));
}

}  // namespace
}  // namespace graphrt
