#include "tests/onnx/suite/suite_case.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/executor/session.h"
#include "core/graph/io/proto_util.h"
#include "core/graph/onnx/onnx_import.h"

namespace graphrt::onnx_suite {
namespace {

namespace fs = std::filesystem;

// "[1,0,2]": the index of flat element i in `shape`.
std::string IndexString(const TensorShape& shape, int64_t i) {
  std::vector<int64_t> idx(shape.rank());
  for (int d = shape.rank() - 1; d >= 0; --d) {
    idx[d] = shape.dim(d) == 0 ? 0 : i % shape.dim(d);
    i = shape.dim(d) == 0 ? 0 : i / shape.dim(d);
  }
  std::string s = "[";
  for (size_t d = 0; d < idx.size(); ++d) absl::StrAppend(&s, d ? "," : "", idx[d]);
  return s + "]";
}

// Element i as a double (float16 widened), for the floating comparison.
template <typename T>
double AsDouble(const Tensor& t, int64_t i) {
  if constexpr (std::is_same_v<T, Float16>) {
    return HalfToFloat(t.data<Float16>()[i]);
  } else {
    return static_cast<double>(t.data<T>()[i]);
  }
}

bool Close(double got, double want, const Tolerance& tol) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got)) return got == want;
  return std::fabs(got - want) <= tol.atol + tol.rtol * std::fabs(want);
}

// The files `prefix`_0.pb, _1.pb, ... in `dir`, in index order.
std::vector<fs::path> NumberedFiles(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> files;
  for (int i = 0;; ++i) {
    fs::path p = dir / absl::StrCat(prefix, "_", i, ".pb");
    if (!fs::exists(p)) break;
    files.push_back(p);
  }
  return files;
}

absl::StatusOr<Tensor> ReadTensor(const fs::path& p) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(p.string()));
  absl::StatusOr<Tensor> t = ParseOnnxTensor(bytes);
  if (!t.ok()) {
    return absl::Status(t.status().code(),
                        absl::StrCat(p.filename().string(), ": ", t.status().message()));
  }
  return t;
}

}  // namespace

absl::Status CompareTensors(const Tensor& got, const Tensor& want, const Tolerance& tol) {
  if (got.dtype() != want.dtype()) {
    return absl::InvalidArgumentError(absl::StrCat("dtype ", DataTypeName(got.dtype()),
                                                   ", expected ", DataTypeName(want.dtype())));
  }
  if (got.shape() != want.shape()) {
    return absl::InvalidArgumentError(absl::StrCat("shape ", got.shape().DebugString(),
                                                   ", expected ", want.shape().DebugString()));
  }
  absl::Status status;
  VisitElementType(want.dtype(), [&]<typename T>() {
    // Floats (float16 widened) within the tolerance, the rest exactly.
    auto same = [&](int64_t i) {
      if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, Float16>) {
        return Close(AsDouble<T>(got, i), AsDouble<T>(want, i), tol);
      } else {
        return got.data<T>()[i] == want.data<T>()[i];
      }
    };
    for (int64_t i = 0; i < want.num_elements(); ++i) {
      if (!same(i)) {
        int64_t bad = 0;
        for (int64_t j = 0; j < want.num_elements(); ++j) bad += !same(j);
        if constexpr (std::is_same_v<T, Float16>) {
          status = absl::InvalidArgumentError(absl::StrCat(
              "value ", AsDouble<T>(got, i), " at ", IndexString(want.shape(), i), ", expected ",
              AsDouble<T>(want, i), " (", bad, " of ", want.num_elements(), " differ)"));
        } else {
          status = absl::InvalidArgumentError(absl::StrCat(
              "value ", +got.data<T>()[i], " at ", IndexString(want.shape(), i), ", expected ",
              +want.data<T>()[i], " (", bad, " of ", want.num_elements(), " differ)"));
        }
        return true;
      }
    }
    return true;
  }, false);
  return status;
}

absl::Status RunCase(const std::string& dir, const std::shared_ptr<Runtime>& runtime) {
  // Parsed from bytes, so that messages (kept as reasons in the
  // expectations file) carry no path of this machine.
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString((fs::path(dir) / "model.onnx").string()));
  ASSIGN_OR_RETURN(OnnxModel model, ParseOnnxModel(bytes));
  std::vector<fs::path> sets;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) {
      sets.push_back(e.path());
    }
  }
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return absl::NotFoundError("no test_data_set_* folder");
  SessionOptions options;
  options.runtime = runtime;
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::Create(std::move(model.graph), options));
  std::vector<TensorName> fetches(model.outputs.begin(), model.outputs.end());
  for (const fs::path& set : sets) {
    const std::string where = set.filename().string();
    std::vector<fs::path> inputs = NumberedFiles(set, "input");
    std::vector<fs::path> outputs = NumberedFiles(set, "output");
    if (inputs.size() != model.inputs.size()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", inputs.size(),
                                                     " input files for ", model.inputs.size(),
                                                     " graph inputs"));
    }
    if (outputs.size() != model.outputs.size()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", outputs.size(),
                                                     " output files for ", model.outputs.size(),
                                                     " graph outputs"));
    }
    FeedList feeds;
    for (size_t i = 0; i < inputs.size(); ++i) {
      ASSIGN_OR_RETURN(Tensor t, ReadTensor(inputs[i]));
      feeds.emplace_back(model.inputs[i], std::move(t));
    }
    absl::StatusOr<std::vector<Tensor>> got = session->Run(feeds, fetches);
    if (!got.ok()) return got.status();
    for (size_t i = 0; i < outputs.size(); ++i) {
      ASSIGN_OR_RETURN(Tensor want, ReadTensor(outputs[i]));
      if (absl::Status s = CompareTensors((*got)[i], want); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": output ", i, " ('", model.onnx_outputs[i], "'): ", s.message()));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace graphrt::onnx_suite
