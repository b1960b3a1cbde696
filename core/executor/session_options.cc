#include "core/executor/session_options.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "core/executor/kernel_registry.h"
#include "core/executor/thread_pool.h"
#include "core/memory/bfc_allocator.h"

namespace graphrt {
namespace {

void ReadThreadsEnv(const char* name, int* value) {
  const char* env = std::getenv(name);
  if (env == nullptr || *env == '\0') return;
  int n = 0;
  if (!absl::SimpleAtoi(env, &n) || n < 0 || n > 4096) {
    std::fprintf(stderr,
                 "graphrt: ignoring %s=\"%s\": expected a thread count from 0 (= cores) "
                 "to 4096\n",
                 name, env);
    return;
  }
  *value = n;
}

void ReadBoolEnv(const char* name, bool* value) {
  const char* env = std::getenv(name);
  if (env == nullptr || *env == '\0') return;
  absl::string_view v(env);
  if (v == "1" || v == "true" || v == "TRUE" || v == "True") {
    *value = true;
  } else if (v == "0" || v == "false" || v == "FALSE" || v == "False") {
    *value = false;
  } else {
    std::fprintf(stderr, "graphrt: ignoring %s=\"%s\": expected true/false or 1/0\n", name,
                 env);
  }
}

}  // namespace

SessionOptions ResolveSessionOptions(const SessionOptions& options) {
  SessionOptions o = options;
  ReadThreadsEnv("GRAPHRT_NUM_INTEROP_THREADS", &o.inter_op_threads);
  ReadThreadsEnv("GRAPHRT_NUM_INTRAOP_THREADS", &o.intra_op_threads);
  ReadBoolEnv("GRAPHRT_LOG_DEVICE_PLACEMENT", &o.log_device_placement);
  o.inter_op_threads = ResolveThreadCount(o.inter_op_threads);
  o.intra_op_threads = ResolveThreadCount(o.intra_op_threads);
  if (o.kernels == nullptr) o.kernels = &KernelRegistry::Global();
  if (o.cpu_allocator == nullptr) o.cpu_allocator = HostPoolAllocator();
  return o;
}

}  // namespace graphrt
