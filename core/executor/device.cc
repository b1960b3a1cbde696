#include "core/executor/device.h"

namespace graphrt {

// No slot is reserved for external threads: tasks handed over from another
// device's queue need worker slots even in a 1-thread arena. A Run caller
// that enters the arena takes a free slot like a worker would, so at most
// inter_op_threads threads run ops here.
Device::Device(DeviceAttributes attributes, int inter_op_threads, int intra_op_threads,
               Allocator* allocator, std::unique_ptr<GpuQueue> gpu)
    : attributes_(std::move(attributes)),
      inter_op_threads_(inter_op_threads),
      arena_(std::make_unique<tbb::task_arena>(inter_op_threads, 0)),
      intra_op_(CreateIntraOpPool(intra_op_threads)),
      allocator_(allocator),
      gpu_(std::move(gpu)) {
  EnsureTbbParallelism(inter_op_threads + intra_op_threads);
}

}  // namespace graphrt
