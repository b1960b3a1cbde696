// OpKernel and OpKernelContext: the API every kernel is written against.
//
// A kernel is created once per node when a Session is created (with an
// OpKernelConstruction giving the node's attrs), then Compute runs once per
// step, possibly on several threads at once for concurrent steps: Compute
// must be thread-safe and keep per-step state in the context only.
//
// The context gives inputs, allocates outputs from the device's allocator,
// may hand an input's buffer over to an output (when no one else can see
// it), splits work over the intra-op pool (ParallelFor), and reaches the
// session's resources (variables) and the node's Device
// (core/executor/device.h: copies, and services such as library handles;
// CUDA kernels get their streams through CudaDevice::Of(ctx.device())).
// A kernel that loops or may block for long polls ctx.cancelled() (the step
// was cancelled, passed its deadline or failed) or registers a wake-up
// callback on ctx.cancellation() (core/executor/cancellation.h).
// Errors are returned as absl::Status; the executor adds the node's name and
// device.
#ifndef GRAPHRT_CORE_EXECUTOR_OP_KERNEL_H_
#define GRAPHRT_CORE_EXECUTOR_OP_KERNEL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/executor/cancellation.h"
#include "core/executor/thread_pool.h"
#include "core/graph/graph.h"
#include "core/graph/tensor.h"
#include "core/memory/allocator.h"

namespace graphrt {

class Device;
class ResourceMgr;

inline constexpr char kDeviceCpu[] = "CPU";
inline constexpr char kDeviceGpu[] = "GPU";

class OpKernelConstruction {
 public:
  // A kernel for `node` on `device` (its type, allocator and copies);
  // `graph`, the graph holding `node`, lets ConstantInput see its inputs.
  OpKernelConstruction(const Node& node, Device* device, ResourceMgr* resources,
                       const Graph* graph = nullptr);
  // Without a device (kernel tests, descriptors): the kernel's held values
  // are plain clones on `allocator`, which must be host memory.
  OpKernelConstruction(const Node& node, std::string device_type, ResourceMgr* resources,
                       Allocator* allocator)
      : node_(node), device_type_(std::move(device_type)), resources_(resources),
        allocator_(allocator) {}

  const Node& node() const { return node_; }
  const std::string& device_type() const { return device_type_; }
  template <typename T>
  absl::StatusOr<T> attr(absl::string_view name) const { return node_.attr<T>(name); }
  ResourceMgr* resources() const { return resources_; }
  Allocator* allocator() const { return allocator_; }
  // The node's device; null when made without one.
  Device* device() const { return device_; }
  // A copy of host tensor `host` in the node's device memory (allocator()),
  // through the device's CopyFromHost: what kernels that hold a value
  // (Const, variables' initial values) keep.
  absl::StatusOr<Tensor> CopyToDevice(const Tensor& host) const;
  // The value of input i when a Const node produces it, directly or through
  // _Copy nodes (its "value" attr, in host memory: a kernel on a GPU reads
  // a constant's host value without a device-to-host copy), else nullopt
  // (also when made without the graph). Only
  // placeholders can be fed, so every step's input i holds that value: a
  // kernel may prepare it once (MatMul packs a constant weight).
  std::optional<Tensor> ConstantInput(int i) const;

 private:
  const Node& node_;
  const Graph* graph_ = nullptr;
  std::string device_type_;
  ResourceMgr* resources_;
  Allocator* allocator_;
  Device* device_ = nullptr;
};

class OpKernelContext;

class OpKernel {
 public:
  explicit OpKernel(const OpKernelConstruction& c)
      : name_(c.node().name()), op_(c.node().op()) {
    for (int i = 0; i < c.node().num_outputs(); ++i) output_types_.push_back(c.node().output_type(i));
  }
  virtual ~OpKernel() = default;

  // Runs the kernel for one step. Thread-safe.
  virtual absl::Status Compute(OpKernelContext& ctx) = 0;

  // True for kernels that always cost less than a dispatch (NoOp, Const,
  // Identity): the executor runs them inline without asking CostEstimateNs.
  virtual bool IsAlwaysCheap() const { return false; }
  // Estimated run time in ns for these inputs; below
  // SessionOptions::inline_cost_ns the kernel runs inline on the thread that
  // made it ready. Default: a vectorised elementwise pass over the inputs.
  // Must depend on the inputs' shapes and dtypes only: when they are fixed at
  // plan build the executor asks once and reuses the answer.
  virtual int64_t CostEstimateNs(std::span<const Tensor* const> inputs) const;

  const std::string& name() const { return name_; }
  const std::string& op() const { return op_; }
  DataType output_type(int i) const { return output_types_[i]; }
  int num_outputs() const { return static_cast<int>(output_types_.size()); }

 private:
  std::string name_;
  std::string op_;
  absl::InlinedVector<DataType, 2> output_types_;
};

class OpKernelContext {
 public:
  struct Params {
    const OpKernel* kernel = nullptr;
    std::span<Tensor* const> inputs;  // owned by the step
    uint64_t forwardable = 0;         // bit i: input i may be handed to an output
    std::span<Tensor> outputs;        // filled by the kernel
    Allocator* allocator = nullptr;
    IntraOpPool* intra_op = nullptr;
    ResourceMgr* resources = nullptr;
    int64_t step_id = 0;
    int64_t* bytes_allocated = nullptr;  // when set (traced steps): output bytes allocated
    Device* device = nullptr;         // the node's device; null in bare kernel tests
    Device* source_device = nullptr;  // copy ops: the device input 0 lives on
    CancellationToken* cancellation = nullptr;  // the step's; null in bare kernel tests
  };
  explicit OpKernelContext(const Params& p) : p_(p) {}

  int num_inputs() const { return static_cast<int>(p_.inputs.size()); }
  const Tensor& input(int i) const { return *p_.inputs[i]; }
  int num_outputs() const { return static_cast<int>(p_.outputs.size()); }

  // Allocates output `i` with the node's output dtype. RESOURCE_EXHAUSTED
  // (naming the request and the allocator) when memory runs out.
  absl::StatusOr<Tensor*> allocate_output(int i, const TensorShape& shape);
  // Output `i` takes input `input_index`'s buffer when the shapes' element
  // counts and dtypes match and no one else holds that buffer; otherwise a
  // fresh allocation. Lets elementwise chains run without allocating.
  absl::StatusOr<Tensor*> forward_input_or_allocate_output(int input_index, int i,
                                                           const TensorShape& shape);
  // The same, but a forwarded buffer is moved rather than shared: input
  // `input_index` is left empty, so read its data before calling. Saves a
  // reference-count round trip per node in chains of small elementwise ops.
  absl::StatusOr<Tensor*> take_input_or_allocate_output(int input_index, int i,
                                                        const TensorShape& shape);
  // Sets output `i` to an existing tensor (sharing its buffer).
  absl::Status set_output(int i, Tensor value);
  Tensor* mutable_output(int i) { return &p_.outputs[i]; }

  // Runs fn(begin, end) over [0, total) in pieces on the intra-op pool; the
  // caller joins in and returns when all pieces are done. Runs inline when
  // total * cost_per_unit_ns is too small to be worth splitting.
  void ParallelFor(int64_t total, int64_t cost_per_unit_ns,
                   absl::FunctionRef<void(int64_t, int64_t)> fn) const;

  Allocator* allocator() const { return p_.allocator; }
  // The device this node runs on; null only in bare kernel tests.
  Device* device() const { return p_.device; }
  // For copy ops (OpDef::is_copy): the device whose memory input 0 is in;
  // for other ops the node's own device.
  Device* source_device() const { return p_.source_device; }
  ResourceMgr* resources() const { return p_.resources; }
  const std::string& node_name() const { return p_.kernel->name(); }
  int64_t step_id() const { return p_.step_id; }

  // True once the step is to stop: cancelled (RunOptions::cancellation),
  // past its deadline (RunOptions::timeout_ms) or failed in another node.
  // A kernel that loops or may block for long polls it and returns early;
  // what it returns then is not reported (the step's status is already
  // set), so any status will do. One atomic load. Thread-safe.
  bool cancelled() const { return p_.cancellation != nullptr && p_.cancellation->cancelled(); }
  // The step's token, for a kernel that blocks: register a callback that
  // wakes it (CancellationToken::RegisterCallback; kAlreadyCancelled means
  // stop now) and deregister it before Compute returns. The executor
  // cancels it at the moment cancelled() turns true. Null only in bare
  // kernel tests.
  CancellationToken* cancellation() const { return p_.cancellation; }

 private:
  absl::StatusOr<Tensor*> ForwardOrAllocate(int input_index, int i, const TensorShape& shape,
                                            bool move);
  Params p_;
};

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_OP_KERNEL_H_
