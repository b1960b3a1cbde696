#include "kernels/cpu/conv_ops.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/im2col.h"
#include "kernels/cpu/register.h"
#include "kernels/cpu/thread_scratch.h"
#include "kernels/cpu/winograd.h"

namespace graphrt {
namespace {

// Note [Conv as im2col on our GEMM]
// Rationale: a convolution is a GEMM once each output pixel's receptive
// field is laid out as a row ("im2col"): out[M = N*OH*OW, OC] = cols[M, K =
// FH*FW*C] x filter[K, OC], and TF's HWIO filter already is that [K, OC]
// matrix. The input gradient is dcols = out_backprop x filter^T scattered
// back ("col2im"); the filter gradient is cols^T x out_backprop. This runs
// on the GEMM the MLP uses (CpuGemm, gemm.h: AVX-512 or AVX2 picked at run
// time) and on the session's intra-op pool, so the thread count is the
// session's intra_op_threads and no second threading runtime (Debian's
// oneDNN brings libgomp) competes for the cores. bench/kernels/conv_bench.cc
// measures it against oneDNN 2.6 on the CNN recipe's shapes, side by side in
// one run (bench/RESULTS.md, 2026-12-06): on plain NHWC/HWIO tensors oneDNN
// also runs im2col + GEMM (x64:gemm:jit). Single-threaded (CPU time), ours
// is faster on both forward passes and both filter gradients (1.2x-1.65x)
// and 1.07x-1.12x slower on the input gradients (col2im's scatter-add; the
// first layer's is never needed by a CNN); with 2 threads oneDNN's OpenMP
// team collapses on a shared 2-vCPU machine (its wall time 2x-350x ours). So
// the CPU convolution stays im2col on our own GEMM.
// Approach: output rows go in tiles of kTileRows (im2col of a tile: at most
// kTileRows * K floats, L2-sized for the recipe's K = 288). The forward pass
// splits tiles over the pool; with stride 1 the input gradient is a forward
// pass too (Note [Stride-1 input gradient as a forward convolution]);
// strided ones split whole images (col2im of different images never
// overlaps); the filter gradient splits rows into
// a number of chunks fixed by the shapes (at most kMaxChunks), each adding
// into its own [K, OC] partial (the GEMM accumulates), and adds the partials
// in chunk order, so results do not depend on the thread count. A 1x1 filter
// with stride 1 and no padding skips im2col (the input rows are the cols);
// one input channel builds cols transposed (Note [Transposed im2col for one
// channel], im2col.cc), which the GEMM reads as A^T.
// 3x3 stride-1 convolutions with >= 8 channels each way (the CNN's second
// layer, ResNet's 3x3s) leave this path for Winograd's F(2x2, 3x3) on the
// same GEMM in all three passes (Note [Winograd F(2x2, 3x3)], winograd.cc).
// Limitations: a batch of one image gets no parallel input gradient; the
// im2col copy costs memory traffic a direct convolution would not (~20% of
// the second layer's time over the GEMM alone).
constexpr int64_t kTileRows = 256;
constexpr int64_t kMaxChunks = 16;
constexpr int64_t kSplitFlopsPerNs = 100;
constexpr int64_t kCostFlopsPerNs = 50;

// c[m, n] (+)= op(a) x b, op(a) = a [m, k] or a^T (a stored [k, m]); b [k, n].
void Gemm(const float* a, bool transpose_a, const float* b, float* c, int64_t m, int64_t k,
          int64_t n, bool accumulate = false) {
  CpuGemm({.a = a, .transpose_a = transpose_a, .b = b, .c = c, .m = m, .k = k, .n = n,
           .accumulate = accumulate});
}

// Note [Per-thread im2col buffers]
// A tile's cols (kTileRows * K floats: 288 KiB on the CNN's second layer,
// 576 KiB for its input gradient) used to be a std::vector per ParallelFor
// piece; blocks that large come from mmap or a trimmed heap top, so a step
// could pay page faults for them (perf of the 1-thread step: ~1-2% in the
// kernel's page-fault path, not all of it ours). The buffer is now per
// thread and kept (one piece at a time per thread: pieces never nest, and
// CpuGemm packs into its own buffer). Limitation: each thread that ran a
// convolution keeps its largest tile's buffer for the life of the thread.
float* ColsBuffer(int64_t floats) { return ThreadScratch(0, floats); }

int64_t GemmCostNs(int64_t rows, int64_t k, int64_t n, int64_t flops_per_ns) {
  const double ns = 2.0 * static_cast<double>(rows) * k * n / flops_per_ns;
  return ns >= 9e18 ? int64_t{9'000'000'000'000'000'000} : std::max<int64_t>(1, ns);
}

absl::StatusOr<ConvGeometry> Geometry(const WindowAttrs& attrs, const TensorShape& input,
                                      const TensorShape& filter) {
  return MakeConvGeometry(attrs, input, filter, /*depthwise=*/false);
}

// Note [Fused conv epilogue]
// Rationale: the CNN's layers are Relu(BiasAdd(Conv2D)): as three kernels,
// BiasAdd and Relu each stream the whole conv output through memory again
// (6.4 MB for the recipe's first layer at batch 64). FusedConv2D
// (core/graph/ops/conv_ops.h) adds the bias and applies the activation to
// each output tile right after its GEMM, while the tile (at most kTileRows x
// OC floats) is still in L1/L2.
// Approach: ForwardConv takes an optional Epilogue; each tile's rows get
// y = x + bias, then max(y, 0) for Relu, in one pass.
// Limitations: only BiasAdd and Relu (what the graph op accepts). Measured
// on the CNN step (bench/RESULTS.md, 2026-12-06) the step's CPU time did not
// drop: the next op to read the output (MaxPool) then costs what BiasAdd and
// Relu stop costing (the tensor's first pass pays for bringing it in; doing
// the epilogue as one pass after all tiles did no better).
struct Epilogue {
  const float* bias = nullptr;  // [OC]; null: plain Conv2D
  bool relu = false;
};

void ApplyEpilogue(const Epilogue& e, float* o, int64_t rows, int64_t n) {
  if (e.bias == nullptr) return;
  for (int64_t r = 0; r < rows; ++r) {
    float* y = o + r * n;
    if (e.relu) {
      for (int64_t j = 0; j < n; ++j) y[j] = std::max(y[j] + e.bias[j], 0.0f);
    } else {
      for (int64_t j = 0; j < n; ++j) y[j] += e.bias[j];
    }
  }
}

// out = conv(in, f) over geometry g (then the epilogue, if any): rows split
// in tiles over the pool.
void ForwardConv(OpKernelContext& ctx, const float* in, const float* f, const ConvGeometry& g,
                 float* o, const Epilogue& epilogue = {}) {
  const int64_t rows = g.batch * g.out_h * g.out_w, k = PatchSize(g), n = g.out_c;
  if (rows == 0 || n == 0) return;
  if (k == 0) {
    std::fill(o, o + rows * n, 0.0f);
    ApplyEpilogue(epilogue, o, rows, n);
    return;
  }
  if (WinogradApplies(g)) {  // Note [Winograd F(2x2, 3x3)] in winograd.cc
    WinogradConv(ctx, in, f, g, o, epilogue.bias, epilogue.relu);
    return;
  }
  const bool pointwise = IsPointwise(g);
  const bool one_channel = !pointwise && g.in_c == 1;
  const int64_t tiles = (rows + kTileRows - 1) / kTileRows;
  ctx.ParallelFor(tiles, GemmCostNs(kTileRows, k, n, kSplitFlopsPerNs),
                  [&](int64_t begin, int64_t end) {
    // Note [Per-thread im2col buffers]
    float* cols = pointwise ? nullptr : ColsBuffer(kTileRows * k);
    for (int64_t t = begin; t < end; ++t) {
      const int64_t m0 = t * kTileRows, m1 = std::min(rows, m0 + kTileRows);
      if (pointwise) {
        Gemm(in + m0 * k, false, f, o + m0 * n, m1 - m0, k, n);
      } else if (one_channel) {
        Im2ColTransposed(in, g, m0, m1, cols);  // [K, m1 - m0]: A^T
        Gemm(cols, true, f, o + m0 * n, m1 - m0, k, n);
      } else {
        Im2Col(in, g, m0, m1, cols);
        Gemm(cols, false, f, o + m0 * n, m1 - m0, k, n);
      }
      ApplyEpilogue(epilogue, o + m0 * n, m1 - m0, n);  // Note [Fused conv epilogue]
    }
  });
}

// Note [Stride-1 input gradient as a forward convolution]
// Rationale: with stride 1, dx[ih] = sum over kh of dy[ih + pad_top - kh*dh]
// W[kh], which is a forward convolution of dy with the filter flipped in
// space and transposed in channels ([FH, FW, OC, C]), padded by (FH-1)*dh -
// pad_top at the top (and likewise at the left). Run that way it is im2col
// of dy plus one GEMM per tile, writing each dx row once: no col2im
// scatter-add over 9 overlapping fields, no zero fill of dx, and the tiles
// split over the pool like the forward pass (not by whole images). In the
// CNN's step (perf, 1 thread) Col2ImAdd was 2.1% of the CPU time and dx's
// zero fill part of memset's 4.4%; the step took 3% less CPU time without
// them, im2col of dy (K = 9 * OC) costing back some (bench/RESULTS.md).
// Limitations: strides > 1 keep GEMM + col2im (the flipped form would need
// a dilated dy); a negative padding here (explicit padding larger than the
// dilated filter) just shifts the window, which im2col's bounds check handles.
ConvGeometry FlippedGeometry(const ConvGeometry& g) {
  ConvGeometry t = g;
  t.in_h = g.out_h, t.in_w = g.out_w, t.in_c = g.out_c;
  t.out_h = g.in_h, t.out_w = g.in_w, t.out_c = g.in_c, t.filter_out = g.in_c;
  t.pad_top = (g.filter_h - 1) * g.dilation_h - g.pad_top;
  t.pad_left = (g.filter_w - 1) * g.dilation_w - g.pad_left;
  return t;
}

}  // namespace

absl::Status ConvKernelBase::Init(const OpKernelConstruction& c) {
  ASSIGN_OR_RETURN(attrs_, ReadWindowAttrs(c.node().attrs(), {.dilations = true}));
  return absl::OkStatus();
}

int64_t ConvKernelBase::CostEstimateNs(std::span<const Tensor* const> inputs) const {
  if (inputs.size() < 2) return OpKernel::CostEstimateNs(inputs);
  // Every op's work is one GEMM the size of the forward pass; out_backprop
  // (last input) or the output have the forward output's element count.
  const Tensor& last = *inputs.back();
  const Tensor& filter = *inputs[1];
  if (op() == "Conv2D" || op() == "FusedConv2D") {
    if (inputs[0]->rank() != 4 || filter.rank() != 4) return OpKernel::CostEstimateNs(inputs);
    const int64_t pixels = inputs[0]->num_elements() / std::max<int64_t>(1, inputs[0]->dim(3));
    return GemmCostNs(pixels, filter.dim(0) * filter.dim(1) * filter.dim(2), filter.dim(3),
                      kCostFlopsPerNs);
  }
  // Backprop ops: the sizes input's values are not known here; assume a
  // stride-1 3x3 convolution over out_backprop's pixels.
  if (last.rank() != 4) return OpKernel::CostEstimateNs(inputs);
  const int64_t pixels = last.num_elements() / std::max<int64_t>(1, last.dim(3));
  return GemmCostNs(pixels, 9 * last.dim(3), last.dim(3), kCostFlopsPerNs);
}

absl::Status Conv2DOp::Compute(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& filter = ctx.input(1);
  ASSIGN_OR_RETURN(ConvGeometry g, Geometry(attrs_, input.shape(), filter.shape()));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, g.output_shape()));
  ForwardConv(ctx, input.data<float>(), filter.data<float>(), g, out->data<float>());
  return absl::OkStatus();
}

absl::Status FusedConv2DOp::Init(const OpKernelConstruction& c) {
  RETURN_IF_ERROR(ConvKernelBase::Init(c));
  ASSIGN_OR_RETURN(std::string activation, c.attr<std::string>("activation"));
  if (activation != "None" && activation != "Relu") {
    return absl::InvalidArgumentError(absl::StrCat(
        "FusedConv2D activation \"", activation, "\" is not supported: use \"None\" or \"Relu\""));
  }
  relu_ = activation == "Relu";
  return absl::OkStatus();
}

absl::Status FusedConv2DOp::Compute(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& filter = ctx.input(1);
  const Tensor& bias = ctx.input(2);
  ASSIGN_OR_RETURN(ConvGeometry g, Geometry(attrs_, input.shape(), filter.shape()));
  if (bias.rank() != 1 || bias.dim(0) != g.out_c) {
    return absl::InvalidArgumentError(absl::StrCat(
        "FusedConv2D bias must be a vector of the filter's ", g.out_c,
        " output channels, got shape ", bias.shape().DebugString()));
  }
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, g.output_shape()));
  ForwardConv(ctx, input.data<float>(), filter.data<float>(), g, out->data<float>(),
              {.bias = bias.data<float>(), .relu = relu_});
  return absl::OkStatus();
}

absl::Status Conv2DBackpropInputOp::Compute(OpKernelContext& ctx) {
  ASSIGN_OR_RETURN(TensorShape input_shape, SizesInputShape(ctx.input(0), "input_sizes"));
  const Tensor& filter = ctx.input(1);
  const Tensor& dy = ctx.input(2);
  ASSIGN_OR_RETURN(ConvGeometry g, Geometry(attrs_, input_shape, filter.shape()));
  RETURN_IF_ERROR(CheckOutBackprop(g, dy.shape()));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, input_shape));
  float* dx = out->data<float>();
  const float* f = filter.data<float>();
  const float* g_dy = dy.data<float>();
  if (g.stride_h == 1 && g.stride_w == 1) {
    // Note [Stride-1 input gradient as a forward convolution]
    const int64_t fh = g.filter_h, fw = g.filter_w, c = g.in_c, oc = g.out_c;
    std::vector<float> flipped(fh * fw * c * oc);
    for (int64_t kh = 0; kh < fh; ++kh) {
      for (int64_t kw = 0; kw < fw; ++kw) {
        const float* src = f + ((fh - 1 - kh) * fw + (fw - 1 - kw)) * c * oc;  // [C, OC]
        float* dst = flipped.data() + (kh * fw + kw) * oc * c;                 // [OC, C]
        for (int64_t i = 0; i < c; ++i) {
          for (int64_t j = 0; j < oc; ++j) dst[j * c + i] = src[i * oc + j];
        }
      }
    }
    ForwardConv(ctx, g_dy, flipped.data(), FlippedGeometry(g), dx);
    return absl::OkStatus();
  }
  std::fill(dx, dx + out->num_elements(), 0.0f);
  const int64_t per_image = g.out_h * g.out_w, k = PatchSize(g), oc = g.out_c;
  if (per_image == 0 || k == 0 || oc == 0 || g.batch == 0) return absl::OkStatus();
  // filter^T: [OC, K].
  std::vector<float> ft(k * oc);
  for (int64_t p = 0; p < k; ++p) {
    for (int64_t j = 0; j < oc; ++j) ft[j * k + p] = f[p * oc + j];
  }
  ctx.ParallelFor(g.batch, GemmCostNs(per_image, k, oc, kSplitFlopsPerNs),
                  [&](int64_t begin, int64_t end) {
    std::vector<float> dcols(std::min(kTileRows, per_image) * k);
    for (int64_t b = begin; b < end; ++b) {
      for (int64_t r0 = 0; r0 < per_image; r0 += kTileRows) {
        const int64_t m0 = b * per_image + r0;
        const int64_t m1 = b * per_image + std::min(per_image, r0 + kTileRows);
        Gemm(g_dy + m0 * oc, false, ft.data(), dcols.data(), m1 - m0, oc, k);
        Col2ImAdd(dcols.data(), g, m0, m1, dx);
      }
    }
  });
  return absl::OkStatus();
}

absl::Status Conv2DBackpropFilterOp::Compute(OpKernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  ASSIGN_OR_RETURN(TensorShape filter_shape, SizesInputShape(ctx.input(1), "filter_sizes"));
  const Tensor& dy = ctx.input(2);
  ASSIGN_OR_RETURN(ConvGeometry g, Geometry(attrs_, input.shape(), filter_shape));
  RETURN_IF_ERROR(CheckOutBackprop(g, dy.shape()));
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, filter_shape));
  float* df = out->data<float>();
  const int64_t size = out->num_elements();
  std::fill(df, df + size, 0.0f);
  const int64_t rows = g.batch * g.out_h * g.out_w, k = PatchSize(g), oc = g.out_c;
  if (rows == 0 || size == 0) return absl::OkStatus();
  const float* in = input.data<float>();
  const float* g_dy = dy.data<float>();
  if (WinogradApplies(g)) {  // Note [Winograd F(2x2, 3x3)] in winograd.cc
    WinogradFilterGrad(ctx, in, g_dy, g, df);
    return absl::OkStatus();
  }
  const bool pointwise = IsPointwise(g);
  const bool one_channel = !pointwise && g.in_c == 1;
  const int64_t tiles = (rows + kTileRows - 1) / kTileRows;
  const int64_t chunks = std::min(tiles, kMaxChunks);
  const int64_t tiles_per_chunk = (tiles + chunks - 1) / chunks;
  std::vector<float> partials(chunks > 1 ? chunks * size : 0);
  ctx.ParallelFor(chunks, GemmCostNs(tiles_per_chunk * kTileRows, k, oc, kSplitFlopsPerNs),
                  [&](int64_t begin, int64_t end) {
    float* cols = pointwise ? nullptr : ColsBuffer(kTileRows * k);
    for (int64_t chunk = begin; chunk < end; ++chunk) {
      float* acc = chunks > 1 ? partials.data() + chunk * size : df;
      const int64_t t_end = std::min(tiles, (chunk + 1) * tiles_per_chunk);
      for (int64_t t = chunk * tiles_per_chunk; t < t_end; ++t) {
        const int64_t m0 = t * kTileRows, m1 = std::min(rows, m0 + kTileRows);
        // acc[K, OC] += cols^T x dy rows.
        if (pointwise) {
          Gemm(in + m0 * k, true, g_dy + m0 * oc, acc, k, m1 - m0, oc, /*accumulate=*/true);
        } else if (one_channel) {
          Im2ColTransposed(in, g, m0, m1, cols);  // already cols^T
          Gemm(cols, false, g_dy + m0 * oc, acc, k, m1 - m0, oc, /*accumulate=*/true);
        } else {
          Im2Col(in, g, m0, m1, cols);
          Gemm(cols, true, g_dy + m0 * oc, acc, k, m1 - m0, oc, /*accumulate=*/true);
        }
      }
    }
  });
  for (int64_t chunk = 0; chunk < (chunks > 1 ? chunks : 0); ++chunk) {
    const float* p = partials.data() + chunk * size;
    for (int64_t i = 0; i < size; ++i) df[i] += p[i];
  }
  return absl::OkStatus();
}

void RegisterConvKernels(KernelRegistry& r) {
  r.Register<Conv2DOp>("Conv2D", kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<FusedConv2DOp>("FusedConv2D", kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<Conv2DBackpropInputOp>("Conv2DBackpropInput", kDeviceCpu,
                                    {{"T", {DataType::kFloat32}}});
  r.Register<Conv2DBackpropFilterOp>("Conv2DBackpropFilter", kDeviceCpu,
                                     {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
