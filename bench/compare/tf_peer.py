#!/usr/bin/env python3
"""TensorFlow's side of bench/compare/run: each graph is a tf.function (one
graph, called eagerly from Python; the call's own cost lands in t(1) and
cancels out of per_node = (t(N) - t(1)) / (N - 1)). Thread pools can only be
sized before TensorFlow starts, so one process serves one thread count.

  tf_peer.py --graph addchain --n 1,1000 --threads T
      N scalar float Adds of a Const 1 to the argument x (shape []); grappler
      off (side tf-grappler-off) and on (tf-grappler-on); inter-op = T,
      intra-op 1.
  tf_peer.py --graph matmul --n 1,64 --threads T
      N MatMuls of x (128x128) by Consts filled with (i + 1) / 64, joined by
      AddN; grappler on (side tf); inter-op = T, intra-op 1.
"""
import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from timing import median_ns_per_run, report  # noqa: E402

MATMUL_SIZE = 128


def addchain_fn(n):
    @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
    def f(x):
        one = tf.constant(1.0)  # made inside: a Const node, not a captured input
        for _ in range(n):
            x = tf.add(x, one)
        return x
    return f, tf.constant(0.0), float(n)


def matmul_fn(n):
    k = MATMUL_SIZE

    @tf.function(input_signature=[tf.TensorSpec([k, k], tf.float32)])
    def f(x):
        products = [tf.matmul(x, tf.constant(np.full((k, k), (i + 1) / 64, np.float32)))
                    for i in range(n)]
        return tf.add_n(products)
    expected = sum(k * 0.5 * (i + 1) / 64 for i in range(n))
    return f, tf.constant(np.full((k, k), 0.5, np.float32)), expected


def measure(side, graph, n, threads, grappler):
    # The option is read when a function is instantiated, at its first call.
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": not grappler})
    f, x, expected = addchain_fn(n) if graph == "addchain" else matmul_fn(n)
    y = f(x).numpy()
    if not np.allclose(y, expected):
        raise SystemExit(f"{side} {graph}/{n}: got {y.ravel()[0]}, expected {expected}")
    report(side, graph, n, threads, median_ns_per_run(lambda: f(x)), version=tf.__version__)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--graph", choices=["addchain", "matmul"], required=True)
    p.add_argument("--n", required=True)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    for n in map(int, a.n.split(",")):
        if a.graph == "addchain":
            measure("tf-grappler-off", "addchain", n, a.threads, grappler=False)
            measure("tf-grappler-on", "addchain", n, a.threads, grappler=True)
        else:
            measure("tf", "matmul", n, a.threads, grappler=True)


if __name__ == "__main__":
    main()
