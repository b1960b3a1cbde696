#!/usr/bin/env python3
"""Results of bench/compare/run: converts each side's output to result lines
and turns them into the Markdown table of bench/RESULTS.md.

  table.py gbench WORKLOAD PAIR < benchmark.json >> results.jsonl
      Google Benchmark's JSON (graphrt's side) to result lines.
  table.py mlp LOGDIR >> results.jsonl
      run.sh's step logs (graphrt, libtorch, Keras; one round = one pair).
  table.py cnn LOGDIR >> results.jsonl
      run's CNN step logs (graphrt_pP.json from cnn_step_bench, or
      graphrt_not_built.txt; libtorch_pP.txt; keras_pP.txt).
  table.py render RESULTS_DIR [RESULTS_MD]
      Writes RESULTS_DIR/table.md and prints it; with RESULTS_MD, also puts it
      there between <!-- compare:begin --> and <!-- compare:end -->. Workloads
      listed in RESULTS_DIR/failed.tsv (name TAB reason, written by lib.sh's
      run_workload) are named as failed, with what they measured before.

A result line is a JSON object: workload, pair, side, graph, n, threads and
ns (median ns per Run). Per node = (t(N) - t(1)) / (N - 1) within one pair;
ratios are peer / graphrt within one pair; the table shows their medians.
"""
import glob
import json
import os
import re
import statistics
import sys

GBENCH_GRAPHS = {"Chain": "chain", "FanOutIn": "fanout", "AddChain": "addchain",
                 "MatMulAddN": "matmul", "MlpForward": "mlpfwd"}
TITLES = {
    "chain": "1. Chain of no-op nodes",
    "fanout": "2. Fan-out/fan-in (1 source, N no-ops, 1 sink)",
    "addchain": "3. Chain of scalar float Adds, fed from a placeholder",
    "matmul": "4. 64 independent 128x128 MatMuls + AddN (inter-op 2, intra-op 1)",
    "step": "5. One Run of a 1-node graph (an Add fed from a placeholder)",
    "mlp": "6. MLP training step, batch 32 (bench/compare/run.sh)",
    "mlpfwd": "7. MLP forward pass, batch 4096 (784 -> Dense(100, relu) -> Dense(10); inter-op 1, intra-op = threads)",
    "cnn": "8. CNN training step, batch 64, 2 threads (issue 17's recipe)",
}
# FLOP of one Run: the MLP forward pass at batch 4096, and issue 17's CNN step
# at batch n (forward multiply-adds F per image; backward 2F less the first
# layer's input gradient; keras_cnn.py's step_flops).
MLPFWD_FLOP = 2 * 4096 * (784 * 100 + 100 * 10)
CNN_CONV1_MACS = 28 * 28 * 32 * 9
CNN_FORWARD_MACS = CNN_CONV1_MACS + 14 * 14 * 64 * 9 * 32 + 7 * 7 * 64 * 128 + 128 * 10


def cnn_flop(batch):
    return 2 * batch * (3 * CNN_FORWARD_MACS - CNN_CONV1_MACS)
BEGIN, END = "<!-- compare:begin -->", "<!-- compare:end -->"


def emit(**line):
    print(json.dumps(line))


def gbench(workload, pair):
    for b in json.load(sys.stdin)["benchmarks"]:
        m = re.match(r"BM_\w+?_(\w+)/(\d+)/(\d+)/", b["name"])
        if not m or b.get("run_type") != "iteration" or m.group(1) not in GBENCH_GRAPHS:
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
        emit(workload=workload, pair=pair, side="graphrt", graph=GBENCH_GRAPHS[m.group(1)],
             n=int(m.group(2)), threads=int(m.group(3)), ns=b["real_time"] * scale)


def mlp(logdir):
    for path in sorted(glob.glob(os.path.join(logdir, "*_step_t*_r*.txt"))):
        side, threads, pair = re.search(r"(\w+)_step_t(\d+)_r(\d+)\.txt$", path).groups()
        text = open(path).read()
        if side == "graphrt":
            for t, us in re.findall(r"BM_MlpTrainStep/32/1/(\d+)/real_time_median\s+([\d.]+) us", text):
                emit(workload="mlp", pair=int(pair), side="graphrt", graph="mlp", n=32,
                     threads=int(t), ns=float(us) * 1e3)
        else:
            m = re.search(r"^step_us median=([\d.]+)", text, re.M)
            if m:
                emit(workload="mlp", pair=int(pair), side=side, graph="mlp", n=32,
                     threads=int(threads), ns=float(m.group(1)) * 1e3)


def cnn(logdir):
    """Result lines of run's cnn/ folder; graphrt's side not built is a line with
    ns None and a note."""
    not_built = os.path.join(logdir, "graphrt_not_built.txt")
    if os.path.exists(not_built):
        emit(workload="cnn", pair=0, side="graphrt", graph="cnn", n=64, threads=2, ns=None,
             note="not built (" + open(not_built).read().strip() + ")")
    for path in sorted(glob.glob(os.path.join(logdir, "graphrt_p*.json"))):
        pair = int(re.search(r"_p(\d+)\.json$", path).group(1))
        try:
            runs = json.load(open(path))["benchmarks"]
        except (ValueError, KeyError):
            continue  # a crashed bench: the pair has no graphrt row
        for b in runs:
            if "CnnTrainStep" not in b["name"] or b.get("aggregate_name") != "median":
                continue
            # BM_CnnTrainStep/batch/inter/intra as BM_MlpTrainStep; other names: 64, 2 threads.
            m = re.search(r"CnnTrainStep\w*/(\d+)/(\d+)/(\d+)", b["name"])
            batch, inter, intra = map(int, m.groups()) if m else (64, 1, 2)
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
            emit(workload="cnn", pair=pair, side="graphrt" if inter == 1 else f"graphrt inter-op {inter}",
                 graph="cnn", n=batch, threads=intra, ns=b["real_time"] * scale)
    for path in sorted(glob.glob(os.path.join(logdir, "*_p*.txt"))):
        side, pair = re.search(r"(\w+)_p(\d+)\.txt$", path).groups()
        text = open(path).read()
        m = re.search(r"^step_us median=([\d.]+)", text, re.M)
        t = re.search(r"batch=(\d+) threads=(\d+)", text)
        if m and t:
            emit(workload="cnn", pair=int(pair), side=side, graph="cnn", n=int(t.group(1)),
                 threads=int(t.group(2)), ns=float(m.group(1)) * 1e3)


def read_fma_peak(results_dir):
    """{threads: GFLOP/s} and the ISA from fma_peak.txt, or ({}, None)."""
    path = os.path.join(results_dir, "fma_peak.txt")
    if not os.path.exists(path):
        return {}, None
    text = open(path).read()
    peaks = {int(t): float(g) for t, g in re.findall(r"threads=(\d+) gflops=([\d.]+)", text)}
    isa = re.search(r"isa=(\w+)", text)
    return peaks, isa.group(1) if isa else None


def ms(v):
    return f"{v / 1e6:.2f}" if v < 1e7 else f"{v / 1e6:.1f}"


def mlpfwd_rows(lines, out, missed):
    table = per_pair(lines, "mlpfwd", "mlpfwd")
    for (side, threads), runs in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0] != "graphrt", kv[0][0])):
        base = table.get(("graphrt", threads), {})
        runs_ns = [t[4096] for t in runs.values() if 4096 in t]
        ratios = [base[p][4096] / t[4096] for p, t in runs.items() if 4096 in t and 4096 in base.get(p, {})]
        verdict = ""
        if side != "graphrt" and ratios:
            met = med(ratios) <= 1.0
            verdict = f"graphrt/{side} <= 1.0: {'met' if met else '**NOT met**'}"
            if not met:
                missed.append(f"mlpfwd threads={threads} vs {side} ({ratio(med(ratios))})")
        gflops = [MLPFWD_FLOP / v for v in runs_ns]
        out.append(f"| {threads} | {side} | {spread(runs_ns, ms)} | {spread(gflops, lambda g: f'{g:.1f}')} | "
                   f"{spread(ratios, ratio) if side != 'graphrt' else ''} | {verdict} |")


def cnn_rows(lines, out, missed, peaks):
    table = per_pair(lines, "cnn", "cnn")
    for r in lines:
        if r["workload"] == "cnn" and r["ns"] is None:
            out.append(f"| {r['threads']} | {r['side']} | {r.get('note', 'n/a')} | | | | |")
    goals = {"keras": 0.7, "libtorch": 0.5}
    for (side, threads), runs in sorted(table.items(), key=lambda kv: (kv[0][1], not kv[0][0].startswith("graphrt"), kv[0][0])):
        base = table.get(("graphrt", threads), {})
        steps = [t[64] for t in runs.values() if 64 in t]
        if not steps:
            continue
        ratios = [base[p][64] / t[64] for p, t in runs.items() if 64 in t and 64 in base.get(p, {})]
        gflops = [cnn_flop(64) / v for v in steps]
        peak = peaks.get(threads)  # the peak of as many threads as the row uses
        share = spread([100 * g / peak for g in gflops], lambda x: f"{x:.0f}%") if peak else "n/a"
        verdict = ""
        if side in goals and ratios:
            met = med(ratios) <= goals[side]
            verdict = f"graphrt/{side} <= {goals[side]}: {'met' if met else '**NOT met**'}"
            if not met:
                missed.append(f"cnn vs {side} ({ratio(med(ratios))})")
        elif side == "graphrt" and peak:
            met = 100 * med(gflops) / peak >= 50
            verdict = f">= 50% of FMA peak: {'met' if met else '**NOT met**'}"
            if not met:
                missed.append(f"cnn threads={threads} graphrt share of FMA peak")
        out.append(f"| {threads} | {side} | {spread(steps, ms)} | {spread(gflops, lambda g: f'{g:.1f}')} | "
                   f"{share} | {spread(ratios, ratio) if not side.startswith('graphrt') else ''} | {verdict} |")


def med(values):
    return statistics.median(values) if values else None


def spread(values, fmt):
    """'median (min-max)' of per-pair values, or n/a."""
    if not values:
        return "n/a"
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(med(values))} ({fmt(min(values))}-{fmt(max(values))})"


def ns(v):
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}"


def us(v):
    return f"{v / 1e3:,.1f}" if v >= 1e3 else f"{v / 1e3:.2f}"


def ratio(v):
    return f"{v:.2f}" if v < 10 else f"{v:.0f}"


def target(workload, side, n, threads, per_node, ratios):
    """(what is asked, met?) for this row, or None where nothing is asked."""
    if side == "graphrt" and workload == "chain":
        return "<= 25 ns/node", per_node <= 25
    if side == "graphrt" and workload == "fanout" and threads == 2:
        return "<= 100 ns/node", per_node <= 100
    if workload == "addchain" and side.startswith("ort") and ratios:
        return "peer/graphrt >= 3", med(ratios) >= 3
    if workload == "addchain" and side.startswith("tf") and ratios:
        return "peer/graphrt >= 5", med(ratios) >= 5
    return None


def per_pair(lines, workload, graph):
    """{(side, threads): {pair: {n: ns}}} of one workload's results."""
    table = {}
    for r in lines:
        if r["workload"] == workload and r["graph"] == graph and r["ns"] is not None:
            table.setdefault((r["side"], r["threads"]), {}).setdefault(r["pair"], {})[r["n"]] = r["ns"]
    return table


def node_rows(lines, workload, graph, out, missed, behind):
    table = per_pair(lines, workload, graph)
    sizes = sorted({n for runs in table.values() for p in runs.values() for n in p if n > 1})
    sides = sorted({s for s, _ in table}, key=lambda s: (s != "graphrt", s))
    for n in sizes:
        for threads in sorted({t for _, t in table}):
            base = table.get(("graphrt", threads), {})
            for side in sides:
                runs = table.get((side, threads))
                if not runs:
                    continue
                calls, nodes, ratios = [], [], []
                for pair, t in sorted(runs.items()):
                    if 1 not in t or n not in t:
                        continue
                    calls.append(t[1])
                    nodes.append((t[n] - t[1]) / (n - 1))
                    g = base.get(pair, {})
                    if side != "graphrt" and 1 in g and n in g and g[n] > g[1]:
                        ratios.append(nodes[-1] / ((g[n] - g[1]) / (n - 1)))
                if not nodes:
                    out.append(f"| {n:,} | {threads} | {side} | n/a | n/a (see notes) | | |")
                    continue
                goal = target(workload, side, n, threads, med(nodes), ratios)
                verdict = "" if goal is None else f"{goal[0]}: {'met' if goal[1] else '**NOT met**'}"
                if goal is not None and not goal[1]:
                    missed.append(f"{workload} N={n:,} threads={threads} {side}")
                if ratios and med(ratios) < 1:
                    behind.append(f"{workload} N={n:,} threads={threads} vs {side} "
                                  f"({ratio(med(ratios))})")
                out.append(f"| {n:,} | {threads} | {side} | {spread(calls, us)} | {spread(nodes, ns)} "
                           f"| {spread(ratios, ratio) if side != 'graphrt' else ''} | {verdict} |")


def step_rows(lines, out):
    table = per_pair(lines, "addchain", "addchain")
    table.update(per_pair(lines, "step", "addchain"))
    for (side, threads), runs in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0] != "graphrt", kv[0][0])):
        base = table.get(("graphrt", threads), {})
        calls = [t[1] for t in runs.values() if 1 in t]
        ratios = [t[1] / base[p][1] for p, t in runs.items() if 1 in t and 1 in base.get(p, {})]
        if calls:
            out.append(f"| {threads} | {side} | {spread(calls, us)} | "
                       f"{spread(ratios, ratio) if side != 'graphrt' else ''} |")


def mlp_rows(lines, out):
    table = per_pair(lines, "mlp", "mlp")
    for (side, threads), runs in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0] != "graphrt", kv[0][0])):
        base = table.get(("graphrt", threads), {})
        steps = [t[32] for t in runs.values()]
        ratios = [t[32] / base[p][32] for p, t in runs.items() if 32 in base.get(p, {})]
        out.append(f"| {threads} | {side} | {spread(steps, us)} | "
                   f"{spread(ratios, ratio) if side != 'graphrt' else ''} |")


def read_failed(results_dir):
    """{workload: reason} from failed.tsv; empty when there is none."""
    path = os.path.join(results_dir, "failed.tsv")
    if not os.path.exists(path):
        return {}
    failed = {}
    for row in open(path):
        name, _, reason = row.rstrip("\n").partition("\t")
        if name:
            failed[name] = reason or "no reason recorded"
    return failed


def failure_note(workload, failed, lines):
    """The line under a failed workload's heading, or None."""
    if workload not in failed:
        return None
    measured = any(r["workload"] == workload for r in lines)
    return (f"**Failed**: {failed[workload]}. "
            + ("The rows below are the pairs measured before it failed."
               if measured else "Nothing was measured."))


def render(results_dir, results_md=None):
    lines = [json.loads(l) for l in open(os.path.join(results_dir, "results.jsonl")) if l.strip()]
    env = json.load(open(os.path.join(results_dir, "env.json")))
    failed = read_failed(results_dir)
    out = [BEGIN, "## graphrt against its peers (bench/compare/run)", ""]
    out.append(f"{env['date']}, commit {env['commit']}, {env['machine']}; pairs per "
               f"workload: {env['pairs']}; run by `bench/compare/run` in {env.get('wall', '?')}. Load average "
               f"before / after: {env['load_before']} / {env.get('load_after', '?')}; other load "
               f"(cores busy with work not ours) per workload: {env.get('other_load', 'n/a')}.")
    out.append("")
    out.append("Peers: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items()) + ".")
    out += ["", "Each workload runs graphrt and each peer in turn, A B C ... A B C, one short "
            "process per side and pair. Each process times every configuration after a warm-up "
            "and reports the median over 5 batches of Runs (graphrt: Google Benchmark, "
            "`--benchmark_min_time=0.2`). per call = t(1), a Run of the 1-node version of the "
            "same graph; per node = (t(N) - t(1)) / (N - 1), taken within one pair; ratio = "
            "peer per node / graphrt per node within one pair (> 1: graphrt faster). Cells: "
            "median over pairs (min-max). threads = inter-op threads (TBB: arena concurrency; "
            "Eigen: pool size; ORT sequential: intra-op threads); intra-op 1 everywhere unless said."]
    missed, behind = [], []
    summary = len(out)
    def heading(workload, title):
        """Appends the title and any failure note; whether the workload measured anything."""
        out.extend(["", title])
        note = failure_note(workload, failed, lines)
        if note:
            out.extend(["", note])
        return any(r["workload"] == workload for r in lines)

    for workload in ("chain", "fanout", "addchain", "matmul"):
        if not any(r["workload"] == workload for r in lines) and workload not in failed:
            continue
        if heading(workload, f"**{TITLES[workload]}**"):
            out += ["", "| N | threads | side | per call (us) | per node (ns) | peer/graphrt per node | target |",
                    "|---|---|---|---|---|---|---|"]
            node_rows(lines, workload, workload, out, missed, behind)
    step_measured = any(r["workload"] in ("addchain", "step") for r in lines)
    if step_measured or "step" in failed:
        heading("step", f"**{TITLES['step']}**: t(1) of workload 3, same runs")
        if step_measured:
            out += ["", "| threads | side | per Run (us) | peer/graphrt |", "|---|---|---|---|"]
            step_rows(lines, out)
    if any(r["workload"] == "mlp" for r in lines) or "mlp" in failed:
        if heading("mlp", f"**{TITLES['mlp']}** (rounds of run.sh = pairs; graphrt "
                   "`BM_MlpTrainStep/32/1/threads`, median of 5 repetitions)"):
            out += ["", "| threads | side | step (us) | peer/graphrt |", "|---|---|---|---|"]
            mlp_rows(lines, out)
    if any(r["workload"] == "mlpfwd" for r in lines) or "mlpfwd" in failed:
        if heading("mlpfwd", f"**{TITLES['mlpfwd']}** (graphrt `BM_Compare_MlpForward/4096/threads`; "
                   "TF: a `tf.function` called from Python, one process per thread count)"):
            out += ["", f"| threads | side | per Run (ms) | GFLOP/s ({MLPFWD_FLOP / 1e9:.2f} GFLOP a Run) "
                    "| graphrt/peer | target |", "|---|---|---|---|---|---|"]
            mlpfwd_rows(lines, out, missed)
    if any(r["workload"] == "cnn" for r in lines) or "cnn" in failed:
        peaks, isa = read_fma_peak(results_dir)
        if heading("cnn", f"**{TITLES['cnn']}** (graphrt: `cnn_step_bench`, median of 3 repetitions; "
                   "peers: median step of `libtorch_cnn` / `keras_cnn.py`, one process per pair)"):
            peak_text = ", ".join(f"{g:.1f} GFLOP/s on {t} thread{'s' if t > 1 else ''}"
                                  for t, g in sorted(peaks.items())) or "not measured"
            out += ["", f"A step is {cnn_flop(64) / 1e9:.2f} GFLOP. FMA peak measured by `fma_peak` "
                    f"({isa or '?'}): {peak_text}; \"of peak\" is against the figure for the row's "
                    "thread count.",
                    "", "| threads | side | step (ms) | GFLOP/s | of FMA peak | graphrt/peer | target |",
                    "|---|---|---|---|---|---|---|"]
            cnn_rows(lines, out, missed, peaks)
    failures = "; ".join(f"{w} ({why})" for w, why in failed.items())
    out[summary:summary] = [
        "", "**Workloads that failed in this run**: " + (failures or "none") + ".",
        "", "Targets not met in this run (median over pairs): " + ("; ".join(missed) or "none") + ".",
        "", "Where graphrt is slower per node than a peer (peer/graphrt < 1): "
        + ("; ".join(behind) or "nowhere") + "."]
    out += ["", NOTES.strip(), END]
    text = "\n".join(out) + "\n"
    open(os.path.join(results_dir, "table.md"), "w").write(text)
    if results_md:
        update(results_md, text)
    print(text, end="")


def update(results_md, section):
    """Replaces the marked section of results_md, or adds it before the first '## '."""
    doc = open(results_md).read() if os.path.exists(results_md) else "# Benchmark results\n"
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        doc = head + section.rstrip("\n") + rest.split(END, 1)[1]
    elif "\n## " in doc:
        i = doc.index("\n## ") + 1
        doc = doc[:i] + section + "\n" + doc[i:]
    else:
        doc = doc.rstrip("\n") + "\n\n" + section
    open(results_md, "w").write(doc)


NOTES = """
How to read it (the figures above are rewritten by each run; this text is not):
- ONNX Runtime is driven through its **Python API** (no C headers are to be had
  here: Debian ships no onnxruntime and the wheel carries only the library);
  TensorFlow through a `tf.function` called from Python. Their Python call
  cost is in "per call" and cancels out of "per node"; graphrt's per call is
  `RunCallable` from C++. Compare per-call figures with that in mind.
- TF with grappler on does not run 1,000 Adds: grappler's constant folding
  gathers the constants of the chain (x + 1 + ... + 1 becomes x + 1000;
  measured: turning only `constant_folding` off brings the chain back), so its
  per node is ~0 and no executor can match it. graphrt has no graph
  optimiser; grappler off is the like-for-like row.
- tbb-lightweight runs successors recursively in the caller: a chain of
  100,000 overflows the stack (n/a). eigen schedules every node as a pool
  task; eigen-inline runs the first ready successor on the same thread.
- The MatMul workload is mostly kernel time (64 x 4.2 MFLOP); its per call
  includes one 128x128 product, and ORT sequential uses 2 intra-op threads
  instead of 2 inter-op ones (ORT's default way to use cores). ORT's
  parallel executor spins its inter-op threads: while other work holds a
  core its t(1) jumps from ~0.06 ms (idle host) to ~10 ms, and its per node,
  t(64) less that, then means nothing.
- libtorch at 2 threads runs an OpenMP pool and OpenBLAS's own pool, both
  at 2, on 2 cores; while other work holds a core its steps can take tens
  of ms (bench/compare/README.md, caveats).
- mlpfwd: TF's per Run includes its Python call (~0.3 ms, a few % of a Run);
  both sides multiply the same weights (one formula) and check one logit.
- cnn: graphrt/peer < 1 means graphrt's step is faster (targets: <= 0.7 of
  Keras, <= 0.5 of libtorch). "of FMA peak" divides a side's GFLOP/s by
  fma_peak's figure for as many threads, from the same run; on a loaded
  host that figure, and so the share, is itself off (a share above 100%
  means fma_peak caught a busier moment than the peer).
- The host is shared and its speed drifts 20-30% within minutes: only the
  ratios within a pair are meaningful, and "other load" above 0.1 cores
  makes a workload's figures suspect.
"""


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "gbench" and len(sys.argv) == 4:
        gbench(sys.argv[2], int(sys.argv[3]))
    elif cmd == "mlp" and len(sys.argv) == 3:
        mlp(sys.argv[2])
    elif cmd == "cnn" and len(sys.argv) == 3:
        cnn(sys.argv[2])
    elif cmd == "render" and len(sys.argv) in (3, 4):
        render(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
