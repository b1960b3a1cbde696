#include "core/graph/op_def.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"

namespace graphrt {

const AttrDef* OpDef::FindAttr(absl::string_view attr) const {
  for (const AttrDef& a : attrs) {
    if (a.name == attr) return &a;
  }
  return nullptr;
}

OpDefBuilder::OpDefBuilder(std::string name) { def_.name = std::move(name); }

ArgDef OpDefBuilder::ParseArg(absl::string_view spec) {
  ArgDef arg;
  std::vector<std::string> parts = absl::StrSplit(spec, ':');
  if (parts.size() != 2) {
    status_ = absl::InvalidArgumentError(
        absl::StrCat("op ", def_.name, ": arg spec '", spec, "' is not 'name: type'"));
    return arg;
  }
  arg.name = std::string(absl::StripAsciiWhitespace(parts[0]));
  absl::string_view type = absl::StripAsciiWhitespace(parts[1]);
  if (size_t star = type.find('*'); star != absl::string_view::npos) {
    arg.number_attr = std::string(absl::StripAsciiWhitespace(type.substr(0, star)));
    type = absl::StripAsciiWhitespace(type.substr(star + 1));
  }
  if (auto fixed = ParseDataType(type); fixed.ok()) {
    arg.type = *fixed;
  } else {
    arg.type_attr = std::string(type);
  }
  return arg;
}

OpDefBuilder& OpDefBuilder::Input(absl::string_view spec) {
  def_.inputs.push_back(ParseArg(spec));
  return *this;
}

OpDefBuilder& OpDefBuilder::Output(absl::string_view spec) {
  def_.outputs.push_back(ParseArg(spec));
  return *this;
}

OpDefBuilder& OpDefBuilder::TypeAttr(std::string name, std::vector<DataType> allowed) {
  def_.attrs.push_back(AttrDef{std::move(name), AttrType::kType, std::nullopt,
                               std::move(allowed)});
  return *this;
}

OpDefBuilder& OpDefBuilder::Attr(std::string name, AttrType type,
                                 std::optional<AttrValue> default_value) {
  def_.attrs.push_back(AttrDef{std::move(name), type, std::move(default_value), {}});
  return *this;
}

OpDefBuilder& OpDefBuilder::Stateful() {
  def_.is_stateful = true;
  return *this;
}

OpDefBuilder& OpDefBuilder::Feed() {
  def_.is_feed = true;
  return *this;
}

OpDefBuilder& OpDefBuilder::Copy() {
  def_.is_copy = true;
  return *this;
}

OpDefBuilder& OpDefBuilder::Cheap() {
  def_.is_cheap = true;
  return *this;
}

OpDefBuilder& OpDefBuilder::Shape(ShapeFn fn) {
  def_.shape_fn = std::move(fn);
  return *this;
}

OpDefBuilder& OpDefBuilder::Doc(std::string summary) {
  def_.summary = std::move(summary);
  return *this;
}

absl::StatusOr<OpDef> OpDefBuilder::Finish() && {
  if (!status_.ok()) return status_;
  auto check = [&](const ArgDef& arg) -> absl::Status {
    if (!arg.type_attr.empty()) {
      const AttrDef* a = def_.FindAttr(arg.type_attr);
      if (a == nullptr || a->type != AttrType::kType) {
        return absl::InvalidArgumentError(absl::StrCat(
            "op ", def_.name, ": arg '", arg.name, "' uses undeclared type attr '",
            arg.type_attr, "'"));
      }
    }
    if (!arg.number_attr.empty()) {
      const AttrDef* a = def_.FindAttr(arg.number_attr);
      if (a == nullptr || a->type != AttrType::kInt) {
        return absl::InvalidArgumentError(absl::StrCat(
            "op ", def_.name, ": arg '", arg.name, "' uses undeclared int attr '",
            arg.number_attr, "'"));
      }
    }
    return absl::OkStatus();
  };
  for (const ArgDef& arg : def_.inputs) {
    if (auto s = check(arg); !s.ok()) return s;
  }
  for (const ArgDef& arg : def_.outputs) {
    if (auto s = check(arg); !s.ok()) return s;
  }
  return std::move(def_);
}

OpRegistry& OpRegistry::Global() {
  static OpRegistry* registry = [] {
    auto* r = new OpRegistry();
    RegisterStandardOps(*r);
    return r;
  }();
  return *registry;
}

absl::Status OpRegistry::Register(OpDefBuilder builder) {
  absl::StatusOr<OpDef> def = std::move(builder).Finish();
  if (!def.ok()) return def.status();
  MutexLock lock(&mu_);
  std::string name = def->name;
  if (ops_.contains(name)) {
    return absl::AlreadyExistsError(absl::StrCat("op '", name, "' is already registered"));
  }
  ops_.emplace(std::move(name), std::make_unique<const OpDef>(*std::move(def)));
  return absl::OkStatus();
}

const OpDef* OpRegistry::Find(absl::string_view name) const {
  MutexLock lock(&mu_);
  auto it = ops_.find(name);
  return it == ops_.end() ? nullptr : it->second.get();
}

std::vector<std::string> OpRegistry::ListOps() const {
  MutexLock lock(&mu_);
  std::vector<std::string> names;
  for (const auto& [name, def] : ops_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace graphrt
