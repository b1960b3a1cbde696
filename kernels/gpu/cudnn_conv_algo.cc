#include "kernels/gpu/cudnn_conv_algo.h"

namespace graphrt {

std::optional<ConvAlgo> ChooseConvAlgo(std::span<const AlgoCandidate> ranked, size_t cap) {
  std::optional<ConvAlgo> chosen;
  std::optional<int> fallback;
  for (const AlgoCandidate& c : ranked) {
    if (!c.supported) continue;
    if (!chosen && c.workspace <= cap) chosen = ConvAlgo{c.algo, c.workspace, std::nullopt};
    if (!fallback && c.workspace == 0) fallback = c.algo;
  }
  if (chosen) chosen->fallback = fallback;
  return chosen;
}

}  // namespace graphrt
