// Einsum on the CPU (core/graph/ops/einsum_ops.h): float32 and float64.
//
// Note [Einsum as one loop over every label]
// Rationale: the ONNX models that use Einsum run it on small operands
// (attention heads, bilinear forms); one loop over every label's index,
// multiplying the operands' elements and adding into the output, handles
// diagonals, broadcasting and any operand count with no special cases.
// Approach: labels split into output labels (outer loop, split over the
// intra-op pool) and summed labels (inner loop); each operand has a stride
// per label (repeated labels add their strides: the diagonal; broadcast
// dims of 1 get 0). Accumulation is in double.
// Limitations: O(product of every label's size) with no contraction
// reordering, so a large "bij,bjk->bik" is far slower than BatchMatMul; a
// model with big Einsums should be rewritten to MatMul until this kernel
// dispatches to the GEMM.
//
// Errors (INVALID_ARGUMENT naming the node): the equation against the
// operands' ranks and dims (einsum_equation.h).
// Thread-safety: Compute is thread-safe.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "core/graph/ops/einsum_equation.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

template <typename T>
class EinsumOp final : public OpKernel {
 public:
  explicit EinsumOp(const OpKernelConstruction& c) : OpKernel(c) {
    if (auto e = c.attr<std::string>("equation"); e.ok()) equation_ = *e;
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(
          absl::StrCat("node '", ctx.node_name(), "' (Einsum '", equation_, "'): ", what));
    };
    const int n = ctx.num_inputs();
    std::vector<int> ranks(n);
    std::vector<std::vector<int64_t>> dims(n);
    for (int i = 0; i < n; ++i) {
      const TensorShape& s = ctx.input(i).shape();
      ranks[i] = s.rank();
      dims[i].assign(s.dims().begin(), s.dims().end());
    }
    absl::StatusOr<EinsumEquation> eq = ParseEinsumEquation(equation_, ranks);
    if (!eq.ok()) return error(eq.status().message());
    absl::StatusOr<std::vector<int64_t>> sizes = EinsumLabelSizes(*eq, dims);
    if (!sizes.ok()) return error(sizes.status().message());

    std::vector<int> out_labels = eq->output_labels, sum_labels;
    std::vector<bool> in_output(eq->num_labels, false);
    for (int l : out_labels) in_output[l] = true;
    std::vector<bool> used(eq->num_labels, false);
    for (const auto& labels : eq->operand_labels) {
      for (int l : labels) used[l] = true;
    }
    for (int l = 0; l < eq->num_labels; ++l) {
      if (used[l] && !in_output[l]) sum_labels.push_back(l);
    }
    // stride[i][l]: how far operand i moves when label l steps by one.
    std::vector<std::vector<int64_t>> stride(n, std::vector<int64_t>(eq->num_labels, 0));
    for (int i = 0; i < n; ++i) {
      int64_t s = 1;
      for (int d = ranks[i] - 1; d >= 0; --d) {
        const int l = eq->operand_labels[i][d];
        if (dims[i][d] != 1 || (*sizes)[l] == 1) stride[i][l] += s;
        s *= dims[i][d];
      }
    }
    std::vector<int64_t> out_dims;
    for (int l : out_labels) out_dims.push_back((*sizes)[l]);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape(out_dims)));
    const int64_t total = out->num_elements();
    int64_t inner = 1;
    for (int l : sum_labels) inner *= (*sizes)[l];
    std::vector<const T*> data(n);
    for (int i = 0; i < n; ++i) data[i] = ctx.input(i).data<T>();
    T* y = out->data<T>();
    const std::vector<int64_t>& size = *sizes;
    ctx.ParallelFor(total, std::max<int64_t>(1, inner * n), [&](int64_t b, int64_t e) {
      std::vector<int64_t> base(n), off(n), idx(sum_labels.size());
      for (int64_t o = b; o < e; ++o) {
        // Operand offsets of output element o.
        std::fill(base.begin(), base.end(), 0);
        int64_t rest = o;
        for (int k = static_cast<int>(out_labels.size()) - 1; k >= 0; --k) {
          const int l = out_labels[k];
          const int64_t v = rest % size[l];
          rest /= size[l];
          for (int i = 0; i < n; ++i) base[i] += v * stride[i][l];
        }
        double acc = 0.0;
        std::fill(idx.begin(), idx.end(), 0);
        off = base;
        for (int64_t s = 0; s < inner; ++s) {
          double p = 1.0;
          for (int i = 0; i < n; ++i) p *= static_cast<double>(data[i][off[i]]);
          acc += p;
          // Odometer over the summed labels, last fastest.
          for (int k = static_cast<int>(sum_labels.size()) - 1; k >= 0; --k) {
            const int l = sum_labels[k];
            for (int i = 0; i < n; ++i) off[i] += stride[i][l];
            if (++idx[k] < size[l]) break;
            for (int i = 0; i < n; ++i) off[i] -= stride[i][l] * size[l];
            idx[k] = 0;
          }
        }
        y[o] = static_cast<T>(acc);
      }
    });
    return absl::OkStatus();
  }

 private:
  std::string equation_;
};

}  // namespace

void RegisterEinsumKernels(KernelRegistry& r) {
  r.Register<EinsumOp<float>>("Einsum", kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<EinsumOp<double>>("Einsum", kDeviceCpu, {{"T", {DataType::kFloat64}}});
}

}  // namespace graphrt
