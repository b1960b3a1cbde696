// Placement exports: JSON, Graphviz DOT and the log_device_placement lines.
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "core/memory/json.h"
#include "core/placer/placement.h"

namespace graphrt {
namespace {

constexpr const char* kPalette[] = {"#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f",
                                    "#cab2d6", "#ffff99", "#1f78b4", "#33a02c"};

}  // namespace

std::string PlacementToJson(const Graph& graph, std::span<const NodePlacement> placement) {
  std::string out = "[";
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node& n = graph.node(i);
    const NodePlacement& p = placement[i];
    absl::StrAppend(&out, i == 0 ? "\n" : ",\n", "  {\"node\": ", JsonQuote(n.name()),
                    ", \"op\": ", JsonQuote(n.op()), ", \"device\": ", JsonQuote(p.device),
                    ", \"requested\": ", JsonQuote(p.requested), ", \"rule\": ",
                    JsonQuote(p.rule), ", \"reason\": ", JsonQuote(p.reason),
                    ", \"group\": ", JsonQuote(p.group), "}");
  }
  return out + "\n]\n";
}

std::string PlacementToDot(const Graph& graph, std::span<const NodePlacement> placement) {
  absl::flat_hash_map<std::string, int> colour;
  std::vector<std::string> order;
  for (const NodePlacement& p : placement) {
    if (colour.emplace(p.device, static_cast<int>(order.size())).second) order.push_back(p.device);
  }
  std::string out = "digraph placement {\n  node [style=filled, shape=box];\n";
  absl::StrAppend(&out, "  subgraph cluster_legend {\n    label=\"devices\";\n");
  for (size_t d = 0; d < order.size(); ++d) {
    absl::StrAppend(&out, "    legend_", d, " [label=", JsonQuote(order[d]), ", fillcolor=\"",
                    kPalette[d % std::size(kPalette)], "\"];\n");
  }
  out += "  }\n";
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node& n = graph.node(i);
    const NodePlacement& p = placement[i];
    absl::StrAppend(&out, "  n", i, " [label=", JsonQuote(absl::StrCat(n.name(), "\n", n.op())),
                    ", tooltip=", JsonQuote(absl::StrCat(p.rule, ": ", p.reason)),
                    ", fillcolor=\"", kPalette[colour[p.device] % std::size(kPalette)], "\"];\n");
  }
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node& n = graph.node(i);
    for (const Endpoint& e : n.inputs()) absl::StrAppend(&out, "  n", e.node, " -> n", i, ";\n");
    for (int c : n.control_inputs()) {
      absl::StrAppend(&out, "  n", c, " -> n", i, " [style=dashed];\n");
    }
  }
  return out + "}\n";
}

std::string PlacementLog(const Graph& graph, std::span<const NodePlacement> placement) {
  std::string log;
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node& n = graph.node(i);
    absl::StrAppend(&log, n.name(), " (", n.op(), "): ", placement[i].device, "\n");
  }
  return log;
}

}  // namespace graphrt
