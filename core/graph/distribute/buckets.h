// Gradient buckets: the gradients of one replica fused into few all-reduces
// (Horovod's Tensor Fusion, PyTorch DDP's buckets).
//
// PlanBuckets groups variables by the size of their gradients, walking the
// variables from the last to the first: the order the backward pass
// produces their gradients. A bucket holds consecutive variables up to
// `bucket_bytes` (one larger gradient makes a bucket alone), and a gradient
// of at least `unfused_bytes` (when > 0) is a bucket alone. AllReduceBucket
// builds one replica's share of one bucket: the gradients flattened and
// concatenated (none of that for a bucket of one), one CollectiveAllReduce
// (kMean), and the result cut and reshaped back. A bucket's all-reduce then
// depends only on its own gradients (and, through the control edge that
// orders a device's collectives, on the earlier buckets), so it starts while
// the backward pass still computes the gradients of the earlier layers.
//
// Thread-safety: like GraphBuilder.
#ifndef GRAPHRT_CORE_GRAPH_DISTRIBUTE_BUCKETS_H_
#define GRAPHRT_CORE_GRAPH_DISTRIBUTE_BUCKETS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/builder.h"
#include "core/graph/ops/collective_ops.h"

namespace graphrt::distribute {

struct GradientBucket {
  // Indices into the model's variables, in the order the bucket holds them
  // (descending: the last variable first).
  std::vector<int> variables;
  int64_t bytes = 0;         // of all its gradients
  int32_t instance_key = 0;  // of its all-reduce
  std::vector<Output> all_reduces;  // one per replica, in replica order
};

// Buckets for gradients of `gradient_bytes[i]` bytes (variable i), in the
// order their all-reduces run. bucket_bytes <= 0: one bucket per gradient;
// unfused_bytes > 0: gradients of that size or more are buckets alone.
std::vector<GradientBucket> PlanBuckets(std::span<const int64_t> gradient_bytes,
                                        int64_t bucket_bytes, int64_t unfused_bytes = 0);

// One tensor holding a bucket's gradients (in bucket order): the gradient
// itself for a bucket of one, else every gradient flattened and
// concatenated (node "<name>_fuse"). SplitBucket cuts such a tensor back
// into gradients of `shapes`.
Output FuseBucket(std::span<const Output> gradients, absl::string_view name);
std::vector<Output> SplitBucket(Output fused, std::span<const TensorShape> shapes);

// One replica's all-reduce of one bucket, built in the builder's current
// scopes. `gradients` and `shapes` are the bucket's, in bucket order (float32,
// fully known shapes). The all-reduce runs after `after` when it is valid
// (the device's previous collective). Returns the averaged gradients in
// bucket order; `*all_reduce` is the collective node.
absl::StatusOr<std::vector<Output>> AllReduceBucket(GraphBuilder& b,
                                                    std::span<const Output> gradients,
                                                    std::span<const TensorShape> shapes,
                                                    const ops::CollectiveOptions& options,
                                                    Output after, Output* all_reduce);

}  // namespace graphrt::distribute

#endif  // GRAPHRT_CORE_GRAPH_DISTRIBUTE_BUCKETS_H_
