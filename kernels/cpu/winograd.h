// A 3x3, stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3)
// on the CPU GEMM (Note [Winograd F(2x2, 3x3)] in winograd.cc): in NHWC, the
// forward pass of Conv2D / FusedConv2D and the stride-1 input gradient
// (which conv_ops.cc runs as a forward convolution), and the filter
// gradient; in NCHW (winograd_nchw.cc), ONNX's 2-D Conv (ConvNd). Each
// takes it when WinogradApplies says so.
// Internal to kernels/cpu. Thread-safety: WinogradConv splits its work over
// the context's intra-op pool and keeps per-thread scratch buffers.
#ifndef GRAPHRT_KERNELS_CPU_WINOGRAD_H_
#define GRAPHRT_KERNELS_CPU_WINOGRAD_H_

#include "core/executor/op_kernel.h"
#include "kernels/common/conv_shape.h"

namespace graphrt {

// A 3x3 filter, unit strides and dilations, and at least 8 input and output
// channels (below that the GEMMs are too thin to gain from 2.25x fewer
// products).
bool WinogradApplies(const ConvGeometry& g);

// out [batch, out_h, out_w, out_c] = conv(in [batch, in_h, in_w, in_c],
// f [3, 3, in_c, out_c]) with g's padding, then + bias[out_c] (when not
// null) and max(., 0) when relu. Requires WinogradApplies(g). Agrees with
// the direct sum to ~1e-6 of the magnitudes summed (float32 transforms).
void WinogradConv(OpKernelContext& ctx, const float* in, const float* f, const ConvGeometry& g,
                  float* out, const float* bias, bool relu);

// df [3, 3, in_c, out_c] = the filter gradient of that convolution for
// input `in` and output gradient dy [batch, out_h, out_w, out_c]
// (overwritten). Requires WinogradApplies(g). The same result for every
// thread count.
void WinogradFilterGrad(OpKernelContext& ctx, const float* in, const float* dy,
                        const ConvGeometry& g, float* df);

// The forward convolution channels first (ConvNd, Note [Winograd in NCHW] in
// winograd_nchw.cc): y [batch, out_c, out_h, out_w] = conv(x [batch, in_c,
// in_h, in_w], w [out_c, in_c, 3, 3] (OIHW)) with g's padding, + bias[out_c]
// (when not null), max(., 0) when relu. g's fields mean what they do for
// NHWC. Requires WinogradApplies(g); the same accuracy as WinogradConv.
void WinogradConvNchw(OpKernelContext& ctx, const float* x, const float* w, const ConvGeometry& g,
                      float* y, const float* bias, bool relu);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_WINOGRAD_H_
