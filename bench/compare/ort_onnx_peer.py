#!/usr/bin/env python3
"""ONNX Runtime's side of issue 18's ONNX measurement: the .onnx files that
make_onnx_models.py wrote, each run by an InferenceSession as graphrt's
onnx_models_bench runs them (sequential execution, inter-op 1, intra-op =
threads; graph optimisations at ORT's default, all on). The output is first
checked against NAME.output_0.pb within 1e-4, then timed per
InferenceSession.run with timing.py's protocol (median of batches).

  ort_onnx_peer.py --models DIR --threads 1,2 [--names mlp_b1,resblock_b8]

One JSON line per (model, threads): side "ort", graph NAME, n 1.
"""
import argparse
import glob
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

from timing import median_ns_per_run, report

TOL = 1e-4


def read_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def measure(models, name, threads):
    base = os.path.join(models, name)
    so = ort.SessionOptions()
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.inter_op_num_threads = 1
    so.intra_op_num_threads = threads
    sess = ort.InferenceSession(base + ".onnx", so, providers=["CPUExecutionProvider"])
    inp, out = sess.get_inputs()[0].name, sess.get_outputs()[0].name
    feed = {inp: read_tensor(base + ".input_0.pb")}
    want = read_tensor(base + ".output_0.pb")
    got = sess.run([out], feed)[0]
    err = float(np.max(np.abs(got - want)))
    if got.shape != want.shape or not err <= TOL:
        raise SystemExit(f"ort {name}/{threads}: output differs from output_0.pb by {err:g} > {TOL}")
    ns = median_ns_per_run(lambda: sess.run([out], feed))
    report("ort", name, 1, threads, ns, api="python", version=ort.__version__)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", required=True)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--names", default="", help="comma-separated; default: every .onnx in --models")
    a = p.parse_args()
    names = a.names.split(",") if a.names else sorted(
        os.path.basename(f)[:-len(".onnx")] for f in glob.glob(os.path.join(a.models, "*.onnx")))
    if not names:
        raise SystemExit(f"no .onnx files in {a.models}: run make_onnx_models.py --out {a.models}")
    for name in names:
        for t in map(int, a.threads.split(",")):
            measure(a.models, name, t)


if __name__ == "__main__":
    main()
