// A Keras-style progress bar for the training examples (fashion_mnist_mlp,
// fashion_mnist_cnn): "Epoch 2/3 [=====.....] 300/860 - loss 0.41 - accuracy
// 0.85", redrawn in place at most ten times a second, and only when stdout is
// a terminal, so logs and pipes get the per-epoch lines alone.
//
// Thread-safety: one Progress per epoch, used by the training thread.
#ifndef GRAPHRT_EXAMPLES_COMMON_PROGRESS_H_
#define GRAPHRT_EXAMPLES_COMMON_PROGRESS_H_

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace graphrt::examples {

class Progress {
 public:
  Progress(int epoch, int epochs) : epoch_(epoch), epochs_(epochs), tty_(isatty(STDOUT_FILENO)) {}

  // `seconds` since the epoch began: the bar is redrawn when 0.1 s passed
  // since the last draw, and always on the last step.
  void Update(int64_t step, int64_t steps, double seconds, double loss, double accuracy) {
    if (!tty_ || steps <= 0 || (step != steps && seconds < next_draw_)) return;
    next_draw_ = seconds + 0.1;
    constexpr int kWidth = 30;
    const int done = static_cast<int>(kWidth * step / steps);
    std::printf("\rEpoch %d/%d [%s%s] %lld/%lld - loss %.4f - accuracy %.4f", epoch_, epochs_,
                std::string(done, '=').c_str(), std::string(kWidth - done, '.').c_str(),
                static_cast<long long>(step), static_cast<long long>(steps), loss, accuracy);
    std::fflush(stdout);
  }
  // Clears the bar so the epoch's summary line replaces it.
  void Finish() {
    if (tty_) std::printf("\r\033[K");
  }

 private:
  int epoch_, epochs_;
  bool tty_;
  double next_draw_ = 0;
};

}  // namespace graphrt::examples

#endif  // GRAPHRT_EXAMPLES_COMMON_PROGRESS_H_
