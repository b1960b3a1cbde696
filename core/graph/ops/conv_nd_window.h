// Window geometry of the N-D, channels-first (NCHW, NCDHW) convolution and
// pooling ops (conv_nd_ops.h), shared by their shape functions and their
// CPU kernels. The rules are ONNX's (Conv, MaxPool, AveragePool):
//
//   effective window  e = (kernel - 1) * dilation + 1
//   NOTSET (explicit) out = floor((in + begin + end - e) / stride) + 1, or
//                     ceil(...) + 1 with ceil_mode, minus one when that last
//                     window would start past the input and its begin pad
//   VALID             out = floor((in - e) / stride) + 1, no padding
//   SAME_UPPER/LOWER  out = ceil(in / stride); total padding
//                     max(0, (out - 1) * stride + e - in), the odd one at the
//                     end (UPPER) or the beginning (LOWER)
//
// The attrs, as the ops carry them: "strides", "dilations" (one per spatial
// axis, or empty for all ones), "pads" (begin for every axis, then end;
// empty for zeros), "auto_pad" (NOTSET, VALID, SAME_UPPER, SAME_LOWER) and,
// for pools, "ceil_mode".
// Errors are INVALID_ARGUMENT with plain messages (shape functions and the
// executor add the node's name).
// Thread-safety: pure functions.
#ifndef GRAPHRT_CORE_GRAPH_OPS_CONV_ND_WINDOW_H_
#define GRAPHRT_CORE_GRAPH_OPS_CONV_ND_WINDOW_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/attr_value.h"

namespace graphrt {

struct NdWindowAttrs {
  std::vector<int64_t> strides, dilations, pads;  // as given (may be empty)
  std::string auto_pad = "NOTSET";
  bool ceil_mode = false;
};
absl::StatusOr<NdWindowAttrs> ReadNdWindowAttrs(const AttrMap& attrs);

// The geometry for one input: per spatial axis, the window, its stride,
// dilation and padding, and the output size.
struct NdWindow {
  std::vector<int64_t> in, kernel, strides, dilations, pad_begin, pad_end, out;
  int rank() const { return static_cast<int>(in.size()); }
  int64_t out_elements() const;
  int64_t kernel_elements() const;
  int64_t in_elements() const;
};

// `in` and `kernel` are the spatial sizes (same length). INVALID_ARGUMENT
// when an attr has the wrong length or value, or the window does not fit.
absl::StatusOr<NdWindow> ComputeNdWindow(std::span<const int64_t> in,
                                         std::span<const int64_t> kernel,
                                         const NdWindowAttrs& attrs);

// ConvTranspose (ONNX): `in` is the transposed conv's input, w.out its
// output. out = stride * (in - 1) + output_padding + e - begin - end; with
// output_shape (or SAME_* auto_pad, whose output_shape is in * stride) the
// total padding stride * (in - 1) + output_padding + e - output_shape is
// split half and half, the odd one at the end for SAME_UPPER and at the
// beginning otherwise (as ONNX's reference does).
absl::StatusOr<NdWindow> ComputeConvTransposeWindow(std::span<const int64_t> in,
                                                    std::span<const int64_t> kernel,
                                                    const NdWindowAttrs& attrs,
                                                    const std::vector<int64_t>& output_padding,
                                                    const std::vector<int64_t>& output_shape);

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_OPS_CONV_ND_WINDOW_H_
