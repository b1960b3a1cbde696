#!/usr/bin/env python3
"""Tests of bench/compare/run's failure handling and table, without running
any peer: a workload that fails part-way (simulated, as mlp did on a machine
without libtorch) is recorded by lib.sh's run_workload while the others go
on, table.py names it in a table that still holds the others, and
`run --dry-run` plans to install every package each workload needs.

  python3 tests/bench/compare/compare_run_test.py [--root SRC] [--tmp DIR] [unittest args]

Python 3 standard library and bash only.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import unittest

ARGS = None
LIBTORCH_MISSING = "dpkg-query: package 'libtorch-dev' is not installed"


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def compare_dir():
    return os.path.join(ARGS.root, "bench", "compare")


def result(workload, pair, side, n, ns, graph=None, threads=1):
    return json.dumps(dict(workload=workload, pair=pair, side=side, graph=graph or workload,
                           n=n, threads=threads, ns=ns))


# Three workloads as bench/compare/run runs them (errexit and pipefail on,
# each a function that calls others), the second failing in a nested call
# after writing one result line.
WORKLOADS_SH = r"""
set -euo pipefail
source "$1/lib.sh"
out="$2"
results="$out/results.jsonl" failed="$out/failed.tsv"
: >"$results"; : >"$failed"
run_chain() {
  for pair in 1 2; do
    echo "{\"workload\": \"chain\", \"pair\": $pair, \"side\": \"graphrt\", \"graph\": \"chain\", \"n\": 1, \"threads\": 1, \"ns\": 1000}" >>"$results"
    echo "{\"workload\": \"chain\", \"pair\": $pair, \"side\": \"graphrt\", \"graph\": \"chain\", \"n\": 1000, \"threads\": 1, \"ns\": 21000}" >>"$results"
    echo "{\"workload\": \"chain\", \"pair\": $pair, \"side\": \"tbb\", \"graph\": \"chain\", \"n\": 1, \"threads\": 1, \"ns\": 2000}" >>"$results"
    echo "{\"workload\": \"chain\", \"pair\": $pair, \"side\": \"tbb\", \"graph\": \"chain\", \"n\": 1000, \"threads\": 1, \"ns\": 102000}" >>"$results"
  done
}
build_libtorch_peer() {
  echo "$3" >&2
  false
  echo "never" >>"$results"
}
run_mlp() {
  echo "{\"workload\": \"mlp\", \"pair\": 1, \"side\": \"graphrt\", \"graph\": \"mlp\", \"n\": 32, \"threads\": 1, \"ns\": 300000}" >>"$results"
  build_libtorch_peer "$@"
  echo "after the failure" >>"$results"
}
run_fanout() {
  for pair in 1 2; do
    echo "{\"workload\": \"fanout\", \"pair\": $pair, \"side\": \"graphrt\", \"graph\": \"fanout\", \"n\": 1, \"threads\": 2, \"ns\": 1000}" >>"$results"
    echo "{\"workload\": \"fanout\", \"pair\": $pair, \"side\": \"graphrt\", \"graph\": \"fanout\", \"n\": 1000, \"threads\": 2, \"ns\": 61000}" >>"$results"
  done
}
run_workload chain "$failed" "$out/chain.err" run_chain
run_workload mlp "$failed" "$out/mlp.err" run_mlp x y "$3"
run_workload fanout "$failed" "$out/fanout.err" run_fanout
echo "reached the end"
"""


def run_workloads(out):
    return subprocess.run(["bash", "-c", WORKLOADS_SH, "workloads", compare_dir(), out,
                           LIBTORCH_MISSING], capture_output=True, text=True, timeout=60)


def write_env(out):
    env = {"date": "2026-12-07 10:00 UTC", "commit": "abc1234", "machine": "test x 2, 8 GiB",
           "pairs": 2, "load_before": "0.1 0.1 0.1", "versions": {"oneTBB": "2021"},
           "load_after": "0.2 0.2 0.2", "other_load": "chain 0.01", "wall": "0 min 1 s"}
    with open(os.path.join(out, "env.json"), "w") as f:
        json.dump(env, f)


def render(out, results_md=None):
    cmd = [sys.executable, os.path.join(compare_dir(), "table.py"), "render", out]
    if results_md:
        cmd.append(results_md)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


class RunWorkloadTest(unittest.TestCase):
    def test_a_failing_workload_is_recorded_and_the_others_run(self):
        with tempfile.TemporaryDirectory(dir=ARGS.tmp) as out:
            p = run_workloads(out)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("reached the end", p.stdout)
            self.assertIn(LIBTORCH_MISSING, p.stderr)  # still shown as it happens
            self.assertIn("== mlp failed (exit status 1); the other workloads go on", p.stderr)
            results = read(os.path.join(out, "results.jsonl"))
            self.assertNotIn("never", results)
            self.assertNotIn("after the failure", results)
            workloads = [json.loads(l)["workload"] for l in results.splitlines()]
            self.assertEqual(workloads.count("chain"), 8)
            self.assertEqual(workloads.count("mlp"), 1)
            self.assertEqual(workloads.count("fanout"), 4)
            failed = read(os.path.join(out, "failed.tsv"))
            self.assertEqual(failed, f"mlp\texit status 1: {LIBTORCH_MISSING}\n")

    def test_the_table_names_the_failure_and_holds_the_others(self):
        with tempfile.TemporaryDirectory(dir=ARGS.tmp) as out:
            self.assertEqual(run_workloads(out).returncode, 0)
            write_env(out)
            results_md = os.path.join(out, "RESULTS.md")
            write(results_md, ("# Benchmark results\n\nintro\n\n<!-- compare:begin -->\nold table\n"
                        "<!-- compare:end -->\n\n## Another section\nkept\n"))
            p = render(out, results_md)
            self.assertEqual(p.returncode, 0, p.stderr)
            table = read(os.path.join(out, "table.md"))
            self.assertEqual(p.stdout, table)
            self.assertIn(f"**Workloads that failed in this run**: mlp (exit status 1: "
                          f"{LIBTORCH_MISSING}).", table)
            # chain: per node (21000 - 1000) / 999 = 20.0 ns, tbb (102000 - 2000) / 999
            # = 100 ns, ratio 5.00 in both pairs; per call 1.0 us.
            self.assertIn("| 1,000 | 1 | graphrt | 1.0 (1.0-1.0) | 20.0 (20.0-20.0) |  | "
                          "<= 25 ns/node: met |", table)
            self.assertIn("| 1,000 | 1 | tbb | 2.0 (2.0-2.0) | 100 (100-100) | "
                          "5.00 (5.00-5.00) |  |", table)
            # fanout: (61000 - 1000) / 999 = 60.1 ns at 2 threads.
            self.assertIn("| 1,000 | 2 | graphrt | 1.0 (1.0-1.0) | 60.1 (60.1-60.1) |", table)
            mlp = table.split("**6. MLP training step", 1)[1]
            self.assertIn(f"**Failed**: exit status 1: {LIBTORCH_MISSING}. The rows below are "
                          "the pairs measured before it failed.", mlp)
            self.assertIn("| 1 | graphrt | 300.0 |", mlp)
            self.assertNotIn("Failed", table.split("**6. MLP", 1)[0].split("Workloads that", 1)[1])
            doc = read(results_md)
            self.assertNotIn("old table", doc)
            self.assertIn(table.rstrip("\n"), doc)
            self.assertTrue(doc.endswith("## Another section\nkept\n"))

    def test_a_workload_that_measured_nothing_says_so(self):
        with tempfile.TemporaryDirectory(dir=ARGS.tmp) as out:
            write(os.path.join(out, "results.jsonl"), result("chain", 1, "graphrt", 1, 1000) + "\n"
                  + result("chain", 1, "graphrt", 1000, 21000) + "\n")
            write(os.path.join(out, "failed.tsv"), "matmul\texit status 2: onnxruntime missing\n")
            write_env(out)
            p = render(out)
            self.assertEqual(p.returncode, 0, p.stderr)
            matmul = p.stdout.split("**4. 64 independent", 1)[1]
            self.assertTrue(matmul.startswith(
                " 128x128 MatMuls + AddN (inter-op 2, intra-op 1)**\n\n**Failed**: exit status 2: "
                "onnxruntime missing. Nothing was measured.\n"), matmul[:200])
            self.assertIn("| 1,000 | 1 | graphrt |", p.stdout)

    def test_no_failures_say_none(self):
        with tempfile.TemporaryDirectory(dir=ARGS.tmp) as out:
            write(os.path.join(out, "results.jsonl"), result("chain", 1, "graphrt", 1, 1000) + "\n")
            write_env(out)
            p = render(out)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("**Workloads that failed in this run**: none.", p.stdout)
            self.assertNotIn("**Failed**", p.stdout)


class DryRunTest(unittest.TestCase):
    def dry_run(self, workloads):
        env = dict(os.environ, WORKLOADS=workloads)
        return subprocess.run([os.path.join(compare_dir(), "run"), "--dry-run"], env=env,
                              capture_output=True, text=True, timeout=60)

    def test_every_package_of_every_workload_is_installed_up_front(self):
        venv_before = os.path.exists(os.path.join(compare_dir(), ".venv"))
        results_before = os.path.exists(os.path.join(compare_dir(), "results"))
        p = self.dry_run("chain fanout addchain matmul step mlp")
        self.assertEqual(p.returncode, 0, p.stderr)
        apt = next(l for l in p.stdout.splitlines() if l.startswith("apt packages: "))
        for pkg in ("cmake", "ninja-build", "g++", "libbenchmark-dev", "libtbb-dev",
                    "libeigen3-dev", "zlib1g-dev", "libtorch-dev", "libopenblas0-pthread"):
            self.assertIn(f" {pkg}", apt)
        self.assertIn("tensorflow-cpu onnxruntime onnx", p.stdout)
        self.assertIn("nothing is installed, built or run", p.stdout)
        # Nothing was made.
        self.assertEqual(os.path.exists(os.path.join(compare_dir(), ".venv")), venv_before)
        self.assertEqual(os.path.exists(os.path.join(compare_dir(), "results")), results_before)

    def test_without_mlp_libtorch_is_not_needed(self):
        p = self.dry_run("chain fanout")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("libtorch-dev", p.stdout)
        self.assertIn("libtbb-dev", p.stdout)

    def test_an_unknown_workload_is_refused(self):
        p = self.dry_run("chain mpl")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown workload 'mpl'", p.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=os.path.abspath(
        os.path.join(os.path.dirname(__file__), "..", "..", "..")))
    parser.add_argument("--tmp", default=None)
    ARGS, rest = parser.parse_known_args()
    if ARGS.tmp:
        os.makedirs(ARGS.tmp, exist_ok=True)
    unittest.main(argv=[sys.argv[0]] + rest)
