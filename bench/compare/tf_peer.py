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
  tf_peer.py --graph mlpfwd --n 4096 --threads T
      The MLP example's forward pass on a fed float batch of N: MatMul by a
      784x100 kernel, BiasAdd, Relu, MatMul by 100x10, BiasAdd (side tf);
      weights and input from the formula graphrt_workloads_bench.cc's
      BM_Compare_MlpForward uses; inter-op 1, intra-op = T (the kernels get
      the cores, as graphrt's side).
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


def mlp_value(rows, cols, salt):
    """[rows, cols] (or [cols] when rows is 0) of ((7i + 3j + salt) % 11 - 5) / 50,
    as BM_Compare_MlpForward fills its tensors."""
    i, j = np.meshgrid(np.arange(max(rows, 1)), np.arange(cols), indexing="ij")
    v = ((i * 7 + j * 3 + salt) % 11 - 5).astype(np.float32) / np.float32(50)
    return v[0] if rows == 0 else v


def mlpfwd_fn(n):
    w1, b1 = mlp_value(784, 100, 1), mlp_value(0, 100, 2)
    w2, b2 = mlp_value(100, 10, 3), mlp_value(0, 10, 4)
    x = mlp_value(n, 784, 0)

    @tf.function(input_signature=[tf.TensorSpec([n, 784], tf.float32)])
    def f(x):
        h = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, tf.constant(w1)), tf.constant(b1)))
        return tf.nn.bias_add(tf.matmul(h, tf.constant(w2)), tf.constant(b2))
    # The first logit from the formula, in float64.
    h0 = np.maximum(x[0].astype(np.float64) @ w1 + b1, 0)
    return f, tf.constant(x), float(h0 @ w2[:, 0] + b2[0])


def measure(side, graph, n, threads, grappler):
    # The option is read when a function is instantiated, at its first call.
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": not grappler})
    f, x, expected = {"addchain": addchain_fn, "matmul": matmul_fn, "mlpfwd": mlpfwd_fn}[graph](n)
    y = f(x).numpy()
    if graph == "mlpfwd":
        y = y[0, 0]
    tol = {"rtol": 1e-3, "atol": 1e-3} if graph == "mlpfwd" else {}  # 784-term float32 sums
    if not np.allclose(y, expected, **tol):
        raise SystemExit(f"{side} {graph}/{n}: got {y.ravel()[0]}, expected {expected}")
    report(side, graph, n, threads, median_ns_per_run(lambda: f(x)), version=tf.__version__)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--graph", choices=["addchain", "matmul", "mlpfwd"], required=True)
    p.add_argument("--n", required=True)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    kernel_bound = a.graph == "mlpfwd"
    tf.config.threading.set_inter_op_parallelism_threads(1 if kernel_bound else a.threads)
    tf.config.threading.set_intra_op_parallelism_threads(a.threads if kernel_bound else 1)
    for n in map(int, a.n.split(",")):
        if a.graph == "addchain":
            measure("tf-grappler-off", "addchain", n, a.threads, grappler=False)
            measure("tf-grappler-on", "addchain", n, a.threads, grappler=True)
        else:
            measure("tf", a.graph, n, a.threads, grappler=True)


if __name__ == "__main__":
    main()
