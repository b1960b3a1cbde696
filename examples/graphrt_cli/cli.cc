#include "examples/graphrt_cli/cli.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "core/executor/runtime_config.h"
#include "core/executor/session.h"
#include "core/graph/io/graph_def.h"
#include "core/graph/io/npy.h"
#include "core/graph/io/proto_util.h"
#include "core/base/status_macros.h"
#include "core/graph/onnx/onnx_import.h"
#include "core/graph/tf/tf_import.h"

namespace graphrt::cli {
namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  graphrt run GRAPH [--config CONFIG.pbtxt] [--feed name=FILE.npy ...]\n"
    "              [--fetch name ...] [--target name ...] [--out DIR] [--trace out.json]\n"
    "              [--log-device-placement] [--print-config] [--runs N]\n"
    "              [--format auto|graphrt|tf|onnx] [--show N]\n"
    "  graphrt devices [--config CONFIG.pbtxt]\n"
    "  graphrt convert GRAPH OUT [--format auto|graphrt|tf|onnx]   (OUT: .pb binary, .pbtxt text)\n"
    "GRAPH: a graphrt GraphDef, a TensorFlow frozen GraphDef or an ONNX model (auto-detected);\n"
    "an ONNX model's outputs are fetched when no --fetch or --target is given; a --feed\n"
    "file is .npy, or an ONNX TensorProto when it ends in .pb\n"
    "exit codes:\n"
    "  0 done\n"
    "  1 the run failed: placement, kernels, a feed that does not fit, writing an output\n"
    "  2 bad usage: unknown or malformed arguments, nothing to fetch, an --out folder\n"
    "    that cannot be made, a --trace or OUT whose folder does not exist\n"
    "  3 bad input file: GRAPH, --config or a --feed file unreadable or not in its format\n";

// Exit codes (see kUsage); docs/graph-files.md lists them too.
constexpr int kExitRunFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitBadInput = 3;

// 0 when `s` is OK; otherwise prints it as the command's error and returns `code`.
int Exit(std::ostream& err, const std::string& command, const absl::Status& s, int code) {
  if (s.ok()) return 0;
  err << "graphrt " << command << ": " << s << "\n";
  return code;
}

struct Flags {
  std::string graph, config, out_dir, trace, format = "auto";
  std::vector<std::pair<std::string, std::string>> feeds;  // name, .npy path
  std::vector<std::string> fetches, targets;
  bool log_placement = false, print_config = false;
  int runs = 1, show = 10;
};

// Parses argv after the command; an error message for bad usage.
absl::StatusOr<Flags> ParseFlags(const std::vector<std::string>& args, bool want_graph) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> absl::StatusOr<std::string> {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(a + " needs a value");
      return args[++i];
    };
    auto number = [&](int* out) -> absl::Status {
      ASSIGN_OR_RETURN(std::string v, value());
      if (!absl::SimpleAtoi(v, out) || *out < 1) {
        return absl::InvalidArgumentError(absl::StrCat(a, " needs a positive number, got ", v));
      }
      return absl::OkStatus();
    };
    if (a == "--config") {
      ASSIGN_OR_RETURN(f.config, value());
    } else if (a == "--feed") {
      ASSIGN_OR_RETURN(std::string v, value());
      std::pair<std::string, std::string> kv = absl::StrSplit(v, absl::MaxSplits('=', 1));
      if (kv.first.empty() || kv.second.empty()) {
        return absl::InvalidArgumentError("--feed takes name=FILE.npy, got " + v);
      }
      f.feeds.push_back(kv);
    } else if (a == "--fetch" || a == "--target") {
      ASSIGN_OR_RETURN(std::string v, value());
      for (absl::string_view n : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        (a == "--fetch" ? f.fetches : f.targets).emplace_back(n);
      }
    } else if (a == "--out") {
      ASSIGN_OR_RETURN(f.out_dir, value());
    } else if (a == "--trace") {
      ASSIGN_OR_RETURN(f.trace, value());
    } else if (a == "--format") {
      ASSIGN_OR_RETURN(f.format, value());
      if (f.format != "auto" && f.format != "graphrt" && f.format != "tf" && f.format != "onnx") {
        return absl::InvalidArgumentError("--format is auto, graphrt, tf or onnx, got " +
                                          f.format);
      }
    } else if (a == "--runs") {
      RETURN_IF_ERROR(number(&f.runs));
    } else if (a == "--show") {
      RETURN_IF_ERROR(number(&f.show));
    } else if (a == "--log-device-placement") {
      f.log_placement = true;
    } else if (a == "--print-config") {
      f.print_config = true;
    } else if (!a.empty() && a[0] != '-' && want_graph && f.graph.empty()) {
      f.graph = a;
    } else {
      return absl::InvalidArgumentError("unknown argument " + a);
    }
  }
  if (want_graph && f.graph.empty()) return absl::InvalidArgumentError("no GRAPH given");
  return f;
}

// Note [Refuse before running]
// Outputs are written after the whole run, which may take minutes; a folder
// that does not exist would then fail it with NOT_FOUND at the end. So `run`
// makes the --out folder first (with its parents) and checks that the
// folders --trace and convert's OUT go into exist, and refuses as bad usage
// before reading anything when it cannot.
absl::Status PrepareOutputs(const Flags& f, const std::string& convert_out) {
  std::error_code ec;
  if (!f.out_dir.empty()) {
    std::filesystem::create_directories(f.out_dir, ec);
    std::error_code stat_ec;
    if (ec || !std::filesystem::is_directory(f.out_dir, stat_ec)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--out ", f.out_dir, ": cannot make this folder (",
          ec ? ec.message() : "a file of that name exists",
          "); give a folder that exists or can be made"));
    }
  }
  for (const auto& [flag, path] : {std::pair<std::string, std::string>{"--trace", f.trace},
                                   std::pair<std::string, std::string>{"OUT", convert_out}}) {
    if (path.empty()) continue;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      return absl::FailedPreconditionError(absl::StrCat(
          flag, " ", path, ": the folder ", parent.string(),
          " does not exist; make it first or write elsewhere"));
    }
  }
  return absl::OkStatus();
}

// An ONNX model's graph; its output names become the default fetches.
absl::StatusOr<Graph> LoadOnnx(absl::string_view bytes, std::string* read_as,
                               std::vector<std::string>* model_outputs) {
  ASSIGN_OR_RETURN(OnnxModel m, ParseOnnxModel(bytes));
  *read_as = absl::StrCat("ONNX model, opset ", m.opset, "; inputs: ",
                          m.inputs.empty() ? "none" : absl::StrJoin(m.inputs, ", "),
                          "; outputs: ", absl::StrJoin(m.outputs, ", "));
  *model_outputs = m.outputs;
  return std::move(m.graph);
}

// Reads GRAPH in the format asked for; `read_as` says which it was. A
// reader's DATA_LOSS means "not my format": `auto` then tries the next, and
// when every one refuses, says what each said. Any other error (a bad node,
// an op an importer lacks) is about a file in that reader's format. ONNX
// models are recognised by their structure (LooksLikeOnnxModel) before the
// other readers try; `model_outputs` gets an ONNX model's output names.
absl::StatusOr<Graph> LoadGraph(const Flags& f, std::string* read_as,
                                std::vector<std::string>* model_outputs) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(f.graph));
  auto named = [&](absl::StatusOr<Graph> g) -> absl::StatusOr<Graph> {
    if (g.ok()) return g;
    return absl::Status(g.status().code(), absl::StrCat(f.graph, ": ", g.status().message()));
  };
  if (f.format == "onnx" || (f.format == "auto" && LooksLikeOnnxModel(bytes))) {
    *read_as = "ONNX model";
    return named(LoadOnnx(bytes, read_as, model_outputs));
  }
  if (f.format == "tf") {
    *read_as = "TensorFlow GraphDef";
    return named(ParseTfGraph(bytes));
  }
  const GraphFormat format = FormatForPath(f.graph);
  *read_as = format == GraphFormat::kText ? "graphrt GraphDef (text)" : "graphrt GraphDef";
  auto graph = ParseGraph(bytes, format);
  // An empty file gets the same refusal from every reader: say it once.
  if (graph.ok() || f.format == "graphrt" || graph.status().code() != absl::StatusCode::kDataLoss ||
      bytes.empty()) {
    return named(std::move(graph));
  }
  auto tf = ParseTfGraph(bytes);
  if (tf.ok() || tf.status().code() != absl::StatusCode::kDataLoss) {
    *read_as = "TensorFlow GraphDef";
    return named(std::move(tf));
  }
  return absl::DataLossError(absl::StrCat(
      f.graph, " (", bytes.size(), " bytes) is no graph file graphrt reads: ",
      graph.status().message(), "; ", tf.status().message(), "; and not an ONNX model"));
}

absl::StatusOr<proto::RuntimeConfig> LoadConfig(const Flags& f) {
  proto::RuntimeConfig config;
  if (!f.config.empty()) {
    ASSIGN_OR_RETURN(config, ReadRuntimeConfig(f.config));
  }
  if (f.log_placement) config.set_log_device_placement(true);
  return config;
}

std::string Preview(const Tensor& t, int show) {
  std::vector<std::string> v;
  const int64_t n = std::min<int64_t>(t.num_elements(), show);
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype()) {
      case DataType::kFloat32: v.push_back(absl::StrCat(t.data<float>()[i])); break;
      case DataType::kInt32: v.push_back(absl::StrCat(t.data<int32_t>()[i])); break;
      case DataType::kInt64: v.push_back(absl::StrCat(t.data<int64_t>()[i])); break;
      case DataType::kUint8: v.push_back(absl::StrCat(t.data<uint8_t>()[i])); break;
      case DataType::kBool: v.push_back(t.data<bool>()[i] ? "true" : "false"); break;
      default: v.push_back("?");
    }
  }
  if (t.num_elements() > n) v.push_back("...");
  return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
}

// What `run` reads before it runs anything: a failure here is bad input (3).
struct RunInputs {
  proto::RuntimeConfig config;
  Graph graph;
  FeedList feeds;
  std::vector<std::string> model_outputs;  // an ONNX model's, else empty
};

absl::StatusOr<RunInputs> ReadRunInputs(const Flags& f, std::ostream& out) {
  RunInputs in;
  ASSIGN_OR_RETURN(in.config, LoadConfig(f));
  if (f.print_config) {
    out << "effective config:\n" << RuntimeConfigToText(EffectiveRuntimeConfig(in.config));
  }
  std::string read_as;
  ASSIGN_OR_RETURN(in.graph, LoadGraph(f, &read_as, &in.model_outputs));
  out << "graph: " << f.graph << " (" << read_as << ", " << in.graph.num_nodes() << " nodes)\n";
  for (const auto& [name, path] : f.feeds) {
    absl::StatusOr<Tensor> t;
    if (absl::EndsWith(path, ".pb")) {  // an ONNX TensorProto (the ONNX suite's input_0.pb)
      absl::StatusOr<std::string> bytes = ReadFileToString(path);
      t = bytes.ok() ? ParseOnnxTensor(*bytes) : absl::StatusOr<Tensor>(bytes.status());
    } else {
      t = ReadNpy(path);
    }
    if (!t.ok()) {
      return absl::Status(t.status().code(), absl::StrCat("--feed ", name, "=", path, ": ",
                                                          t.status().message()));
    }
    in.feeds.emplace_back(name, *std::move(t));
  }
  return in;
}

// "min 1.2, median 1.5, max 3.4 ms" of the run times (3 significant digits).
std::string TimingSummary(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  const double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  return absl::StrFormat("min %.3g, median %.3g, max %.3g ms", ms.front(), median, ms.back());
}

// Makes the runtime and session and runs them: a failure here is the run's (1).
absl::Status Execute(Flags f, RunInputs in, std::ostream& out) {
  if (f.fetches.empty() && f.targets.empty()) f.fetches = in.model_outputs;
  ASSIGN_OR_RETURN(ConfiguredRuntime rt, CreateConfiguredRuntime(in.config));
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                   Session::Create(std::move(in.graph), rt.session_options));
  absl::flat_hash_map<std::string, int> per_device;
  for (const NodePlacement& p : session->placement()) ++per_device[p.device];
  for (const auto& [device, count] : per_device) {
    out << "placement: " << count << " nodes on " << device << "\n";
  }
  std::vector<TensorName> fetches(f.fetches.begin(), f.fetches.end());
  std::vector<TensorName> targets(f.targets.begin(), f.targets.end());
  RunOptions options;
  options.trace = !f.trace.empty();
  RunMetadata metadata;
  std::vector<double> ms;
  std::vector<Tensor> outputs;
  for (int r = 0; r < f.runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    ASSIGN_OR_RETURN(outputs, session->Run(options, in.feeds, fetches, targets, &metadata));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                           start).count());
  }
  out << absl::StrFormat("timing: first run %.3g ms", ms[0]);
  if (f.runs > 1) out << "; " << f.runs << " runs: " << TimingSummary(ms);
  out << "\n";
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& t = outputs[i];
    out << f.fetches[i] << ": " << DataTypeName(t.dtype()) << " " << t.shape().DebugString()
        << " = " << Preview(t, f.show) << "\n";
    if (!f.out_dir.empty()) {
      const std::string path = absl::StrCat(
          f.out_dir, "/", absl::StrReplaceAll(f.fetches[i], {{"/", "_"}, {":", "_"}}), ".npy");
      RETURN_IF_ERROR(WriteNpy(t, path));
      out << "  wrote " << path << "\n";
    }
  }
  if (!f.trace.empty()) {
    RETURN_IF_ERROR(WriteStringToFile(f.trace, metadata.trace.ToChromeJson()));
    out << "wrote the last run's trace to " << f.trace << "\n";
  }
  return absl::OkStatus();
}

int Run(const Flags& f, std::ostream& out, std::ostream& err) {
  absl::StatusOr<RunInputs> in = ReadRunInputs(f, out);
  if (!in.ok()) return Exit(err, "run", in.status(), kExitBadInput);
  if (f.fetches.empty() && f.targets.empty() && in->model_outputs.empty()) {
    err << "graphrt run: nothing to run: give --fetch or --target\n" << kUsage;
    return kExitUsage;
  }
  return Exit(err, "run", Execute(f, *std::move(in), out), kExitRunFailed);
}

// Reads GRAPH (graphrt or TF) and writes it as a graphrt GraphDef.
int Convert(const Flags& f, const std::string& out_path, std::ostream& out, std::ostream& err) {
  std::string read_as;
  std::vector<std::string> model_outputs;
  absl::StatusOr<Graph> graph = LoadGraph(f, &read_as, &model_outputs);
  if (!graph.ok()) return Exit(err, "convert", graph.status(), kExitBadInput);
  if (int code = Exit(err, "convert", WriteGraph(*graph, out_path), kExitRunFailed)) return code;
  out << "read " << f.graph << " (" << read_as << ", " << graph->num_nodes() << " nodes), wrote "
      << out_path << "\n";
  return 0;
}

absl::Status ListDevices(const proto::RuntimeConfig& config, std::ostream& out) {
  ASSIGN_OR_RETURN(ConfiguredRuntime rt, CreateConfiguredRuntime(config));
  out << "physical devices:\n";
  for (const PhysicalDevice& p : rt.runtime->ListPhysicalDevices()) {
    out << "  " << p.name << "  " << p.description << "\n";
  }
  out << "logical devices:\n";
  for (const DeviceAttributes& d : rt.runtime->ListLogicalDevices()) {
    out << "  " << d.name << "  (" << d.type << ":" << d.id << " on physical " << d.type << ":"
        << d.physical_id << ", memory limit "
        << (d.memory_limit > 0 ? absl::StrCat(d.memory_limit >> 20, " MiB") : "none") << ")  "
        << d.description << "\n";
  }
  return absl::OkStatus();
}

int Devices(const Flags& f, std::ostream& out, std::ostream& err) {
  absl::StatusOr<proto::RuntimeConfig> config = LoadConfig(f);
  if (!config.ok()) return Exit(err, "devices", config.status(), kExitBadInput);
  return Exit(err, "devices", ListDevices(*config, out), kExitRunFailed);
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? kExitUsage : 0;
  }
  const std::string& command = args[0];
  if (command != "run" && command != "devices" && command != "convert") {
    err << "graphrt: unknown command '" << command << "'\n" << kUsage;
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  std::string convert_out;
  if (command == "convert" && rest.size() >= 2 && rest[1][0] != '-') {
    convert_out = rest[1];
    rest.erase(rest.begin() + 1);
  }
  auto flags = ParseFlags(rest, command != "devices");
  if (flags.ok() && command == "convert" && convert_out.empty()) {
    flags = absl::InvalidArgumentError("convert needs GRAPH and OUT");
  }
  // An ONNX model names its outputs: checked once the model is read.
  const bool maybe_onnx = flags.ok() && (flags->format == "onnx" ||
                                         (flags->format == "auto" &&
                                          absl::EndsWith(flags->graph, ".onnx")));
  if (flags.ok() && command == "run" && flags->fetches.empty() && flags->targets.empty() &&
      !maybe_onnx) {
    flags = absl::InvalidArgumentError("nothing to run: give --fetch or --target");
  }
  if (!flags.ok()) {
    err << "graphrt " << command << ": " << flags.status().message() << "\n" << kUsage;
    return kExitUsage;
  }
  // See Note [Refuse before running].
  if (absl::Status s = PrepareOutputs(*flags, convert_out); !s.ok()) {
    err << "graphrt " << command << ": " << s.message() << "\n";
    return kExitUsage;
  }
  return command == "run"       ? Run(*flags, out, err)
         : command == "convert" ? Convert(*flags, convert_out, out, err)
                                : Devices(*flags, out, err);
}

}  // namespace graphrt::cli
