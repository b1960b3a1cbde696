// ParseClusterSpec and ClusterSpecFromEnv (cluster_spec.h).
#include "core/executor/cluster_spec.h"

#include <cmath>
#include <cstdlib>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/base/json.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

constexpr char kExample[] =
    "expected e.g. {\"cluster\": {\"worker\": [\"localhost:2222\", \"localhost:2223\"]}, "
    "\"task\": {\"type\": \"worker\", \"index\": 0}}";

absl::Status Bad(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("cluster config: ", field, " ", what, "; ", kExample));
}

absl::Status CheckKind(const JsonValue& v, JsonValue::Kind kind, absl::string_view field) {
  if (v.kind() == kind) return absl::OkStatus();
  return Bad(field, absl::StrCat("must be a JSON ", JsonValue::KindName(kind), ", not ",
                                 JsonValue::KindName(v.kind())));
}

// "host:port" with a non-empty host and a port in 1..65535.
absl::Status CheckAddress(const std::string& a, absl::string_view field) {
  const size_t colon = a.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(a).substr(colon + 1), &port) || port < 1 ||
      port > 65535) {
    return Bad(field, absl::StrCat("is \"", a, "\"; it must be \"host:port\" with a port in "
                                   "1..65535"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Job(const JsonValue& cluster, const char* name) {
  std::vector<std::string> out;
  const JsonValue* job = cluster.Find(name);
  if (job == nullptr) return out;
  const std::string field = absl::StrCat("cluster.", name);
  RETURN_IF_ERROR(CheckKind(*job, JsonValue::Kind::kArray, field));
  for (size_t i = 0; i < job->array().size(); ++i) {
    const std::string item = absl::StrCat(field, "[", i, "]");
    RETURN_IF_ERROR(CheckKind(job->array()[i], JsonValue::Kind::kString, item));
    RETURN_IF_ERROR(CheckAddress(job->array()[i].string(), item));
    out.push_back(job->array()[i].string());
  }
  return out;
}

std::string DefaultRendezvous(const ClusterSpec& spec) {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  std::string id = spec.address(0);
  for (char& c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '.' || c == '-')) {
      c = '-';
    }
  }
  return absl::StrCat(dir, "/graphrt-rendezvous-", id);
}

}  // namespace

int ClusterSpec::rank() const {
  return task_type == "chief" ? task_index : static_cast<int>(chief.size()) + task_index;
}

std::string ClusterSpec::task_name(int r) const {
  if (r < static_cast<int>(chief.size())) return absl::StrCat("/job:chief/task:", r);
  return absl::StrCat("/job:worker/task:", r - static_cast<int>(chief.size()));
}

const std::string& ClusterSpec::address(int r) const {
  return r < static_cast<int>(chief.size()) ? chief[r] : worker[r - chief.size()];
}

std::string ClusterSpec::host(int r) const {
  const std::string& a = address(r);
  std::string h = a.substr(0, a.rfind(':'));
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  return h;
}

absl::StatusOr<ClusterSpec> ParseClusterSpec(absl::string_view json) {
  absl::StatusOr<JsonValue> doc = ParseJson(json);
  if (!doc.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cluster config is not valid JSON: ", doc.status().message()));
  }
  RETURN_IF_ERROR(CheckKind(*doc, JsonValue::Kind::kObject, "the document"));
  for (const auto& [key, value] : doc->object()) {
    if (key != "cluster" && key != "task" && key != "rendezvous" && key != "timeout_seconds") {
      return Bad(absl::StrCat("member \"", key, "\""),
                 "is unknown (known: cluster, task, rendezvous, timeout_seconds)");
    }
  }
  ClusterSpec spec;
  const JsonValue* cluster = doc->Find("cluster");
  if (cluster == nullptr) return Bad("\"cluster\"", "is missing");
  RETURN_IF_ERROR(CheckKind(*cluster, JsonValue::Kind::kObject, "cluster"));
  for (const auto& [key, value] : cluster->object()) {
    if (key != "worker" && key != "chief") {
      return Bad(absl::StrCat("cluster.", key),
                 "is a job graphrt does not run (it knows \"worker\" and \"chief\")");
    }
  }
  ASSIGN_OR_RETURN(spec.worker, Job(*cluster, "worker"));
  ASSIGN_OR_RETURN(spec.chief, Job(*cluster, "chief"));
  if (spec.worker.empty()) return Bad("cluster.worker", "must list at least one \"host:port\"");
  if (spec.chief.size() > 1) {
    return Bad("cluster.chief", absl::StrCat("lists ", spec.chief.size(), " tasks; at most one"));
  }
  absl::flat_hash_set<std::string> seen;
  for (int r = 0; r < spec.num_tasks(); ++r) {
    if (!seen.insert(spec.address(r)).second) {
      return Bad("cluster", absl::StrCat("names \"", spec.address(r), "\" twice (again for ",
                                         spec.task_name(r), "); every task needs its own "
                                         "address"));
    }
  }

  const JsonValue* task = doc->Find("task");
  if (task == nullptr) return Bad("\"task\"", "is missing");
  RETURN_IF_ERROR(CheckKind(*task, JsonValue::Kind::kObject, "task"));
  const JsonValue* type = task->Find("type");
  if (type == nullptr) return Bad("task.type", "is missing");
  RETURN_IF_ERROR(CheckKind(*type, JsonValue::Kind::kString, "task.type"));
  spec.task_type = type->string();
  if (spec.task_type != "worker" && spec.task_type != "chief") {
    return Bad("task.type", absl::StrCat("is \"", spec.task_type, "\"; use \"worker\" or "
                                         "\"chief\""));
  }
  const JsonValue* index = task->Find("index");
  if (index == nullptr) return Bad("task.index", "is missing");
  RETURN_IF_ERROR(CheckKind(*index, JsonValue::Kind::kNumber, "task.index"));
  const size_t job_size = spec.task_type == "chief" ? spec.chief.size() : spec.worker.size();
  const double i = index->number();
  if (i != std::floor(i) || i < 0 || i >= static_cast<double>(job_size)) {
    return Bad("task.index", absl::StrCat("is ", i, " but cluster.", spec.task_type, " has ",
                                          job_size, " task(s): use 0..",
                                          static_cast<int64_t>(job_size) - 1));
  }
  spec.task_index = static_cast<int>(i);

  if (const JsonValue* t = doc->Find("timeout_seconds"); t != nullptr) {
    RETURN_IF_ERROR(CheckKind(*t, JsonValue::Kind::kNumber, "timeout_seconds"));
    if (!(t->number() > 0) || t->number() > 86'400 * 365.0) {
      return Bad("timeout_seconds", absl::StrCat("is ", t->number(), "; it must be > 0"));
    }
    spec.timeout = std::chrono::milliseconds(
        std::max<int64_t>(1, static_cast<int64_t>(std::llround(t->number() * 1000))));
  }
  if (const JsonValue* r = doc->Find("rendezvous"); r != nullptr) {
    RETURN_IF_ERROR(CheckKind(*r, JsonValue::Kind::kString, "rendezvous"));
    if (r->string().empty()) return Bad("rendezvous", "is empty; name a directory or leave it out");
    spec.rendezvous = r->string();
  } else {
    spec.rendezvous = DefaultRendezvous(spec);
  }
  return spec;
}

absl::StatusOr<std::optional<ClusterSpec>> ClusterSpecFromEnv() {
  const char* text = std::getenv("GRAPHRT_CONFIG");
  if (text == nullptr || *text == '\0') return std::optional<ClusterSpec>();
  absl::StatusOr<ClusterSpec> spec = ParseClusterSpec(text);
  if (!spec.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("GRAPHRT_CONFIG: ", spec.status().message()));
  }
  return std::optional<ClusterSpec>(*std::move(spec));
}

}  // namespace graphrt
