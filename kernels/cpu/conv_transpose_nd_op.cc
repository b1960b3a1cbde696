// ConvTransposeNd on the CPU (core/graph/ops/conv_nd_ops.h): ONNX's
// ConvTranspose, channels first, any number of spatial axes, groups,
// float32.
//
// The transpose of ConvNd's im2col + GEMM (Note [ConvNd as im2col + GEMM]
// in conv_nd_ops.cc): per (image, group), one GEMM (CpuGemm, gemm.h) col = w_group^T x x_group
// gives, for every output channel and window position, the contribution of
// every input position ([M/group * K, I]); col2im then adds each into the
// output element it lands on (stride * i + dilation * k - pad_begin), and
// the bias is added. Tasks write disjoint output channels, so they run in
// parallel without locks.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "core/graph/ops/conv_nd_window.h"
#include "kernels/cpu/conv_nd_common.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

// y[c, o...] += col[(c * K + kpos) * I + ipos] for every position that lands
// inside the output. y is [channels, out...].
void Col2Im(const float* col, int64_t channels, const NdWindow& w, float* y) {
  const int r = w.rank();
  const int64_t K = w.kernel_elements(), I = w.in_elements(), O = w.out_elements();
  const std::vector<int64_t> out_stride = conv_nd::Strides(w.out);
  const std::vector<int64_t> k_stride = conv_nd::Strides(w.kernel);
  const int64_t in_last = w.in[r - 1], lines = I / std::max<int64_t>(in_last, 1);
  std::vector<int64_t> base(r), iidx(r);
  for (int64_t c = 0; c < channels; ++c) {
    float* dst = y + c * O;
    for (int64_t kpos = 0; kpos < K; ++kpos) {
      conv_nd::TapOrigin(w, k_stride, kpos, base);
      const float* src = col + (c * K + kpos) * I;
      std::fill(iidx.begin(), iidx.end(), 0);
      for (int64_t line = 0; line < lines; ++line, src += in_last) {
        int64_t off;
        if (conv_nd::LineStart(w, iidx, base, w.out, out_stride, off)) {
          const int64_t s = w.strides[r - 1], b = base[r - 1], n = w.out[r - 1];
          for (int64_t i = 0; i < in_last; ++i) {
            const int64_t coord = i * s + b;
            if (coord >= 0 && coord < n) dst[off + coord] += src[i];
          }
        }
        conv_nd::NextLine(iidx, w.in);
      }
    }
  }
}

class ConvTransposeNdOp final : public OpKernel {
 public:
  explicit ConvTransposeNdOp(const OpKernelConstruction& c) : OpKernel(c) {}
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(attrs_, conv_nd::ReadAttrs(c));
    ASSIGN_OR_RETURN(output_padding_, c.attr<std::vector<int64_t>>("output_padding"));
    ASSIGN_OR_RETURN(output_shape_, c.attr<std::vector<int64_t>>("output_shape"));
    return absl::OkStatus();
  }
  absl::Status Compute(OpKernelContext& ctx) override;

 private:
  conv_nd::Attrs attrs_;
  std::vector<int64_t> output_padding_, output_shape_;
};

absl::Status ConvTransposeNdOp::Compute(OpKernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor& b = ctx.input(2);
  if (x.rank() < 3 || w.rank() != x.rank()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", x.shape().DebugString(), " must be [N, C, D...] and weights ",
        w.shape().DebugString(), " [C, M/group, K...] of the same rank"));
  }
  const int64_t batch = x.dim(0), channels = x.dim(1), g = attrs_.group;
  if (g < 1 || w.dim(0) != channels || channels % g != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", x.shape().DebugString(), " and weights ", w.shape().DebugString(),
        " do not fit group ", g, ": need weights dim 0 == C, divisible by group"));
  }
  const int64_t m = w.dim(1) * g;
  RETURN_IF_ERROR(conv_nd::CheckBias(b, m));
  std::vector<int64_t> oshape = output_shape_;
  // ONNX allows output_shape with the batch and channel dims too.
  if (oshape.size() == static_cast<size_t>(x.rank())) oshape.erase(oshape.begin(), oshape.begin() + 2);
  ASSIGN_OR_RETURN(NdWindow win,
                   ComputeConvTransposeWindow(conv_nd::SpatialDims(x), conv_nd::SpatialDims(w),
                                              attrs_.window, output_padding_, oshape));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, conv_nd::OutputShape(batch, m, win)));
  if (out->num_elements() == 0) return absl::OkStatus();
  const int64_t cg = channels / g, mg = m / g, K = win.kernel_elements();
  const int64_t O = win.out_elements(), I = win.in_elements(), rows = mg * K;
  const float* px = x.data<float>();
  const float* pw = w.data<float>();
  const float* pb = b.num_elements() ? b.data<float>() : nullptr;
  float* py = out->data<float>();
  const int64_t cost = std::max<int64_t>(1, 2 * cg * rows * I / 50 + rows * I + mg * O);
  ctx.ParallelFor(batch * g, cost, [&](int64_t begin, int64_t end) {
    std::vector<float> col(rows * I);
    for (int64_t t = begin; t < end; ++t) {
      const int64_t n = t / g, gi = t % g;
      CpuGemm({.a = pw + gi * cg * rows, .transpose_a = true,
               .b = px + (n * channels + gi * cg) * I, .c = col.data(), .m = rows, .k = cg,
               .n = I});
      float* y = py + (n * m + gi * mg) * O;
      for (int64_t j = 0; j < mg; ++j) {
        std::fill(y + j * O, y + (j + 1) * O, pb != nullptr ? pb[gi * mg + j] : 0.0f);
      }
      Col2Im(col.data(), mg, win, y);
    }
  });
  return absl::OkStatus();
}

}  // namespace

void RegisterConvTransposeNdKernels(KernelRegistry& r) {
  r.Register<ConvTransposeNdOp>("ConvTransposeNd", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
