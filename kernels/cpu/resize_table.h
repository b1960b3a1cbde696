// Per-axis interpolation tables for the CPU Resize kernel (resize_op.cc):
// where each output position along one axis reads its input, by the ONNX
// Resize rules (coordinate_transformation_mode, mode, nearest_mode,
// cubic_coeff_a, exclude_outside). See Note [Resize as one 1-D pass per axis]
// in resize_op.cc.
//
// Thread-safety: plain values and pure functions.
#ifndef GRAPHRT_KERNELS_CPU_RESIZE_TABLE_H_
#define GRAPHRT_KERNELS_CPU_RESIZE_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace graphrt::resize {

enum class Mode { kNearest, kLinear, kCubic };
enum class Coord {
  kHalfPixel, kPytorchHalfPixel, kAlignCorners, kAsymmetric, kTfHalfPixelForNn,
  kTfCropAndResize
};
enum class Nearest { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil, kSimple };

struct Method {
  Mode mode = Mode::kNearest;
  Coord coord = Coord::kHalfPixel;
  Nearest nearest = Nearest::kRoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
};

// INVALID_ARGUMENT naming the bad string and the accepted ones. "linear"
// also accepts "bilinear" and "trilinear" (older Upsample models).
absl::StatusOr<Method> ParseMethod(const std::string& mode, const std::string& coord,
                                   const std::string& nearest, float cubic_a,
                                   bool exclude_outside);

// The input coordinate of output position `out` along an axis of in_len
// inputs resized by `scale` (ONNX's formulas; roi_start/roi_end only for
// tf_crop_and_resize). Note [Resized length]: the formulas' length_resized
// is scale * in_len, unfloored, as ONNX's reference implementation (which
// made the backend suite's outputs) computes it: align_corners with scales
// 0.6 on 4 inputs maps output 1 to 1 * 3 / (2.4 - 1), not 3 / (2 - 1).
// With sizes, scale = out / in, and the two agree.
double SourceCoordinate(Coord coord, int64_t out, int64_t in_len, double scale,
                        double roi_start, double roi_end);

struct AxisTable {
  int64_t in_len = 0, out_len = 0;
  int taps = 1;                  // taps per output position: 1, 2 or 4
  std::vector<int64_t> index;    // [out_len * taps], clamped into [0, in_len)
  std::vector<double> weight;    // [out_len * taps]
  std::vector<bool> extrapolate; // [out_len]: output is extrapolation_value

  // True when output i is input i for every i (the pass can be skipped).
  bool IsIdentity() const;
};

AxisTable BuildAxisTable(const Method& method, int64_t in_len, int64_t out_len, double scale,
                         double roi_start, double roi_end);

// Rows [row_begin, row_end) of one pass: the source is [outer, in_len, inner],
// the destination [outer, out_len, inner]; row r is (r / out_len, r % out_len).
void ApplyAxisRows(const AxisTable& t, const float* src, float* dst, int64_t inner,
                   float extrapolation_value, int64_t row_begin, int64_t row_end);

}  // namespace graphrt::resize

#endif  // GRAPHRT_KERNELS_CPU_RESIZE_TABLE_H_
