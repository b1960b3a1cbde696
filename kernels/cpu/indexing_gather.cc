// GatherV2 on the CPU (core/graph/ops/indexing_ops.h), for every dtype:
// elements move as bytes, so one kernel per index type serves them all.
//
// The problem is [outer, pre, n, inner] for params and [outer, k] for the
// indices, where outer spans the batch dims, pre the dims between them and
// the axis, n the axis and inner the dims after it (in bytes): output row
// (b, p, j) is params row (b, p, indices[b, j]). Every index is checked
// before anything is copied, so a bad one fails the step cleanly; rows are
// then copied with memcpy, split over the intra-op pool.
//
// Errors (INVALID_ARGUMENT): an index outside [-n, n), naming it, its
// position and the axis; shapes that disagree with the attrs (the shape
// function catches them at build time when the shapes are known).
// Thread-safety: Compute is thread-safe (the kernel keeps only its attrs).
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/indexing_kernels.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

template <typename Index>
class GatherV2Op final : public OpKernel {
 public:
  using OpKernel::OpKernel;

  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(axis_, c.attr<int64_t>("axis"));
    ASSIGN_OR_RETURN(batch_dims_, c.attr<int64_t>("batch_dims"));
    return absl::OkStatus();
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& params = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int64_t rank = params.rank(), irank = indices.rank();
    int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    int64_t batch = batch_dims_ < 0 ? batch_dims_ + irank : batch_dims_;
    if (axis < 0 || axis >= rank || batch < 0 || batch > irank || batch > axis) {
      return absl::InvalidArgumentError(absl::StrCat(
          "GatherV2: axis ", axis_, " and batch_dims ", batch_dims_, " do not fit params ",
          params.ShapeString(), " and indices ", indices.ShapeString()));
    }
    std::vector<int64_t> dims;
    int64_t outer = 1, pre = 1, inner = DataTypeSize(params.dtype()), k = 1;
    for (int64_t d = 0; d < axis; ++d) {
      if (d < batch) {
        if (params.dim(d) != indices.dim(d)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "GatherV2: batch dim ", d, " differs: params ", params.ShapeString(),
              ", indices ", indices.ShapeString()));
        }
        outer *= params.dim(d);
      } else {
        pre *= params.dim(d);
      }
      dims.push_back(params.dim(d));
    }
    for (int64_t d = batch; d < irank; ++d) {
      k *= indices.dim(d);
      dims.push_back(indices.dim(d));
    }
    for (int64_t d = axis + 1; d < rank; ++d) {
      inner *= params.dim(d);
      dims.push_back(params.dim(d));
    }
    const int64_t n = params.dim(axis);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape(dims)));
    if (out->num_elements() == 0) return absl::OkStatus();
    // Check and normalise every index first: no partial output on error.
    const Index* idx = indices.data<Index>();
    std::vector<int64_t> rows(outer * k);
    for (int64_t i = 0; i < outer * k; ++i) {
      int64_t v = static_cast<int64_t>(idx[i]);
      if (v < -n || v >= n) {
        return absl::InvalidArgumentError(absl::StrCat(
            "GatherV2: index ", v, " at position ", i, " of indices ", indices.ShapeString(),
            " is out of range [", -n, ", ", n, ") for axis ", axis, " of params ",
            params.ShapeString()));
      }
      rows[i] = v < 0 ? v + n : v;
    }
    const char* src = static_cast<const char*>(params.raw_data());
    char* dst = static_cast<char*>(out->raw_data());
    // One unit per output row (b, p, j).
    ctx.ParallelFor(outer * pre * k, inner / 64 + 1, [&](int64_t begin, int64_t end) {
      for (int64_t u = begin; u < end; ++u) {
        const int64_t j = u % k, bp = u / k, b = bp / pre;
        const int64_t row = (bp * n + rows[b * k + j]) * inner;
        std::memcpy(dst + u * inner, src + row, inner);
      }
    });
    return absl::OkStatus();
  }

 private:
  int64_t axis_ = 0;
  int64_t batch_dims_ = 0;
};

}  // namespace

void RegisterIndexingKernels(KernelRegistry& r) {
  r.Register<GatherV2Op<int32_t>>("GatherV2", kDeviceCpu,
                                  {{"Tparams", AllElementTypes()}, {"Tindices", {DataType::kInt32}}});
  r.Register<GatherV2Op<int64_t>>("GatherV2", kDeviceCpu,
                                  {{"Tparams", AllElementTypes()}, {"Tindices", {DataType::kInt64}}});
  RegisterIndexingElementKernels(r);
  RegisterCumsumKernels(r);
  RegisterTopKKernels(r);
  RegisterDynamicIndexingKernels(r);
  RegisterScatterKernels(r);
}

}  // namespace graphrt
