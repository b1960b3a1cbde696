// graphrt: run graph files from the command line (see cli.h).
#include <iostream>
#include <string>
#include <vector>

#include "examples/graphrt_cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return graphrt::cli::RunCli(args, std::cout, std::cerr);
}
