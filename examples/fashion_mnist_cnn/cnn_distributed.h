// Issue 17's CNN (cnn_model.h) under a distribution strategy
// (options.strategy: mirrored, central storage, or one replica per process
// under multi_worker; examples/common/strategy.h, docs/distribute.md): the
// layers of BuildCnnLayers built once per replica from its slice of the
// global batch, gradients averaged by the strategy, the optimizer of
// CnnOptimizerOptions applied through its ApplyGradients path.
//
// Names: replica 0's variables and optimizer slots keep the single-device
// names ("conv2d/kernel", "conv2d/kernel/momentum"); replica i > 0's are
// under "replica_<i>/"; the strategy's Adam beta powers are
// "update/beta{1,2}_power" where BuildCnn's are "train/beta{1,2}_power"
// (SingleDeviceName maps them). The global feeds are "train_images" and
// "train_labels"; replica 0 also builds an evaluation head on its
// variables, with BuildCnn's feed and fetch names ("images", "labels",
// "logits", "probabilities"), so FreezeGraph on it gives the graph a
// single-device run exports.
//
// Thread-safety: like GraphBuilder (one thread).
#ifndef GRAPHRT_EXAMPLES_FASHION_MNIST_CNN_CNN_DISTRIBUTED_H_
#define GRAPHRT_EXAMPLES_FASHION_MNIST_CNN_CNN_DISTRIBUTED_H_

#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "core/executor/checkpoint.h"
#include "examples/common/strategy.h"
#include "examples/fashion_mnist_cnn/cnn_model.h"

namespace graphrt::mnist {

struct DistributedCnn {
  Cnn cnn;  // evaluation head, train_* (global feeds, mean loss, summed count) and `train`
  examples::StrategyModel strategy;
};

// `devices`: the replicas' (examples::ReplicaDevices); under multi_worker
// this worker's (empty: one replica, on /cpu:0).
// INVALID_ARGUMENT when options.device is set (a strategy places each
// replica on its device) and whatever the strategy refuses.
absl::StatusOr<DistributedCnn> BuildDistributedCnn(GraphBuilder& b, const CnnOptions& options,
                                                   std::span<const std::string> devices);

// Checkpoint names of a strategy's graph (core/executor/checkpoint.h): the
// single-device names BuildCnn's graph has, so that a run without a
// strategy resumes or exports the checkpoint, and one with any strategy or
// replica count resumes a single-device one. Saved: replica 0's variables
// and slots, "update/beta1_power" as "train/beta1_power"; not saved: the
// copies of replicas i > 0 ("replica_<i>/..."), which restore from replica
// 0's entries (under mirrored every copy holds the same values).
CheckpointOptions SingleDeviceCheckpointNames();

}  // namespace graphrt::mnist

#endif  // GRAPHRT_EXAMPLES_FASHION_MNIST_CNN_CNN_DISTRIBUTED_H_
