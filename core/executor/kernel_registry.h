// KernelRegistry: which kernels exist, keyed by (op, device type, dtype
// constraints), and how to make one for a node.
//
// The placer asks "which device types can run this node?"
// (SupportedDeviceTypes); the session asks "make me the kernel for this node
// on this device type" (CreateKernel). DefaultKernelRegistry() holds every
// kernel built into this binary (CPU always, GPU when built with CUDA).
//
// Thread-safety: Register and the queries are thread-safe.
#ifndef GRAPHRT_CORE_EXECUTOR_KERNEL_REGISTRY_H_
#define GRAPHRT_CORE_EXECUTOR_KERNEL_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/base/sync.h"
#include "core/executor/op_kernel.h"

namespace graphrt {

using KernelFactory =
    std::function<absl::StatusOr<std::unique_ptr<OpKernel>>(const OpKernelConstruction&)>;

// A type attr and the dtypes a kernel accepts for it.
struct TypeConstraint {
  std::string attr;
  std::vector<DataType> allowed;
};

struct KernelDef {
  std::string op;
  std::string device_type;  // kDeviceCpu, kDeviceGpu, or a test type
  std::vector<TypeConstraint> constraints;
  KernelFactory factory;    // null: a descriptor only (placement tests)
};

class KernelRegistry {
 public:
  void Register(KernelDef def);

  // Registers kernel class K, constructed as K(const OpKernelConstruction&)
  // and checked with K::Init() -> absl::Status when it has one.
  template <typename K>
  void Register(std::string op, std::string device_type,
                std::vector<TypeConstraint> constraints = {}) {
    Register(KernelDef{std::move(op), std::move(device_type), std::move(constraints),
                       [](const OpKernelConstruction& c)
                           -> absl::StatusOr<std::unique_ptr<OpKernel>> {
                         auto k = std::make_unique<K>(c);
                         if constexpr (requires { k->Init(c); }) {
                           absl::Status s = k->Init(c);
                           if (!s.ok()) return s;
                         }
                         return std::unique_ptr<OpKernel>(std::move(k));
                       }});
  }

  // The kernel def for `node` on `device_type`; NOT_FOUND listing the dtypes
  // and device types that do have one.
  absl::StatusOr<const KernelDef*> Find(const Node& node, absl::string_view device_type) const;
  // Device types with a kernel for `node`, sorted ("CPU", "GPU").
  std::vector<std::string> SupportedDeviceTypes(const Node& node) const;
  absl::StatusOr<std::unique_ptr<OpKernel>> CreateKernel(const OpKernelConstruction& c) const;

 private:
  static bool Matches(const KernelDef& def, const Node& node);
  mutable Mutex mu_;
  // unique_ptr: defs handed out by Find stay put while others register.
  absl::flat_hash_map<std::string, std::vector<std::unique_ptr<const KernelDef>>> by_op_
      ABSL_GUARDED_BY(mu_);
};

// The registry of every kernel linked into this binary, filled on first use.
KernelRegistry& DefaultKernelRegistry();

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_KERNEL_REGISTRY_H_
