// Replays committed fuzz inputs through a libFuzzer target without libFuzzer:
// linked with a target's source (which defines LLVMFuzzerTestOneInput), it
// feeds every regular file under the folders given, one call per file, in
// sorted order. Built with any compiler, in every build that has tests, so
// the corpora are regression tests in release and sanitizer builds alike
// (tests/fuzz/CMakeLists.txt makes one ctest per target).
//
//   <target>_replay FOLDER_OR_FILE...
//
// A folder that does not exist is reported and skipped (crashes/<target>/ is
// there only once a crash has been kept); no input at all is a failure, so
// a misspelt folder cannot pass quietly. A target that crashes (abort, a
// sanitizer report) fails the test; the input it was on is printed first.
// Prints how many files and bytes it replayed, and how long it took.
//
// Thread-safety: a program, single-threaded.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// Set by the sanitizer runtimes (ASan, UBSan, TSan) when linked; null without.
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

// Note [Naming the input that crashed]
// Printing each path before its call would bury the output of 2,000 inputs;
// instead the path sits in a fixed buffer that a crash handler writes out
// with write(2), which is safe in a signal handler. A plain build dies by a
// signal (std::abort, SIGSEGV); a sanitizer build dies in the sanitizer
// runtime, which calls the death callback after its report.
char current_input[4096] = "";

void SayWhichInput() {
  static const char kPrefix[] = "\nfuzz replay: crashed on input ";
  (void)!write(STDERR_FILENO, kPrefix, sizeof(kPrefix) - 1);
  (void)!write(STDERR_FILENO, current_input, std::strlen(current_input));
  (void)!write(STDERR_FILENO, "\n", 1);
}

void OnFatalSignal(int sig) {
  SayWhichInput();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

bool ReadFile(const std::filesystem::path& path, std::string* bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FOLDER_OR_FILE...\n", argv[0]);
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // what was replayed stays printed after a crash
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, OnFatalSignal);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(SayWhichInput);

  const auto start = std::chrono::steady_clock::now();
  size_t files = 0, bytes_total = 0;
  for (int a = 1; a < argc; ++a) {
    const std::filesystem::path arg = argv[a];
    std::error_code ec;
    std::vector<std::filesystem::path> inputs;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) inputs.push_back(entry.path());
      }
      if (ec) {
        std::fprintf(stderr, "fuzz replay: cannot list %s: %s\n", argv[a], ec.message().c_str());
        return 1;
      }
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      inputs.push_back(arg);
    } else {
      std::printf("%s: not there, skipped\n", argv[a]);
      continue;
    }
    std::sort(inputs.begin(), inputs.end());
    size_t folder_bytes = 0;
    std::string bytes;
    for (const auto& path : inputs) {
      if (!ReadFile(path, &bytes)) {
        std::fprintf(stderr, "fuzz replay: cannot read %s\n", path.c_str());
        return 1;
      }
      std::snprintf(current_input, sizeof(current_input), "%s", path.c_str());
      // A copy of exactly the input's size, so reads past its end are caught
      // by ASan as they are under libFuzzer.
      std::vector<uint8_t> data(bytes.begin(), bytes.end());
      LLVMFuzzerTestOneInput(data.data(), data.size());
      folder_bytes += bytes.size();
    }
    std::printf("%s: %zu files, %zu bytes\n", argv[a], inputs.size(), folder_bytes);
    files += inputs.size();
    bytes_total += folder_bytes;
  }
  current_input[0] = '\0';
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("replayed %zu files, %zu bytes in %.2f s\n", files, bytes_total, seconds);
  if (files == 0) {
    std::fprintf(stderr, "fuzz replay: no inputs found in any folder given\n");
    return 1;
  }
  return 0;
}
