#include "core/executor/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/executor/session_variables.h"
#include "core/graph/io/checkpoint_format.h"
#include "core/graph/io/proto_util.h"

namespace graphrt {
namespace {

absl::Status Errno(absl::string_view what, const std::string& file) {
  const int err = errno;
  return absl::Status(err == ENOENT ? absl::StatusCode::kNotFound
                                    : absl::StatusCode::kUnavailable,
                      absl::StrCat(what, " '", file, "': ", std::strerror(err)));
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Note [Checkpoint crash safety]
// Rationale: a crash, a full disk or a failed copy mid-save must never leave
// `path` holding half a checkpoint: the previous one is what the user falls
// back to.
// Approach: the bytes go to a fresh temporary file in the same directory
// (mkstemp on "<path>.tmp-XXXXXX": same file system, so rename is atomic),
// which is fsynced before rename(2) replaces `path` in one step; fsyncing the
// directory then makes the rename itself durable. Any failure before the
// rename unlinks the temporary file and leaves `path` untouched.
// Limitations: a crash (not an error) between mkstemp and the unlink leaves
// a "<path>.tmp-*" file behind, never a broken `path`.
class TempFile {
 public:
  absl::Status Open(const std::string& path) {
    name_ = absl::StrCat(path, ".tmp-XXXXXX");
    fd_ = mkstemp(name_.data());
    if (fd_ < 0) return Errno("SaveCheckpoint: cannot create", name_);
    return absl::OkStatus();
  }
  absl::Status Write(absl::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno("SaveCheckpoint: cannot write", name_);
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }
  // fsync, close, rename over `path`, fsync the directory.
  absl::Status Commit(const std::string& path) {
    if (::fsync(fd_) != 0) return Errno("SaveCheckpoint: cannot sync", name_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Errno("SaveCheckpoint: cannot close", name_);
    if (std::rename(name_.c_str(), path.c_str()) != 0) {
      return Errno(absl::StrCat("SaveCheckpoint: cannot rename '", name_, "' to"), path);
    }
    name_.clear();  // committed: nothing to remove
    const std::string dir = DirectoryOf(path);
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);  // best effort: some file systems refuse directory fsync
      ::close(dir_fd);
    }
    return absl::OkStatus();
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!name_.empty()) ::unlink(name_.c_str());
  }

 private:
  std::string name_;
  int fd_ = -1;
};

}  // namespace

absl::Status SaveCheckpoint(Session& session, const std::string& path,
                            const CheckpointOptions& options) {
  ASSIGN_OR_RETURN(std::vector<SessionVariable> vars, ListSessionVariables(session));
  std::vector<CheckpointEntry> entries;
  entries.reserve(vars.size());
  std::map<std::string, std::string> saved_from;  // entry -> variable
  for (const SessionVariable& v : vars) {
    std::optional<std::string> entry = v.node->name();
    if (options.save_as) entry = options.save_as(v.node->name());
    if (!entry.has_value()) continue;
    auto [it, fresh] = saved_from.emplace(*entry, v.node->name());
    if (!fresh) {
      return absl::InvalidArgumentError(
          absl::StrCat("SaveCheckpoint '", path, "': variables '", it->second, "' and '",
                       v.node->name(), "' are both saved as '", *entry, "'"));
    }
    ASSIGN_OR_RETURN(Tensor value, ReadToHost(v));
    entries.push_back({*std::move(entry), std::move(value)});
  }
  TempFile file;
  RETURN_IF_ERROR(file.Open(path));
  RETURN_IF_ERROR(
      WriteCheckpoint(entries, [&](absl::string_view piece) { return file.Write(piece); }));
  return file.Commit(path);
}

absl::Status RestoreCheckpoint(Session& session, const std::string& path,
                               const CheckpointOptions& options) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  absl::StatusOr<std::vector<CheckpointEntry>> entries = ParseCheckpoint(bytes);
  if (!entries.ok()) {
    return absl::Status(entries.status().code(),
                        absl::StrCat("RestoreCheckpoint '", path, "': ",
                                     entries.status().message()));
  }
  ASSIGN_OR_RETURN(std::vector<SessionVariable> vars, ListSessionVariables(session));

  // Every mismatch, in name order, before anything is assigned.
  std::map<std::string, const Tensor*> saved;
  for (const CheckpointEntry& e : *entries) saved[e.name] = &e.value;
  std::vector<std::string> missing, extra, differ;
  std::vector<const Tensor*> values(vars.size(), nullptr);
  std::set<std::string> used;
  for (size_t i = 0; i < vars.size(); ++i) {
    const SessionVariable& v = vars[i];
    const std::string entry =
        options.restore_from ? options.restore_from(v.node->name()) : v.node->name();
    // "'w'" or, renamed, "'w' (for variable 'replica_1/w')".
    const std::string what =
        entry == v.node->name()
            ? absl::StrCat("'", entry, "'")
            : absl::StrCat("'", entry, "' (for variable '", v.node->name(), "')");
    auto it = saved.find(entry);
    if (it == saved.end()) {
      missing.push_back(what);
      continue;
    }
    const Tensor& t = *it->second;
    used.insert(entry);
    if (t.dtype() != v.dtype || !v.shape.IsCompatibleWith(t.shape())) {
      differ.push_back(absl::StrCat(what, " is ", t.ShapeString(),
                                    " in the checkpoint but ", DataTypeName(v.dtype),
                                    v.shape.DebugString(), " in the session"));
      continue;
    }
    values[i] = &t;
  }
  for (const auto& [name, value] : saved) {
    if (!used.contains(name)) extra.push_back(absl::StrCat("'", name, "'"));
  }
  if (!missing.empty() || !extra.empty() || !differ.empty()) {
    std::vector<std::string> parts;
    if (!missing.empty()) {
      parts.push_back(absl::StrCat("missing from the checkpoint: ", absl::StrJoin(missing, ", ")));
    }
    if (!extra.empty()) {
      parts.push_back(absl::StrCat("in the checkpoint but not in the session: ",
                                   absl::StrJoin(extra, ", ")));
    }
    for (const std::string& d : differ) parts.push_back(d);
    return absl::InvalidArgumentError(absl::StrCat(
        "RestoreCheckpoint '", path, "': the checkpoint does not match the session's ",
        vars.size(), " variables (", missing.size() + extra.size() + differ.size(),
        " problems): ", absl::StrJoin(parts, "; ")));
  }

  // Everything on its device first, then the assignments.
  std::vector<Tensor> placed;
  placed.reserve(vars.size());
  for (size_t i = 0; i < vars.size(); ++i) {
    absl::StatusOr<Tensor> t = CopyToVariableDevice(vars[i], *values[i]);
    if (!t.ok()) {
      return absl::Status(t.status().code(),
                          absl::StrCat("RestoreCheckpoint '", path, "': variable '",
                                       vars[i].node->name(), "' on ", vars[i].device->name(),
                                       ": ", t.status().message()));
    }
    placed.push_back(*std::move(t));
  }
  for (size_t i = 0; i < vars.size(); ++i) {
    RETURN_IF_ERROR(vars[i].variable->Assign(placed[i]));
  }
  return absl::OkStatus();
}

}  // namespace graphrt
