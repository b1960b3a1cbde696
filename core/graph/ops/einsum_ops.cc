#include "core/graph/ops/einsum_ops.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "core/graph/ops/einsum_equation.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

// The output shape from the equation when every operand's rank is known.
absl::Status EinsumShape(ShapeContext& c) {
  absl::StatusOr<std::string> equation = c.attr<std::string>("equation");
  if (!equation.ok()) return c.Error(equation.status().message());
  std::vector<int> ranks;
  std::vector<std::vector<int64_t>> dims;
  for (int i = 0; i < c.num_inputs(); ++i) {
    if (!c.input(i).known_rank()) {
      c.set_output(0, PartialShape::UnknownRank());
      return absl::OkStatus();
    }
    ranks.push_back(c.input(i).rank());
    dims.emplace_back(c.input(i).dims().begin(), c.input(i).dims().end());
  }
  absl::StatusOr<EinsumEquation> eq = ParseEinsumEquation(*equation, ranks);
  if (!eq.ok()) return c.Error(eq.status().message());
  absl::StatusOr<std::vector<int64_t>> sizes = EinsumLabelSizes(*eq, dims);
  if (!sizes.ok()) return c.Error(sizes.status().message());
  std::vector<int64_t> out;
  for (int l : eq->output_labels) out.push_back((*sizes)[l]);
  c.set_output(0, PartialShape(std::span<const int64_t>(out)));
  return absl::OkStatus();
}

}  // namespace

void RegisterEinsumOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("Einsum")
                       .Input("inputs: N * T")
                       .Output("output: T")
                       .Attr("N", AttrType::kInt)
                       .TypeAttr("T", {DataType::kFloat32, DataType::kFloat64})
                       .Attr("equation", AttrType::kString)
                       .Shape(EinsumShape)
                       .Doc("Einstein summation (numpy/ONNX rules: ellipsis, diagonals, implicit "
                            "output)."));
}

namespace ops {

Output Einsum(std::span<const Output> inputs, const std::string& equation,
              absl::string_view name) {
  if (inputs.empty() || !inputs[0].valid()) return Output();
  return inputs[0].builder()->Op("Einsum", inputs, {{"equation", equation}}, name);
}

}  // namespace ops
}  // namespace graphrt
