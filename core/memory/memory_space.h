// MemorySpace: which memory an allocator hands out, so that code holding a
// buffer knows whether the host may touch it.
//
// Three kinds: plain host memory, page-locked ("pinned") host memory (host
// accessible, and a device can DMA from it), and the memory of one device
// (not host accessible; `device` is the physical device id, e.g. the CUDA
// ordinal). Allocators report their space (Allocator::memory_space(), from
// SubAllocator::memory_space() for pooling ones); a Tensor asks its buffer's
// allocator before the host reads it (Tensor::host_accessible()).
//
// Thread-safety: a plain value.
#ifndef GRAPHRT_CORE_MEMORY_MEMORY_SPACE_H_
#define GRAPHRT_CORE_MEMORY_MEMORY_SPACE_H_

#include <string>
#include <utility>

namespace graphrt {

struct MemorySpace {
  enum class Kind { kHost, kPinnedHost, kDevice };
  Kind kind = Kind::kHost;
  std::string device_type;  // kDevice: "GPU", ...; empty for host memory
  int device = -1;          // kDevice: the physical device id; -1 otherwise

  static MemorySpace Host() { return {}; }
  static MemorySpace PinnedHost() { return {Kind::kPinnedHost, "", -1}; }
  static MemorySpace Device(std::string type, int physical_id) {
    return {Kind::kDevice, std::move(type), physical_id};
  }

  // True for host and pinned host memory: the CPU may read and write it.
  bool host_accessible() const { return kind != Kind::kDevice; }
  // "host", "pinned host", "GPU:0 device memory".
  std::string ToString() const;

  friend bool operator==(const MemorySpace& a, const MemorySpace& b) {
    return a.kind == b.kind && a.device_type == b.device_type && a.device == b.device;
  }
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_MEMORY_MEMORY_SPACE_H_
