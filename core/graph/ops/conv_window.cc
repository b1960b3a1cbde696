#include "core/graph/ops/conv_window.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

absl::Status Invalid(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

// A 4-element NHWC list attr with 1 on batch and channels and positive values.
absl::StatusOr<std::vector<int64_t>> ReadNhwcList(const AttrMap& attrs, const char* name) {
  ASSIGN_OR_RETURN(std::vector<int64_t> v, GetAttr<std::vector<int64_t>>(attrs, name));
  if (v.size() != 4) {
    return Invalid(absl::StrCat(name, " must have 4 elements (NHWC), got [",
                                absl::StrJoin(v, ","), "]"));
  }
  if (v[0] != 1 || v[3] != 1) {
    return Invalid(absl::StrCat(name, " [", absl::StrJoin(v, ","),
                                "] must be 1 on the batch and channel axes (NHWC)"));
  }
  if (v[1] < 1 || v[2] < 1) {
    return Invalid(absl::StrCat(name, " [", absl::StrJoin(v, ","), "] must be positive"));
  }
  return v;
}

}  // namespace

absl::StatusOr<WindowDim> ComputeWindowDim(int64_t in, int64_t window, int64_t dilation,
                                           int64_t stride, Padding padding,
                                           int64_t pad_before, int64_t pad_after) {
  if (window < 1 || dilation < 1 || stride < 1) {
    return Invalid(absl::StrCat("window ", window, ", dilation ", dilation, " and stride ",
                                stride, " must be positive"));
  }
  const int64_t effective = (window - 1) * dilation + 1;
  WindowDim d;
  switch (padding) {
    case Padding::kValid:
      if (in < effective) {
        return Invalid(absl::StrCat("the window (", effective, " with dilation ", dilation,
                                    ") is larger than the input (", in,
                                    ") under VALID padding; use SAME padding or a smaller "
                                    "filter"));
      }
      d.out = (in - effective) / stride + 1;
      return d;
    case Padding::kSame: {
      d.out = (in + stride - 1) / stride;
      const int64_t total = std::max<int64_t>(0, (d.out - 1) * stride + effective - in);
      d.pad_before = total / 2;
      d.pad_after = total - d.pad_before;
      return d;
    }
    case Padding::kExplicit:
      if (pad_before < 0 || pad_after < 0) {
        return Invalid(absl::StrCat("explicit paddings ", pad_before, ", ", pad_after,
                                    " must be >= 0"));
      }
      if (in + pad_before + pad_after < effective) {
        return Invalid(absl::StrCat("the window (", effective, ") is larger than the padded "
                                    "input (", in, " + ", pad_before, " + ", pad_after, ")"));
      }
      d.out = (in + pad_before + pad_after - effective) / stride + 1;
      d.pad_before = pad_before;
      d.pad_after = pad_after;
      return d;
  }
  return Invalid("unknown padding");
}

absl::StatusOr<WindowAttrs> ReadWindowAttrs(const AttrMap& attrs,
                                            const WindowAttrOptions& options) {
  WindowAttrs a;
  ASSIGN_OR_RETURN(std::string format, GetAttr<std::string>(attrs, "data_format"));
  if (format != "NHWC") {
    return Invalid(absl::StrCat("data_format ", format,
                                " is not supported: graphrt's CPU kernels are NHWC only "
                                "(transpose the input, or export the model with NHWC)"));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> strides, ReadNhwcList(attrs, "strides"));
  a.stride_h = strides[1];
  a.stride_w = strides[2];
  if (options.dilations) {
    ASSIGN_OR_RETURN(std::vector<int64_t> d, ReadNhwcList(attrs, "dilations"));
    a.dilation_h = d[1];
    a.dilation_w = d[2];
  }
  if (options.ksize) {
    ASSIGN_OR_RETURN(std::vector<int64_t> k, ReadNhwcList(attrs, "ksize"));
    a.window_h = k[1];
    a.window_w = k[2];
  }
  ASSIGN_OR_RETURN(std::string padding, GetAttr<std::string>(attrs, "padding"));
  if (padding == "SAME") {
    a.padding = Padding::kSame;
  } else if (padding == "VALID") {
    a.padding = Padding::kValid;
  } else if (padding == "EXPLICIT" && options.explicit_padding) {
    a.padding = Padding::kExplicit;
    ASSIGN_OR_RETURN(std::vector<int64_t> p,
                     GetAttr<std::vector<int64_t>>(attrs, "explicit_paddings"));
    if (p.size() != 8 || p[0] != 0 || p[1] != 0 || p[6] != 0 || p[7] != 0) {
      return Invalid(absl::StrCat("explicit_paddings [", absl::StrJoin(p, ","),
                                  "] must hold 8 values (before, after per NHWC axis) with "
                                  "zeros on the batch and channel axes"));
    }
    a.pad_top = p[2];
    a.pad_bottom = p[3];
    a.pad_left = p[4];
    a.pad_right = p[5];
  } else {
    return Invalid(absl::StrCat("padding '", padding, "' must be ",
                                options.explicit_padding ? "SAME, VALID or EXPLICIT"
                                                         : "SAME or VALID"));
  }
  return a;
}

absl::StatusOr<Window2D> ComputeWindow2D(const WindowAttrs& a, int64_t in_h, int64_t in_w,
                                         int64_t filter_h, int64_t filter_w) {
  Window2D w;
  auto height = ComputeWindowDim(in_h, filter_h, a.dilation_h, a.stride_h, a.padding,
                                 a.pad_top, a.pad_bottom);
  if (!height.ok()) return Invalid(absl::StrCat("height: ", height.status().message()));
  auto width = ComputeWindowDim(in_w, filter_w, a.dilation_w, a.stride_w, a.padding,
                                a.pad_left, a.pad_right);
  if (!width.ok()) return Invalid(absl::StrCat("width: ", width.status().message()));
  w.h = *height;
  w.w = *width;
  return w;
}

}  // namespace graphrt
