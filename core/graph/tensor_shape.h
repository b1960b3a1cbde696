// TensorShape (a fully known shape, used at run time) and PartialShape (a
// shape known only in part, used when a graph is built and checked).
//
// PartialShape: an unknown rank, or a list of dims where -1 means "unknown".
// Thread-safety: plain values.
#ifndef GRAPHRT_CORE_GRAPH_TENSOR_SHAPE_H_
#define GRAPHRT_CORE_GRAPH_TENSOR_SHAPE_H_

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"

namespace graphrt {

using DimVector = absl::InlinedVector<int64_t, 4>;

class TensorShape {
 public:
  TensorShape() = default;  // a scalar
  TensorShape(std::initializer_list<int64_t> dims) : dims_(dims) { Recount(); }
  explicit TensorShape(std::span<const int64_t> dims)
      : dims_(dims.begin(), dims.end()) { Recount(); }

  // Checks every dim >= 0 and the element count fits in int64.
  static absl::StatusOr<TensorShape> Make(std::span<const int64_t> dims);

  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t dim(int i) const { return dims_[i]; }
  std::span<const int64_t> dims() const { return {dims_.data(), dims_.size()}; }
  int64_t num_elements() const { return num_elements_; }

  void AddDim(int64_t size) { dims_.push_back(size); num_elements_ *= size; }
  void set_dim(int i, int64_t size) { dims_[i] = size; Recount(); }

  bool operator==(const TensorShape& other) const { return dims_ == other.dims_; }
  bool operator!=(const TensorShape& other) const { return !(*this == other); }

  // "[2,3]"; "[]" for a scalar.
  std::string DebugString() const;

 private:
  void Recount();
  DimVector dims_;
  int64_t num_elements_ = 1;
};

class PartialShape {
 public:
  PartialShape() = default;  // unknown rank
  PartialShape(std::initializer_list<int64_t> dims) : known_rank_(true), dims_(dims) {}
  explicit PartialShape(std::span<const int64_t> dims)
      : known_rank_(true), dims_(dims.begin(), dims.end()) {}
  PartialShape(const TensorShape& shape)  // NOLINT: a known shape is a partial one
      : PartialShape(shape.dims()) {}

  static PartialShape UnknownRank() { return PartialShape(); }
  static PartialShape Scalar() { return PartialShape(std::span<const int64_t>{}); }

  bool known_rank() const { return known_rank_; }
  int rank() const { return known_rank_ ? static_cast<int>(dims_.size()) : -1; }
  int64_t dim(int i) const { return dims_[i]; }  // -1: unknown
  std::span<const int64_t> dims() const { return {dims_.data(), dims_.size()}; }
  bool fully_defined() const;

  // True when `shape` could be a value of this partial shape.
  bool IsCompatibleWith(const TensorShape& shape) const;
  bool IsCompatibleWith(const PartialShape& other) const;

  // The fully known shape; an error when a dim or the rank is unknown.
  absl::StatusOr<TensorShape> ToTensorShape() const;

  bool operator==(const PartialShape& other) const {
    return known_rank_ == other.known_rank_ && dims_ == other.dims_;
  }

  // "[?,784]"; "<unknown>" for an unknown rank.
  std::string DebugString() const;

 private:
  bool known_rank_ = false;
  DimVector dims_;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_TENSOR_SHAPE_H_
