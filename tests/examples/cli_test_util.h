// Runs the graphrt CLI in-process for the CLI tests
// (tests/examples/graphrt_cli_test.cc, graphrt_cli_onnx_test.cc): the exit
// code and what it wrote to stdout and stderr.
//
// Thread-safety: as RunCli.
#ifndef GRAPHRT_TESTS_EXAMPLES_CLI_TEST_UTIL_H_
#define GRAPHRT_TESTS_EXAMPLES_CLI_TEST_UTIL_H_

#include <sstream>
#include <string>
#include <vector>

#include "examples/graphrt_cli/cli.h"

namespace graphrt::cli {

struct Result {
  int code;
  std::string out, err;
};

// `args` as after the program name: {"run", GRAPH, "--fetch", ...}.
inline Result Cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = RunCli(args, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace graphrt::cli

#endif  // GRAPHRT_TESTS_EXAMPLES_CLI_TEST_UTIL_H_
