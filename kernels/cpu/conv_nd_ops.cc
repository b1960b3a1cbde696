// ConvNd on the CPU (core/graph/ops/conv_nd_ops.h): ONNX's Conv, channels
// first, 1 to 3 (or more) spatial axes, groups, float32.
//
// Note [ConvNd as im2col + GEMM]
// Rationale: one code path for every rank, group count and window, at GEMM
// speed for the common shapes (ResNet's 3x3 and 1x1 convs).
// Approach: each (image, group) is one task on the intra-op pool. The task
// gathers its input patch matrix col [C/group * K, O] (K window positions,
// O output positions; zeros where the window reads padding), then one Eigen
// GEMM gives y[n, group's M/group channels] = w_group [M/group, C/group * K]
// x col, and the bias is added per output channel.
// Limitations: col costs C/group * K * O floats per task (a 3x3 conv over
// 256 channels of 56x56 is ~29 MB); depthwise convs (group == C) make M/group
// == 1 products, where a direct loop would be faster. Neither matters for the
// import path this serves; kernels/cpu/conv_ops.cc stays the fast NHWC path.
#include <algorithm>
#include <vector>

#include <Eigen/Core>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "core/graph/ops/conv_nd_window.h"
#include "kernels/cpu/conv_nd_common.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

using conv_nd::RowMatrix;

// col[(c * K + kpos) * O + opos] = x[c, window position kpos of output opos],
// 0 in the padding. x is [channels, in...].
void Im2Col(const float* x, int64_t channels, const NdWindow& w, float* col) {
  const int r = w.rank();
  const int64_t K = w.kernel_elements(), O = w.out_elements(), I = w.in_elements();
  const std::vector<int64_t> in_stride = conv_nd::Strides(w.in);
  const std::vector<int64_t> k_stride = conv_nd::Strides(w.kernel);
  const int64_t out_last = w.out[r - 1], rows_of_out = O / std::max<int64_t>(out_last, 1);
  std::vector<int64_t> base(r), oidx(r);
  for (int64_t kpos = 0; kpos < K; ++kpos) {
    conv_nd::TapOrigin(w, k_stride, kpos, base);
    for (int64_t c = 0; c < channels; ++c) {
      const float* src = x + c * I;
      float* dst = col + (c * K + kpos) * O;
      std::fill(oidx.begin(), oidx.end(), 0);
      for (int64_t row = 0; row < rows_of_out; ++row) {
        // The output coords but the last select an input line (or padding).
        int64_t off;
        const bool inside = conv_nd::LineStart(w, oidx, base, w.in, in_stride, off);
        const int64_t s = w.strides[r - 1], b = base[r - 1], n = w.in[r - 1];
        for (int64_t o = 0; o < out_last; ++o) {
          const int64_t coord = o * s + b;
          dst[o] = inside && coord >= 0 && coord < n ? src[off + coord] : 0.0f;
        }
        dst += out_last;
        conv_nd::NextLine(oidx, w.out);
      }
    }
  }
}

class ConvNdOp final : public OpKernel {
 public:
  explicit ConvNdOp(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(attrs_, conv_nd::ReadAttrs(c));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override;

 private:
  conv_nd::Attrs attrs_;
};

absl::Status ConvNdOp::Compute(OpKernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor& b = ctx.input(2);
  if (x.rank() < 3 || w.rank() != x.rank()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", x.shape().DebugString(), " must be [N, C, D...] and weights ",
        w.shape().DebugString(), " [M, C/group, K...] of the same rank"));
  }
  const int64_t batch = x.dim(0), channels = x.dim(1), m = w.dim(0), g = attrs_.group;
  if (g < 1 || channels % g != 0 || m % g != 0 || w.dim(1) * g != channels) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", x.shape().DebugString(), " and weights ", w.shape().DebugString(),
        " do not fit group ", g, ": need C == weights dim 1 * group and M divisible by group"));
  }
  RETURN_IF_ERROR(conv_nd::CheckBias(b, m));
  ASSIGN_OR_RETURN(NdWindow win, ComputeNdWindow(conv_nd::SpatialDims(x), conv_nd::SpatialDims(w),
                                                 attrs_.window));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, conv_nd::OutputShape(batch, m, win)));
  const int64_t cg = channels / g, mg = m / g, K = win.kernel_elements();
  const int64_t O = win.out_elements(), I = win.in_elements(), rows = cg * K;
  if (out->num_elements() == 0) return absl::OkStatus();
  const float* px = x.data<float>();
  const float* pw = w.data<float>();
  const float* pb = b.num_elements() ? b.data<float>() : nullptr;
  float* py = out->data<float>();
  const int64_t cost = std::max<int64_t>(1, 2 * mg * rows * O / 50 + rows * O);
  ctx.ParallelFor(batch * g, cost, [&](int64_t begin, int64_t end) {
    std::vector<float> col(rows * O);
    for (int64_t t = begin; t < end; ++t) {
      const int64_t n = t / g, gi = t % g;
      Im2Col(px + (n * channels + gi * cg) * I, cg, win, col.data());
      Eigen::Map<RowMatrix> y(py + (n * m + gi * mg) * O, mg, O);
      y.noalias() = Eigen::Map<const RowMatrix>(pw + gi * mg * rows, mg, rows) *
                    Eigen::Map<const RowMatrix>(col.data(), rows, O);
      if (pb != nullptr) {
        for (int64_t j = 0; j < mg; ++j) y.row(j).array() += pb[gi * mg + j];
      }
    }
  });
  return absl::OkStatus();
}

}  // namespace

void RegisterConvNdKernels(KernelRegistry& r) {
  r.Register<ConvNdOp>("ConvNd", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
