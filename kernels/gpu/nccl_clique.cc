#include "kernels/gpu/nccl_clique.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

// Held by every device that is a rank of some clique; drops the device's
// cliques when the device destroys its services, after draining its streams
// (Note [NCCL communicators per device set]).
class NcclMembership final : public DeviceService {
 public:
  explicit NcclMembership(const Device* device) : device_(device) {}
  ~NcclMembership() override { NcclCliques::Default().Forget(device_); }

 private:
  const Device* const device_;
};

void Destroy(NcclClique& clique) {
  // Errors are dropped: the devices are going, nobody is left to tell.
  for (ncclComm_t comm : clique.comms) (void)clique.nccl->CommDestroy(comm);
  clique.comms.clear();
}

}  // namespace

absl::Status CheckDistinctGpus(std::span<const std::string> names,
                               std::span<const int> physical_ids) {
  for (size_t i = 0; i < physical_ids.size(); ++i) {
    for (size_t j = i + 1; j < physical_ids.size(); ++j) {
      if (physical_ids[i] != physical_ids[j]) continue;
      return absl::FailedPreconditionError(absl::StrCat(
          "NCCL cannot put two ranks of one group on one GPU: ", names[i], " and ", names[j],
          " are logical devices of physical GPU ", physical_ids[i],
          " (split from one card: docs/gpu.md). Give the group one logical device per "
          "physical GPU, or place these collectives on the CPU (their tensors are copied "
          "there and back)"));
    }
  }
  return absl::OkStatus();
}

NcclCliques& NcclCliques::Default() {
  static auto* cliques = new NcclCliques();  // never destroyed: kernels may run at exit
  return *cliques;
}

absl::Status NcclCliques::WithClique(const NcclLibrary& nccl,
                                     std::span<CudaDevice* const> devices,
                                     absl::string_view where,
                                     absl::FunctionRef<absl::Status(const NcclClique&)> launch) {
  std::vector<const Device*> key(devices.begin(), devices.end());
  std::vector<int> gpus;
  for (CudaDevice* d : devices) {
    gpus.push_back(d->physical_id());
    // Before mu_: a device destroying its services holds their lock and
    // then takes mu_ (Forget), so mu_ is never held while asking for one.
    RETURN_IF_ERROR(d->GetOrCreateService<NcclMembership>(
                         [d]() -> absl::StatusOr<std::unique_ptr<NcclMembership>> {
                           return std::make_unique<NcclMembership>(d);
                         })
                        .status());
  }
  MutexLock lock(&mu_);
  auto it = cliques_.find(key);
  if (it == cliques_.end()) {
    NcclClique made;
    made.nccl = &nccl;
    made.comms.resize(devices.size());
    // Makes each communicator with its device current; the caller restores
    // its own device (ncclCommInitAll may leave another one current).
    RETURN_IF_ERROR(nccl.Check(
        nccl.CommInitAll(made.comms.data(), static_cast<int>(gpus.size()), gpus.data()),
        "ncclCommInitAll", absl::StrCat(where, ", making the communicators of ",
                                        devices.front()->name(), " and ", devices.size() - 1,
                                        " more")));
    it = cliques_.emplace(std::move(key), std::move(made)).first;
  }
  return launch(it->second);
}

void NcclCliques::Forget(const Device* device) {
  MutexLock lock(&mu_);
  for (auto it = cliques_.begin(); it != cliques_.end();) {
    if (std::find(it->first.begin(), it->first.end(), device) == it->first.end()) {
      ++it;
      continue;
    }
    Destroy(it->second);
    cliques_.erase(it++);  // erasing leaves the other iterators valid
  }
}

int NcclCliques::size() const {
  MutexLock lock(&mu_);
  return static_cast<int>(cliques_.size());
}

}  // namespace graphrt
