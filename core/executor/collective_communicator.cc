// The communicator as a device service (collective_communicator.h).
#include "core/executor/collective_communicator.h"

#include <memory>

#include "core/executor/device.h"

namespace graphrt {
namespace {

struct CommunicatorService final : DeviceService {
  std::shared_ptr<CollectiveCommunicator> communicator;
};

}  // namespace

CollectiveCommunicator* FindCollectiveCommunicator(Device* device) {
  if (device == nullptr) return nullptr;
  // A service that was never attached is "made" as an error: nothing kept.
  absl::StatusOr<CommunicatorService*> s = device->GetOrCreateService<CommunicatorService>(
      []() -> absl::StatusOr<std::unique_ptr<CommunicatorService>> {
        return absl::NotFoundError("no communicator");
      });
  return s.ok() ? (*s)->communicator.get() : nullptr;
}

void AttachCollectiveCommunicator(Device& device,
                                  std::shared_ptr<CollectiveCommunicator> communicator) {
  (void)device.GetOrCreateService<CommunicatorService>(
      [&]() -> absl::StatusOr<std::unique_ptr<CommunicatorService>> {
        auto s = std::make_unique<CommunicatorService>();
        s->communicator = std::move(communicator);
        return s;
      });
}

}  // namespace graphrt
