// StatelessRandomUniformLike on the CPU (core/graph/ops/random_ops.h):
// float32 uniform in [0, 1) with like's shape, element i a pure function of
// (seed[0], seed[1], i) through Philox 4x32-10 (kernels/common/philox.h, the
// same code the GPU kernel runs), so values do not depend on the device or
// on how the intra-op pool splits the work (by blocks of four elements,
// about 3 ns per block).
//
// Errors (INVALID_ARGUMENT): a seed that is not an int32/int64 vector of 2.
// Thread-safety: Compute is thread-safe (the kernel keeps no state).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/philox.h"
#include "kernels/cpu/register.h"

namespace graphrt {
namespace {

template <typename Seed>
class UniformLikeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& seed = ctx.input(1);
    if (seed.shape() != TensorShape{2}) {
      return absl::InvalidArgumentError(absl::StrCat(
          "StatelessRandomUniformLike: seed must have shape [2], got ", seed.ShapeString()));
    }
    // Sign-extended, so int32 and int64 seeds of one value give one stream.
    const uint64_t s0 = static_cast<uint64_t>(static_cast<int64_t>(seed.data<Seed>()[0]));
    const uint64_t s1 = static_cast<uint64_t>(static_cast<int64_t>(seed.data<Seed>()[1]));
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, ctx.input(0).shape()));
    float* v = out->data<float>();
    const int64_t n = out->num_elements();
    ctx.ParallelFor((n + 3) / 4, 3, [&](int64_t b, int64_t e) {
      for (int64_t block = b; block < e; ++block) {
        const philox::Block r = philox::UniformBlock(static_cast<uint64_t>(block), s0, s1);
        const int64_t first = block * 4, count = std::min<int64_t>(4, n - first);
        for (int64_t k = 0; k < count; ++k) v[first + k] = philox::ToUniform(r.v[k]);
      }
    });
    return absl::OkStatus();
  }
};

}  // namespace

void RegisterRandomKernels(KernelRegistry& r) {
  r.Register<UniformLikeOp<int32_t>>("StatelessRandomUniformLike", kDeviceCpu,
                                     {{"Tseed", {DataType::kInt32}}});
  r.Register<UniformLikeOp<int64_t>>("StatelessRandomUniformLike", kDeviceCpu,
                                     {{"Tseed", {DataType::kInt64}}});
}

}  // namespace graphrt
