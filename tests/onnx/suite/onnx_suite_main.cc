// The ONNX backend suite as a ctest: runs libonnx-testdata's test folders
// through the importer and a Session and checks each result against the
// checked-in expectations (tests/onnx/expectations.txt: "folder/test pass"
// or "folder/test gap <reason>").
//
//   onnx_suite [--data DIR] [--expectations FILE] [--folders node,simple]
//              [--shard I/N] [--filter REGEX] [--update] [--verbose]
//
// Exit status: 0 when every case ran as expected; 1 when an expected pass
// fails, an expected gap passes, or a case is missing from the file; 77
// (ctest's skip) when the test data is not installed; 2 for bad usage.
// --update (or GRAPHRT_ONNX_UPDATE=1) rewrites the entries of the cases run
// from their results instead, keeping the others. The data folder is
// --data, else $GRAPHRT_ONNX_TESTDATA, else the one CMake found.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/onnx/suite/suite_case.h"

namespace {

namespace fs = std::filesystem;
using graphrt::onnx_suite::RunCase;

struct Args {
  std::string data;
  std::string expectations;
  std::vector<std::string> folders = {"node", "pytorch-converted", "pytorch-operator", "simple"};
  int shard = 0, shards = 1;
  std::string filter;
  bool update = false;
  bool verbose = false;
};

int Usage(const std::string& why) {
  std::fprintf(stderr, "onnx_suite: %s\nusage: onnx_suite [--data DIR] [--expectations FILE] "
               "[--folders a,b] [--shard I/N] [--filter REGEX] [--update] [--verbose]\n",
               why.c_str());
  return 2;
}

// The first line of a status, as one expectations-file reason.
std::string Reason(const absl::Status& s) {
  std::string msg(s.message());
  msg = msg.substr(0, msg.find('\n'));
  if (msg.size() > 240) msg = msg.substr(0, 237) + "...";
  return absl::StrCat(absl::StatusCodeToString(s.code()), ": ", msg);
}

std::map<std::string, std::string> ReadExpectations(const std::string& path) {
  std::map<std::string, std::string> e;  // case -> "pass" or "gap <reason>"
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    e[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return e;
}

bool WriteExpectations(const std::string& path, const std::map<std::string, std::string>& e) {
  std::ofstream out(path, std::ios::trunc);
  out << "# The ONNX backend suite (libonnx-testdata) through graphrt: one case a line,\n"
         "# 'pass' or 'gap <why>'. The onnx_suite ctests fail when a case does other\n"
         "# than this says; rewrite with GRAPHRT_ONNX_UPDATE=1 (docs/onnx.md).\n";
  for (const auto& [name, v] : e) out << name << ' ' << v << '\n';
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
#ifdef GRAPHRT_ONNX_TESTDATA_DEFAULT
  args.data = GRAPHRT_ONNX_TESTDATA_DEFAULT;
#endif
#ifdef GRAPHRT_ONNX_EXPECTATIONS_DEFAULT
  args.expectations = GRAPHRT_ONNX_EXPECTATIONS_DEFAULT;
#endif
  if (const char* env = std::getenv("GRAPHRT_ONNX_TESTDATA"); env != nullptr && *env) args.data = env;
  if (const char* env = std::getenv("GRAPHRT_ONNX_UPDATE"); env != nullptr) {
    args.update = std::string(env) == "1";
  }
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--data") args.data = value();
    else if (a == "--expectations") args.expectations = value();
    else if (a == "--folders") args.folders = absl::StrSplit(value(), ',', absl::SkipEmpty());
    else if (a == "--filter") args.filter = value();
    else if (a == "--update") args.update = true;
    else if (a == "--verbose") args.verbose = true;
    else if (a == "--shard") {
      std::vector<std::string> p = absl::StrSplit(value(), '/');
      if (p.size() != 2 || !absl::SimpleAtoi(p[0], &args.shard) ||
          !absl::SimpleAtoi(p[1], &args.shards) || args.shards < 1 || args.shard < 0 ||
          args.shard >= args.shards) {
        return Usage("--shard takes I/N with 0 <= I < N");
      }
    } else {
      return Usage("unknown argument '" + a + "'");
    }
  }
  if (args.expectations.empty()) return Usage("no --expectations file");
  if (args.data.empty() || !fs::is_directory(args.data)) {
    std::printf("onnx_suite: skipped: no ONNX test data at '%s' (install libonnx-testdata or "
                "set GRAPHRT_ONNX_TESTDATA)\n", args.data.c_str());
    return 77;
  }
  std::regex filter(args.filter.empty() ? ".*" : args.filter);

  std::vector<std::string> cases;  // "folder/test"
  for (const std::string& folder : args.folders) {
    fs::path dir = fs::path(args.data) / folder;
    if (!fs::is_directory(dir)) continue;
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      std::string name = folder + "/" + e.path().filename().string();
      if (fs::exists(e.path() / "model.onnx") && std::regex_search(name, filter)) {
        cases.push_back(name);
      }
    }
  }
  std::sort(cases.begin(), cases.end());

  std::map<std::string, std::string> expected = ReadExpectations(args.expectations);
  std::map<std::string, std::pair<int, int>> per_folder;  // passed, total
  std::shared_ptr<graphrt::Runtime> runtime = graphrt::Runtime::Create();
  int run = 0, passed = 0, mismatches = 0;
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < cases.size(); ++i) {
    if (static_cast<int>(i % args.shards) != args.shard) continue;
    const std::string& name = cases[i];
    absl::Status s = RunCase((fs::path(args.data) / name).string(), runtime);
    ++run;
    passed += s.ok();
    auto& pf = per_folder[name.substr(0, name.find('/'))];
    pf.first += s.ok();
    pf.second += 1;
    std::string result = s.ok() ? "pass" : "gap " + Reason(s);
    if (args.verbose) std::printf("%s %s\n", name.c_str(), result.c_str());
    if (args.update) {
      expected[name] = result;
      continue;
    }
    auto it = expected.find(name);
    if (it == expected.end()) {
      ++mismatches;
      std::printf("NEW      %s: %s (not in the expectations file)\n", name.c_str(), result.c_str());
    } else if (s.ok() && it->second != "pass") {
      ++mismatches;
      std::printf("PASSES   %s: expected '%s'; update the file\n", name.c_str(), it->second.c_str());
    } else if (!s.ok() && it->second == "pass") {
      ++mismatches;
      std::printf("FAILS    %s: %s\n", name.c_str(), result.c_str());
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& [folder, pt] : per_folder) {
    std::printf("onnx_suite %s: %d of %d pass\n", folder.c_str(), pt.first, pt.second);
  }
  std::printf("onnx_suite shard %d/%d: %d cases, %d pass, %d unexpected, %.1f s\n", args.shard,
              args.shards, run, passed, mismatches, secs);
  if (args.update) {
    if (!WriteExpectations(args.expectations, expected)) {
      std::fprintf(stderr, "onnx_suite: cannot write %s\n", args.expectations.c_str());
      return 1;
    }
    std::printf("onnx_suite: wrote %s\n", args.expectations.c_str());
    return 0;
  }
  return mismatches == 0 ? 0 : 1;
}
