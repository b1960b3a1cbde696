#include "kernels/common/reshape_op.h"

#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/executor/op_kernel.h"
#include "kernels/common/register.h"

namespace graphrt {

namespace {
std::string SpecString(std::span<const int64_t> spec) {
  return absl::StrCat("[", absl::StrJoin(spec, ","), "]");
}
}  // namespace

absl::Status ValidateReshapeSpec(std::span<const int64_t> spec) {
  int unknown = 0;
  for (int64_t d : spec) {
    if (d == -1) {
      ++unknown;
    } else if (d < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "reshape to ", SpecString(spec), ": dim ", d, " is negative (only -1 is allowed)"));
    }
  }
  if (unknown > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("reshape to ", SpecString(spec), ": at most one dim may be -1"));
  }
  return absl::OkStatus();
}

absl::StatusOr<TensorShape> ResolveReshape(const TensorShape& in,
                                           std::span<const int64_t> spec) {
  RETURN_IF_ERROR(ValidateReshapeSpec(spec));
  const int64_t count = in.num_elements();
  auto error = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("cannot reshape ", in.DebugString(), " (",
                                                   count, " elements) to ", SpecString(spec),
                                                   ": ", why));
  };
  int unknown = -1;
  int64_t known = 1;
  for (int i = 0; i < static_cast<int>(spec.size()); ++i) {
    if (spec[i] == -1) {
      unknown = i;
      continue;
    }
    if (spec[i] != 0 && known > std::numeric_limits<int64_t>::max() / spec[i]) {
      return error("the element count overflows int64");
    }
    known *= spec[i];
  }
  std::vector<int64_t> dims(spec.begin(), spec.end());
  if (unknown >= 0) {
    if (known == 0) return error("the -1 cannot be inferred when the other dims multiply to 0");
    if (count % known != 0) {
      return error(absl::StrCat(count, " is not a multiple of ", known,
                                ", so the -1 cannot be inferred"));
    }
    dims[unknown] = count / known;
  } else if (known != count) {
    return error(absl::StrCat("that shape has ", known, " elements"));
  }
  return TensorShape(std::span<const int64_t>(dims));
}

namespace {

class ReshapeOp final : public OpKernel {
 public:
  using OpKernel::OpKernel;
  absl::Status Init(const OpKernelConstruction& c) {
    ASSIGN_OR_RETURN(spec_, c.attr<std::vector<int64_t>>("shape"));
    return ValidateReshapeSpec(spec_);
  }
  absl::Status Compute(OpKernelContext& ctx) override {
    const Tensor& in = ctx.input(0);
    ASSIGN_OR_RETURN(TensorShape shape, ResolveReshape(in.shape(), spec_));
    ASSIGN_OR_RETURN(Tensor out, in.Reshaped(shape));
    return ctx.set_output(0, std::move(out));
  }

 private:
  std::vector<int64_t> spec_;
};

}  // namespace

void RegisterNeutralReshapeKernels(KernelRegistry& r, const std::string& device_type,
                                   const NeutralKernelTypes& types) {
  r.Register<ReshapeOp>("Reshape", device_type, NeutralConstraint("T", types.data));
}

}  // namespace graphrt
