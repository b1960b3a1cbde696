// GatherElements, Tile, Trilu and OneHot on the CPU (core/graph/ops/indexing_ops.h),
// for every dtype: elements move as bytes. Their operands (indices,
// multiples, k) are read when they run.
//
//   GatherElements  out[c] = data[c with c[axis] = indices[c]]; indices in
//                   [-n, n) along the axis, each checked before any copy.
//   Tile            out[c] = in[c mod in.dims]: each output row (all dims
//                   but the last) copies its input row multiples[-1] times.
//   Trilu           keeps (i, j) of each matrix of the last two dims where
//                   j - i >= k (upper) or j - i <= k (lower); zeros elsewhere.
//   OneHot          on_value where the new dim's index is the index, else
//                   off_value (indices out of range give a row of off).
// Errors (INVALID_ARGUMENT): an index out of range, naming it and where;
// multiples that are negative or of the wrong length; k not a scalar.
// Work is split over the intra-op pool by output rows.
// Thread-safety: Compute is thread-safe (kernels keep only their attrs).
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/indexing_kernels.h"

namespace graphrt {
namespace {

class GatherElementsOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int rank = data.rank();
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (indices.rank() != rank || axis < 0 || axis >= rank) {
      return absl::InvalidArgumentError(absl::StrCat(
          "GatherElements: axis ", axis_, " with data ", data.ShapeString(), " and indices ",
          indices.ShapeString(), " (ranks must agree)"));
    }
    const std::vector<int64_t> idx = IntsAsInt64(indices);
    const int64_t n = data.dim(static_cast<int>(axis));
    std::vector<int64_t> stride(rank, 1);  // data's, in elements
    for (int d = rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * data.dim(d + 1);
    // Each output element's data offset, checked before anything is written.
    std::vector<int64_t> from(idx.size());
    for (int64_t i = 0; i < static_cast<int64_t>(idx.size()); ++i) {
      int64_t v = idx[i];
      if (v < -n || v >= n) {
        return absl::InvalidArgumentError(absl::StrCat(
            "GatherElements: index ", v, " at position ", i, " of indices ",
            indices.ShapeString(), " is out of range [", -n, ", ", n, ") for axis ", axis,
            " of data ", data.ShapeString()));
      }
      if (v < 0) v += n;
      int64_t offset = 0;
      for (int64_t d = rank - 1, rest = i; d >= 0; --d) {
        const int64_t c = rest % indices.dim(static_cast<int>(d));
        rest /= indices.dim(static_cast<int>(d));
        if (d != axis && c >= data.dim(static_cast<int>(d))) {
          return absl::InvalidArgumentError(absl::StrCat(
              "GatherElements: indices ", indices.ShapeString(), " exceed data ",
              data.ShapeString(), " along dim ", d));
        }
        offset += (d == axis ? v : c) * stride[d];
      }
      from[i] = offset;
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, indices.shape()));
    const size_t elem = DataTypeSize(data.dtype());
    const char* src = static_cast<const char*>(data.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    ctx.ParallelFor(static_cast<int64_t>(from.size()), 2, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) std::memcpy(dst + i * elem, src + from[i] * elem, elem);
    });
    return absl::OkStatus();
  }

 private:
  int64_t axis_ = 0;
};

class TileOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    const std::vector<int64_t> m = IntsAsInt64(ctx.input(1));
    const int rank = in.rank();
    if (static_cast<int>(m.size()) != rank || ctx.input(1).rank() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Tile: multiples ", ctx.input(1).ShapeString(), " must be a vector of one count per "
          "dim of ", in.ShapeString()));
    }
    std::vector<int64_t> dims(rank);
    for (int d = 0; d < rank; ++d) {
      if (m[d] < 0) {
        return absl::InvalidArgumentError(absl::StrCat("Tile: multiples[", d, "] is ", m[d]));
      }
      dims[d] = in.dim(d) * m[d];
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape(std::span<const int64_t>(dims))));
    const size_t elem = DataTypeSize(in.dtype());
    if (out->num_elements() == 0) return absl::OkStatus();
    if (rank == 0) {
      std::memcpy(out->raw_data(), in.raw_data(), elem);
      return absl::OkStatus();
    }
    const int64_t row_in = in.dim(rank - 1) * static_cast<int64_t>(elem);
    const int64_t rows = out->num_elements() / dims[rank - 1];
    const char* src = static_cast<const char*>(in.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    ctx.ParallelFor(rows, dims[rank - 1] / 16 + 1, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        // The input row this output row repeats: its coordinates mod in's dims.
        int64_t q = r, in_row = 0, scale = 1;
        for (int d = rank - 2; d >= 0; --d) {
          const int64_t c = q % dims[d];
          q /= dims[d];
          in_row += c % in.dim(d) * scale;
          scale *= in.dim(d);
        }
        char* to = dst + r * row_in * m[rank - 1];
        for (int64_t k = 0; k < m[rank - 1]; ++k) {
          std::memcpy(to + k * row_in, src + in_row * row_in, row_in);
        }
      }
    });
    return absl::OkStatus();
  }
};

class TriluOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(upper_, c.attr<bool>("upper"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    if (ctx.input(1).num_elements() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Trilu: k must be a scalar, is ", ctx.input(1).ShapeString()));
    }
    if (in.rank() < 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Trilu: input ", in.ShapeString(), " must have rank >= 2"));
    }
    const int64_t k = ctx.input(1).flat<int64_t>()[0];
    const int64_t rows_per = in.dim(in.rank() - 2), cols = in.dim(in.rank() - 1);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, in.shape()));
    if (out->num_elements() == 0) return absl::OkStatus();
    const size_t elem = DataTypeSize(in.dtype());
    const int64_t rows = in.num_elements() / cols;
    const char* src = static_cast<const char*>(in.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    ctx.ParallelFor(rows, cols / 8 + 1, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t i = r % rows_per;
        for (int64_t j = 0; j < cols; ++j) {
          const bool keep = upper_ ? j - i >= k : j - i <= k;
          char* to = dst + (r * cols + j) * elem;
          if (keep) std::memcpy(to, src + (r * cols + j) * elem, elem);
          else std::memset(to, 0, elem);
        }
      }
    });
    return absl::OkStatus();
  }

 private:
  bool upper_ = true;
};

// OneHot: output [prefix, depth, suffix] around the axis; element (p, d, s)
// is on where indices[p, s] (normalised) is d.
class OneHotOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    ASSIGN_OR_RETURN(wrap_, c.attr<bool>("negative_indices_count_from_end"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& indices = ctx.input(0);
    const Tensor& on = ctx.input(2);
    const Tensor& off = ctx.input(3);
    if (ctx.input(1).num_elements() != 1 || on.num_elements() != 1 || off.num_elements() != 1) {
      return absl::InvalidArgumentError("OneHot: depth, on_value and off_value must be scalars");
    }
    const int64_t depth = ctx.input(1).flat<int32_t>()[0];
    if (depth < 0) return absl::InvalidArgumentError(absl::StrCat("OneHot: depth is ", depth));
    const int rank = indices.rank();
    const int64_t axis = axis_ < 0 ? rank : axis_;
    if (axis > rank) {
      return absl::InvalidArgumentError(absl::StrCat("OneHot: axis ", axis_, " for indices ",
                                                     indices.ShapeString()));
    }
    std::vector<int64_t> dims(indices.shape().dims().begin(), indices.shape().dims().end());
    dims.insert(dims.begin() + axis, depth);
    int64_t prefix = 1, suffix = 1;
    for (int d = 0; d < rank; ++d) (d < axis ? prefix : suffix) *= indices.dim(d);
    std::vector<int64_t> idx;
    if (indices.dtype() == DataType::kUint8) {
      for (uint8_t v : indices.flat<uint8_t>()) idx.push_back(v);
    } else {
      idx = IntsAsInt64(indices);
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape(std::span<const int64_t>(dims))));
    const size_t elem = DataTypeSize(on.dtype());
    char* dst = static_cast<char*>(out->raw_data());
    for (int64_t p = 0; p < prefix; ++p) {
      for (int64_t d = 0; d < depth; ++d) {
        for (int64_t s = 0; s < suffix; ++s) {
          int64_t v = idx[p * suffix + s];
          if (wrap_ && v < 0) v += depth;
          const Tensor& pick = v == d ? on : off;
          std::memcpy(dst + ((p * depth + d) * suffix + s) * elem, pick.raw_data(), elem);
        }
      }
    }
    return absl::OkStatus();
  }

 private:
  int64_t axis_ = -1;
  bool wrap_ = false;
};

}  // namespace

void RegisterIndexingElementKernels(KernelRegistry& r) {
  for (DataType t : {DataType::kInt32, DataType::kInt64}) {
    r.Register<GatherElementsOp>("GatherElements", kDeviceCpu,
                                 {{"T", AllElementTypes()}, {"Tindices", {t}}});
    r.Register<TileOp>("Tile", kDeviceCpu, {{"T", AllElementTypes()}, {"Tmultiples", {t}}});
  }
  r.Register<TriluOp>("Trilu", kDeviceCpu, {{"T", AllElementTypes()}});
  r.Register<OneHotOp>("OneHot", kDeviceCpu,
                       {{"T", AllElementTypes()},
                        {"TI", {DataType::kUint8, DataType::kInt32, DataType::kInt64}}});
}

}  // namespace graphrt
