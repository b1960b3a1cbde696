// The process-wide device factory registry (device_factory.h): the CPU's
// factory first, then the registered ones.
#include "core/executor/device_factory.h"

#include <cstdio>

#include "core/base/sync.h"
#include "core/executor/cpu_device.h"

namespace graphrt {
namespace {

struct Registry {
  Mutex mu;
  std::vector<std::unique_ptr<DeviceFactory>> factories ABSL_GUARDED_BY(mu);
};

Registry& GlobalRegistry() {
  static Registry* registry = [] {
    auto* r = new Registry();  // never destroyed: runtimes may outlive static destruction
    MutexLock lock(&r->mu);
    r->factories.push_back(CreateCpuDeviceFactory());
    return r;
  }();
  return *registry;
}

}  // namespace

void RegisterDeviceFactory(std::unique_ptr<DeviceFactory> factory) {
  Registry& r = GlobalRegistry();
  MutexLock lock(&r.mu);
  for (const auto& f : r.factories) {
    if (f->type() == factory->type()) {
      std::fprintf(stderr, "graphrt: a second device factory for type %s was ignored\n",
                   factory->type().c_str());
      return;
    }
  }
  r.factories.push_back(std::move(factory));
}

std::vector<DeviceFactory*> DeviceFactories() {
  Registry& r = GlobalRegistry();
  MutexLock lock(&r.mu);
  std::vector<DeviceFactory*> out;
  for (const auto& f : r.factories) out.push_back(f.get());
  return out;
}

}  // namespace graphrt
