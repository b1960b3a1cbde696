#include "core/graph/tensor.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace graphrt {

TensorBuffer::~TensorBuffer() {
  if (allocator_ != nullptr) allocator_->DeallocateRaw(data_);
}

namespace {

class ResourceBuffer final : public TensorBuffer {
 public:
  explicit ResourceBuffer(std::shared_ptr<ResourceBase> resource)
      : TensorBuffer(nullptr, &slot_, sizeof(slot_)), resource_(std::move(resource)),
        slot_(resource_.get()) {}
  ResourceBase* resource() const override { return resource_.get(); }

 private:
  std::shared_ptr<ResourceBase> resource_;
  ResourceBase* slot_;
};

}  // namespace

Tensor::Tensor(DataType dtype, const TensorShape& shape) : dtype_(dtype), shape_(shape) {
  const size_t bytes = shape.num_elements() * DataTypeSize(dtype);
  void* data = HostAllocator()->AllocateRaw(kTensorAlignment, bytes);
  if (data != nullptr) buf_ = new TensorBuffer(HostAllocator(), data, bytes);
}

Tensor::Tensor(const Tensor& other)
    : dtype_(other.dtype_), shape_(other.shape_), buf_(other.buf_) {
  if (buf_ != nullptr) buf_->Ref();
}

Tensor::Tensor(Tensor&& other) noexcept
    : dtype_(other.dtype_), shape_(std::move(other.shape_)), buf_(other.buf_) {
  other.buf_ = nullptr;
  other.dtype_ = DataType::kInvalid;
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  if (other.buf_ != nullptr) other.buf_->Ref();
  if (buf_ != nullptr) buf_->Unref();
  dtype_ = other.dtype_;
  shape_ = other.shape_;
  buf_ = other.buf_;
  return *this;
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  if (this == &other) return *this;
  if (buf_ != nullptr) buf_->Unref();
  dtype_ = other.dtype_;
  shape_ = std::move(other.shape_);
  buf_ = other.buf_;
  other.buf_ = nullptr;
  other.dtype_ = DataType::kInvalid;
  return *this;
}

absl::StatusOr<Tensor> Tensor::Allocate(Allocator* allocator, DataType dtype,
                                        const TensorShape& shape) {
  const size_t bytes = shape.num_elements() * DataTypeSize(dtype);
  void* data = allocator->AllocateRaw(kTensorAlignment, bytes);
  if (data == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "out of memory allocating ", DataTypeName(dtype), shape.DebugString(), " (", bytes,
        " bytes) on allocator '", allocator->Name(), "': ",
        allocator->GetStats().DebugString()));
  }
  return Tensor(dtype, shape, new TensorBuffer(allocator, data, bytes));
}

Tensor Tensor::FromResource(std::shared_ptr<ResourceBase> resource) {
  return Tensor(DataType::kResource, TensorShape{}, new ResourceBuffer(std::move(resource)));
}

absl::StatusOr<Tensor> Tensor::FromBytes(DataType dtype, const TensorShape& shape,
                                         absl::string_view bytes) {
  constexpr int64_t kMaxElements = int64_t{1} << 40;  // a corrupt file must not allocate terabytes
  if (dtype == DataType::kInvalid || dtype == DataType::kResource) {
    return absl::InvalidArgumentError(
        absl::StrCat("a ", DataTypeName(dtype), " tensor cannot be read from bytes"));
  }
  const uint64_t want = static_cast<uint64_t>(shape.num_elements()) * DataTypeSize(dtype);
  if (shape.num_elements() > kMaxElements || want != bytes.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        DataTypeName(dtype), " ", shape.DebugString(), " needs ",
        shape.num_elements() > kMaxElements ? "too many" : absl::StrCat(want),
        " bytes of data, the file has ", bytes.size()));
  }
  Tensor out(dtype, shape);
  if (want > 0) std::memcpy(out.raw_data(), bytes.data(), want);
  if (dtype == DataType::kBool) {
    // Any byte but 0 or 1 is not a bool: read nonzero as true.
    auto* p = static_cast<uint8_t*>(out.raw_data());
    for (uint64_t i = 0; i < want; ++i) p[i] = p[i] != 0;
  }
  return out;
}

absl::StatusOr<Tensor> Tensor::Reshaped(const TensorShape& shape) const {
  if (shape.num_elements() != num_elements()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot reshape ", ShapeString(), " (", num_elements(),
                     " elements) to ", shape.DebugString(), " (", shape.num_elements(),
                     " elements)"));
  }
  if (buf_ != nullptr) buf_->Ref();
  return Tensor(dtype_, shape, buf_);
}

MemorySpace Tensor::memory_space() const {
  if (buf_ == nullptr || buf_->allocator() == nullptr) return MemorySpace::Host();
  return buf_->allocator()->memory_space();
}

// Note [Host access check]
// Rationale: a tensor in GPU memory holds a device pointer; a CPU kernel, a
// test or a debug print that reads it through data<T>() segfaults at best and
// reads garbage at worst (with unified addressing a pinned mapping can make it
// "work"), far from the mistake.
// Approach: data<T>() (and flat/scalar through it) asks the allocator's
// memory_space() and aborts with the tensor, its space and the fix, but only
// in debug builds (!NDEBUG, like the dtype assert beside it): data<T>() is on
// the hot path of every CPU kernel, and the check is a virtual call. Code that
// wants the device pointer uses raw_data() or device_data<T>(), never checked.
// DebugString and Clone check in every build: they are not hot, and reading
// device memory there would be a crash, not a slowdown.
// Limitations: release builds catch nothing; aborting is deliberate here (an
// assert, a programming error), unlike the absl::Status errors elsewhere.
void Tensor::CheckHostAccess() const {
  if (buf_ == nullptr) return;
  const MemorySpace space = memory_space();
  if (space.host_accessible()) return;
  const std::string message = absl::StrCat(
      "Tensor::data<T>(): host access to a tensor in ", space.ToString(),
      ": copy it to the host first (", ShapeString(), " from allocator '",
      buf_->allocator()->Name(), "'; raw_data() or device_data<T>() give the device pointer)");
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

absl::StatusOr<Tensor> Tensor::Clone(Allocator* allocator) const {
  if (dtype_ == DataType::kResource) return *this;
  if (allocator == nullptr) allocator = HostAllocator();
  const MemorySpace from = memory_space();
  const MemorySpace to = allocator->memory_space();
  if (!from.host_accessible() || !to.host_accessible()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot clone ", ShapeString(), " from ", from.ToString(), " to ", to.ToString(),
        " (allocator '", allocator->Name(), "') with a host copy: ",
        !from.host_accessible() ? from.ToString() : to.ToString(),
        " is not host accessible; copy it through the device instead"));
  }
  auto copy = Allocate(allocator, dtype_, shape_);
  if (!copy.ok()) return copy.status();
  if (TotalBytes() > 0) std::memcpy(copy->raw_data(), raw_data(), TotalBytes());
  return copy;
}

std::string Tensor::ShapeString() const {
  return absl::StrCat(DataTypeName(dtype_), shape_.DebugString());
}

namespace {
template <typename T>
void AppendValues(const Tensor& t, int max_values, std::string* out) {
  const int64_t n = std::min<int64_t>(t.num_elements(), max_values);
  const T* p = t.data<T>();
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0) out->append(", ");
    if constexpr (std::is_same_v<T, Float16>) {
      absl::StrAppend(out, HalfToFloat(p[i]));
    } else if constexpr (sizeof(T) == 1) {  // bool, int8, uint8 print as numbers
      absl::StrAppend(out, static_cast<int>(p[i]));
    } else {
      absl::StrAppend(out, p[i]);
    }
  }
  if (t.num_elements() > n) out->append(", ...");
}
}  // namespace

std::string Tensor::DebugString(int max_values) const {
  std::string out = ShapeString();
  if (buf_ == nullptr) return out + " <uninitialised>";
  const MemorySpace space = memory_space();
  if (!space.host_accessible()) return absl::StrCat(out, " (in ", space.ToString(), ")");
  out += " {";
  if (dtype_ == DataType::kResource) {
    out += resource() != nullptr ? resource()->DebugString() : "null";
  } else {
    VisitElementType<int>(
        dtype_,
        [&]<typename T>() {
          AppendValues<T>(*this, max_values, &out);
          return 0;
        },
        0);
  }
  return out + "}";
}

}  // namespace graphrt
