#include "kernels/common/collective_work.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace graphrt {

absl::Status CheckCollectiveInputs(const Tensor& x, CollectiveParticipants all,
                                   absl::string_view what, bool except_first) {
  for (const auto* p : all) {
    const Tensor& y = *p->input;
    bool same = y.dtype() == x.dtype() && y.shape().rank() == x.shape().rank();
    for (int d = except_first ? 1 : 0; same && d < x.shape().rank(); ++d) {
      same = y.shape().dim(d) == x.shape().dim(d);
    }
    if (!same) {
      return absl::InvalidArgumentError(absl::StrCat(all[0]->label, " has ",
                                                     all[0]->input->ShapeString(), " but ",
                                                     p->label, " has ", y.ShapeString(), "; ",
                                                     what));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<const CollectiveRendezvous::Participant*> FindBroadcastSender(
    CollectiveParticipants all) {
  const CollectiveRendezvous::Participant* sender = nullptr;
  for (const auto* p : all) {
    if (p->input == nullptr) continue;
    if (sender != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a broadcast has one sender; ", sender->label, " and ", p->label, " both send"));
    }
    sender = p;
  }
  if (sender == nullptr) {
    return absl::InvalidArgumentError(
        "a broadcast needs one CollectiveBcastSendV2; every participant receives");
  }
  return sender;
}

absl::Status CheckBroadcastReceiver(const CollectiveRendezvous::Participant& receiver,
                                    const CollectiveRendezvous::Participant& sender) {
  const Tensor& out = *receiver.output;
  const Tensor& src = *sender.input;
  if (src.dtype() == out.dtype() && src.shape() == out.shape()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(receiver.label, " expects ", out.ShapeString(),
                                                 " but ", sender.label, " sends ",
                                                 src.ShapeString()));
}

absl::Status BroadcastShare(int rank, CollectiveParticipants all) {
  absl::StatusOr<const CollectiveRendezvous::Participant*> sender = FindBroadcastSender(all);
  if (!sender.ok()) return sender.status();
  const CollectiveRendezvous::Participant& me = *all[rank];
  if (me.output == nullptr) return absl::OkStatus();
  const absl::Status s = CheckBroadcastReceiver(me, **sender);
  if (!s.ok()) return s;
  const Tensor& src = *(*sender)->input;
  if (src.TotalBytes() > 0) std::memcpy(me.output->raw_data(), src.raw_data(), src.TotalBytes());
  return absl::OkStatus();
}

TensorShape AllGatherShape(const Tensor& x, CollectiveParticipants all) {
  std::vector<int64_t> dims(x.shape().dims().begin(), x.shape().dims().end());
  dims[0] = 0;
  for (const auto* p : all) dims[0] += p->input->shape().dim(0);
  return TensorShape(std::span<const int64_t>(dims));
}

void AllGatherInto(CollectiveParticipants all, void* dst) {
  char* at = static_cast<char*>(dst);
  for (const auto* p : all) {
    const size_t bytes = p->input->TotalBytes();
    if (bytes > 0) std::memcpy(at, p->input->raw_data(), bytes);
    at += bytes;
  }
}

namespace {

// Elements [b, e) of every input, reduced in rank order into `out`.
template <typename T>
void ReduceRange(CollectiveParticipants all, int64_t b, int64_t e, T* out, bool max,
                 bool mean) {
  std::memcpy(out + b, all[0]->input->data<T>() + b, (e - b) * sizeof(T));
  for (size_t j = 1; j < all.size(); ++j) {
    const T* in = all[j]->input->data<T>();
    if (max) {
      for (int64_t i = b; i < e; ++i) out[i] = std::max(out[i], in[i]);
    } else {
      for (int64_t i = b; i < e; ++i) out[i] += in[i];
    }
  }
  if (mean) {
    const T size = static_cast<T>(all.size());
    for (int64_t i = b; i < e; ++i) out[i] /= size;
  }
}

}  // namespace

template <typename T>
void AllReduceShare(int rank, CollectiveParticipants all, bool max, bool mean,
                    CollectiveParallelFor parallel_for) {
  Tensor* mine = all[rank]->output;
  T* out = mine->data<T>();
  const int64_t n = mine->num_elements(), parts = static_cast<int64_t>(all.size());
  const int64_t begin = n * rank / parts, end = n * (rank + 1) / parts;
  if (end == begin) return;
  parallel_for(end - begin, parts, [&](int64_t b, int64_t e) {
    ReduceRange<T>(all, begin + b, begin + e, out, max, mean);
  });
  for (const auto* p : all) {
    if (p->output == mine) continue;
    std::memcpy(p->output->data<T>() + begin, out + begin, (end - begin) * sizeof(T));
  }
}

template void AllReduceShare<float>(int, CollectiveParticipants, bool, bool,
                                    CollectiveParallelFor);
template void AllReduceShare<int32_t>(int, CollectiveParticipants, bool, bool,
                                      CollectiveParallelFor);
template void AllReduceShare<int64_t>(int, CollectiveParticipants, bool, bool,
                                      CollectiveParallelFor);

}  // namespace graphrt
