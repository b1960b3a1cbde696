#include "tests/kernels/conformance/conformance.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/executor/kernel_registry.h"
#include "core/executor/session.h"
#include "core/base/status_macros.h"
#include "core/placer/device_name.h"

namespace graphrt::conformance {
namespace {

// Why a device type may lack a kernel that the CPU has, by the dtype the
// node works on. A missing kernel whose dtype is not listed skips with
// "no kernel registered yet".
struct KnownGap {
  const char* device_type;
  DataType dtype;
  const char* reason;
};
constexpr KnownGap kKnownGaps[] = {
    {"GPU", DataType::kInt32,
     "int32 stays on the CPU as in TF (TF keeps int32 tensors in host memory)"},
    {"GPU", DataType::kInt64, "int64 math stays on the CPU (GPU math kernels are float32 only)"},
    {"GPU", DataType::kUint8, "uint8 math stays on the CPU (GPU math kernels are float32 only)"},
    {"GPU", DataType::kBool, "bool math stays on the CPU (GPU math kernels are float32 only)"},
};

// Ops a device type has no kernel for yet, whatever the dtype.
struct KnownOpGap {
  const char* device_type;
  const char* op;
  const char* reason;
};
// Consulted only when the registry lacks the kernel: builds where CMake found
// no cuDNN 9 (cmake/graphrt_cudnn.cmake) leave kernels/gpu/cudnn_* out.
constexpr char kNoCudnnYet[] =
    "no GPU kernel in this build: cuDNN 9 was not found at configure (kernels/gpu/cudnn_*)";
constexpr KnownOpGap kKnownOpGaps[] = {
    {"GPU", "Conv2D", kNoCudnnYet},
    {"GPU", "Conv2DBackpropInput", kNoCudnnYet},
    {"GPU", "Conv2DBackpropFilter", kNoCudnnYet},
    {"GPU", "DepthwiseConv2dNative", kNoCudnnYet},
    {"GPU", "DepthwiseConv2dNativeBackpropInput", kNoCudnnYet},
    {"GPU", "DepthwiseConv2dNativeBackpropFilter", kNoCudnnYet},
    {"GPU", "MaxPool", kNoCudnnYet},
    {"GPU", "MaxPoolGrad", kNoCudnnYet},
    {"GPU", "AvgPool", kNoCudnnYet},
    {"GPU", "AvgPoolGrad", kNoCudnnYet},
    {"GPU", "FusedBatchNormV3", kNoCudnnYet},
    {"GPU", "FusedBatchNormGradV3", kNoCudnnYet},
    {"GPU", "FusedConv2D",
     "CPU-only fusion (conv + bias + relu in the GEMM's tiles); graphs for a GPU keep Conv2D, "
     "BiasAdd and Relu (examples/fashion_mnist_cnn does)"},
};

struct DeviceId {
  std::string type;
  int id = 0;
};

DeviceId ParseDevice(const std::string& device) {
  const size_t colon = device.find(':');
  return {device.substr(0, colon), std::stoi(device.substr(colon + 1))};
}

// "Add (T=int32)": the node's op and its dtype attrs.
std::string OpWithTypes(const Node& node, std::vector<DataType>* dtypes) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : node.attrs()) {
    if (const DataType* t = std::get_if<DataType>(&value)) {
      parts.push_back(absl::StrCat(name, "=", DataTypeName(*t)));
      dtypes->push_back(*t);
    }
  }
  std::sort(parts.begin(), parts.end());
  if (parts.empty()) return node.op();
  return absl::StrCat(node.op(), " (", absl::StrJoin(parts, ", "), ")");
}

std::string MissingKernelReason(const Node& node, const std::string& type) {
  std::vector<DataType> dtypes;
  const std::string what = OpWithTypes(node, &dtypes);
  std::string why = "no kernel registered yet";
  for (const KnownGap& gap : kKnownGaps) {
    if (gap.device_type == type &&
        std::find(dtypes.begin(), dtypes.end(), gap.dtype) != dtypes.end()) {
      why = gap.reason;
      break;
    }
  }
  for (const KnownOpGap& gap : kKnownOpGaps) {
    if (gap.device_type == type && node.op() == gap.op) why = gap.reason;
  }
  auto def = KernelRegistry::Global().Find(node, type);
  return absl::StrCat(type, " has no kernel for ", what, ": ", why,
                      def.ok() ? "" : absl::StrCat(" [registry: ", def.status().message(), "]"));
}

struct Built {
  Graph graph;
  std::vector<std::string> fetches;
  std::vector<std::string> pinned;  // names of the nodes under test
};

absl::StatusOr<Built> BuildCase(const Case& c, const std::string& device) {
  GraphBuilder b;
  Inputs in;
  {
    GraphBuilder::DeviceScope cpu(b, "/CPU:0");
    for (size_t i = 0; i < c.inputs.size(); ++i) {
      in.push_back(b.Const(c.inputs[i], absl::StrCat("in", i)));
    }
  }
  const int first = b.graph().num_nodes();
  Fetches fetches;
  {
    GraphBuilder::DeviceScope on(b, "/" + device);
    fetches = c.build(b, in);
  }
  Built out{Graph(), {}, {}};
  ASSIGN_OR_RETURN(out.graph, b.Build());
  for (const Output& f : fetches) out.fetches.push_back(f.name());
  for (int i = first; i < out.graph.num_nodes(); ++i) {
    out.pinned.push_back(out.graph.node(i).name());
  }
  return out;
}

absl::StatusOr<std::vector<Tensor>> RunBuilt(Built built, const std::string& device, int steps) {
  SessionOptions o;
  o.runtime = SharedRuntime();
  o.allow_soft_placement = false;
  const std::vector<std::string> pinned = built.pinned;
  std::vector<TensorName> fetches(built.fetches.begin(), built.fetches.end());
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::Create(std::move(built.graph), o));
  const DeviceId d = ParseDevice(device);
  const std::string full = FullDeviceName(d.type, d.id);
  for (const std::string& name : pinned) {
    const Node* node = session->graph().FindNode(name);
    if (node == nullptr) return absl::InternalError(absl::StrCat("node '", name, "' is gone"));
    const NodePlacement& p = session->placement()[node->id()];
    if (p.device != full) {
      return absl::InternalError(absl::StrCat(node->DebugName(), " was placed on ", p.device,
                                              " (", p.rule, ": ", p.reason, "), not ", full));
    }
  }
  std::vector<Tensor> out;
  for (int step = 0; step < steps; ++step) {
    ASSIGN_OR_RETURN(out, session->Run({}, fetches));
  }
  return out;
}

void ExpectClose(const Tensor& actual, const Tensor& expected, Tolerance tol,
                 const std::string& what) {
  ASSERT_EQ(actual.dtype(), expected.dtype()) << what;
  ASSERT_EQ(actual.shape(), expected.shape())
      << what << ": " << actual.ShapeString() << " vs " << expected.ShapeString();
  const bool exact = expected.dtype() != DataType::kFloat32;
  int64_t bad = 0;
  double worst = 0;
  for (int64_t i = 0; i < expected.num_elements(); ++i) {
    const double a = ValueAt(actual, i);
    const double e = ValueAt(expected, i);
    if (std::isnan(a) && std::isnan(e)) continue;
    const double err = std::fabs(a - e);
    const bool ok = exact ? a == e : err <= std::max(tol.atol, tol.rtol * std::fabs(e));
    if (ok) continue;
    worst = std::max(worst, err);
    if (++bad <= 5) {
      ADD_FAILURE() << what << ": element " << i << " is " << a << ", expected " << e
                    << " (error " << err << "; rtol " << tol.rtol << ", atol " << tol.atol
                    << ")";
    }
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << expected.num_elements()
                    << " elements differ; worst error " << worst;
}

}  // namespace

Tolerance SumTolerance(int64_t terms) {
  return {kAccumulating.rtol, kAccumulating.atol * std::sqrt(static_cast<double>(terms))};
}

std::shared_ptr<Runtime> SharedRuntime() {
  static const std::shared_ptr<Runtime> runtime = [] {
    RuntimeOptions options;
    options.inter_op_threads = 2;
    options.intra_op_threads = 2;
    std::shared_ptr<Runtime> rt = Runtime::Create(options);
    for (const PhysicalDevice& gpu : rt->ListPhysicalDevices("GPU")) {
      absl::Status s = rt->SetLogicalDeviceConfiguration(gpu, {{.memory_limit_mb = 2048}});
      if (!s.ok()) std::fprintf(stderr, "conformance: %s\n", std::string(s.message()).c_str());
    }
    return rt;
  }();
  return runtime;
}

bool HasDevice(const std::string& device) {
  const DeviceId d = ParseDevice(device);
  for (const DeviceAttributes& a : SharedRuntime()->ListLogicalDevices(d.type)) {
    if (a.id == d.id) return true;
  }
  return false;
}

std::vector<std::string> ConformanceDevices() {
  std::vector<std::string> out = {"CPU:0"};
  for (const DeviceAttributes& a : SharedRuntime()->ListLogicalDevices("GPU")) {
    out.push_back(ShortDeviceName("GPU", a.id));
  }
  if (out.size() == 1) out.push_back("GPU:0");  // instantiated to say why it skips
  return out;
}

std::string DeviceParamName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  name.erase(std::remove(name.begin(), name.end(), ':'), name.end());
  return name;
}

void DeviceConformanceTest::SetUp() {
  if (HasDevice(GetParam())) return;
  if (ParseDevice(GetParam()).type != "GPU") GTEST_SKIP() << "no device " << GetParam();
  // A GPU the CUDA runtime sees but that did not start is a failure, not a
  // machine without GPUs.
  std::shared_ptr<Runtime> runtime = SharedRuntime();
  if (!runtime->ListPhysicalDevices("GPU").empty()) {
    FAIL() << "physical GPUs are visible but " << GetParam() << " did not start: "
           << absl::StrJoin(runtime->gpu_startup_errors(), "; ");
  }
  GTEST_SKIP() << kNoGpuReason;
}

void DeviceConformanceTest::RunCase(const Case& c) {
  const std::string device = GetParam();
  const std::string type = ParseDevice(device).type;
  auto built = BuildCase(c, device);
  ASSERT_TRUE(built.ok()) << built.status();
  ASSERT_EQ(built->fetches.size(), c.expected.size()) << "one expected tensor per fetch";
  for (const std::string& name : built->pinned) {
    const Node& node = *built->graph.FindNode(name);
    std::vector<std::string> types = KernelRegistry::Global().SupportedDeviceTypes(node);
    if (std::find(types.begin(), types.end(), type) != types.end()) continue;
    const std::string reason = MissingKernelReason(node, type);
    if (type == "CPU") FAIL() << reason;
    GTEST_SKIP() << reason;
  }
  auto out = RunBuilt(*std::move(built), device, c.steps);
  ASSERT_TRUE(out.ok()) << "on " << device << ": " << out.status();
  for (size_t i = 0; i < c.expected.size(); ++i) {
    ExpectClose((*out)[i], c.expected[i], c.tol,
                absl::StrCat(device, " fetch ", i, " vs the naive reference"));
  }
  if (device == "CPU:0") return;
  auto cpu_built = BuildCase(c, "CPU:0");
  ASSERT_TRUE(cpu_built.ok()) << cpu_built.status();
  auto cpu = RunBuilt(*std::move(cpu_built), "CPU:0", c.steps);
  ASSERT_TRUE(cpu.ok()) << "on CPU:0: " << cpu.status();
  for (size_t i = 0; i < c.expected.size(); ++i) {
    ExpectClose((*out)[i], (*cpu)[i], c.tol, absl::StrCat(device, " fetch ", i, " vs CPU:0"));
  }
}

// ---- Inputs ----------------------------------------------------------------

Tensor RandomTensor(const TensorShape& shape, uint32_t seed, float lo, float hi) {
  return testing::RandomFloats(shape, lo, hi, seed);
}

Tensor RandomInts(DataType dtype, const TensorShape& shape, uint32_t seed, int64_t lo,
                  int64_t hi) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  return MakeTensor(dtype, shape, [&](int64_t) { return static_cast<double>(dist(gen)); });
}

// ---- References --------------------------------------------------------------

Tensor MakeTensor(DataType dtype, const TensorShape& shape,
                  const std::function<double(int64_t)>& fn) {
  Tensor t(dtype, shape);
  for (int64_t i = 0; i < shape.num_elements(); ++i) {
    const double v = fn(i);
    switch (dtype) {
      case DataType::kFloat32: t.data<float>()[i] = static_cast<float>(v); break;
      case DataType::kInt32: t.data<int32_t>()[i] = static_cast<int32_t>(v); break;
      case DataType::kInt64: t.data<int64_t>()[i] = static_cast<int64_t>(v); break;
      case DataType::kUint8: t.data<uint8_t>()[i] = static_cast<uint8_t>(v); break;
      case DataType::kBool: t.data<bool>()[i] = v != 0; break;
      default: break;
    }
  }
  return t;
}

TensorShape BroadcastShape(const TensorShape& a, const TensorShape& b) {
  const int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> dims(rank);
  for (int i = 0; i < rank; ++i) {
    const int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    const int64_t da = ia >= 0 ? a.dim(ia) : 1, db = ib >= 0 ? b.dim(ib) : 1;
    dims[i] = da == 1 ? db : da;
  }
  return TensorShape(dims);
}

int64_t BroadcastIndex(const TensorShape& in, const TensorShape& out, int64_t i) {
  int64_t index = 0, stride = 1;
  for (int d = out.rank() - 1, k = in.rank() - 1; k >= 0; --d, --k) {
    const int64_t coord = i % out.dim(d);
    i /= out.dim(d);
    if (in.dim(k) != 1) index += coord * stride;
    stride *= in.dim(k);
  }
  return index;
}

Tensor RefBinary(const Tensor& a, const Tensor& b, const std::function<double(double, double)>& fn,
                 DataType dtype) {
  const TensorShape shape = BroadcastShape(a.shape(), b.shape());
  return MakeTensor(dtype == DataType::kInvalid ? a.dtype() : dtype, shape, [&](int64_t i) {
    return fn(ValueAt(a, BroadcastIndex(a.shape(), shape, i)),
              ValueAt(b, BroadcastIndex(b.shape(), shape, i)));
  });
}

Tensor RefUnary(const Tensor& x, const std::function<double(double)>& fn) {
  return MakeTensor(x.dtype(), x.shape(), [&](int64_t i) { return fn(ValueAt(x, i)); });
}

Tensor RefMatMul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  const int64_t m = transpose_a ? a.dim(1) : a.dim(0), k = transpose_a ? a.dim(0) : a.dim(1);
  const int64_t n = transpose_b ? b.dim(0) : b.dim(1);
  return MakeTensor(DataType::kFloat32, {m, n}, [&](int64_t i) {
    const int64_t r = i / n, c = i % n;
    double sum = 0;
    for (int64_t p = 0; p < k; ++p) {
      const double x = ValueAt(a, transpose_a ? p * m + r : r * k + p);
      const double y = ValueAt(b, transpose_b ? c * k + p : p * n + c);
      sum += x * y;
    }
    return sum;
  });
}

Tensor RefReduce(const Tensor& x, std::vector<int64_t> axes, bool keep_dims, Reduction r) {
  const int rank = x.rank();
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) reduced[a < 0 ? a + rank : a] = true;
  std::vector<int64_t> out_dims;
  for (int d = 0; d < rank; ++d) {
    if (!reduced[d]) out_dims.push_back(x.dim(d));
    else if (keep_dims) out_dims.push_back(1);
  }
  const TensorShape out_shape(out_dims);
  std::vector<double> acc(out_shape.num_elements(),
                          r == Reduction::kMax ? -std::numeric_limits<double>::infinity() : 0.0);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    int64_t rest = i, out = 0, stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t coord = rest % x.dim(d);
      rest /= x.dim(d);
      if (!reduced[d]) {
        out += coord * stride;
        stride *= x.dim(d);
      }
    }
    const double v = ValueAt(x, i);
    acc[out] = r == Reduction::kMax ? std::max(acc[out], v) : acc[out] + v;
  }
  const double count = static_cast<double>(x.num_elements()) /
                       static_cast<double>(std::max<int64_t>(1, out_shape.num_elements()));
  return MakeTensor(DataType::kFloat32, out_shape, [&](int64_t i) {
    return r == Reduction::kMean ? acc[i] / count : acc[i];
  });
}

Tensor RefSoftmax(const Tensor& logits, bool log) {
  const int64_t cols = logits.dim(logits.rank() - 1);
  const int64_t rows = logits.num_elements() / cols;
  std::vector<double> out(logits.num_elements());
  for (int64_t r = 0; r < rows; ++r) {
    double mx = -std::numeric_limits<double>::infinity(), sum = 0;
    for (int64_t c = 0; c < cols; ++c) mx = std::max(mx, ValueAt(logits, r * cols + c));
    for (int64_t c = 0; c < cols; ++c) sum += std::exp(ValueAt(logits, r * cols + c) - mx);
    for (int64_t c = 0; c < cols; ++c) {
      const double z = ValueAt(logits, r * cols + c) - mx;
      out[r * cols + c] = log ? z - std::log(sum) : std::exp(z) / sum;
    }
  }
  return MakeTensor(DataType::kFloat32, logits.shape(), [&](int64_t i) { return out[i]; });
}

}  // namespace graphrt::conformance
