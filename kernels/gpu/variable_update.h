// The lock that makes each read-launch-assign of a GPU variable update atomic
// against every other GPU update (Note [GPU variable updates] in
// variable_ops.cc). Shared by the variable kernels (variable_ops.cc) and the
// training kernels (training_ops.cc), which update a variable and its slots
// under it.
// Thread-safety: a process-wide Mutex, held only while the host enqueues.
#ifndef GRAPHRT_KERNELS_GPU_VARIABLE_UPDATE_H_
#define GRAPHRT_KERNELS_GPU_VARIABLE_UPDATE_H_

#include "core/base/sync.h"

namespace graphrt {

Mutex& GpuVariableUpdateMutex();

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_VARIABLE_UPDATE_H_
