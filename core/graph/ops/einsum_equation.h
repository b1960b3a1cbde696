// Einsum equations ("bij,bjk->bik", "...ii->...i", "i,i"): parsed against
// the operands' ranks into integer labels, for the Einsum op's shape
// function (einsum_ops.cc) and its CPU kernel (kernels/cpu/einsum_op.cc).
//
// Rules (numpy's and ONNX's): spaces are ignored; letters a-z and A-Z are
// labels; "..." stands for the dims a term's letters leave over, aligned
// from the right across terms and broadcast (a dim of 1 stretches); a label
// repeated within a term takes the diagonal; with no "->" the output is the
// ellipsis dims then the labels used once, in alphabetical order. Labels
// missing from the output are summed over.
//
// Thread-safety: plain values.
#ifndef GRAPHRT_CORE_GRAPH_OPS_EINSUM_EQUATION_H_
#define GRAPHRT_CORE_GRAPH_OPS_EINSUM_EQUATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace graphrt {

struct EinsumEquation {
  // Per operand, one label per dim. Ellipsis dims get labels >= 52, one per
  // broadcast position (52 is the leftmost of the widest ellipsis).
  std::vector<std::vector<int>> operand_labels;
  std::vector<int> output_labels;
  int num_labels = 0;  // labels are in [0, num_labels)
};

// `ranks` are the operands' ranks. INVALID_ARGUMENT saying what is wrong
// (operand count, a term's length against its rank, a bad character, an
// output label no input has, a label twice in the output).
absl::StatusOr<EinsumEquation> ParseEinsumEquation(const std::string& equation,
                                                   const std::vector<int>& ranks);

// Each label's size from the operands' dims (-1 where unknown); a dim of 1
// under an ellipsis label broadcasts. INVALID_ARGUMENT naming the label and
// the two sizes when they disagree.
absl::StatusOr<std::vector<int64_t>> EinsumLabelSizes(
    const EinsumEquation& eq, const std::vector<std::vector<int64_t>>& dims);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_EINSUM_EQUATION_H_
