// Resize on the CPU (core/graph/ops/resize_ops.h): float32, any rank.
//
// Note [Resize as one 1-D pass per axis]
// Rationale: ONNX defines N-D resize recursively, a 1-D interpolation along
// the first axis of values that are themselves interpolated along the
// others (its reference resize.py does exactly that), so the result is a
// product of per-axis weights and equals one 1-D pass per axis, innermost
// first. A pass costs (output elements) x (taps) instead of the
// (taps)^rank of the direct N-D sum, and an axis whose map is the identity
// (N and C, usually) is skipped.
// Approach: per axis, a table giving each output position up to four
// (clamped source index, weight) taps, or "extrapolate" (tf_crop_and_resize
// outside the image). Coordinates and weights are computed in double, as the
// reference does; each pass accumulates in double and stores float32.
// Limitations: a tensor of intermediate size per resized axis beyond the
// first; nearest_mode rounds the coordinate computed in double.
//
// Errors (INVALID_ARGUMENT naming the node): both or neither of scales and
// sizes, wrong lengths, non-positive scales, negative sizes, roi missing
// for tf_crop_and_resize, unknown mode strings.
// Thread-safety: Compute is thread-safe (attrs are read once, at construction).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/register.h"
#include "kernels/cpu/resize_table.h"

namespace graphrt {
namespace {

class ResizeOp final : public OpKernel {
 public:
  explicit ResizeOp(const OpKernelConstruction& c) : OpKernel(c) {
    auto get_string = [&](const char* name, std::string& out) {
      if (absl::StatusOr<std::string> v = c.attr<std::string>(name); v.ok()) out = *v;
    };
    get_string("mode", mode_);
    get_string("coordinate_transformation_mode", coord_);
    get_string("nearest_mode", nearest_);
    if (auto v = c.attr<float>("cubic_coeff_a"); v.ok()) cubic_a_ = *v;
    if (auto v = c.attr<bool>("exclude_outside"); v.ok()) exclude_outside_ = *v;
    if (auto v = c.attr<float>("extrapolation_value"); v.ok()) extrapolation_ = *v;
  }

  absl::Status Compute(OpKernelContext& ctx) override {
    auto error = [&](auto... parts) {
      return absl::InvalidArgumentError(
          absl::StrCat("node '", ctx.node_name(), "' (Resize): ", parts...));
    };
    absl::StatusOr<resize::Method> parsed =
        resize::ParseMethod(mode_, coord_, nearest_, cubic_a_, exclude_outside_);
    if (!parsed.ok()) return error(parsed.status().message());
    const resize::Method method = *parsed;
    const Tensor& x = ctx.input(0);
    const Tensor& roi = ctx.input(1);
    const Tensor& scales = ctx.input(2);
    const Tensor& sizes = ctx.input(3);
    const int rank = x.shape().rank();
    const bool has_scales = scales.num_elements() > 0, has_sizes = sizes.num_elements() > 0;
    if (has_scales == has_sizes) {
      return error("exactly one of scales and sizes must be non-empty, got scales ",
                   scales.ShapeString(), " and sizes ", sizes.ShapeString());
    }
    if (has_scales && scales.num_elements() != rank) {
      return error("scales must have one value per dim of x ", x.ShapeString(), ", got ",
                   scales.num_elements());
    }
    if (has_sizes && sizes.num_elements() != rank) {
      return error("sizes must have one value per dim of x ", x.ShapeString(), ", got ",
                   sizes.num_elements());
    }
    const bool crop = method.coord == resize::Coord::kTfCropAndResize;
    if (crop && roi.num_elements() != 2 * rank) {
      return error("coordinate_transformation_mode tf_crop_and_resize needs roi with ",
                   2 * rank, " values (starts then ends), got ", roi.ShapeString());
    }
    std::vector<int64_t> out_dims(rank);
    std::vector<double> scale(rank);
    for (int d = 0; d < rank; ++d) {
      const int64_t in = x.shape().dim(d);
      if (has_scales) {
        const float s = scales.data<float>()[d];
        if (!(s > 0.0f) || !std::isfinite(s)) {
          return error("scales must be positive and finite, got ", s, " for dim ", d);
        }
        scale[d] = s;
        out_dims[d] = static_cast<int64_t>(std::floor(static_cast<double>(in) * scale[d]));
      } else {
        out_dims[d] = sizes.data<int64_t>()[d];
        if (out_dims[d] < 0) return error("sizes must be >= 0, got ", out_dims[d], " for dim ", d);
        scale[d] = in > 0 ? static_cast<double>(out_dims[d]) / static_cast<double>(in) : 1.0;
      }
    }
    TensorShape out_shape(out_dims);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, out_shape));
    if (out->num_elements() == 0) return absl::OkStatus();
    if (x.num_elements() == 0) {
      return error("cannot resize the empty x ", x.ShapeString(), " to ", out->ShapeString());
    }

    // Innermost axis first (Note [Resize as one 1-D pass per axis]).
    std::vector<int> axes;
    std::vector<resize::AxisTable> tables;
    for (int d = rank - 1; d >= 0; --d) {
      resize::AxisTable t = resize::BuildAxisTable(
          method, x.shape().dim(d), out_dims[d], scale[d], crop ? roi.data<float>()[d] : 0.0,
          crop ? roi.data<float>()[rank + d] : 1.0);
      if (t.IsIdentity()) continue;
      axes.push_back(d);
      tables.push_back(std::move(t));
    }
    if (axes.empty()) {
      std::copy(x.data<float>(), x.data<float>() + x.num_elements(), out->data<float>());
      return absl::OkStatus();
    }
    std::vector<int64_t> dims(x.shape().dims().begin(), x.shape().dims().end());
    const float* src = x.data<float>();
    std::vector<float> buffer;
    for (size_t k = 0; k < axes.size(); ++k) {
      const int d = axes[k];
      int64_t outer = 1, inner = 1;
      for (int i = 0; i < d; ++i) outer *= dims[i];
      for (int i = d + 1; i < rank; ++i) inner *= dims[i];
      const bool last = k + 1 == axes.size();
      std::vector<float> next;
      if (!last) next.resize(static_cast<size_t>(outer * out_dims[d] * inner));
      float* dst = last ? out->data<float>() : next.data();
      const resize::AxisTable& t = tables[k];
      ctx.ParallelFor(outer * out_dims[d], std::max<int64_t>(1, inner * t.taps),
                      [&](int64_t b, int64_t e) {
                        resize::ApplyAxisRows(t, src, dst, inner, extrapolation_, b, e);
                      });
      dims[d] = out_dims[d];
      if (!last) {
        buffer = std::move(next);
        src = buffer.data();
      }
    }
    return absl::OkStatus();
  }

 private:
  std::string mode_ = "nearest", coord_ = "half_pixel", nearest_ = "round_prefer_floor";
  float cubic_a_ = -0.75f;
  bool exclude_outside_ = false;
  float extrapolation_ = 0.0f;
};

}  // namespace

void RegisterResizeKernels(KernelRegistry& r) {
  r.Register<ResizeOp>("Resize", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
