#!/usr/bin/env python3
"""Writes the ONNX models of issue 18's measurement (graphrt against ONNX
Runtime on the same file), with random weights from a fixed seed, so that no
model binary is committed:

  mlp_b1.onnx, mlp_b64.onnx            the book's MLP: x[B,784] -> Gemm 300,
                                       Relu -> Gemm 100, Relu -> Gemm 10,
                                       Softmax
  resblock_b1.onnx, resblock_b8.onnx   a ResNet basic block, NCHW [B,64,56,56]:
                                       Conv3x3+BN+Relu, Conv3x3+BN, + x, Relu

Beside each NAME.onnx: NAME.input_0.pb (the fed x, a TensorProto) and
NAME.output_0.pb (ONNX Runtime's output on it, sequential, 1 thread). Both
sides check their output against output_0.pb within 1e-4 before timing;
ORT's output itself is first checked here against a NumPy forward pass
written from the ops' formulas (an independent reference).

  make_onnx_models.py --out DIR

Opset 17 and IR version 8: graphrt's importer uses Debian's ONNX 1.12,
whose checker refuses newer IR versions.
"""
import argparse
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

SEED = 18  # issue 18
TOL = 1e-4


def he(rng, shape, fan_in):
    # He-scaled weights keep activations O(1) through the layers, so that an
    # absolute tolerance of 1e-4 means the same on every model.
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


def mlp(batch, rng):
    sizes = [784, 300, 100, 10]
    inits, nodes, ref_params, prev = [], [], [], "x"
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        w = he(rng, (n_in, n_out), n_in)
        b = (rng.standard_normal(n_out) * 0.1).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes.append(helper.make_node("Gemm", [prev, f"w{i}", f"b{i}"], [f"z{i}"], name=f"dense{i}"))
        prev = f"z{i}"
        if i < 2:
            nodes.append(helper.make_node("Relu", [prev], [f"h{i}"], name=f"relu{i}"))
            prev = f"h{i}"
        ref_params.append((w, b))
    nodes.append(helper.make_node("Softmax", [prev], ["y"], axis=-1, name="softmax"))
    graph = helper.make_graph(
        nodes, f"mlp_b{batch}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 784])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 10])], inits)
    x = rng.random((batch, 784), dtype=np.float32)  # pixel-like values in [0, 1)

    def reference(x):
        a = x.astype(np.float64)
        for i, (w, b) in enumerate(ref_params):
            a = a @ w + b
            if i < 2:
                a = np.maximum(a, 0.0)
        e = np.exp(a - a.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    return graph, x, reference


def conv3x3_same(x, w):
    # Direct convolution from the formula, stride 1, pads 1: y[n,o,i,j] =
    # sum_{c,di,dj} xp[n,c,i+di,j+dj] * w[o,c,di,dj] (cross-correlation, as ONNX).
    n, c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    y = np.zeros((n, w.shape[0], h, wd))
    for di in range(3):
        for dj in range(3):
            y += np.einsum("nchw,oc->nohw", xp[:, :, di:di + h, dj:dj + wd], w[:, :, di, dj])
    return y


def resblock(batch, rng):
    c, hw, eps = 64, 56, 1e-5
    inits, params = [], []
    for i in (1, 2):
        w = he(rng, (c, c, 3, 3), c * 9)
        scale = rng.uniform(0.5, 1.5, c).astype(np.float32)
        bias = (rng.standard_normal(c) * 0.1).astype(np.float32)
        mean = (rng.standard_normal(c) * 0.1).astype(np.float32)
        var = rng.uniform(0.5, 1.5, c).astype(np.float32)
        params.append((w, scale, bias, mean, var))
        for name, v in zip(("w", "scale", "bias", "mean", "var"), params[-1]):
            inits.append(numpy_helper.from_array(v, f"{name}{i}"))
    conv = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", **conv),
        helper.make_node("BatchNormalization", ["c1", "scale1", "bias1", "mean1", "var1"], ["n1"],
                         epsilon=eps, name="bn1"),
        helper.make_node("Relu", ["n1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2", **conv),
        helper.make_node("BatchNormalization", ["c2", "scale2", "bias2", "mean2", "var2"], ["n2"],
                         epsilon=eps, name="bn2"),
        helper.make_node("Add", ["n2", "x"], ["s"], name="identity_add"),
        helper.make_node("Relu", ["s"], ["y"], name="relu_out"),
    ]
    shape = [batch, c, hw, hw]
    graph = helper.make_graph(
        nodes, f"resblock_b{batch}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)], inits)
    x = rng.standard_normal(shape).astype(np.float32)

    def reference(x):
        def bn(a, scale, bias, mean, var):
            k = (scale / np.sqrt(var.astype(np.float64) + eps))[None, :, None, None]
            return (a - mean[None, :, None, None]) * k + bias[None, :, None, None]
        a = x.astype(np.float64)
        w, *p = params[0]
        a = np.maximum(bn(conv3x3_same(a, w), *p), 0.0)
        w, *p = params[1]
        a = bn(conv3x3_same(a, w), *p)
        return np.maximum(a + x, 0.0)

    return graph, x, reference


def write(out, graph, x, reference):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="graphrt bench/compare/make_onnx_models.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = os.path.join(out, f"{graph.name}.onnx")
    onnx.save(model, path)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    y = sess.run(["y"], {"x": x})[0]
    err = float(np.max(np.abs(y - reference(x))))
    if err > TOL:
        raise SystemExit(f"{graph.name}: ONNX Runtime differs from the NumPy reference by {err:g} > {TOL}")
    for suffix, value in (("input_0", x), ("output_0", y)):
        with open(os.path.join(out, f"{graph.name}.{suffix}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value, "x" if suffix == "input_0" else "y").SerializeToString())
    print(f"{path}: ORT vs NumPy max |diff| {err:.2e}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for batch in (1, 64):
        write(a.out, *mlp(batch, rng))
    for batch in (1, 8):
        write(a.out, *resblock(batch, rng))


if __name__ == "__main__":
    main()
