// Gradient buckets: planning and one replica's fused all-reduce.
#include "core/graph/distribute/buckets.h"

#include "absl/strings/str_cat.h"
#include "core/graph/ops/array_ops.h"
#include "core/graph/ops/indexing_ops.h"
#include "core/graph/ops/layout_ops.h"

namespace graphrt::distribute {

std::vector<GradientBucket> PlanBuckets(std::span<const int64_t> gradient_bytes,
                                        int64_t bucket_bytes, int64_t unfused_bytes) {
  std::vector<GradientBucket> buckets;
  bool open = false;  // whether the last bucket takes more gradients
  for (int i = static_cast<int>(gradient_bytes.size()) - 1; i >= 0; --i) {
    const int64_t bytes = gradient_bytes[i];
    const bool alone = unfused_bytes > 0 && bytes >= unfused_bytes;
    if (!open || alone || bucket_bytes <= 0 || buckets.back().bytes + bytes > bucket_bytes) {
      buckets.emplace_back();
    }
    buckets.back().variables.push_back(i);
    buckets.back().bytes += bytes;
    open = !alone;
  }
  return buckets;
}

Output FuseBucket(std::span<const Output> gradients, absl::string_view name) {
  if (gradients.size() == 1) return gradients[0];
  std::vector<Output> flat;
  for (const Output& g : gradients) flat.push_back(ops::Reshape(g, {-1}));
  return ops::ConcatV2(flat, 0, absl::StrCat(name, "_fuse"));
}

std::vector<Output> SplitBucket(Output fused, std::span<const TensorShape> shapes) {
  if (shapes.size() == 1) return {fused};
  std::vector<Output> result;
  int64_t offset = 0;
  for (const TensorShape& shape : shapes) {
    const int64_t n = shape.num_elements();
    StridedSliceAttrs slice;
    slice.begin = {offset};
    slice.end = {offset + n};
    slice.strides = {1};
    Output piece = ops::StridedSlice(fused, slice);
    std::vector<int64_t> dims(shape.dims().begin(), shape.dims().end());
    result.push_back(ops::Reshape(piece, dims));
    offset += n;
  }
  return result;
}

absl::StatusOr<std::vector<Output>> AllReduceBucket(GraphBuilder& b,
                                                    std::span<const Output> gradients,
                                                    std::span<const TensorShape> shapes,
                                                    const ops::CollectiveOptions& options,
                                                    Output after, Output* all_reduce) {
  if (gradients.empty() || gradients.size() != shapes.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "AllReduceBucket: ", gradients.size(), " gradients and ", shapes.size(), " shapes"));
  }
  const std::string name = absl::StrCat("allreduce_", options.instance_key);
  Output reduced = ops::CollectiveAllReduce(FuseBucket(gradients, name),
                                            ops::CollectiveReduction::kMean, options, name);
  if (after.valid() && reduced.valid()) b.AddControlDependency(after, reduced);
  std::vector<Output> result = SplitBucket(reduced, shapes);
  if (!b.status().ok()) return b.status();
  *all_reduce = reduced;
  return result;
}

}  // namespace graphrt::distribute
