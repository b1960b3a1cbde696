#include "examples/common/training_flags.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace graphrt::examples {

FlagParse ParseTrainingFlag(std::string_view arg, const std::string& value, TrainingFlags& f) {
  bool ok = true;
  if (arg == "--epochs") ok = absl::SimpleAtoi(value, &f.epochs) && f.epochs >= 0;
  else if (arg == "--batch-size") ok = absl::SimpleAtoi(value, &f.batch_size) && f.batch_size > 0;
  else if (arg == "--learning-rate") ok = absl::SimpleAtof(value, &f.learning_rate);
  else if (arg == "--device") f.device = value;
  else if (arg == "--inter-op-threads") ok = absl::SimpleAtoi(value, &f.inter_op_threads);
  else if (arg == "--intra-op-threads") ok = absl::SimpleAtoi(value, &f.intra_op_threads);
  else if (arg == "--csv") f.csv = value;
  else if (arg == "--data-dir") f.data_dir = value;
  else if (arg == "--seed") ok = absl::SimpleAtoi(value, &f.seed);
  else if (arg == "--train-examples") ok = absl::SimpleAtoi(value, &f.train_examples);
  else if (arg == "--trace") f.trace = value;
  else if (arg == "--placement-dot") f.placement_dot = value;
  else if (arg == "--cpu-devices")
    ok = absl::SimpleAtoi(value, &f.cpu_devices) && f.cpu_devices > 0;
  else if (arg == "--strategy") {
    f.strategy = value;
    ok = value == "mirrored" || value == "central" || value == "multi_worker";
  } else if (arg == "--devices") {
    f.devices = absl::StrSplit(value, ',', absl::SkipEmpty());
    ok = !f.devices.empty();
    for (const std::string& d : f.devices) {
      // "/cpu:K" needs K + 1 logical CPU devices.
      const size_t colon = d.rfind(':');
      int k = 0;
      if (absl::AsciiStrToUpper(d).find("CPU:") != std::string::npos &&
          colon != std::string::npos && absl::SimpleAtoi(d.substr(colon + 1), &k)) {
        f.cpu_devices = std::max(f.cpu_devices, k + 1);
      }
    }
  } else return FlagParse::kUnknown;
  return ok ? FlagParse::kOk : FlagParse::kInvalid;
}

bool ParseTrainingFlags(
    int argc, char** argv, TrainingFlags& f,
    absl::FunctionRef<FlagParse(std::string_view arg, const std::string& value)> extra) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (arg == "--log-device-placement") {
      f.log_device_placement = true;
      continue;
    }
    if (eq == std::string::npos) {
      if (i + 1 >= argc) return false;
      value = argv[++i];
    }
    FlagParse result = extra(arg, value);
    if (result == FlagParse::kUnknown) result = ParseTrainingFlag(arg, value, f);
    if (result != FlagParse::kOk) {
      std::fprintf(stderr, "bad flag or value: %s %s\n", arg.c_str(), value.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace graphrt::examples
