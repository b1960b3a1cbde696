"""Shared by the Python peers of bench/compare/run: the same timing protocol
as scheduler_peers.cc (warm-up, then the median over batches of calls), and
the JSON line each configuration reports."""
import json
import sys
import time


def median_ns_per_run(run, reps=5, batch_ms=100.0, warmup_ms=200.0):
    """Median ns per call of run(), after a warm-up of >= 3 calls and warmup_ms.

    Longer than the C++ peers' 40 ms batches and 20 ms warm-up: a Python call
    of a TF function costs ~0.3 ms and varies more from call to call, and its
    t(1) is subtracted from t(N)."""
    start = time.perf_counter_ns()
    warm = 0
    while warm < 3 or time.perf_counter_ns() - start < warmup_ms * 1e6:
        run()
        warm += 1
    per_run = (time.perf_counter_ns() - start) / warm
    batch = max(1, int(batch_ms * 1e6 / per_run))
    samples = []
    for _ in range(reps):
        start = time.perf_counter_ns()
        for _ in range(batch):
            run()
        samples.append((time.perf_counter_ns() - start) / batch)
    samples.sort()
    return samples[len(samples) // 2]


def report(side, graph, n, threads, ns, **extra):
    """One result line on stdout, as bench/compare/table.py reads it."""
    line = {"side": side, "graph": graph, "n": n, "threads": threads, "ns": round(ns, 1)}
    line.update(extra)
    print(json.dumps(line))
    sys.stdout.flush()
