// Placement exports: JSON, Graphviz DOT and the log_device_placement lines.
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "core/base/json.h"
#include "core/placer/placement.h"

namespace graphrt {
namespace {

constexpr const char* kPalette[] = {"#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f",
                                    "#cab2d6", "#ffff99", "#1f78b4", "#33a02c"};

// Copy nodes and the edges that move tensors between devices (Note [Copy edges]).
constexpr const char* kCopyColour = "#e31a1c";
constexpr const char* kCopyShape = "shape=cds, margin=\"0.3,0.15\", style=\"filled,bold\"";
constexpr const char* kCopyEdge =
    "style=bold, penwidth=2, color=\"#e31a1c\", fontcolor=\"#e31a1c\"";

bool IsCopy(const Node& n) { return n.op() == "_Copy"; }

// "CPU:1" from "/job:localhost/replica:0/task:0/device:CPU:1".
absl::string_view Short(absl::string_view device) {
  const size_t at = device.rfind("device:");
  return at == absl::string_view::npos ? device : device.substr(at + 7);
}

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
  auto fill = [&](const std::string& device) {
    return kPalette[colour[device] % std::size(kPalette)];
  };
  // Note [Copy edges]: a data edge moves a tensor between devices when its
  // endpoints are placed apart (before partitioning) or when it enters or
  // leaves a "_Copy" node (after). Both kinds are drawn bold in kCopyColour;
  // the one that crosses devices is labelled with the two devices.
  bool any_copy = false;
  for (int i = 0; i < graph.num_nodes() && !any_copy; ++i) {
    const Node& n = graph.node(i);
    any_copy = IsCopy(n);
    for (const Endpoint& e : n.inputs()) {
      any_copy |= placement[e.node].device != placement[i].device;
    }
  }
  std::string out = "digraph placement {\n  node [style=filled, shape=box];\n";
  absl::StrAppend(&out, "  subgraph cluster_legend {\n    label=\"devices\";\n");
  for (size_t d = 0; d < order.size(); ++d) {
    absl::StrAppend(&out, "    legend_", d, " [label=", JsonQuote(order[d]), ", fillcolor=\"",
                    kPalette[d % std::size(kPalette)], "\"];\n");
  }
  if (any_copy) {
    absl::StrAppend(&out,
                    "    legend_copy [label=\"_Copy: moves a tensor between devices\\n"
                    "(bold red edges)\", ",
                    kCopyShape, ", color=\"", kCopyColour, "\", fillcolor=white];\n");
  }
  out += "  }\n";
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node& n = graph.node(i);
    const NodePlacement& p = placement[i];
    absl::StrAppend(&out, "  n", i, " [label=", JsonQuote(absl::StrCat(n.name(), "\n", n.op())),
                    ", tooltip=", JsonQuote(absl::StrCat(p.rule, ": ", p.reason)),
                    ", fillcolor=\"", fill(p.device), "\"");
    if (IsCopy(n)) {
      absl::StrAppend(&out, ", ", kCopyShape, ", color=\"", kCopyColour, "\"");
    }
    out += "];\n";
  }
  for (int i = 0; i < graph.num_nodes(); ++i) {
    const Node& n = graph.node(i);
    for (const Endpoint& e : n.inputs()) {
      absl::StrAppend(&out, "  n", e.node, " -> n", i);
      const std::string& from = placement[e.node].device;
      const std::string& to = placement[i].device;
      if (from != to) {
        absl::StrAppend(&out, " [", kCopyEdge, ", label=",
                        JsonQuote(absl::StrCat("copy ", Short(from), " -> ", Short(to))), "]");
      } else if (IsCopy(n) || IsCopy(graph.node(e.node))) {
        absl::StrAppend(&out, " [", kCopyEdge, "]");
      }
      out += ";\n";
    }
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
