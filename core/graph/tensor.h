// Tensor: a typed, shaped view of a reference-counted buffer.
//
// The buffer comes from any Allocator (the host allocator, the host pool, a
// GPU device's BFC allocator over device memory) and goes back to it when the
// last Tensor sharing it is destroyed. Copying a Tensor shares the buffer (one
// atomic increment); `RefCountIsOne()` lets kernels update a buffer in place
// when nobody else can see it.
//
// Host access: the allocator's memory_space() says where the bytes live, and
// the host may read or write them only when host_accessible() (host or pinned
// host memory). data<T>(), flat<T>() and scalar<T>() are host access; so are
// DebugString's values and Clone's copy, which refuse a tensor in device
// memory. raw_data() and device_data<T>() are not: they give the buffer's
// address, a device pointer for device memory, to hand to device code; copy
// such a tensor to the host (the device's copy functions) before the host
// reads it. data<T>() checks this in debug builds only (Note [Host access
// check] in tensor.cc): release builds pay nothing.
//
// Thread-safety: distinct Tensor objects may be used from different threads
// even when they share a buffer; writes to shared element data must be
// ordered by the caller (the executor does this through the graph's edges).
#ifndef GRAPHRT_CORE_GRAPH_TENSOR_H_
#define GRAPHRT_CORE_GRAPH_TENSOR_H_

#include <atomic>
#include <cassert>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/graph/tensor_shape.h"
#include "core/graph/types.h"
#include "core/memory/allocator.h"
#include "core/memory/memory_space.h"

namespace graphrt {

// A session resource (a variable) referred to by kResource tensors.
class ResourceBase {
 public:
  virtual ~ResourceBase() = default;
  virtual std::string DebugString() const = 0;
};

// The storage behind one or more Tensors. Internal to Tensor; kernels never
// see it.
class TensorBuffer {
 public:
  TensorBuffer(Allocator* allocator, void* data, size_t bytes)
      : allocator_(allocator), data_(data), bytes_(bytes) {}
  virtual ~TensorBuffer();

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Allocator* allocator() const { return allocator_; }
  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  bool RefCountIsOne() const { return refs_.load(std::memory_order_acquire) == 1; }
  virtual ResourceBase* resource() const { return nullptr; }

 private:
  std::atomic<int32_t> refs_{1};
  Allocator* allocator_;  // null: not owned (resource buffers)
  void* data_;
  size_t bytes_;
};

class Tensor {
 public:
  Tensor() = default;  // uninitialised: dtype kInvalid, no buffer
  // A tensor on the host allocator; uninitialised (no buffer) if that fails.
  Tensor(DataType dtype, const TensorShape& shape);
  Tensor(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(const Tensor& other);
  Tensor& operator=(Tensor&& other) noexcept;
  ~Tensor() { if (buf_ != nullptr) buf_->Unref(); }

  // Allocates a tensor from `allocator`; RESOURCE_EXHAUSTED when it refuses.
  static absl::StatusOr<Tensor> Allocate(Allocator* allocator, DataType dtype,
                                         const TensorShape& shape);
  // A host tensor holding a copy of `bytes`: elements in row-major order,
  // little-endian, packed (what files store). INVALID_ARGUMENT when the byte
  // count does not match (checked before allocating) or the shape holds more
  // than 2^40 elements; bool bytes other than 0 read as true.
  static absl::StatusOr<Tensor> FromBytes(DataType dtype, const TensorShape& shape,
                                          absl::string_view bytes);
  // A kResource scalar holding `resource`.
  static Tensor FromResource(std::shared_ptr<ResourceBase> resource);

  template <typename T>
  static Tensor Scalar(T value) {
    Tensor t(DataTypeOf<T>(), TensorShape{});
    t.data<T>()[0] = value;
    return t;
  }
  template <typename T>
  static Tensor FromVector(const std::vector<T>& values, const TensorShape& shape) {
    assert(static_cast<int64_t>(values.size()) == shape.num_elements());
    Tensor t(DataTypeOf<T>(), shape);
    for (size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = values[i];
    return t;
  }
  template <typename T>
  static Tensor FromVector(const std::vector<T>& values) {
    return FromVector(values, TensorShape{static_cast<int64_t>(values.size())});
  }

  bool IsInitialized() const { return buf_ != nullptr; }
  DataType dtype() const { return dtype_; }
  const TensorShape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int64_t dim(int i) const { return shape_.dim(i); }
  int64_t num_elements() const { return shape_.num_elements(); }
  size_t TotalBytes() const { return num_elements() * DataTypeSize(dtype_); }

  // Where the buffer lives: its allocator's memory_space(); host for a tensor
  // without a buffer or with a resource. A virtual call: not for inner loops.
  MemorySpace memory_space() const;
  // memory_space().host_accessible(): the host may dereference data<T>().
  bool host_accessible() const { return memory_space().host_accessible(); }

  // The buffer's address wherever it lives, unchecked: a device pointer for a
  // tensor in device memory (for kernel launches and copies). The host must
  // not dereference it unless host_accessible().
  void* raw_data() const { return buf_ == nullptr ? nullptr : buf_->data(); }
  // raw_data() typed, with the dtype asserted but no memory-space check: the
  // pointer device kernels hand to device code.
  template <typename T>
  T* device_data() const {
    assert(DataTypeOf<T>() == dtype_);
    return static_cast<T*>(raw_data());
  }
  // Host access to the elements: valid only when host_accessible(). Debug
  // builds abort on a tensor in device memory ("host access to a tensor in
  // GPU:0 device memory: copy it to the host first"); release builds do not
  // check (Note [Host access check] in tensor.cc).
  template <typename T>
  T* data() const {
    assert(DataTypeOf<T>() == dtype_);
#ifndef NDEBUG
    CheckHostAccess();
#endif
    return static_cast<T*>(raw_data());
  }
  template <typename T>
  std::span<T> flat() const { return {data<T>(), static_cast<size_t>(num_elements())}; }
  template <typename T>
  T scalar() const { return data<T>()[0]; }
  ResourceBase* resource() const { return buf_ == nullptr ? nullptr : buf_->resource(); }

  // A tensor sharing this buffer with another shape of the same element
  // count; INVALID_ARGUMENT otherwise.
  absl::StatusOr<Tensor> Reshaped(const TensorShape& shape) const;
  // A deep copy on `allocator` (host when null), made by the host (memcpy).
  // FAILED_PRECONDITION, naming both memory spaces, when this tensor or
  // `allocator`'s memory is not host accessible: copy through the device
  // instead. A kResource tensor is returned as is (it shares the resource).
  absl::StatusOr<Tensor> Clone(Allocator* allocator = nullptr) const;

  bool SharesBufferWith(const Tensor& other) const { return buf_ != nullptr && buf_ == other.buf_; }
  // True when no other Tensor shares the buffer: the caller may write in place.
  bool RefCountIsOne() const { return buf_ != nullptr && buf_->RefCountIsOne(); }
  Allocator* allocator() const { return buf_ == nullptr ? nullptr : buf_->allocator(); }

  // "float32[2,3] {1, 2, 3, 4, 5, 6}", at most `max_values` values; a tensor
  // not host accessible gives no values: "float32[2,3] (in GPU:0 device memory)".
  std::string DebugString(int max_values = 16) const;
  std::string ShapeString() const;  // "float32[2,3]"

 private:
  Tensor(DataType dtype, const TensorShape& shape, TensorBuffer* buf)
      : dtype_(dtype), shape_(shape), buf_(buf) {}
  // Debug builds' check behind data<T>(): prints what was accessed and where
  // it lives, then aborts, when !host_accessible(). Defined in every build.
  void CheckHostAccess() const;

  DataType dtype_ = DataType::kInvalid;
  TensorShape shape_;
  TensorBuffer* buf_ = nullptr;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_GRAPH_TENSOR_H_
