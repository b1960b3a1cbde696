// CPU kernels of ReverseSequence, Compress, NonZero and MaxUnpool (core/graph/ops/misc_ops.h):
// any dtype, moved as bytes (neither reads the values it moves).
//
// Errors (INVALID_ARGUMENT naming the node): seq_lengths not a vector of
// the batch dim or out of [0, seq dim]; axis out of range; condition not a
// vector or longer than the dim it selects from.
// Thread-safety: Compute is thread-safe.
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

absl::Status NodeError(const OpKernelContext& ctx, absl::string_view op, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("node '", ctx.node_name(), "' (", op, "): ", what));
}

class ReverseSequenceOp final : public OpKernel {
 public:
  explicit ReverseSequenceOp(const OpKernelConstruction& c) : OpKernel(c) {
    if (auto v = c.attr<int64_t>("seq_dim"); v.ok()) seq_dim_ = *v;
    if (auto v = c.attr<int64_t>("batch_dim"); v.ok()) batch_dim_ = *v;
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& lens = ctx.input(1);
    const int rank = x.shape().rank();
    if (seq_dim_ < 0 || seq_dim_ >= rank || batch_dim_ < 0 || batch_dim_ >= rank ||
        seq_dim_ == batch_dim_) {
      return NodeError(ctx, "ReverseSequence",
                       absl::StrCat("seq_dim ", seq_dim_, " and batch_dim ", batch_dim_,
                                    " must be two different dims of ", x.ShapeString()));
    }
    const int64_t batch = x.shape().dim(batch_dim_), seq = x.shape().dim(seq_dim_);
    if (lens.shape().rank() != 1 || lens.num_elements() != batch) {
      return NodeError(ctx, "ReverseSequence",
                       absl::StrCat("seq_lengths must be a vector of ", batch,
                                    " (the batch dim), got ", lens.ShapeString()));
    }
    std::vector<int64_t> len(batch);
    for (int64_t b = 0; b < batch; ++b) {
      len[b] = lens.dtype() == DataType::kInt32 ? lens.data<int32_t>()[b]
                                                : lens.data<int64_t>()[b];
      if (len[b] < 0 || len[b] > seq) {
        return NodeError(ctx, "ReverseSequence",
                         absl::StrCat("seq_lengths[", b, "] = ", len[b], " is not in [0, ",
                                      seq, "]"));
      }
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.shape()));
    const size_t es = DataTypeSize(x.dtype());
    const char* src = static_cast<const char*>(x.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    std::vector<int64_t> stride(rank, 1);
    for (int d = rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * x.shape().dim(d + 1);
    // Element i at (.., b, .., t, ..) comes from t' = len[b] - 1 - t when t < len[b].
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      const int64_t b = (i / stride[batch_dim_]) % batch;
      const int64_t t = (i / stride[seq_dim_]) % seq;
      const int64_t from = t < len[b] ? i + (len[b] - 1 - 2 * t) * stride[seq_dim_] : i;
      std::memcpy(dst + i * es, src + from * es, es);
    }
    return absl::OkStatus();
  }

 private:
  int64_t seq_dim_ = 0, batch_dim_ = 0;
};

class CompressOp final : public OpKernel {
 public:
  explicit CompressOp(const OpKernelConstruction& c) : OpKernel(c) {
    if (auto v = c.attr<int64_t>("axis"); v.ok()) axis_ = *v;
    if (auto v = c.attr<bool>("flatten"); v.ok()) flatten_ = *v;
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& cond = ctx.input(1);
    const int rank = x.shape().rank();
    int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    // Flattened, x is [1, n, 1] with the axis in the middle.
    int64_t outer = 1, dim = x.num_elements(), inner = 1;
    if (!flatten_) {
      if (axis < 0 || axis >= rank) {
        return NodeError(ctx, "Compress", absl::StrCat("axis ", axis_, " is out of range for ",
                                                       x.ShapeString()));
      }
      dim = x.shape().dim(axis);
      for (int d = 0; d < axis; ++d) outer *= x.shape().dim(d);
      for (int d = axis + 1; d < rank; ++d) inner *= x.shape().dim(d);
    }
    if (cond.shape().rank() != 1 || cond.num_elements() > dim) {
      return NodeError(ctx, "Compress",
                       absl::StrCat("condition must be a bool vector of at most ", dim,
                                    " values, got ", cond.ShapeString()));
    }
    std::vector<int64_t> keep;
    for (int64_t i = 0; i < cond.num_elements(); ++i) {
      if (cond.data<bool>()[i]) keep.push_back(i);
    }
    std::vector<int64_t> out_dims;
    if (flatten_) {
      out_dims = {static_cast<int64_t>(keep.size())};
    } else {
      out_dims.assign(x.shape().dims().begin(), x.shape().dims().end());
      out_dims[axis] = static_cast<int64_t>(keep.size());
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape(out_dims)));
    const size_t es = DataTypeSize(x.dtype());
    const char* src = static_cast<const char*>(x.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    const size_t slice = inner * es;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k : keep) {
        std::memcpy(dst, src + (o * dim + k) * slice, slice);
        dst += slice;
      }
    }
    return absl::OkStatus();
  }

 private:
  int64_t axis_ = 0;
  bool flatten_ = false;
};

// Which elements are non-zero, by value: -0.0 is zero, NaN is not.
absl::StatusOr<std::vector<bool>> NonZeroMask(const Tensor& x) {
  std::vector<bool> mask(x.num_elements());
  const bool ok = VisitElementType(x.dtype(), [&]<typename T>() {
    const T* v = x.data<T>();
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      if constexpr (std::is_same_v<T, Float16>) {
        mask[i] = HalfToFloat(v[i]) != 0.0f;
      } else if constexpr (std::is_arithmetic_v<T>) {
        mask[i] = v[i] != T(0);
      } else {
        return false;
      }
    }
    return true;
  }, false);
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("dtype ", DataTypeName(x.dtype())));
  return mask;
}

class NonZeroOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    absl::StatusOr<std::vector<bool>> mask = NonZeroMask(x);
    if (!mask.ok()) {
      return NodeError(ctx, "NonZero", absl::StrCat(mask.status().message(),
                                                    " has no notion of zero here"));
    }
    const int rank = x.shape().rank();
    const int64_t n = std::count(mask->begin(), mask->end(), true);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape{rank, n}));
    int64_t* y = out->data<int64_t>();
    int64_t k = 0;
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      if (!(*mask)[i]) continue;
      int64_t rest = i;
      for (int d = rank - 1; d >= 0; --d) {
        y[d * n + k] = rest % x.shape().dim(d);
        rest /= x.shape().dim(d);
      }
      ++k;
    }
    return absl::OkStatus();
  }
};

class MaxUnpoolOp final : public OpKernel {
 public:
  explicit MaxUnpoolOp(const OpKernelConstruction& c) : OpKernel(c) {
    if (auto v = c.attr<std::vector<int64_t>>("kernel_shape"); v.ok()) kernel_ = *v;
    if (auto v = c.attr<std::vector<int64_t>>("strides"); v.ok()) strides_ = *v;
    if (auto v = c.attr<std::vector<int64_t>>("pads"); v.ok()) pads_ = *v;
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    const Tensor& shape = ctx.input(2);
    const int rank = x.shape().rank(), spatial = rank - 2;
    if (rank < 3 || static_cast<int>(kernel_.size()) != spatial) {
      return NodeError(ctx, "MaxUnpool", absl::StrCat("needs x [N, C, spatial...] with one "
                                                      "kernel_shape value per spatial dim, got x ",
                                                      x.ShapeString(), " and ", kernel_.size(),
                                                      " kernel values"));
    }
    if (idx.shape() != x.shape()) {
      return NodeError(ctx, "MaxUnpool", absl::StrCat("indices ", idx.ShapeString(),
                                                      " must have x's shape ", x.ShapeString()));
    }
    // Note [MaxUnpool indices]: indices are flat positions in the pooled
    // tensor's input, whose shape is the window formula's; an output_shape
    // larger than that keeps each value at the same coordinates (ONNX's
    // example: 4x4 indices placed into a 5x5 output, the extra row and
    // column zero).
    std::vector<int64_t> base_dims(x.shape().dims().begin(), x.shape().dims().end());
    for (int d = 0; d < spatial; ++d) {
      const int64_t stride = d < static_cast<int>(strides_.size()) ? strides_[d] : 1;
      const int64_t pad = static_cast<int>(pads_.size()) == 2 * spatial
                              ? pads_[d] + pads_[spatial + d] : 0;
      base_dims[d + 2] = (x.shape().dim(d + 2) - 1) * stride - pad + kernel_[d];
    }
    std::vector<int64_t> out_dims = base_dims;
    if (shape.num_elements() > 0) {
      if (shape.num_elements() != rank) {
        return NodeError(ctx, "MaxUnpool", absl::StrCat("output_shape must have ", rank,
                                                        " values, got ", shape.ShapeString()));
      }
      out_dims.assign(shape.data<int64_t>(), shape.data<int64_t>() + rank);
    }
    const TensorShape base(base_dims);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape(out_dims)));
    float* y = out->data<float>();
    std::fill(y, y + out->num_elements(), 0.0f);
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      const int64_t at = idx.data<int64_t>()[i];
      int64_t rest = at, pos = 0, mult = 1;
      bool inside = at >= 0 && at < base.num_elements();
      for (int d = rank - 1; d >= 0 && inside; --d) {
        const int64_t c = rest % base_dims[d];
        rest /= base_dims[d];
        inside = c < out_dims[d];
        pos += c * mult;
        mult *= out_dims[d];
      }
      if (!inside) {
        return NodeError(ctx, "MaxUnpool", absl::StrCat("index ", at, " at ", i,
                                                        " is outside the unpooled shape ",
                                                        base.DebugString(), " or the output ",
                                                        out->ShapeString()));
      }
      y[pos] = x.data<float>()[i];
    }
    return absl::OkStatus();
  }

 private:
  std::vector<int64_t> kernel_, strides_, pads_;
};

}  // namespace

void RegisterSelectKernels(KernelRegistry& r) {
  r.Register<ReverseSequenceOp>("ReverseSequence", kDeviceCpu);
  r.Register<CompressOp>("Compress", kDeviceCpu);
  r.Register<NonZeroOp>("NonZero", kDeviceCpu);
  r.Register<MaxUnpoolOp>("MaxUnpool", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
