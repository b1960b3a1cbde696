// Naive references for the convolution and pooling kernel tests: direct
// nested loops in double over every (output pixel, window cell) pair, with
// TF's padding arithmetic written out again here (not the runtime's).
#ifndef GRAPHRT_TESTS_KERNELS_CPU_CONV_REFERENCE_H_
#define GRAPHRT_TESTS_KERNELS_CPU_CONV_REFERENCE_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/graph/attr_value.h"
#include "core/graph/tensor.h"

namespace graphrt::testing {

struct RefWindow {
  int64_t sh = 1, sw = 1, dh = 1, dw = 1;
  std::string padding = "SAME";
  int64_t top = 0, bottom = 0, left = 0, right = 0;  // EXPLICIT only

  AttrMap ConvAttrs() const {
    AttrMap a{{"strides", std::vector<int64_t>{1, sh, sw, 1}},
              {"dilations", std::vector<int64_t>{1, dh, dw, 1}},
              {"padding", padding}};
    if (padding == "EXPLICIT") {
      a["explicit_paddings"] = std::vector<int64_t>{0, 0, top, bottom, left, right, 0, 0};
    }
    return a;
  }
};

// Output size and padding before, for one dimension.
inline std::pair<int64_t, int64_t> RefOut(int64_t in, int64_t k, int64_t d, int64_t s,
                                          const RefWindow& w, int64_t before, int64_t after) {
  const int64_t eff = (k - 1) * d + 1;
  if (w.padding == "VALID") return {(in - eff + s) / s, 0};
  if (w.padding == "SAME") {
    const int64_t out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>(0, (out - 1) * s + eff - in);
    return {out, total / 2};
  }
  return {(in + before + after - eff) / s + 1, before};
}

struct RefConvResult {
  Tensor out, dx, df;
};

// out = conv(x, f); dx, df: the gradients of sum(out * dy) (dy may be empty:
// then no gradients). depthwise: f is [FH, FW, C, M], output channel c*M + m.
inline RefConvResult RefConv(const Tensor& x, const Tensor& f, const Tensor* dy,
                             const RefWindow& w, bool depthwise) {
  const int64_t n = x.dim(0), ih = x.dim(1), iw = x.dim(2), c = x.dim(3);
  const int64_t fh = f.dim(0), fw = f.dim(1), fo = f.dim(3);
  const auto [oh, pt] = RefOut(ih, fh, w.dh, w.sh, w, w.top, w.bottom);
  const auto [ow, pl] = RefOut(iw, fw, w.dw, w.sw, w, w.left, w.right);
  const int64_t oc = depthwise ? c * fo : fo;
  std::vector<double> out(n * oh * ow * oc, 0.0), dx(x.num_elements(), 0.0),
      df(f.num_elements(), 0.0);
  const float* px = x.data<float>();
  const float* pf = f.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t z = 0; z < ow; ++z)
        for (int64_t kh = 0; kh < fh; ++kh)
          for (int64_t kw = 0; kw < fw; ++kw) {
            const int64_t iy = y * w.sh - pt + kh * w.dh, iz = z * w.sw - pl + kw * w.dw;
            if (iy < 0 || iy >= ih || iz < 0 || iz >= iw) continue;
            for (int64_t ci = 0; ci < c; ++ci)
              for (int64_t o = 0; o < fo; ++o) {
                const int64_t out_ch = depthwise ? ci * fo + o : o;
                const int64_t xi = ((b * ih + iy) * iw + iz) * c + ci;
                const int64_t fi = ((kh * fw + kw) * c + ci) * fo + o;
                const int64_t oi = ((b * oh + y) * ow + z) * oc + out_ch;
                out[oi] += static_cast<double>(px[xi]) * pf[fi];
                if (dy != nullptr) {
                  const double g = dy->data<float>()[oi];
                  dx[xi] += g * pf[fi];
                  df[fi] += g * px[xi];
                }
              }
          }
  auto to_tensor = [](const std::vector<double>& v, const TensorShape& s) {
    Tensor t(DataType::kFloat32, s);
    for (size_t i = 0; i < v.size(); ++i) t.data<float>()[i] = static_cast<float>(v[i]);
    return t;
  };
  RefConvResult r;
  r.out = to_tensor(out, TensorShape{n, oh, ow, oc});
  r.dx = to_tensor(dx, x.shape());
  r.df = to_tensor(df, f.shape());
  return r;
}

// The ND (channels-first) tests' references loop over three spatial axes:
// a per-axis vector `v` of a rank-`r` case (r <= 3) is lifted to three by
// leading `fill`s (1 for sizes and steps, 0 for padding); an empty `v`
// (the attr left out) is all `fill`.
inline std::vector<int64_t> Pad3(const std::vector<int64_t>& v, size_t r, int64_t fill) {
  std::vector<int64_t> out(3 - r, fill);
  out.insert(out.end(), v.begin(), v.end());
  if (v.empty()) out.resize(3, fill);
  return out;
}

}  // namespace graphrt::testing

#endif  // GRAPHRT_TESTS_KERNELS_CPU_CONV_REFERENCE_H_
