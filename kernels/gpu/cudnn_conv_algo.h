// The convolution algorithm choice of the cuDNN kernels
// (cudnn_conv_ops.cc): which algorithm runs one (pass, shape) on a device,
// chosen once and cached per shape key. Holds no cuDNN type, so the choice
// rule is plain data in, plain data out.
//
// Note [cuDNN algorithm choice and workspace]
// Rationale: cuDNN offers several algorithms per convolution whose speed and
// scratch ("workspace") needs differ by shape; asking every step costs host
// time, and the workspace must come from the device's pool (never
// cudaMalloc: the pool owns nearly all the card's memory).
// Approach: on the first call for a key, cuDNN's heuristics
// (cudnnGet*Algorithm_v7: no trial runs, no host wait, no memory) rank the
// algorithms; ChooseConvAlgo takes the first that is supported and whose
// workspace fits kMaxConvWorkspaceBytes, and remembers as fallback the first
// supported one that needs no workspace. Both go into the device's
// ConvAlgoCache. Each call allocates the chosen workspace from the device's
// allocator for the span of the kernel; when that allocation fails the
// kernel runs the fallback (no workspace) instead of failing the step.
// Limitations: heuristics, not measurement (TF's autotune times the
// candidates: cudnnFind* would, at the price of a host wait and scratch
// buffers on the first step of each shape). Algorithms are not filtered for
// determinism.
//
// Thread-safety: ConvAlgoCache is thread-safe; ChooseConvAlgo is pure.
#ifndef GRAPHRT_KERNELS_GPU_CUDNN_CONV_ALGO_H_
#define GRAPHRT_KERNELS_GPU_CUDNN_CONV_ALGO_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "core/base/sync.h"

namespace graphrt {

// The workspace cap of one convolution call (TF's default limit is 4 GiB;
// graphrt's conformance runtime gives each GPU 2 GiB).
inline constexpr size_t kMaxConvWorkspaceBytes = size_t{256} << 20;

enum class ConvPass : int { kForward, kBackwardData, kBackwardFilter };

// Everything the choice depends on: the pass and the cuDNN problem as set
// (after any explicit padding of the input).
struct ConvKey {
  ConvPass pass = ConvPass::kForward;
  int64_t n = 0, h = 0, w = 0, c = 0, out_c = 0;
  int64_t filter_h = 0, filter_w = 0, pad_h = 0, pad_w = 0;
  int64_t stride_h = 0, stride_w = 0, dilation_h = 0, dilation_w = 0, groups = 1;

  friend bool operator==(const ConvKey&, const ConvKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const ConvKey& k) {
    return H::combine(std::move(h), static_cast<int>(k.pass), k.n, k.h, k.w, k.c, k.out_c,
                      k.filter_h, k.filter_w, k.pad_h, k.pad_w, k.stride_h, k.stride_w,
                      k.dilation_h, k.dilation_w, k.groups);
  }
};

// One ranked candidate from cuDNN's heuristics (best first).
struct AlgoCandidate {
  int algo = 0;
  bool supported = false;  // cuDNN's status for it was success
  size_t workspace = 0;    // bytes
};

struct ConvAlgo {
  int algo = 0;
  size_t workspace = 0;
  std::optional<int> fallback;  // supported and needing no workspace
};

// The first supported candidate within `cap` bytes, and the first supported
// one with no workspace; nullopt when none is supported within the cap.
std::optional<ConvAlgo> ChooseConvAlgo(std::span<const AlgoCandidate> ranked, size_t cap);

// Note [cuDNN algorithm choice and workspace]. One per device.
class ConvAlgoCache {
 public:
  std::optional<ConvAlgo> Find(const ConvKey& key) const {
    MutexLock lock(&mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  // Keeps the first algorithm stored for `key` (two threads may choose at
  // once; they choose the same).
  void Insert(const ConvKey& key, const ConvAlgo& algo) {
    MutexLock lock(&mu_);
    map_.try_emplace(key, algo);
  }
  size_t size() const {
    MutexLock lock(&mu_);
    return map_.size();
  }

 private:
  mutable Mutex mu_;
  absl::flat_hash_map<ConvKey, ConvAlgo> map_ ABSL_GUARDED_BY(mu_);
};

}  // namespace graphrt

#endif  // GRAPHRT_KERNELS_GPU_CUDNN_CONV_ALGO_H_
