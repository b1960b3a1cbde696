#include "kernels/cpu/batch_norm_ops.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/common/batch_norm_checks.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

constexpr int64_t kMaxChunks = 16;

absl::Status CheckFormat(const OpKernelConstruction& c) {
  ASSIGN_OR_RETURN(std::string format, c.attr<std::string>("data_format"));
  if (format != "NHWC") {
    return absl::InvalidArgumentError(absl::StrCat(
        "data_format ", format, " is not supported: graphrt's CPU kernels are NHWC only"));
  }
  return absl::OkStatus();
}

// sums[j][c] = sum over rows of fn(j, row pointer)[c], for `k` sums at once,
// in double: chunk partials fixed by `rows`, added in chunk order.
template <int K, typename Fn>
void ChannelSums(const OpKernelContext& ctx, int64_t rows, int64_t c, Fn&& fn,
                 std::vector<double> (&sums)[K]) {
  const int64_t chunks = std::max<int64_t>(1, std::min(rows, kMaxChunks));
  const int64_t per_chunk = (rows + chunks - 1) / chunks;
  std::vector<double> partials(chunks * K * c, 0.0);
  ctx.ParallelFor(chunks, std::max<int64_t>(1, per_chunk * c / 4), [&](int64_t b, int64_t e) {
    for (int64_t chunk = b; chunk < e; ++chunk) {
      double* acc = partials.data() + chunk * K * c;
      for (int64_t r = chunk * per_chunk; r < std::min(rows, (chunk + 1) * per_chunk); ++r) {
        fn(r, acc);
      }
    }
  });
  for (int k = 0; k < K; ++k) sums[k].assign(c, 0.0);
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const double* p = partials.data() + chunk * K * c;
    for (int k = 0; k < K; ++k) {
      for (int64_t i = 0; i < c; ++i) sums[k][i] += p[k * c + i];
    }
  }
}

}  // namespace

absl::Status FusedBatchNormOp::Init(const OpKernelConstruction& c) {
  RETURN_IF_ERROR(CheckFormat(c));
  ASSIGN_OR_RETURN(epsilon_, c.attr<float>("epsilon"));
  ASSIGN_OR_RETURN(factor_, c.attr<float>("exponential_avg_factor"));
  ASSIGN_OR_RETURN(training_, c.attr<bool>("is_training"));
  return absl::OkStatus();
}

absl::Status FusedBatchNormOp::Compute(OpKernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  RETURN_IF_ERROR(CheckBatchNormX(x, "x"));
  const int64_t c = x.dim(3);
  const int64_t rows = c == 0 ? 0 : x.num_elements() / c;
  const bool may_be_empty = training_ && factor_ == 1.0f;
  RETURN_IF_ERROR(CheckChannelVector(ctx.input(1), "scale", c));
  RETURN_IF_ERROR(CheckChannelVector(ctx.input(2), "offset", c));
  RETURN_IF_ERROR(CheckChannelVector(ctx.input(3), "mean", c, may_be_empty));
  RETURN_IF_ERROR(CheckChannelVector(ctx.input(4), "variance", c, may_be_empty));
  const float* px = x.data<float>();
  const float* scale = ctx.input(1).data<float>();
  const float* offset = ctx.input(2).data<float>();
  const bool have_running = ctx.input(3).num_elements() == c;
  const float* in_mean = ctx.input(3).data<float>();
  const float* in_var = ctx.input(4).data<float>();

  // The statistics y uses: the batch's (training) or the inputs' (inference).
  std::vector<float> mean(c), var(c);
  std::vector<float> out_mean(c), out_var(c);
  if (training_) {
    std::vector<double> s1[1];
    ChannelSums<1>(ctx, rows, c, [&](int64_t r, double* acc) {
      const float* row = px + r * c;
      for (int64_t i = 0; i < c; ++i) acc[i] += row[i];
    }, s1);
    std::vector<double> m(c);
    for (int64_t i = 0; i < c; ++i) m[i] = rows > 0 ? s1[0][i] / rows : 0.0;
    std::vector<double> s2[1];
    ChannelSums<1>(ctx, rows, c, [&](int64_t r, double* acc) {
      const float* row = px + r * c;
      for (int64_t i = 0; i < c; ++i) {
        const double d = row[i] - m[i];
        acc[i] += d * d;
      }
    }, s2);
    const double unbias = rows > 1 ? static_cast<double>(rows) / (rows - 1) : 1.0;
    for (int64_t i = 0; i < c; ++i) {
      const double v = rows > 0 ? s2[0][i] / rows : 0.0;
      mean[i] = static_cast<float>(m[i]);
      var[i] = static_cast<float>(v);
      const double f = factor_;
      const double old_m = have_running ? in_mean[i] : 0.0;
      const double old_v = have_running ? in_var[i] : 0.0;
      out_mean[i] = static_cast<float>((1 - f) * old_m + f * m[i]);
      out_var[i] = static_cast<float>((1 - f) * old_v + f * v * unbias);
    }
  } else {
    std::copy(in_mean, in_mean + c, mean.begin());
    std::copy(in_var, in_var + c, var.begin());
    out_mean = mean;
    out_var = var;
  }

  // y = x * a + b per channel.
  std::vector<float> a(c), b(c);
  for (int64_t i = 0; i < c; ++i) {
    a[i] = scale[i] / std::sqrt(var[i] + epsilon_);
    b[i] = offset[i] - mean[i] * a[i];
  }
  ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.shape()));
  float* py = y->data<float>();
  ctx.ParallelFor(rows, std::max<int64_t>(1, c / 8), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* xr = px + r * c;
      float* yr = py + r * c;
      for (int64_t i = 0; i < c; ++i) yr[i] = xr[i] * a[i] + b[i];
    }
  });
  const std::vector<float>* vectors[] = {&out_mean, &out_var, &mean, &var};
  for (int k = 0; k < 4; ++k) {
    ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(1 + k, TensorShape{c}));
    std::copy(vectors[k]->begin(), vectors[k]->end(), t->data<float>());
  }
  ASSIGN_OR_RETURN(Tensor * reserve3, ctx.allocate_output(5, TensorShape{}));
  reserve3->data<float>()[0] = 0.0f;
  return absl::OkStatus();
}

absl::Status FusedBatchNormGradOp::Init(const OpKernelConstruction& c) {
  RETURN_IF_ERROR(CheckFormat(c));
  ASSIGN_OR_RETURN(epsilon_, c.attr<float>("epsilon"));
  ASSIGN_OR_RETURN(training_, c.attr<bool>("is_training"));
  return absl::OkStatus();
}

absl::Status FusedBatchNormGradOp::Compute(OpKernelContext& ctx) {
  const Tensor& dy = ctx.input(0);
  const Tensor& x = ctx.input(1);
  RETURN_IF_ERROR(CheckBatchNormX(x, "x"));
  if (dy.shape() != x.shape()) {
    return absl::InvalidArgumentError(absl::StrCat("y_backprop ", dy.ShapeString(), " and x ",
                                                   x.ShapeString(), " differ in shape"));
  }
  const int64_t c = x.dim(3);
  const int64_t rows = c == 0 ? 0 : x.num_elements() / c;
  RETURN_IF_ERROR(CheckChannelVector(ctx.input(2), "scale", c));
  RETURN_IF_ERROR(CheckChannelVector(ctx.input(3), "reserve_space_1 (the saved mean)", c));
  RETURN_IF_ERROR(CheckChannelVector(ctx.input(4), "reserve_space_2 (the saved variance)", c));
  const float* pdy = dy.data<float>();
  const float* px = x.data<float>();
  const float* scale = ctx.input(2).data<float>();
  const float* mean = ctx.input(3).data<float>();
  const float* var = ctx.input(4).data<float>();

  // sum(dy) and sum(dy * (x - mean)) per channel.
  std::vector<double> sums[2];
  ChannelSums<2>(ctx, rows, c, [&](int64_t r, double* acc) {
    const float* d = pdy + r * c;
    const float* xr = px + r * c;
    for (int64_t i = 0; i < c; ++i) {
      acc[i] += d[i];
      acc[c + i] += static_cast<double>(d[i]) * (xr[i] - mean[i]);
    }
  }, sums);
  std::vector<float> inv_std(c), k_dy(c), k_x(c), k_0(c);
  for (int64_t i = 0; i < c; ++i) {
    const double is = 1.0 / std::sqrt(static_cast<double>(var[i]) + epsilon_);
    inv_std[i] = static_cast<float>(is);
    if (training_ && rows > 0) {
      // dx = scale * is * (dy - mean(dy) - (x - m) * mean(dy * (x - m)) * is^2)
      const double mean_dy = sums[0][i] / rows, mean_dyx = sums[1][i] / rows;
      k_dy[i] = static_cast<float>(scale[i] * is);
      k_x[i] = static_cast<float>(-scale[i] * is * mean_dyx * is * is);
      k_0[i] = static_cast<float>(-scale[i] * is * mean_dy);
    } else {
      k_dy[i] = static_cast<float>(scale[i] * is);
      k_x[i] = 0.0f;
      k_0[i] = 0.0f;
    }
  }
  ASSIGN_OR_RETURN(Tensor * dx, ctx.allocate_output(0, x.shape()));
  float* pdx = dx->data<float>();
  ctx.ParallelFor(rows, std::max<int64_t>(1, c / 8), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* d = pdy + r * c;
      const float* xr = px + r * c;
      float* o = pdx + r * c;
      for (int64_t i = 0; i < c; ++i) o[i] = d[i] * k_dy[i] + (xr[i] - mean[i]) * k_x[i] + k_0[i];
    }
  });
  ASSIGN_OR_RETURN(Tensor * dscale, ctx.allocate_output(1, TensorShape{c}));
  ASSIGN_OR_RETURN(Tensor * doffset, ctx.allocate_output(2, TensorShape{c}));
  for (int64_t i = 0; i < c; ++i) {
    dscale->data<float>()[i] = static_cast<float>(sums[1][i] * inv_std[i]);
    doffset->data<float>()[i] = static_cast<float>(sums[0][i]);
  }
  RETURN_IF_ERROR(ctx.allocate_output(3, TensorShape{0}).status());
  RETURN_IF_ERROR(ctx.allocate_output(4, TensorShape{0}).status());
  return absl::OkStatus();
}

void RegisterBatchNormKernels(KernelRegistry& r) {
  const std::vector<TypeConstraint> f32 = {{"T", {DataType::kFloat32}},
                                           {"U", {DataType::kFloat32}}};
  r.Register<FusedBatchNormOp>("FusedBatchNormV3", kDeviceCpu, f32);
  r.Register<FusedBatchNormGradOp>("FusedBatchNormGradV3", kDeviceCpu, f32);
}

}  // namespace graphrt
