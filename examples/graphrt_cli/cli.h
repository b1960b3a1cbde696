// The `graphrt` command line: run a graph file with a config, list devices.
//
//   graphrt run GRAPH.pb [--config CONFIG.pbtxt] [--feed name=FILE.npy ...]
//               [--fetch name ...] [--target name ...] [--out DIR]
//               [--trace out.json] [--log-device-placement] [--print-config]
//               [--runs N] [--format auto|graphrt|tf|onnx] [--show N]
//   graphrt devices [--config CONFIG.pbtxt]
//   graphrt convert GRAPH OUT [--format auto|graphrt|tf|onnx]
//
// GRAPH is a graphrt GraphDef (binary, or text when it ends in .pbtxt), a
// TensorFlow frozen GraphDef or an ONNX model; `auto` recognises an ONNX
// model by its structure, else tries graphrt's format first, then
// TensorFlow's, and says which it read. A file none reads is refused
// with one error giving each format's reason, and an empty file as empty.
// An ONNX model's outputs are fetched when neither --fetch nor --target is
// given; a --feed file ending in .pb is read as an ONNX TensorProto. `run` and `convert` never
// go on with an empty graph read from such a file. RunCli is the whole
// program, with its streams passed in so tests run it in-process.
//
// `run --out DIR` makes DIR (and its parents) before reading anything, and
// `--trace FILE` / convert's OUT must go into a folder that exists: when
// they cannot, the command is refused as bad usage before it runs.
// `--runs N` prints the first run's time and the min, median and max of all N.
//
// Thread-safety: one call at a time (it reads the environment).
#ifndef GRAPHRT_EXAMPLES_GRAPHRT_CLI_CLI_H_
#define GRAPHRT_EXAMPLES_GRAPHRT_CLI_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace graphrt::cli {

// Returns the exit code, the error printed to `err`: 0 done; 1 the run failed
// (runtime, placement, a kernel, a feed that does not fit, writing output);
// 2 bad usage (arguments, nothing to fetch, an output folder that cannot be
// made); 3 a bad input file (GRAPH, --config or a --feed .npy cannot be read
// or is not in its format).
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace graphrt::cli

#endif  // GRAPHRT_EXAMPLES_GRAPHRT_CLI_CLI_H_
