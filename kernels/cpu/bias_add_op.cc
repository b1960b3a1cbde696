#include "kernels/cpu/bias_add_op.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {

absl::Status BiasAddOp::Compute(OpKernelContext& ctx) {
  const Tensor& value = ctx.input(0);
  const Tensor& bias = ctx.input(1);
  RETURN_IF_ERROR(CheckBiasAddShapes(value, bias));
  // Read the input pointer first: the output may take over its buffer.
  const float* in = value.data<float>();
  const float* b = bias.data<float>();
  ASSIGN_OR_RETURN(Tensor * out, ctx.forward_input_or_allocate_output(0, 0, value.shape()));
  const int64_t channels = bias.dim(0);
  const int64_t total = value.num_elements();
  if (total == 0) return absl::OkStatus();
  float* o = out->data<float>();
  // in and o may be the same buffer: each element is read before it is written.
  ctx.ParallelFor(total / channels, channels / 4 + 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* x = in + r * channels;
      float* y = o + r * channels;
      for (int64_t c = 0; c < channels; ++c) y[c] = x[c] + b[c];
    }
  });
  return absl::OkStatus();
}

absl::Status BiasAddGradOp::Compute(OpKernelContext& ctx) {
  const Tensor& g = ctx.input(0);
  RETURN_IF_ERROR(CheckBiasAddGradShape(g));
  const int64_t channels = g.dim(g.rank() - 1);
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, TensorShape{channels}));
  if (channels == 0) return absl::OkStatus();
  const int64_t rows = g.num_elements() / channels;
  const float* in = g.data<float>();
  float* o = out->data<float>();
  // Columns are split over the pool; each piece sums its columns down all
  // rows in float, row after row, so the inner loop vectorises and the result
  // does not depend on the number of threads.
  ctx.ParallelFor(channels, rows / 4 + 1, [&](int64_t begin, int64_t end) {
    float* acc = o + begin;
    const int64_t width = end - begin;
    std::fill(acc, acc + width, 0.0f);
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = in + r * channels + begin;
      for (int64_t c = 0; c < width; ++c) acc[c] += row[c];
    }
  });
  return absl::OkStatus();
}

void RegisterBiasAddKernels(KernelRegistry& r) {
  r.Register<BiasAddOp>("BiasAdd", kDeviceCpu, {{"T", {DataType::kFloat32}}});
  r.Register<BiasAddGradOp>("BiasAddGrad", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
