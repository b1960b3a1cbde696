// NonMaxSuppression on the CPU (core/graph/ops/detection_ops.h).
// Per (batch, class): candidates above the score threshold sorted by score
// (stable, so equal scores keep index order), then greedy selection: each
// candidate is compared with the boxes kept so far, O(kept) per candidate.
// Boxes with no area never suppress (their IoU is taken as 0).
//
// Errors (INVALID_ARGUMENT naming the node): shapes other than boxes
// [B, N, 4], scores [B, C, N]; thresholds that are not scalars.
// Thread-safety: Compute is thread-safe.
#include <algorithm>
#include <array>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

using Box = std::array<float, 4>;  // y1, x1, y2, x2 with y1 <= y2, x1 <= x2

Box Corners(const float* b, bool center) {
  if (center) {
    const float xc = b[0], yc = b[1], w = b[2], h = b[3];
    return {yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2};
  }
  return {std::min(b[0], b[2]), std::min(b[1], b[3]), std::max(b[0], b[2]),
          std::max(b[1], b[3])};
}

float Iou(const Box& a, const Box& b) {
  const float ih = std::min(a[2], b[2]) - std::max(a[0], b[0]);
  const float iw = std::min(a[3], b[3]) - std::max(a[1], b[1]);
  if (ih <= 0 || iw <= 0) return 0.0f;
  const float inter = ih * iw;
  const float uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return uni <= 0 ? 0.0f : inter / uni;
}

class NmsOp final : public OpKernel {
 public:
  explicit NmsOp(const OpKernelConstruction& c) : OpKernel(c) {
    if (auto v = c.attr<int64_t>("center_point_box"); v.ok()) center_ = *v != 0;
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    auto error = [&](auto... parts) {
      return absl::InvalidArgumentError(
          absl::StrCat("node '", ctx.node_name(), "' (NonMaxSuppression): ", parts...));
    };
    if (boxes.shape().rank() != 3 || boxes.shape().dim(2) != 4 || scores.shape().rank() != 3 ||
        scores.shape().dim(0) != boxes.shape().dim(0) ||
        scores.shape().dim(2) != boxes.shape().dim(1)) {
      return error("needs boxes [B, N, 4] and scores [B, C, N], got ", boxes.ShapeString(),
                   " and ", scores.ShapeString());
    }
    for (int i = 2; i < 5; ++i) {
      if (ctx.input(i).num_elements() != 1) {
        return error("input ", i, " must hold one value, got ", ctx.input(i).ShapeString());
      }
    }
    const int64_t max_out = ctx.input(2).data<int64_t>()[0];
    const float iou_threshold = ctx.input(3).data<float>()[0];
    const float score_threshold = ctx.input(4).data<float>()[0];
    const int64_t nb = boxes.shape().dim(0), n = boxes.shape().dim(1);
    const int64_t nc = scores.shape().dim(1);
    std::vector<std::array<int64_t, 3>> selected;
    std::vector<Box> corners(n);
    for (int64_t b = 0; b < nb; ++b) {
      for (int64_t i = 0; i < n; ++i) corners[i] = Corners(boxes.data<float>() + (b * n + i) * 4, center_);
      for (int64_t c = 0; c < nc && max_out > 0; ++c) {
        const float* s = scores.data<float>() + (b * nc + c) * n;
        std::vector<int64_t> order;
        for (int64_t i = 0; i < n; ++i) {
          if (s[i] > score_threshold) order.push_back(i);
        }
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t x, int64_t y) { return s[x] > s[y]; });
        std::vector<int64_t> kept;
        for (int64_t i : order) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          bool suppressed = false;
          for (int64_t k : kept) {
            if (Iou(corners[i], corners[k]) > iou_threshold) {
              suppressed = true;
              break;
            }
          }
          if (!suppressed) kept.push_back(i);
        }
        for (int64_t k : kept) selected.push_back({b, c, k});
      }
    }
    ASSIGN_OR_RETURN(Tensor * out,
                     ctx.allocate_output(0, TensorShape{static_cast<int64_t>(selected.size()), 3}));
    for (size_t i = 0; i < selected.size(); ++i) {
      std::copy(selected[i].begin(), selected[i].end(), out->data<int64_t>() + i * 3);
    }
    return absl::OkStatus();
  }

 private:
  bool center_ = false;
};

}  // namespace

void RegisterDetectionKernels(KernelRegistry& r) {
  r.Register<NmsOp>("NonMaxSuppression", kDeviceCpu);
}

}  // namespace graphrt
