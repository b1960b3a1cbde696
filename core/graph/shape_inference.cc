#include "core/graph/shape_inference.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace graphrt {

absl::Status ShapeContext::Error(absl::string_view message) const {
  return absl::InvalidArgumentError(
      absl::StrCat("node '", node_name_, "' (", def_.name, "): ", message));
}

absl::Status UnchangedShape(ShapeContext& c) {
  for (int i = 0; i < c.num_outputs(); ++i) c.set_output(i, c.input(0));
  return absl::OkStatus();
}

absl::Status ScalarShape(ShapeContext& c) {
  for (int i = 0; i < c.num_outputs(); ++i) c.set_output(i, PartialShape::Scalar());
  return absl::OkStatus();
}

absl::Status BroadcastShapeFn(ShapeContext& c) {
  if (c.num_inputs() == 0) return c.Error("needs at least one input to broadcast");
  PartialShape out = c.input(0);
  for (int i = 1; i < c.num_inputs(); ++i) {
    auto b = BroadcastPartialShapes(out, c.input(i));
    if (!b.ok()) return c.Error(b.status().message());
    out = *b;
  }
  c.set_output(0, out);
  return absl::OkStatus();
}

absl::Status LikeShapeFn(ShapeContext& c) {
  auto b = BroadcastPartialShapes(c.input(0), c.input(1));
  if (!b.ok()) return c.Error(b.status().message());
  c.set_output(0, c.input(1));
  return absl::OkStatus();
}

absl::StatusOr<TensorShape> BroadcastShapes(const TensorShape& a, const TensorShape& b) {
  if (a == b) return a;
  const int rank = std::max(a.rank(), b.rank());
  DimVector dims(rank);
  for (int i = 0; i < rank; ++i) {
    const int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    const int64_t da = ia >= 0 ? a.dim(ia) : 1, db = ib >= 0 ? b.dim(ib) : 1;
    if (da != db && da != 1 && db != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "shapes ", a.DebugString(), " and ", b.DebugString(),
          " cannot be broadcast: dimension ", i, " is ", da, " vs ", db));
    }
    dims[i] = da == 1 ? db : da;
  }
  return TensorShape(std::span<const int64_t>(dims.data(), dims.size()));
}

absl::StatusOr<PartialShape> BroadcastPartialShapes(const PartialShape& a,
                                                    const PartialShape& b) {
  if (!a.known_rank() || !b.known_rank()) return PartialShape::UnknownRank();
  const int rank = std::max(a.rank(), b.rank());
  DimVector dims(rank);
  for (int i = 0; i < rank; ++i) {
    const int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    const int64_t da = ia >= 0 ? a.dim(ia) : 1, db = ib >= 0 ? b.dim(ib) : 1;
    if (da == 1) {
      dims[i] = db;
    } else if (db == 1) {
      dims[i] = da;
    } else if (da < 0 || db < 0) {
      dims[i] = da < 0 ? db : da;  // unknown vs n: n if it broadcasts at all
    } else if (da != db) {
      return absl::InvalidArgumentError(absl::StrCat(
          "shapes ", a.DebugString(), " and ", b.DebugString(),
          " cannot be broadcast: dimension ", i, " is ", da, " vs ", db));
    } else {
      dims[i] = da;
    }
  }
  return PartialShape(std::span<const int64_t>(dims.data(), dims.size()));
}

absl::StatusOr<std::vector<int>> NormalizeAxes(std::span<const int64_t> axes, int rank) {
  std::vector<int> out;
  if (axes.empty()) {
    for (int i = 0; i < rank; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) {
      return absl::InvalidArgumentError(absl::StrCat(
          "axis ", a, " is out of range for rank ", rank, " (valid: ", -rank, " to ",
          rank - 1, ")"));
    }
    out.push_back(static_cast<int>(a < 0 ? a + rank : a));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace graphrt
