// Allocation traces for bench/memory: a text format, a parser, a replayer and
// a synthetic MLP training step.
//
// Format, one operation a line ('#' starts a comment):
//   a <id> <bytes>    allocate <bytes> and name the block <id>
//   f <id>            free block <id>
// Ids are small non-negative integers and may be reused after their free.
// Thread-safety: pure functions over values; Replay uses the allocator given.
#ifndef GRAPHRT_BENCH_MEMORY_ALLOC_TRACE_H_
#define GRAPHRT_BENCH_MEMORY_ALLOC_TRACE_H_

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/memory/allocator.h"

namespace graphrt::bench {

struct TraceOp {
  bool alloc;
  int id;
  size_t bytes;  // allocs only
};

struct Trace {
  std::vector<TraceOp> ops;
  int max_id = 0;
  int64_t peak_live = 0;  // sum of live requested bytes at its highest
};

inline Trace ParseTrace(const std::string& text) {
  Trace t;
  std::istringstream in(text);
  std::string line;
  std::vector<size_t> live_size;
  int64_t live = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind;
    if (!(fields >> kind) || kind[0] == '#') continue;
    TraceOp op{kind == "a", 0, 0};
    fields >> op.id;
    if (op.alloc) fields >> op.bytes;
    if (op.id >= static_cast<int>(live_size.size())) live_size.resize(op.id + 1, 0);
    live += op.alloc ? static_cast<int64_t>(op.bytes) : -static_cast<int64_t>(live_size[op.id]);
    live_size[op.id] = op.alloc ? op.bytes : 0;
    t.peak_live = std::max(t.peak_live, live);
    t.max_id = std::max(t.max_id, op.id);
    t.ops.push_back(op);
  }
  return t;
}

// Replays `t` on `a`; returns the number of allocations that failed.
inline int64_t Replay(const Trace& t, Allocator* a, std::vector<void*>& blocks) {
  blocks.assign(t.max_id + 1, nullptr);
  int64_t failed = 0;
  for (const TraceOp& op : t.ops) {
    if (op.alloc) {
      blocks[op.id] = a->AllocateRaw(kTensorAlignment, op.bytes);
      failed += blocks[op.id] == nullptr;
    } else {
      a->DeallocateRaw(blocks[op.id]);
      blocks[op.id] = nullptr;
    }
  }
  for (void* p : blocks) a->DeallocateRaw(p);
  return failed;
}

// Emits `steps` training steps of a float32 MLP with layer widths `dims`, Adam
// state (two moments per weight) kept for the whole run, and batch size
// batches[step % batches.size()]. Forward keeps each layer's pre-activation and
// activation for backward; backward allocates the upstream gradient, the
// weight and bias gradients and an update temporary, then frees in the order a
// dataflow executor would.
inline std::string MlpTrainingTrace(const std::vector<int64_t>& dims,
                                    const std::vector<int64_t>& batches, int steps) {
  std::string out;
  int next_id = 0;
  std::vector<int> spare;
  const auto alloc = [&](int64_t bytes) {
    int id = next_id;
    if (!spare.empty()) {
      id = spare.back();
      spare.pop_back();
    } else {
      ++next_id;
    }
    absl::StrAppend(&out, "a ", id, " ", bytes, "\n");
    return id;
  };
  const auto release = [&](int id) {
    absl::StrAppend(&out, "f ", id, "\n");
    spare.push_back(id);
  };
  const size_t layers = dims.size() - 1;
  for (size_t l = 0; l < layers; ++l) {
    const int64_t w = dims[l] * dims[l + 1] * 4;
    for (int64_t bytes : {w, dims[l + 1] * 4, w, w}) alloc(bytes);  // W, b, Adam m, v
  }
  for (int s = 0; s < steps; ++s) {
    const int64_t b = batches[s % batches.size()];
    const int x = alloc(b * dims[0] * 4);
    std::vector<int> pre(layers), act(layers);
    for (size_t l = 0; l < layers; ++l) {
      pre[l] = alloc(b * dims[l + 1] * 4);
      act[l] = alloc(b * dims[l + 1] * 4);
    }
    const int loss = alloc(b * 4);
    int grad = alloc(b * dims[layers] * 4);
    release(loss);
    for (size_t l = layers; l-- > 0;) {
      const int64_t w = dims[l] * dims[l + 1] * 4;
      const int gw = alloc(w);
      const int gb = alloc(dims[l + 1] * 4);
      const int up = alloc(b * dims[l] * 4);
      release(grad);
      release(act[l]);
      release(pre[l]);
      const int tmp = alloc(w);  // Adam update temporary
      release(tmp);
      release(gb);
      release(gw);
      grad = up;
    }
    release(grad);
    release(x);
  }
  return out;
}

}  // namespace graphrt::bench

#endif  // GRAPHRT_BENCH_MEMORY_ALLOC_TRACE_H_
