#include "kernels/cpu/bias_add_op.h"

#include "absl/strings/str_cat.h"
#include "core/graph/status_macros.h"
#include "kernels/cpu/register.h"

namespace graphrt {

absl::Status BiasAddOp::Compute(OpKernelContext& ctx) {
  const Tensor& value = ctx.input(0);
  const Tensor& bias = ctx.input(1);
  if (value.rank() < 1 || bias.rank() != 1 || bias.dim(0) != value.dim(value.rank() - 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BiasAdd needs value [..., C] and bias [C]; got value ", value.ShapeString(),
        " and bias ", bias.ShapeString()));
  }
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

void RegisterBiasAddKernels(KernelRegistry& r) {
  r.Register<BiasAddOp>("BiasAdd", kDeviceCpu, {{"T", {DataType::kFloat32}}});
}

}  // namespace graphrt
