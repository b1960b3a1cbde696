// Shape rules of the elementwise kernels, shared by every device's
// (kernels/cpu/cwise_binary.h, kernels/gpu/cwise_binary_ops.cc, BroadcastLike
// in kernels/common/shape_ops.h): numpy broadcasting as a BroadcastPlan, and
// the INVALID_ARGUMENT messages for shapes that do not broadcast.
//
// Shapes broadcast like numpy: aligned at the right, each pair of dims equal
// or one of them 1, any ranks. Incompatible shapes are INVALID_ARGUMENT
// naming both shapes. AddN broadcasts all N inputs together (as its shape
// function does).
//
// A plan says how two input shapes map onto an output: the CPU walks it
// (RunBroadcast), the GPU turns it into a strided index (ToBroadcastIndex).
// Thread-safety: pure functions; plans are plain values.
#ifndef GRAPHRT_KERNELS_COMMON_CWISE_SHAPE_H_
#define GRAPHRT_KERNELS_COMMON_CWISE_SHAPE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/executor/op_kernel.h"
#include "core/graph/tensor_shape.h"

namespace graphrt {

struct BroadcastPlan {
  enum class Kind {
    kEmpty,    // the output has no elements: nothing to compute
    kSame,     // x, y and the output all have the same element count: flat index i in all
    kScalarX,  // x has one element, y the output's element count
    kScalarY,  // y has one element, x the output's element count
    kRepeatX,  // y has the output's element count; x is broadcast along leading
               // dims only, so out[i] = op(x[i % period], y[i]) ([C] + [B,C])
    kRepeatY,  // x has the output's element count; out[i] = op(x[i], y[i % period])
    kGeneral,  // strided, described by dims / x_strides / y_strides
  };
  Kind kind = Kind::kSame;
  TensorShape out_shape;
  int64_t period = 0;  // kRepeatX / kRepeatY only: the repeating input's element count
  // kGeneral only. The output's dims, outermost first, with size-1 dims
  // dropped and adjacent dims merged where x and y broadcast alike; and each
  // input's element stride along those dims (0 where it is broadcast). The
  // innermost stride of each input is 0 or 1.
  DimVector dims;
  DimVector x_strides;
  DimVector y_strides;
};

// Plans `x op y` onto their numpy broadcast shape. INVALID_ARGUMENT naming
// both shapes when they do not broadcast.
absl::StatusOr<BroadcastPlan> MakeBroadcastPlan(const TensorShape& x, const TensorShape& y);

// Plans x and y each broadcast onto `out`, which may be wider than their own
// broadcast (AddN accumulates inputs into an output shaped by all of them).
// INVALID_ARGUMENT naming the shapes when x or y does not broadcast to `out`.
absl::StatusOr<BroadcastPlan> MakeBroadcastPlan(const TensorShape& x, const TensorShape& y,
                                                const TensorShape& out);

// MakeBroadcastPlan(x, y) for kernel `op`, its error message prefixed "<op>: ".
absl::StatusOr<BroadcastPlan> MakeBinaryPlan(absl::string_view op, const TensorShape& x,
                                             const TensorShape& y);

// AddN's output shape, all of ctx's inputs broadcast together; INVALID_ARGUMENT if they don't.
absl::StatusOr<TensorShape> AddNShape(const OpKernelContext& ctx);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_COMMON_CWISE_SHAPE_H_
