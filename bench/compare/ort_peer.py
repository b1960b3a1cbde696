#!/usr/bin/env python3
"""ONNX Runtime's side of bench/compare/run, through its Python API (no C
headers are to be had here: Debian ships no onnxruntime and the wheel carries
only the shared library). The Python call costs a few us per Run; it lands in
t(1) and cancels out of per_node = (t(N) - t(1)) / (N - 1).

  ort_peer.py --graph addchain --n 1,1000 --threads 1,2
      N scalar float Adds of a constant 1 to the input x (shape []); sequential
      execution, graph optimisations off (side ort-opt-off) and all on
      (ort-opt-on); threads = intra-op threads.
  ort_peer.py --graph matmul --n 1,64 --threads 2
      N MatMuls of the input x (128x128) by initializers filled with
      (i + 1) / 64, joined by Sum; optimisations on. Side ort-parallel:
      parallel execution, inter-op = threads, intra-op 1 (graphrt's setting);
      side ort-sequential: sequential, intra-op = threads (ORT's default).
"""
import argparse

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from timing import median_ns_per_run, report

MATMUL_SIZE = 128


def addchain_model(n):
    nodes, prev = [], "x"
    for i in range(n):
        nodes.append(helper.make_node("Add", [prev, "one"], [f"a{i}"]))
        prev = f"a{i}"
    nodes[-1].output[0] = "y"
    graph = helper.make_graph(
        nodes, "addchain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])],
        [helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])])
    return graph, np.zeros((), np.float32), float(n)


def matmul_model(n):
    k = MATMUL_SIZE
    weights = [helper.make_tensor(f"w{i}", TensorProto.FLOAT, [k, k],
                                  np.full((k, k), (i + 1) / 64, np.float32).ravel().tolist())
               for i in range(n)]
    nodes = [helper.make_node("MatMul", ["x", f"w{i}"], [f"p{i}"]) for i in range(n)]
    nodes.append(helper.make_node("Sum", [f"p{i}" for i in range(n)], ["y"]))
    graph = helper.make_graph(
        nodes, "matmul_addn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [k, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [k, k])], weights)
    # Every element of x @ w_i is k * 0.5 * (i + 1) / 64.
    expected = sum(k * 0.5 * (i + 1) / 64 for i in range(n))
    return graph, np.full((k, k), 0.5, np.float32), expected


def session(graph, opt_on, parallel, inter, intra):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    so = ort.SessionOptions()
    so.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if opt_on
                                   else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    so.execution_mode = (ort.ExecutionMode.ORT_PARALLEL if parallel
                         else ort.ExecutionMode.ORT_SEQUENTIAL)
    so.inter_op_num_threads = inter
    so.intra_op_num_threads = intra
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def measure(side, graph_name, n, threads, graph, feed, expected, **settings):
    sess = session(graph, **settings)
    y = sess.run(["y"], {"x": feed})[0]
    if not np.allclose(y, expected):
        raise SystemExit(f"{side} {graph_name}/{n}: got {y.ravel()[0]}, expected {expected}")
    ns = median_ns_per_run(lambda: sess.run(["y"], {"x": feed}))
    report(side, graph_name, n, threads, ns, api="python")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--graph", choices=["addchain", "matmul"], required=True)
    p.add_argument("--n", required=True)
    p.add_argument("--threads", default="1")
    a = p.parse_args()
    for n in map(int, a.n.split(",")):
        for t in map(int, a.threads.split(",")):
            if a.graph == "addchain":
                g, feed, expected = addchain_model(n)
                for side, opt_on in (("ort-opt-off", False), ("ort-opt-on", True)):
                    measure(side, "addchain", n, t, g, feed, expected,
                            opt_on=opt_on, parallel=False, inter=1, intra=t)
            else:
                g, feed, expected = matmul_model(n)
                measure("ort-parallel", "matmul", n, t, g, feed, expected,
                        opt_on=True, parallel=True, inter=t, intra=1)
                measure("ort-sequential", "matmul", n, t, g, feed, expected,
                        opt_on=True, parallel=False, inter=1, intra=t)


if __name__ == "__main__":
    main()
