#include "tests/kernels/kernel_test_util.h"

#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/executor/kernel_registry.h"
#include "core/executor/resource_mgr.h"
#include "core/executor/thread_pool.h"
#include "core/graph/graph.h"
#include "core/base/status_macros.h"

namespace graphrt::testing {

absl::StatusOr<std::vector<Tensor>> RunKernel(const std::string& op,
                                              const std::vector<Tensor>& inputs,
                                              const AttrMap& attrs,
                                              const KernelRunOptions& options) {
  Graph graph;
  NodeDef def{"op", op, {}, "", attrs};
  for (size_t i = 0; i < inputs.size(); ++i) {
    NodeDef c{absl::StrCat("input", i), "Const", {}, "",
              {{"value", inputs[i]}, {"dtype", inputs[i].dtype()}}};
    RETURN_IF_ERROR(graph.AddNode(c).status());
    def.inputs.push_back(c.name);
  }
  ASSIGN_OR_RETURN(Node* node, graph.AddNode(def));
  ResourceMgr resources;
  OpKernelConstruction construction(*node, options.device_type, &resources, HostAllocator());
  ASSIGN_OR_RETURN(std::unique_ptr<OpKernel> kernel,
                   KernelRegistry::Global().CreateKernel(construction));
  std::unique_ptr<IntraOpPool> pool = CreateIntraOpPool(options.intra_threads);
  // Copies, so that a kernel forwarding an input cannot alter the caller's.
  std::vector<Tensor> owned;
  for (const Tensor& t : inputs) {
    ASSIGN_OR_RETURN(Tensor copy, t.Clone());
    owned.push_back(std::move(copy));
  }
  std::vector<Tensor*> input_ptrs;
  for (Tensor& t : owned) input_ptrs.push_back(&t);
  std::vector<Tensor> outputs(node->num_outputs());
  OpKernelContext::Params params;
  params.kernel = kernel.get();
  params.inputs = input_ptrs;
  params.forwardable = options.forward_inputs ? ~uint64_t{0} : 0;
  params.outputs = outputs;
  params.allocator = HostAllocator();
  params.intra_op = pool.get();
  params.resources = &resources;
  OpKernelContext ctx(params);
  RETURN_IF_ERROR(kernel->Compute(ctx));
  for (int i = 0; i < static_cast<int>(outputs.size()); ++i) {
    if (!outputs[i].IsInitialized()) {
      return absl::InternalError(absl::StrCat(op, " left output ", i, " unset"));
    }
    if (outputs[i].dtype() != node->output_type(i)) {
      return absl::InternalError(absl::StrCat(op, " output ", i, " is ",
                                              DataTypeName(outputs[i].dtype()), ", expected ",
                                              DataTypeName(node->output_type(i))));
    }
  }
  return outputs;
}

double ValueAt(const Tensor& t, int64_t i) {
  return VisitElementType<double>(
      t.dtype(),
      [&]<typename T>() -> double {
        if constexpr (std::is_same_v<T, Float16>) {
          return HalfToFloat(t.data<T>()[i]);
        } else {
          return static_cast<double>(t.data<T>()[i]);
        }
      },
      NAN);
}

void ExpectTensorNear(const Tensor& actual, const Tensor& expected, double atol, double rtol) {
  ASSERT_EQ(actual.dtype(), expected.dtype()) << actual.DebugString();
  ASSERT_EQ(actual.shape(), expected.shape())
      << actual.ShapeString() << " vs " << expected.ShapeString();
  int failures = 0;
  for (int64_t i = 0; i < actual.num_elements() && failures < 10; ++i) {
    const double a = ValueAt(actual, i), e = ValueAt(expected, i);
    const bool both_nan = std::isnan(a) && std::isnan(e);
    // a == e first: equal infinities are a match (their difference is NaN).
    if (!both_nan && a != e && !(std::fabs(a - e) <= atol + rtol * std::fabs(e))) {
      ADD_FAILURE() << "element " << i << ": got " << a << ", expected " << e;
      ++failures;
    }
  }
}

void ExpectTensorEq(const Tensor& actual, const Tensor& expected) {
  ExpectTensorNear(actual, expected, 0.0, 0.0);
}

// Like RunKernel, but each input reaches the op through a Placeholder of
// unknown shape, so shape inference accepts any shapes and the kernel's own
// shape checks are what run. No intra-op pool: ParallelFor runs inline.
absl::StatusOr<std::vector<Tensor>> RunKernelUnshaped(const std::string& op,
                                                      const std::vector<Tensor>& inputs,
                                                      const AttrMap& attrs) {
  Graph graph;
  NodeDef def{"op", op, {}, "", attrs};
  for (size_t i = 0; i < inputs.size(); ++i) {
    NodeDef p{absl::StrCat("input", i), "Placeholder", {}, "", {{"dtype", inputs[i].dtype()}}};
    RETURN_IF_ERROR(graph.AddNode(p).status());
    def.inputs.push_back(p.name);
  }
  ASSIGN_OR_RETURN(Node * node, graph.AddNode(def));
  ResourceMgr resources;
  OpKernelConstruction construction(*node, kDeviceCpu, &resources, HostAllocator());
  ASSIGN_OR_RETURN(std::unique_ptr<OpKernel> kernel,
                   KernelRegistry::Global().CreateKernel(construction));
  std::vector<Tensor> owned = inputs;
  std::vector<Tensor*> input_ptrs;
  for (Tensor& t : owned) input_ptrs.push_back(&t);
  std::vector<Tensor> outputs(node->num_outputs());
  OpKernelContext::Params params;
  params.kernel = kernel.get();
  params.inputs = input_ptrs;
  params.outputs = outputs;
  params.allocator = HostAllocator();
  params.resources = &resources;
  OpKernelContext ctx(params);
  RETURN_IF_ERROR(kernel->Compute(ctx));
  return outputs;
}


Tensor RandomFloats(const TensorShape& shape, float lo, float hi, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(DataType::kFloat32, shape);
  for (float& v : t.flat<float>()) v = dist(gen);
  return t;
}

}  // namespace graphrt::testing
