// Cast on the CPU: converts a tensor between float32, int32, int64, uint8
// and bool (attrs SrcT and DstT), and the element conversion behind it. The
// type checks and messages are every device's (kernels/common/cast_types.h).
//
// Conversions (every pair is defined; none is undefined behaviour):
//   - float -> integer truncates toward zero (like static_cast and TF);
//     NaN gives 0 and values beyond the target's range saturate to its
//     min / max (the hardware would otherwise give INT_MIN or garbage).
//   - integer -> narrower integer wraps modulo 2^bits (int64 -> int32,
//     int32 -> uint8: 300 -> 44, -1 -> 255), as C++20 static_cast does.
//   - anything -> bool is x != 0 (NaN -> true); bool -> anything is 0 / 1.
//   - integer -> float rounds to nearest.
//   - SrcT == DstT outputs the input itself (shared buffer, no copy).
// Work is split over the intra-op pool at about 1 ns per element.
//
// Thread-safety: CastFn functions are pure; the kernel keeps no step state.
#ifndef GRAPHRT_KERNELS_CPU_CAST_OP_H_
#define GRAPHRT_KERNELS_CPU_CAST_OP_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/graph/types.h"
#include "kernels/common/cast_types.h"

namespace graphrt {

// Converts elements [begin, end) of `in` (of the source type) into the same
// positions of `out` (of the destination type).
using CastFn = void (*)(const void* in, void* out, int64_t begin, int64_t end);

// The conversion from `src` to `dst`; INVALID_ARGUMENT naming both types and
// the supported ones when either is not float32, int32, int64, uint8 or bool
// (CheckCastTypes).
absl::StatusOr<CastFn> GetCastFn(DataType src, DataType dst);

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_CAST_OP_H_
