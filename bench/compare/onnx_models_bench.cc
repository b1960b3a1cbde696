// graphrt's side of issue 18's ONNX measurement: models imported from ONNX
// files, timed per inference against ONNX Runtime on the same files
// (ort_onnx_peer.py; both driven by onnx_models_compare.py).
//
//   onnx_models_bench --models DIR     (or GRAPHRT_ONNX_MODELS=DIR)
//
// DIR holds what make_onnx_models.py writes: NAME.onnx, NAME.input_0.pb (the
// feed) and NAME.output_0.pb (ONNX Runtime's output). For every NAME and
// intra-op threads 1 and 2 it registers BM_OnnxModel/NAME/threads: a
// session with inter-op 1 (one node at a time, as ORT's sequential mode),
// whose output is first checked against output_0.pb within 1e-4, then one
// Session::Run per iteration, feeding and fetching by name as `graphrt run`
// and ORT's InferenceSession.run do. GRAPHRT_ONNX_FOLD_BN=0 in the
// environment imports without folding BatchNormalization into the conv,
// GRAPHRT_ONNX_FUSE_GEMM=0 without fusing Gemm's bias and Relu
// (OnnxImportOptions::fuse_gemm).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/executor/session.h"
#include "core/graph/io/proto_util.h"
#include "core/graph/onnx/onnx_import.h"

namespace graphrt {
namespace {

constexpr double kTolerance = 1e-4;

absl::StatusOr<Tensor> ReadTensorProto(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  if (!bytes.ok()) return bytes.status();
  return ParseOnnxTensor(*bytes);
}

// Empty when `got` matches `want` within kTolerance per element.
std::string Mismatch(const Tensor& got, const Tensor& want) {
  if (got.dtype() != DataType::kFloat32 || got.shape() != want.shape()) {
    return absl::StrCat("output is ", got.shape().DebugString(), ", expected ",
                        want.shape().DebugString(), " float32");
  }
  std::span<const float> g = got.flat<float>(), w = want.flat<float>();
  double worst = 0;
  for (size_t i = 0; i < g.size(); ++i) worst = std::max(worst, std::abs(double{g[i]} - w[i]));
  if (!(worst <= kTolerance)) return absl::StrCat("max |graphrt - ORT| = ", worst, " > 1e-4");
  return "";
}

void BM_OnnxModel(benchmark::State& state, const std::string& dir, const std::string& name,
                  int threads) {
  const std::string base = (std::filesystem::path(dir) / name).string();
  // GRAPHRT_ONNX_FOLD_BN=0: import with BatchNormalization folding off (the
  // baseline of onnx_models_compare.py --unfolded).
  OnnxImportOptions options;
  const char* fold = std::getenv("GRAPHRT_ONNX_FOLD_BN");
  options.fold_batch_norm = fold == nullptr || std::string(fold) != "0";
  const char* fuse = std::getenv("GRAPHRT_ONNX_FUSE_GEMM");
  options.fuse_gemm = fuse == nullptr || std::string(fuse) != "0";
  absl::StatusOr<OnnxModel> model = ReadOnnxModel(base + ".onnx", options);
  absl::StatusOr<Tensor> feed = ReadTensorProto(base + ".input_0.pb");
  absl::StatusOr<Tensor> want = ReadTensorProto(base + ".output_0.pb");
  for (const absl::Status& s : {model.status(), feed.status(), want.status()}) {
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
  if (model->inputs.size() != 1 || model->outputs.size() != 1) {
    state.SkipWithError((name + ": expected one input and one output").c_str());
    return;
  }
  SessionOptions o;
  o.inter_op_threads = 1;
  o.intra_op_threads = threads;
  auto session = Session::Create(std::move(model->graph), o);
  if (!session.ok()) {
    state.SkipWithError(std::string(session.status().message()).c_str());
    return;
  }
  const FeedList feeds = {{model->inputs[0], *feed}};
  const std::vector<TensorName> fetches = {model->outputs[0]};
  auto check = (*session)->Run(feeds, fetches);
  if (!check.ok()) {
    state.SkipWithError(std::string(check.status().message()).c_str());
    return;
  }
  if (std::string why = Mismatch((*check)[0], *want); !why.empty()) {
    state.SkipWithError((name + ": " + why).c_str());
    return;
  }
  for (auto _ : state) {
    auto out = (*session)->Run(feeds, fetches);
    if (!out.ok()) {
      state.SkipWithError(std::string(out.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(out);
  }
}

// --models DIR (removed from argv before Google Benchmark sees it) or the
// environment's GRAPHRT_ONNX_MODELS.
std::string ModelsDir(int* argc, char** argv) {
  std::string dir;
  if (const char* env = std::getenv("GRAPHRT_ONNX_MODELS")) dir = env;
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--models" && i + 1 < *argc) {
      dir = argv[++i];
    } else if (arg.rfind("--models=", 0) == 0) {
      dir = arg.substr(9);
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return dir;
}

}  // namespace
}  // namespace graphrt

int main(int argc, char** argv) {
  const std::string dir = graphrt::ModelsDir(&argc, argv);
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".onnx") names.push_back(entry.path().stem().string());
  }
  if (dir.empty() || ec || names.empty()) {
    std::cerr << "onnx_models_bench: no .onnx files in '" << dir
              << "': pass --models DIR or set GRAPHRT_ONNX_MODELS, after writing them with\n"
                 "  bench/compare/make_onnx_models.py --out DIR\n";
    return 2;
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    for (int threads : {1, 2}) {
      benchmark::RegisterBenchmark(absl::StrCat("BM_OnnxModel/", name, "/", threads).c_str(),
                                   graphrt::BM_OnnxModel, dir, name, threads)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
