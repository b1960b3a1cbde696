// GatherND, ScatterND and ScatterElements on the CPU
// (core/graph/ops/indexing_scatter.h), for every dtype: elements and slices
// are moved by their byte size, so one kernel serves all. Indices are read
// as int64 (negative ones count from the end).
//
// GatherND views data as [B, data dims b..b+k, slice] and indices as
// [B, M, k]; each index tuple picks one slice. ScatterND copies data, then
// writes each slice of updates at its tuple in order (a later duplicate
// wins). ScatterElements copies data, then writes each update at its own
// coordinates with the axis coordinate replaced by the index. With a
// reduction (add, mul, max, min) an update is combined with what is there,
// in index order.
// Errors (INVALID_ARGUMENT, naming the node): an index outside [-n, n),
// shapes that do not fit (updates' shape, the index depth, batch dims).
// Thread-safety: Compute is thread-safe (kernels keep only attrs).
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/indexing_kernels.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

int64_t Product(const TensorShape& s, int from, int to) {
  int64_t p = 1;
  for (int d = from; d < to; ++d) p *= s.dim(d);
  return p;
}

// The flat offset (in elements) of index tuple `idx` (k values) into dims
// [first, first + k) of `shape`, in units of `inner` elements; an index out
// of range is INVALID_ARGUMENT.
absl::StatusOr<int64_t> TupleOffset(const OpKernel& kernel, const TensorShape& shape, int first,
                                    const int64_t* idx, int64_t k) {
  int64_t offset = 0;
  for (int64_t j = 0; j < k; ++j) {
    const int64_t n = shape.dim(first + static_cast<int>(j));
    int64_t i = idx[j];
    if (i < -n || i >= n) {
      return absl::InvalidArgumentError(absl::StrCat(kernel.op(), " '", kernel.name(), "': index ",
                                                     i, " is out of range [", -n, ", ", n,
                                                     ") for dim ", first + j, " of ",
                                                     shape.DebugString()));
    }
    offset = offset * n + (i < 0 ? i + n : i);
  }
  return offset;
}

// How an update lands on its destination: copied ('none'), or combined with
// it by the reduction ('add', 'mul', 'max', 'min'; numeric dtypes but
// float16). n elements of `elem` bytes each.
using WriteFn = void (*)(char* dst, const char* src, int64_t n, int64_t elem);

template <typename T, int kOp>  // kOp: 0 add, 1 mul, 2 max, 3 min
void Combine(char* dst, const char* src, int64_t n, int64_t) {
  T* d = reinterpret_cast<T*>(dst);
  const T* s = reinterpret_cast<const T*>(src);
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (kOp == 0) d[i] = static_cast<T>(d[i] + s[i]);
    else if constexpr (kOp == 1) d[i] = static_cast<T>(d[i] * s[i]);
    else if constexpr (kOp == 2) d[i] = s[i] > d[i] ? s[i] : d[i];
    else d[i] = s[i] < d[i] ? s[i] : d[i];
  }
}

void Copy(char* dst, const char* src, int64_t n, int64_t elem) { std::memcpy(dst, src, n * elem); }

absl::StatusOr<WriteFn> ChooseWrite(const OpKernel& k, const std::string& reduction, DataType dtype) {
  if (reduction == "none") return &Copy;
  const int op = reduction == "add" ? 0 : reduction == "mul" ? 1 : reduction == "max" ? 2
                 : reduction == "min" ? 3 : -1;
  auto refuse = absl::UnimplementedError(absl::StrCat(k.op(), " '", k.name(), "': reduction '",
                                                      reduction, "' on ", DataTypeName(dtype)));
  if (op < 0) return refuse;
  return VisitElementType(
      dtype,
      [&]<typename T>() -> absl::StatusOr<WriteFn> {
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
          constexpr WriteFn fns[] = {&Combine<T, 0>, &Combine<T, 1>, &Combine<T, 2>, &Combine<T, 3>};
          return fns[op];
        } else {
          return refuse;
        }
      },
      absl::StatusOr<WriteFn>(refuse));
}

class GatherNdOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(batch_dims_, c.attr<int64_t>("batch_dims"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int b = static_cast<int>(batch_dims_);
    const int64_t k = indices.rank() == 0 ? -1 : indices.dim(indices.rank() - 1);
    if (indices.rank() < 1 || b < 0 || b >= indices.rank() || b + k > data.rank()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "GatherND '", name(), "': batch_dims ", b, " and indices ", indices.ShapeString(),
          " do not fit data ", data.ShapeString()));
    }
    std::vector<int64_t> dims(indices.shape().dims().begin(), indices.shape().dims().end() - 1);
    for (int d = b + static_cast<int>(k); d < data.rank(); ++d) dims.push_back(data.dim(d));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape(std::span<const int64_t>(dims))));
    const int64_t batches = Product(data.shape(), 0, b);
    const int64_t m = Product(indices.shape(), b, indices.rank() - 1);
    const int64_t slice = Product(data.shape(), b + static_cast<int>(k), data.rank());
    const int64_t batch_size = Product(data.shape(), b, data.rank());
    const int64_t elem = DataTypeSize(data.dtype());
    const std::vector<int64_t> idx = IntsAsInt64(indices);
    const char* src = static_cast<const char*>(data.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    for (int64_t bi = 0; bi < batches; ++bi) {
      for (int64_t j = 0; j < m; ++j) {
        ASSIGN_OR_RETURN(int64_t at, TupleOffset(*this, data.shape(), b, &idx[(bi * m + j) * k], k));
        std::memcpy(dst + (bi * m + j) * slice * elem,
                    src + (bi * batch_size + at * slice) * elem, slice * elem);
      }
    }
    return absl::OkStatus();
  }

 private:
  int64_t batch_dims_ = 0;
};

class ScatterNdOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(reduction_, c.attr<std::string>("reduction"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    const int64_t k = indices.rank() == 0 ? -1 : indices.dim(indices.rank() - 1);
    // updates' shape must be indices[:-1] + data[k:].
    std::vector<int64_t> want;
    if (k >= 0 && k <= data.rank()) {
      want.assign(indices.shape().dims().begin(), indices.shape().dims().end() - 1);
      for (int d = static_cast<int>(k); d < data.rank(); ++d) want.push_back(data.dim(d));
    }
    if (k < 0 || k > data.rank() || updates.shape() != TensorShape(std::span<const int64_t>(want))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ScatterND '", name(), "': updates ", updates.ShapeString(), " must be indices[:-1] + "
          "data[k:] for data ", data.ShapeString(), " and indices ", indices.ShapeString()));
    }
    ASSIGN_OR_RETURN(WriteFn write, ChooseWrite(*this, reduction_, data.dtype()));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, data.shape()));
    const int64_t elem = DataTypeSize(data.dtype());
    std::memcpy(out->raw_data(), data.raw_data(), data.num_elements() * elem);
    const int64_t m = Product(indices.shape(), 0, indices.rank() - 1);
    const int64_t slice = Product(data.shape(), static_cast<int>(k), data.rank());
    const std::vector<int64_t> idx = IntsAsInt64(indices);
    for (int64_t j = 0; j < m; ++j) {
      ASSIGN_OR_RETURN(int64_t at, TupleOffset(*this, data.shape(), 0, &idx[j * k], k));
      write(static_cast<char*>(out->raw_data()) + at * slice * elem,
            static_cast<const char*>(updates.raw_data()) + j * slice * elem, slice, elem);
    }
    return absl::OkStatus();
  }

 private:
  std::string reduction_;
};

class ScatterElementsOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    ASSIGN_OR_RETURN(reduction_, c.attr<std::string>("reduction"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    const int rank = data.rank();
    ASSIGN_OR_RETURN(WriteFn write, ChooseWrite(*this, reduction_, data.dtype()));
    auto error = [&](auto... parts) {
      return absl::InvalidArgumentError(absl::StrCat("ScatterElements '", name(), "': ", parts...));
    };
    if (axis_ < -rank || axis_ >= rank) return error("axis ", axis_, " is out of range for rank ", rank);
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank : axis_);
    if (indices.shape() != updates.shape() || indices.rank() != rank) {
      return error("indices ", indices.ShapeString(), " and updates ", updates.ShapeString(),
                   " must have one shape, of data's rank ", rank);
    }
    for (int d = 0; d < rank; ++d) {
      if (indices.dim(d) > data.dim(d) && d != axis) {
        return error("indices ", indices.ShapeString(), " exceed data ", data.ShapeString(),
                     " in dim ", d);
      }
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, data.shape()));
    const int64_t elem = DataTypeSize(data.dtype());
    std::memcpy(out->raw_data(), data.raw_data(), data.num_elements() * elem);
    const std::vector<int64_t> idx = IntsAsInt64(indices);
    std::vector<int64_t> stride(rank, 1);
    for (int d = rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * data.dim(d + 1);
    const int64_t n = data.dim(axis);
    for (int64_t flat = 0; flat < static_cast<int64_t>(idx.size()); ++flat) {
      int64_t rest = flat, offset = 0;
      for (int d = rank - 1; d >= 0; --d) {
        int64_t c = rest % indices.dim(d);
        rest /= indices.dim(d);
        if (d == axis) {
          c = idx[flat];
          if (c < -n || c >= n) {
            return error("index ", c, " is out of range [", -n, ", ", n, ") along axis ", axis);
          }
          if (c < 0) c += n;
        }
        offset += c * stride[d];
      }
      write(static_cast<char*>(out->raw_data()) + offset * elem,
            static_cast<const char*>(updates.raw_data()) + flat * elem, 1, elem);
    }
    return absl::OkStatus();
  }

 private:
  int64_t axis_ = 0;
  std::string reduction_;
};

}  // namespace

void RegisterScatterKernels(KernelRegistry& r) {
  const std::vector<DataType> ints = {DataType::kInt32, DataType::kInt64};
  r.Register<GatherNdOp>("GatherND", kDeviceCpu, {{"T", AllElementTypes()}, {"Tind", ints}});
  r.Register<ScatterNdOp>("ScatterND", kDeviceCpu, {{"T", AllElementTypes()}, {"Tind", ints}});
  r.Register<ScatterElementsOp>("ScatterElements", kDeviceCpu,
                                {{"T", AllElementTypes()}, {"Tind", ints}});
}

}  // namespace graphrt
