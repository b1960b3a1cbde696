#include "core/graph/ops/random_ops.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/layout_ops.h"
#include "core/graph/ops/math_ops.h"
#include "core/graph/shape_inference.h"

namespace graphrt {
namespace {

absl::Status UniformLikeShape(ShapeContext& c) {
  const PartialShape& seed = c.input(1);
  if (seed.known_rank() && (seed.rank() != 1 || (seed.dim(0) >= 0 && seed.dim(0) != 2))) {
    return c.Error(absl::StrCat("seed must have shape [2], got ", seed.DebugString()));
  }
  c.set_output(0, c.input(0));
  return absl::OkStatus();
}

}  // namespace

void RegisterRandomOps(OpRegistry& r) {
  (void)r.Register(OpDefBuilder("StatelessRandomUniformLike")
                       .Input("like: T")
                       .Input("seed: Tseed")
                       .Output("output: dtype")
                       .TypeAttr("T")
                       .TypeAttr("Tseed", {DataType::kInt32, DataType::kInt64})
                       .TypeAttr("dtype", {DataType::kFloat32})
                       .Shape(UniformLikeShape)
                       .Doc("Uniform [0, 1) with like's shape, a pure function of seed [2] "
                            "(Philox 4x32-10; not TF's streams)."));
}

namespace ops {

Output StatelessRandomUniformLike(Output like, Output seed, absl::string_view name) {
  if (!like.valid() || !seed.valid()) return Output();
  Output in[] = {like, seed};
  return like.builder()->Op("StatelessRandomUniformLike", in,
                            {{"dtype", DataType::kFloat32}}, name);
}

// Note [Dropout from a stateless uniform]
// Rationale: a mask drawn by a stateful generator depends on how many draws
// came before (on the device, on thread interleaving); a stateless one is a
// function of (seed, step, element), so a rerun, another device or another
// thread count gives the same mask, and the gradient can reuse the forward
// mask tensor instead of redrawing it.
// Approach: seed = [seed, step]; keep = (u >= rate), computed as
// max(u, rate) == u (exact: max returns one of its operands) so no
// comparison op beyond Equal is needed; y = x * keep / (1 - rate). Mul's
// gradient multiplies by that same mask node.
// Limitations: the mask is materialised as a float tensor of x's shape.
Output Dropout(Output x, float rate, int64_t seed, Output step, absl::string_view name) {
  if (!x.valid() || !step.valid()) return Output();
  GraphBuilder& b = *x.builder();
  if (!(rate >= 0.0f && rate < 1.0f)) {
    b.SetError(absl::InvalidArgumentError(absl::StrCat(
        "Dropout", name.empty() ? "" : absl::StrCat(" '", name, "'"), " of ", x.name(),
        ": rate ", rate, " is not in [0, 1); pass the fraction of elements to drop")));
    return Output();
  }
  if (rate == 0.0f) return x;
  GraphBuilder::NameScope scope(b, name.empty() ? "dropout" : name);
  Output step64 = step.dtype() == DataType::kInt64 ? step : ops::Cast(step, DataType::kInt64);
  Output parts[] = {b.Const(Tensor::FromVector<int64_t>({seed}, TensorShape{1}), "seed"),
                    ops::Reshape(step64, {1})};
  Output u = StatelessRandomUniformLike(x, ops::ConcatV2(parts, 0), "uniform");
  Output keep = ops::Cast(ops::Equal(ops::Maximum(u, b.Scalar(rate)), u), DataType::kFloat32);
  Output mask = ops::Mul(keep, b.Scalar(1.0f / (1.0f - rate)), "mask");
  return ops::Mul(x, mask, "output");
}

}  // namespace ops
}  // namespace graphrt
