#include "tests/faults/fault_sweep.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace graphrt {

std::string SweepReport::DebugString() const {
  return absl::StrCat(allocations, " allocation and ", kernel_runs,
                      " kernel fault points per step (kernels struck before and after Compute): ",
                      faulted_steps, " faulted steps recovered from; ",
                      compared ? absl::StrCat(steps_leaving_updates, " of them left ",
                                              updates_left, " variable updates applied")
                               : "results and variables not compared (not deterministic)",
                      missed > 0 ? absl::StrCat("; ", missed, " points not reached") : "");
}

namespace {

bool BitIdentical(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.TotalBytes()) == 0;
}

// One step's worth of checks for one target.
class Sweeper {
 public:
  explicit Sweeper(const SweepTarget& t) : t_(t) {}

  SweepReport Run() {
    SweepReport report;
    report.compared = t_.deterministic;
    if (!Snapshot(&before_)) return report;
    // The reference: an unfaulted step, twice (the counts must not vary).
    int64_t allocations = -1, kernel_runs = -1;
    for (int run = 0; run < 2; ++run) {
      Restore();
      t_.memory->faults().Arm(0);
      t_.kernels->faults().Arm(0);
      const int64_t in_use = t_.memory->BytesInUse();
      absl::StatusOr<std::vector<Tensor>> out = t_.step();
      if (!out.ok()) {
        ADD_FAILURE() << t_.name << ": the unfaulted step failed: " << out.status();
        return report;
      }
      // Host copies: the step's own results hold memory of the allocator.
      const std::vector<Tensor> first = std::move(reference_);
      reference_.clear();
      for (const Tensor& t : *out) {
        absl::StatusOr<Tensor> copy = t.Clone(HostAllocator());
        if (!copy.ok()) {
          ADD_FAILURE() << t_.name << ": copying a result: " << copy.status();
          return report;
        }
        reference_.push_back(*std::move(copy));
      }
      out = std::vector<Tensor>();
      if (!Snapshot(&after_)) return report;
      EXPECT_EQ(t_.memory->BytesInUse(), in_use) << t_.name << ": an unfaulted step kept memory";
      if (run == 1 && t_.deterministic) {
        EXPECT_EQ(t_.memory->faults().count(), allocations) << t_.name << ": allocations vary";
        EXPECT_EQ(t_.kernels->faults().count(), kernel_runs) << t_.name << ": kernel runs vary";
        for (size_t i = 0; i < first.size() && i < reference_.size(); ++i) {
          EXPECT_TRUE(BitIdentical(first[i], reference_[i]))
              << t_.name << ": result " << i << " differs between two unfaulted steps";
        }
      }
      allocations = t_.memory->faults().count();
      kernel_runs = t_.kernels->faults().count();
    }
    report.allocations = allocations;
    report.kernel_runs = kernel_runs;
    for (int64_t k = 1; k <= allocations; ++k) {
      Fault(&t_.memory->faults(), k, absl::StatusCode::kResourceExhausted,
            absl::StrCat("allocation ", k), &report);
    }
    for (KernelFaultPoint point : {KernelFaultPoint::kBeforeCompute, KernelFaultPoint::kAfterCompute}) {
      t_.kernels->set_point(point);
      const char* when = point == KernelFaultPoint::kBeforeCompute ? "before" : "after";
      for (int64_t k = 1; k <= kernel_runs; ++k) {
        Fault(&t_.kernels->faults(), k, FaultInjectingKernels::kCode,
              absl::StrCat("kernel run ", k, " (", when, " Compute)"), &report);
      }
    }
    t_.kernels->set_point(KernelFaultPoint::kBeforeCompute);
    EXPECT_EQ(t_.memory->bad_frees(), 0) << t_.name;
    Restore();
    return report;
  }

 private:
  // One faulted step at point `k` of `counter`, then one unfaulted step.
  void Fault(FaultCounter* counter, int64_t k, absl::StatusCode code, const std::string& what,
             SweepReport* report) {
    const std::string where = absl::StrCat(t_.name, ", ", what);
    Restore();
    const int64_t in_use = t_.memory->BytesInUse();
    t_.memory->faults().Arm(0);
    t_.kernels->faults().Arm(0);
    counter->Arm(k);
    absl::StatusOr<std::vector<Tensor>> out = t_.step();
    counter->Disarm();
    if (!counter->fired()) {
      if (t_.deterministic) ADD_FAILURE() << where << ": the fault point was never reached";
      ++report->missed;
      return;
    }
    if (out.ok()) {
      ADD_FAILURE() << where << ": the step succeeded despite the fault";
      return;
    }
    const std::string node = code == absl::StatusCode::kResourceExhausted
                                 ? t_.memory->last_fault_owner()
                                 : t_.kernels->last_fault_node();
    EXPECT_EQ(out.status().code(), code) << where << ": " << out.status();
    EXPECT_FALSE(node.empty()) << where << ": no node was running";
    EXPECT_NE(out.status().message().find(absl::StrCat("node '", node, "' (")), std::string::npos)
        << where << ": the status does not name node '" << node << "': " << out.status();
    EXPECT_NE(out.status().message().find(") on /job:"), std::string::npos)
        << where << ": the status does not name the device: " << out.status();
    EXPECT_EQ(t_.memory->BytesInUse(), in_use) << where << ": the failed step kept memory";
    std::vector<Tensor> left;
    if (!Snapshot(&left)) return;
    int updated = 0;
    for (size_t v = 0; v < left.size() && t_.deterministic; ++v) {
      const bool untouched = BitIdentical(left[v], before_[v]);
      const bool applied = BitIdentical(left[v], after_[v]);
      EXPECT_TRUE(untouched || applied)
          << where << ": variable '" << t_.variables[v] << "' was left half updated";
      updated += !untouched && applied;
    }
    ++report->faulted_steps;
    if (updated > 0) {
      ++report->steps_leaving_updates;
      report->updates_left += updated;
    }
    // Recovery: the same step again, unfaulted.
    Restore();
    absl::StatusOr<std::vector<Tensor>> again = t_.step();
    if (!again.ok()) {
      ADD_FAILURE() << where << ": the next step failed: " << again.status();
      return;
    }
    EXPECT_EQ(again->size(), reference_.size()) << where;
    for (size_t i = 0; t_.deterministic && i < again->size() && i < reference_.size(); ++i) {
      EXPECT_TRUE(BitIdentical((*again)[i], reference_[i]))
          << where << ": result " << i << " of the next step differs";
    }
    again = std::vector<Tensor>();
    EXPECT_EQ(t_.memory->BytesInUse(), in_use) << where << ": the next step kept memory";
    if (!t_.deterministic) return;
    std::vector<Tensor> vars;
    if (!Snapshot(&vars)) return;
    for (size_t v = 0; v < vars.size(); ++v) {
      EXPECT_TRUE(BitIdentical(vars[v], after_[v]))
          << where << ": variable '" << t_.variables[v] << "' differs after the next step";
    }
  }

  // Host copies of the variables, in t_.variables' order.
  bool Snapshot(std::vector<Tensor>* out) {
    out->clear();
    for (const std::string& name : t_.variables) {
      auto var = t_.session->resources().LookupVariable(name);
      if (!var.ok()) {
        ADD_FAILURE() << t_.name << ": " << var.status();
        return false;
      }
      absl::StatusOr<Tensor> value = (*var)->Read();
      absl::StatusOr<Tensor> copy =
          value.ok() ? value->Clone(HostAllocator()) : absl::StatusOr<Tensor>(value.status());
      if (!copy.ok()) {
        ADD_FAILURE() << t_.name << ": reading '" << name << "': " << copy.status();
        return false;
      }
      out->push_back(*std::move(copy));
    }
    return true;
  }

  // Writes the values before the step back in place (unfaulted).
  void Restore() {
    for (size_t v = 0; v < before_.size(); ++v) {
      auto var = t_.session->resources().LookupVariable(t_.variables[v]);
      const Tensor& value = before_[v];
      absl::Status s = var.ok() ? (*var)->Update([&](Tensor& held) {
        std::memcpy(held.raw_data(), value.raw_data(), value.TotalBytes());
        return absl::OkStatus();
      })
                                : var.status();
      EXPECT_TRUE(s.ok()) << t_.name << ": restoring '" << t_.variables[v] << "': " << s;
    }
  }

  const SweepTarget& t_;
  std::vector<Tensor> before_, after_;  // variables before and after the step
  std::vector<Tensor> reference_;       // the unfaulted step's results
};

}  // namespace

SweepReport SweepFaults(const SweepTarget& target) { return Sweeper(target).Run(); }

}  // namespace graphrt
