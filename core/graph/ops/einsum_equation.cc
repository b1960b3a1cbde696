#include "core/graph/ops/einsum_equation.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace graphrt {
namespace {

constexpr int kEllipsisBase = 52;

int LetterLabel(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return 26 + (c - 'A');
  return -1;
}

// One term's labels; ellipsis dims numbered from the right so terms align:
// the last ellipsis dim of every term is label kEllipsisBase + width - 1.
absl::StatusOr<std::vector<int>> ParseTerm(const std::string& term, int rank, int width,
                                           bool is_output, int* own_width) {
  std::vector<int> letters_before, letters_after;
  bool ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    if (term.compare(i, 3, "...") == 0) {
      if (ellipsis) return absl::InvalidArgumentError(absl::StrCat("term '", term, "' has two ellipses"));
      ellipsis = true;
      i += 2;
      continue;
    }
    const int l = LetterLabel(term[i]);
    if (l < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("term '", term, "' has '", std::string(1, term[i]),
                       "': labels are letters a-z, A-Z, and '...'"));
    }
    (ellipsis ? letters_after : letters_before).push_back(l);
  }
  const int letters = static_cast<int>(letters_before.size() + letters_after.size());
  int ew = 0;
  if (is_output) {
    ew = ellipsis ? width : 0;
  } else {
    ew = rank - letters;
    if (ew < 0 || (!ellipsis && ew != 0)) {
      return absl::InvalidArgumentError(absl::StrCat("term '", term, "' has ", letters,
                                                     " labels for an operand of rank ", rank));
    }
  }
  *own_width = ew;
  std::vector<int> out = letters_before;
  for (int k = 0; k < ew; ++k) out.push_back(kEllipsisBase + (width - ew) + k);
  out.insert(out.end(), letters_after.begin(), letters_after.end());
  return out;
}

}  // namespace

absl::StatusOr<EinsumEquation> ParseEinsumEquation(const std::string& equation,
                                                   const std::vector<int>& ranks) {
  std::string eq;
  for (char c : equation) {
    if (c != ' ') eq += c;
  }
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms = absl::StrSplit(lhs, ',');
  if (terms.size() != ranks.size()) {
    return absl::InvalidArgumentError(absl::StrCat("equation '", equation, "' has ", terms.size(),
                                                   " input terms for ", ranks.size(), " inputs"));
  }
  // The widest ellipsis: each term's is its rank minus its letters.
  int width = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (terms[i].find("...") == std::string::npos) continue;
    int letters = 0;
    for (char c : terms[i]) letters += LetterLabel(c) >= 0;
    width = std::max(width, ranks[i] - letters);
  }
  EinsumEquation out;
  std::map<int, int> count;
  for (size_t i = 0; i < terms.size(); ++i) {
    int ew = 0;
    absl::StatusOr<std::vector<int>> labels = ParseTerm(terms[i], ranks[i], width, false, &ew);
    if (!labels.ok()) return labels.status();
    for (int l : *labels) ++count[l];
    out.operand_labels.push_back(*std::move(labels));
  }
  if (arrow != std::string::npos) {
    int ew = 0;
    absl::StatusOr<std::vector<int>> labels = ParseTerm(eq.substr(arrow + 2), 0, width, true, &ew);
    if (!labels.ok()) return labels.status();
    std::vector<int> seen;
    for (int l : *labels) {
      if (std::find(seen.begin(), seen.end(), l) != seen.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("equation '", equation, "' names an output label twice"));
      }
      if (!count.contains(l)) {
        return absl::InvalidArgumentError(
            absl::StrCat("equation '", equation, "' has an output label no input has"));
      }
      seen.push_back(l);
    }
    out.output_labels = *std::move(labels);
  } else {
    for (int k = 0; k < width; ++k) out.output_labels.push_back(kEllipsisBase + k);
    for (const auto& [l, n] : count) {  // std::map: alphabetical, a-z before A-Z
      if (l < kEllipsisBase && n == 1) out.output_labels.push_back(l);
    }
  }
  out.num_labels = kEllipsisBase + width;
  return out;
}

absl::StatusOr<std::vector<int64_t>> EinsumLabelSizes(
    const EinsumEquation& eq, const std::vector<std::vector<int64_t>>& dims) {
  std::vector<int64_t> size(eq.num_labels, -2);  // -2: not seen yet
  for (size_t i = 0; i < eq.operand_labels.size(); ++i) {
    for (size_t d = 0; d < eq.operand_labels[i].size(); ++d) {
      const int l = eq.operand_labels[i][d];
      const int64_t n = dims[i][d];
      int64_t& s = size[l];
      const bool ellipsis = l >= kEllipsisBase;
      if (s == -2 || s == -1) {  // first sight, or unknown so far
        if (s == -2 || n != -1) s = n;
        continue;
      }
      if (n == -1 || n == s || (ellipsis && n == 1)) continue;
      if (ellipsis && s == 1) {  // the earlier dim of 1 broadcasts
        s = n;
        continue;
      }
      const std::string name = l >= kEllipsisBase
                                   ? absl::StrCat("ellipsis dim ", l - kEllipsisBase)
                                   : std::string(1, static_cast<char>(l < 26 ? 'a' + l : 'A' + l - 26));
      return absl::InvalidArgumentError(absl::StrCat("label ", name, " is ", s,
                                                     " in one place and ", n, " in input ", i));
    }
  }
  for (int64_t& s : size) {
    if (s == -2) s = 1;  // a label no operand has (an empty ellipsis)
  }
  return size;
}

}  // namespace graphrt
