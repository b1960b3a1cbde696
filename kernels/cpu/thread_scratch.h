// Per-thread scratch buffers for the CPU kernels that stage data between
// their own loops and CpuGemm (im2col tiles, Winograd's transformed planes):
// ThreadScratch(slot, n) gives slot `slot` of the calling thread, grown to at
// least n floats and kept for the thread's life, so a step pays no page
// faults for it (Note [Per-thread im2col buffers] in conv_ops.cc).
// Internal to kernels/cpu. Thread-safety: each thread has its own slots. A
// kernel holds its slots only within one ParallelFor piece: pieces never
// nest on a thread, and CpuGemm packs into buffers of its own, so kernels
// can share the slot numbers.
#ifndef GRAPHRT_KERNELS_CPU_THREAD_SCRATCH_H_
#define GRAPHRT_KERNELS_CPU_THREAD_SCRATCH_H_

#include <cstdint>
#include <vector>

namespace graphrt {

inline constexpr int kThreadScratchSlots = 3;

// slot < kThreadScratchSlots; n >= 0.
inline float* ThreadScratch(int slot, int64_t n) {
  thread_local std::vector<float> buffers[kThreadScratchSlots];
  std::vector<float>& b = buffers[slot];
  if (static_cast<int64_t>(b.size()) < n) b.resize(n);
  return b.data();
}

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_CPU_THREAD_SCRATCH_H_
