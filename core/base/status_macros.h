// Status helpers used across graphrt: RETURN_IF_ERROR and ASSIGN_OR_RETURN.
//
// Errors are absl::Status everywhere; these keep call sites to one line.
#ifndef GRAPHRT_CORE_BASE_STATUS_MACROS_H_
#define GRAPHRT_CORE_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GRAPHRT_CONCAT_INNER(a, b) a##b
#define GRAPHRT_CONCAT(a, b) GRAPHRT_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    absl::Status graphrt_status_ = (expr);             \
    if (!graphrt_status_.ok()) return graphrt_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  GRAPHRT_ASSIGN_OR_RETURN_IMPL(GRAPHRT_CONCAT(graphrt_statusor_, __LINE__), lhs, expr)

#define GRAPHRT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // GRAPHRT_CORE_BASE_STATUS_MACROS_H_
