// The `graphrt` command line: run a graph file with a config, list devices.
//
//   graphrt run GRAPH.pb [--config CONFIG.pbtxt] [--feed name=FILE.npy ...]
//               [--fetch name ...] [--target name ...] [--out DIR]
//               [--trace out.json] [--log-device-placement] [--print-config]
//               [--runs N] [--format auto|graphrt|tf] [--show N]
//   graphrt devices [--config CONFIG.pbtxt]
//   graphrt convert GRAPH OUT [--format auto|graphrt|tf]
//
// GRAPH is a graphrt GraphDef (binary, or text when it ends in .pbtxt) or a
// TensorFlow frozen GraphDef; `auto` tries graphrt's format first, then
// TensorFlow's, and says which it read. A file neither reads is refused
// with one error giving each format's reason; an ONNX model is refused as
// not supported yet, and an empty file as empty. `run` and `convert` never
// go on with an empty graph read from such a file. RunCli is the whole
// program, with its streams passed in so tests run it in-process.
//
// Thread-safety: one call at a time (it reads the environment).
#ifndef GRAPHRT_EXAMPLES_GRAPHRT_CLI_CLI_H_
#define GRAPHRT_EXAMPLES_GRAPHRT_CLI_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace graphrt::cli {

// Returns the exit code: 0 done, 1 an error (printed to `err`), 2 bad usage.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace graphrt::cli

#endif  // GRAPHRT_EXAMPLES_GRAPHRT_CLI_CLI_H_
