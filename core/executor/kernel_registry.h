// KernelRegistry: which kernels exist, keyed by (op, device type, dtype
// constraints), and how to make one for a node.
//
// The placer asks "which device types can run this node?"
// (SupportedDeviceTypes); the session asks "make me the kernel for this node
// on this device type" (CreateKernel).
//
// KernelRegistry::Global() holds every kernel linked into the binary: kernel
// libraries register themselves when the program starts
// (GRAPHRT_REGISTER_KERNELS below; graphrt::kernels_cpu always through the
// graphrt::graphrt target, graphrt::kernels_gpu in CUDA builds). The core
// registers none. A registry made with a base (KernelRegistry(&base)) adds
// kernels of its own in front of the base's: custom or test kernels without
// touching the global one.
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
  // `base` (may be null) answers what this registry does not; it must
  // outlive this one. `base_device_types` (empty: all) limits what is taken
  // from the base to kernels of those device types, e.g. {"CPU"} for a
  // registry that places everything on CPUs.
  explicit KernelRegistry(const KernelRegistry* base = nullptr,
                          std::vector<std::string> base_device_types = {})
      : base_(base), base_device_types_(std::move(base_device_types)) {}

  // The process-wide registry of every kernel linked into the binary.
  static KernelRegistry& Global();

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

  // The kernel def for `node` on `device_type` (this registry's own first,
  // then the base's); NOT_FOUND listing the dtypes and device types that do
  // have one.
  absl::StatusOr<const KernelDef*> Find(const Node& node, absl::string_view device_type) const;
  // Device types with a kernel for `node`, sorted ("CPU", "GPU").
  std::vector<std::string> SupportedDeviceTypes(const Node& node) const;
  absl::StatusOr<std::unique_ptr<OpKernel>> CreateKernel(const OpKernelConstruction& c) const;
  // This registry's own defs (not the base's), in no particular order: for
  // listings and tests. The pointers stay valid for the registry's lifetime.
  std::vector<const KernelDef*> ListDefs() const;

 private:
  static bool Matches(const KernelDef& def, const Node& node);
  // This registry's own def for `node` on `device_type`, or null; appends a
  // description of each non-matching def of the op to `available`.
  const KernelDef* FindOwn(const Node& node, absl::string_view device_type,
                           std::vector<std::string>* available) const;
  // True when kernels of `device_type` may come from base_.
  bool TakesFromBase(absl::string_view device_type) const;
  const KernelRegistry* const base_;
  const std::vector<std::string> base_device_types_;
  mutable Mutex mu_;
  // unique_ptr: defs handed out by Find stay put while others register.
  absl::flat_hash_map<std::string, std::vector<std::unique_ptr<const KernelDef>>> by_op_
      ABSL_GUARDED_BY(mu_);
};

// GRAPHRT_REGISTER_KERNELS(name, fn) in a kernel library's .cc calls
// fn(KernelRegistry::Global()) before main() runs. A static library keeps
// the file in the link only when something references it: the library
// exports a linker flag (-u of an anchor symbol defined in the same file;
// see kernels/cpu/CMakeLists.txt).
#define GRAPHRT_REGISTER_KERNELS(name, fn)                        \
  static const bool graphrt_kernels_registered_##name = [] {     \
    fn(::graphrt::KernelRegistry::Global());                      \
    return true;                                                  \
  }()

}  // namespace graphrt

#endif  // GRAPHRT_CORE_EXECUTOR_KERNEL_REGISTRY_H_
