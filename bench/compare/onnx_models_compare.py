#!/usr/bin/env python3
"""Issue 18's ONNX measurement, one command: graphrt (onnx_models_bench)
against ONNX Runtime (ort_onnx_peer.py) on the same .onnx files, the same
threads (inter-op 1, intra-op 1 and 2), in interleaved pairs (graphrt, ORT,
graphrt, ORT, ...), each side checking its output against ORT's reference
within 1e-4 before timing. Prints a Markdown table: the median time per
inference of each side and the median of the per-pair ratios graphrt / ORT
(issue 18's target: <= 1.0x).

  onnx_models_compare.py --bench build/release/bench/onnx_models_bench \\
      --models build/onnx_models [--pairs 5] [--raw results.jsonl] \\
      [--threads 1] [--unfolded]

--threads 1 measures one intra-op thread only (both sides). --unfolded adds
a third side to every pair: graphrt importing with BatchNormalization
folding off (GRAPHRT_ONNX_FOLD_BN=0), as the baseline of the fold.

Writes the models with make_onnx_models.py first when --models has none.
Run it with the bench virtualenv's python (onnx, onnxruntime).
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def graphrt_side(bench, models, min_time, threads, fold=True):
    args = [bench, "--models", models, f"--benchmark_min_time={min_time}", "--benchmark_format=json"]
    if threads != [1, 2]:
        args.append("--benchmark_filter=/(" + "|".join(map(str, threads)) + ")(/|$)")
    env = dict(os.environ, GRAPHRT_ONNX_FOLD_BN="1" if fold else "0")
    out = subprocess.run(args, check=True, capture_output=True, text=True, env=env)
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    rows = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("error_occurred"):
            raise SystemExit(f"graphrt {b['name']}: {b.get('error_message')}")
        _, name, threads = b["run_name"].split("/")[:3]
        rows[(name, int(threads))] = b["real_time"] * scale[b["time_unit"]]
    return rows


def ort_side(models, threads):
    out = subprocess.run([sys.executable, os.path.join(HERE, "ort_onnx_peer.py"), "--models", models,
                          "--threads", ",".join(map(str, threads))],
                         check=True, capture_output=True, text=True)
    rows, version = {}, "?"
    for line in out.stdout.splitlines():
        r = json.loads(line)
        rows[(r["graph"], r["threads"])] = r["ns"]
        version = r.get("version", version)
    return rows, version


def ms(ns):
    return f"{ns / 1e6:.3f}" if ns >= 1e6 else f"{ns / 1e6:.4f}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", required=True, help="graphrt's onnx_models_bench")
    p.add_argument("--models", required=True)
    p.add_argument("--pairs", type=int, default=5)
    p.add_argument("--min-time", default="0.2", help="graphrt's --benchmark_min_time")
    p.add_argument("--raw", help="append every measurement here, a JSON line each")
    p.add_argument("--threads", default="1,2", help="intra-op threads to measure, e.g. 1")
    p.add_argument("--unfolded", action="store_true",
                   help="also time graphrt with BatchNormalization folding off")
    a = p.parse_args()
    threads = [int(t) for t in a.threads.split(",")]
    if not glob.glob(os.path.join(a.models, "*.onnx")):
        # Its progress goes to stderr: stdout is the table (run writes it to onnx.md).
        subprocess.run([sys.executable, os.path.join(HERE, "make_onnx_models.py"), "--out", a.models],
                       check=True, stdout=sys.stderr)
    g_all, o_all, u_all = [], [], []
    version = "?"
    for pair in range(1, a.pairs + 1):
        print(f"== pair {pair}/{a.pairs}", file=sys.stderr)
        g = graphrt_side(a.bench, a.models, a.min_time, threads)
        if a.unfolded:
            u_all.append(graphrt_side(a.bench, a.models, a.min_time, threads, fold=False))
        o, version = ort_side(a.models, threads)
        if set(g) != set(o):
            raise SystemExit(f"the sides measured different models: {sorted(g)} vs {sorted(o)}")
        g_all.append(g)
        o_all.append(o)
        if a.raw:
            with open(a.raw, "a") as f:
                for key in sorted(g):
                    row = {"pair": pair, "model": key[0], "threads": key[1],
                           "graphrt_ns": g[key], "ort_ns": o[key]}
                    if a.unfolded:
                        row["graphrt_unfolded_ns"] = u_all[-1][key]
                    f.write(json.dumps(row) + "\n")
    unf_head = " graphrt unfolded ms | unfolded / ORT |" if a.unfolded else ""
    print(f"| model | intra-op threads | graphrt ms | ORT {version} ms | graphrt / ORT "
          f"(median of {a.pairs} pair ratios; min - max) |{unf_head}")
    print("|---|---|---|---|---|" + ("---|---|" if a.unfolded else ""))
    for key in sorted(g_all[0]):
        ratios = [g[key] / o[key] for g, o in zip(g_all, o_all)]
        line = (f"| {key[0]} | {key[1]} | {ms(statistics.median(g[key] for g in g_all))} | "
                f"{ms(statistics.median(o[key] for o in o_all))} | "
                f"{statistics.median(ratios):.2f}x ({min(ratios):.2f} - {max(ratios):.2f}) |")
        if a.unfolded:
            ur = [u[key] / o[key] for u, o in zip(u_all, o_all)]
            line += (f" {ms(statistics.median(u[key] for u in u_all))} | "
                     f"{statistics.median(ur):.2f}x ({min(ur):.2f} - {max(ur):.2f}) |")
        print(line)

if __name__ == "__main__":
    main()
