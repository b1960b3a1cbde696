#include "core/graph/ops/conv_nd_window.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

absl::Status CheckLength(const char* name, const std::vector<int64_t>& v, size_t want) {
  if (!v.empty() && v.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat(name, " [", absl::StrJoin(v, ", "),
                                                   "] must have ", want,
                                                   " entries (or none)"));
  }
  return absl::OkStatus();
}

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t d : v) p *= d;
  return p;
}

// The part both windows share: the attrs' lengths checked against the rank,
// then `in`, `kernel`, strides and dilations (empty: all ones) filled in and
// the pads and output sizes zeroed for the caller's per-axis rule.
absl::StatusOr<NdWindow> StartWindow(std::span<const int64_t> in,
                                     std::span<const int64_t> kernel,
                                     const NdWindowAttrs& attrs) {
  const size_t r = in.size();
  RETURN_IF_ERROR(CheckLength("strides", attrs.strides, r));
  RETURN_IF_ERROR(CheckLength("dilations", attrs.dilations, r));
  RETURN_IF_ERROR(CheckLength("pads", attrs.pads, 2 * r));
  NdWindow w;
  w.in.assign(in.begin(), in.end());
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = attrs.strides.empty() ? std::vector<int64_t>(r, 1) : attrs.strides;
  w.dilations = attrs.dilations.empty() ? std::vector<int64_t>(r, 1) : attrs.dilations;
  w.pad_begin.assign(r, 0);
  w.pad_end.assign(r, 0);
  w.out.assign(r, 0);
  return w;
}

absl::Status CheckAxis(size_t i, int64_t k, int64_t s, int64_t d) {
  if (k < 1 || s < 1 || d < 1) {
    return absl::InvalidArgumentError(absl::StrCat("spatial axis ", i, ": kernel ", k,
                                                   ", stride ", s, " and dilation ", d,
                                                   " must all be positive"));
  }
  return absl::OkStatus();
}

}  // namespace

int64_t NdWindow::out_elements() const { return Product(out); }
int64_t NdWindow::kernel_elements() const { return Product(kernel); }
int64_t NdWindow::in_elements() const { return Product(in); }

absl::StatusOr<NdWindowAttrs> ReadNdWindowAttrs(const AttrMap& attrs) {
  NdWindowAttrs a;
  ASSIGN_OR_RETURN(a.strides, GetAttr<std::vector<int64_t>>(attrs, "strides"));
  ASSIGN_OR_RETURN(a.dilations, GetAttr<std::vector<int64_t>>(attrs, "dilations"));
  ASSIGN_OR_RETURN(a.pads, GetAttr<std::vector<int64_t>>(attrs, "pads"));
  ASSIGN_OR_RETURN(a.auto_pad, GetAttr<std::string>(attrs, "auto_pad"));
  if (attrs.contains("ceil_mode")) {
    ASSIGN_OR_RETURN(a.ceil_mode, GetAttr<bool>(attrs, "ceil_mode"));
  }
  if (a.auto_pad.empty()) a.auto_pad = "NOTSET";
  if (a.auto_pad != "NOTSET" && a.auto_pad != "VALID" && a.auto_pad != "SAME_UPPER" &&
      a.auto_pad != "SAME_LOWER") {
    return absl::InvalidArgumentError(absl::StrCat(
        "auto_pad '", a.auto_pad, "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER"));
  }
  return a;
}

absl::StatusOr<NdWindow> ComputeNdWindow(std::span<const int64_t> in,
                                         std::span<const int64_t> kernel,
                                         const NdWindowAttrs& attrs) {
  const size_t r = in.size();
  ASSIGN_OR_RETURN(NdWindow w, StartWindow(in, kernel, attrs));
  for (size_t i = 0; i < r; ++i) {
    const int64_t k = w.kernel[i], s = w.strides[i], d = w.dilations[i];
    RETURN_IF_ERROR(CheckAxis(i, k, s, d));
    const int64_t e = (k - 1) * d + 1;
    if (attrs.auto_pad == "NOTSET") {
      if (!attrs.pads.empty()) {
        w.pad_begin[i] = attrs.pads[i];
        w.pad_end[i] = attrs.pads[i + r];
        if (w.pad_begin[i] < 0 || w.pad_end[i] < 0) {
          return absl::InvalidArgumentError(absl::StrCat("pads must not be negative, axis ", i));
        }
      }
      const int64_t span = in[i] + w.pad_begin[i] + w.pad_end[i] - e;
      if (span < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "spatial axis ", i, ": the window (", k, " with dilation ", d,
            ") is larger than the padded input (", in[i] + w.pad_begin[i] + w.pad_end[i], ")"));
      }
      int64_t out = (attrs.ceil_mode ? CeilDiv(span, s) : span / s) + 1;
      // Note: ceil_mode may add a window that starts in the end padding only;
      // ONNX (like PyTorch) drops it.
      if (attrs.ceil_mode && (out - 1) * s >= in[i] + w.pad_begin[i]) --out;
      w.out[i] = out;
    } else if (attrs.auto_pad == "VALID") {
      if (in[i] < e) {
        return absl::InvalidArgumentError(absl::StrCat("spatial axis ", i, ": the window (", e,
                                                       ") is larger than the input (", in[i],
                                                       ") under auto_pad VALID"));
      }
      w.out[i] = (attrs.ceil_mode ? CeilDiv(in[i] - e, s) : (in[i] - e) / s) + 1;
    } else {
      w.out[i] = CeilDiv(in[i], s);
      const int64_t total = std::max<int64_t>(0, (w.out[i] - 1) * s + e - in[i]);
      const bool upper = attrs.auto_pad == "SAME_UPPER";
      w.pad_begin[i] = upper ? total / 2 : total - total / 2;
      w.pad_end[i] = total - w.pad_begin[i];
    }
  }
  return w;
}

absl::StatusOr<NdWindow> ComputeConvTransposeWindow(std::span<const int64_t> in,
                                                    std::span<const int64_t> kernel,
                                                    const NdWindowAttrs& attrs,
                                                    const std::vector<int64_t>& output_padding,
                                                    const std::vector<int64_t>& output_shape) {
  const size_t r = in.size();
  ASSIGN_OR_RETURN(NdWindow w, StartWindow(in, kernel, attrs));
  RETURN_IF_ERROR(CheckLength("output_padding", output_padding, r));
  RETURN_IF_ERROR(CheckLength("output_shape", output_shape, r));
  const bool same = attrs.auto_pad == "SAME_UPPER" || attrs.auto_pad == "SAME_LOWER";
  for (size_t i = 0; i < r; ++i) {
    const int64_t k = w.kernel[i], s = w.strides[i], d = w.dilations[i];
    RETURN_IF_ERROR(CheckAxis(i, k, s, d));
    const int64_t op = output_padding.empty() ? 0 : output_padding[i];
    const int64_t full = s * (in[i] - 1) + op + (k - 1) * d + 1;
    if (!output_shape.empty() || same) {
      const int64_t want = output_shape.empty() ? in[i] * s : output_shape[i];
      // Floor division, as ONNX's reference: an output_shape past the full
      // size makes `total` negative, and the extra rows go at the end.
      const int64_t total = full - want;
      w.pad_begin[i] = attrs.auto_pad == "SAME_UPPER" ? FloorDiv(total, 2)
                                                      : total - FloorDiv(total, 2);
      w.pad_end[i] = total - w.pad_begin[i];
    } else if (attrs.auto_pad == "NOTSET" && !attrs.pads.empty()) {
      w.pad_begin[i] = attrs.pads[i];
      w.pad_end[i] = attrs.pads[i + r];
    }
    w.out[i] = full - w.pad_begin[i] - w.pad_end[i];
    if (w.out[i] < 0) {
      return absl::InvalidArgumentError(absl::StrCat("spatial axis ", i, ": the output size ",
                                                     w.out[i], " is negative"));
    }
  }
  return w;
}

}  // namespace graphrt
