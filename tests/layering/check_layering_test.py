#!/usr/bin/env python3
"""Tests of scripts/check-layering: it catches what it should, on a copy of
the real tree and on small synthetic trees.

  python3 tests/layering/check_layering_test.py [--root SRC] [--tmp DIR] [unittest args]

--root is the source tree (default: this checkout); --tmp the folder for
scratch copies (default: the system's; CTest passes the build tree).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None
COPIED_EXTS = (".h", ".cc", ".cu", ".cuh", ".proto")
COPIED_NAMES = ("CMakeLists.txt",)


def run_checker(root, *extra):
    checker = os.path.join(ARGS.root, "scripts", "check-layering")
    p = subprocess.run([sys.executable, checker, "--root", root, *extra],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def violations(stdout):
    return [l for l in stdout.splitlines() if not l.startswith("check-layering:")]


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class Scratch(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="check_layering_", dir=ARGS.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


class RealTreeTest(Scratch):
    """A copy of this tree, with one include of kernels/ injected into core/graph."""

    def copy_tree(self):
        src = ARGS.root
        for top in ("core", "kernels", "examples", "tests", "bench"):
            for dirpath, dirnames, filenames in os.walk(os.path.join(src, top)):
                rel = os.path.relpath(dirpath, src)
                dirnames[:] = [d for d in dirnames if not d.startswith(("build", "."))
                               and os.path.join(rel, d) != os.path.join("tests", "fuzz", "corpus")]
                for fn in filenames:
                    if fn.endswith(COPIED_EXTS) or fn in COPIED_NAMES:
                        os.makedirs(os.path.join(self.tmp, rel), exist_ok=True)
                        shutil.copy(os.path.join(dirpath, fn), os.path.join(self.tmp, rel, fn))
        for rel in ("scripts/layering.rules", "cmake/graphrt_public_headers.cmake"):
            os.makedirs(os.path.dirname(os.path.join(self.tmp, rel)), exist_ok=True)
            shutil.copy(os.path.join(src, rel), os.path.join(self.tmp, rel))

    def test_injected_kernel_include_in_core_graph_is_reported(self):
        self.copy_tree()
        _, before, _ = run_checker(self.tmp)
        victim = "core/graph/graph.cc"
        with open(os.path.join(self.tmp, victim), encoding="utf-8") as f:
            n = f.read().count("\n") + 1
        with open(os.path.join(self.tmp, victim), "a", encoding="utf-8") as f:
            f.write('#include "kernels/cpu/register.h"\n')
        rc, after, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1, after)
        added = sorted(set(violations(after)) - set(violations(before)))
        self.assertEqual(len(added), 1, added)
        self.assertTrue(added[0].startswith(
            f"{victim}:{n}: core/graph may not include kernels/cpu/register.h (kernels/cpu)"),
            added[0])
        self.assertEqual(len(violations(after)), len(violations(before)) + 1)


RULES = """\
[modules]
core/base     =
core/graph    = core/base
core/executor = core/base core/graph
core/executor/cuda = core/base core/graph core/executor
kernels/cpu   = core/base core/graph core/executor
examples/*    = @public
tests         = @public tests/...
tests/graph   = @uses(core/graph) @public tests/...
[deny]
core/... = kernels/... examples/... tests/... bench/...
[public-roots]
core/executor/session.h
core/graph/ops/*.h
[public-forbidden]
core/executor/executor.h
kernels/...
<tbb/*>
<cuda*.h>
"""

CLEAN = {
    "scripts/layering.rules": RULES,
    "core/base/status.h": "#include <string>\n",
    "core/graph/graph.h": '#include "core/base/status.h"\n#include "core/graph/io/graph.pb.h"\n',
    "core/graph/io/graph.proto": 'syntax = "proto3";\nimport "core/graph/types.proto";\n',
    "core/graph/ops/math_ops.h": '#include "core/graph/graph.h"\n',
    "core/graph/CMakeLists.txt": "graphrt_library(graph SRCS graph.cc DEPS graphrt::base)\n"
                                 "graphrt_proto_library(graph_proto PROTOS io/graph.proto)\n",
    "core/base/CMakeLists.txt": "graphrt_library(base SRCS status.cc DEPS absl::status)\n",
    "core/executor/session.h": '#include "core/graph/graph.h"\n',
    "core/executor/executor.h": "#include <tbb/task_arena.h>\n",
    "core/executor/executor.cc": '#include "core/executor/executor.h"\n',
    "core/executor/CMakeLists.txt": (
        "# The executor.\ngraphrt_library(executor\n  SRCS executor.cc\n"
        "  DEPS graphrt::graph  # comment\n"
        "  PRIVATE_DEPS\n    $<$<BOOL:${GRAPHRT_HAVE_CUDA}>:graphrt::graph_proto>)\n"),
    "kernels/cpu/register.h": '#include "core/executor/executor.h"\n',
    "kernels/cpu/CMakeLists.txt": "graphrt_library(kernels_cpu SRCS r.cc DEPS graphrt::executor)\n",
    "examples/app/main.cc": '#include "core/executor/session.h"\n#include "examples/app/x.h"\n',
    "examples/app/x.h": "\n",
    "tests/graph/graph_test.cc": '#include "core/graph/graph.h"\n#include "tests/util.h"\n'
                                 '#include "core/executor/session.h"\n',
    "tests/util.h": "\n",
    "cmake/graphrt_public_headers.cmake": (
        "set(GRAPHRT_PUBLIC_HEADERS\n  core/base/status.h\n  core/executor/session.h\n"
        "  core/graph/graph.h\n  core/graph/ops/math_ops.h\n)\n"
        "set(GRAPHRT_PUBLIC_GENERATED_HEADERS\n  core/graph/io/graph.pb.h\n"
        "  core/graph/types.pb.h\n)\n"),
}


class SyntheticTreeTest(Scratch):
    def make(self, **changes):
        files = dict(CLEAN)
        files.update({k.replace("__", "/").replace("_DOT_", "."): v for k, v in changes.items()})
        for rel, text in files.items():
            if text is not None:
                write(self.tmp, rel, text)

    def test_clean_tree_passes(self):
        self.make()
        rc, out, err = run_checker(self.tmp)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("; OK", out)

    def test_print_public_headers_lists_the_closure_and_proto_imports(self):
        self.make()
        rc, out, err = run_checker(self.tmp, "--print-public-headers")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split(), ["core/base/status.h", "core/executor/session.h",
                                       "core/graph/graph.h", "core/graph/ops/math_ops.h",
                                       "core/graph/io/graph.pb.h", "core/graph/types.pb.h"])

    def test_core_including_kernels_is_denied(self):
        self.make(core__graph__graph_DOT_cc='// x\n#include "kernels/cpu/register.h"\n')
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("core/graph/graph.cc:2: core/graph may not include kernels/cpu/register.h"
                      " (kernels/cpu); denied: core/... may never use kernels/...", out)

    def test_upward_include_names_the_allowed_modules(self):
        self.make(core__base__x_DOT_cc='#include "core/graph/graph.h"\n')
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("core/base/x.cc:1: core/base may not include core/graph/graph.h "
                      "(core/graph); allowed: nothing of the project", out)

    def test_commented_out_includes_are_ignored(self):
        self.make(core__base__x_DOT_cc='/*\n#include "core/graph/graph.h"\n*/\n'
                                       '// #include "core/graph/graph.h"\n')
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 0, out)

    def test_examples_see_the_public_api_only(self):
        self.make(examples__app__y_DOT_cc='#include "core/executor/executor.h"\n'
                                          '#include "core/graph/graph.h"\n')
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("examples/app/y.cc:1: examples/app may not include "
                      "core/executor/executor.h (core/executor); allowed: @public", out)
        self.assertNotIn("examples/app/y.cc:2", out)

    def test_tests_use_what_their_module_uses(self):
        self.make(tests__graph__bad_test_DOT_cc='#include "core/executor/executor.h"\n')
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("tests/graph/bad_test.cc:1: tests/graph may not include "
                      "core/executor/executor.h (core/executor); allowed: core/graph, "
                      "core/base, tests/..., @public", out)

    def test_file_outside_every_module_is_reported(self):
        self.make(core__newmod__a_DOT_h="\n")
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("core/newmod/a.h:1: no module of scripts/layering.rules holds this file",
                      out)

    def test_link_deps_in_generator_expressions_are_checked(self):
        self.make(core__executor__CMakeLists_DOT_txt=(
            "graphrt_library(executor SRCS e.cc DEPS graphrt::graph\n"
            "  PRIVATE_DEPS graphrt::base\n"
            "    $<$<BOOL:${GRAPHRT_HAVE_CUDA}>:graphrt::kernels_cpu>)\n"
            "target_link_libraries(graphrt_executor PRIVATE graphrt_kernels_cpu)\n"))
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("core/executor/CMakeLists.txt:3: core/executor may not link "
                      "graphrt::kernels_cpu (kernels/cpu); denied:", out)
        self.assertIn("core/executor/CMakeLists.txt:4: core/executor may not link "
                      "graphrt::kernels_cpu (kernels/cpu)", out)

    def test_library_takes_the_module_of_its_sources(self):
        self.make(core__executor__CMakeLists_DOT_txt=(
            "graphrt_library(executor_cuda SRCS cuda/stream.cc DEPS graphrt::executor)\n"
            "graphrt_library(executor SRCS executor.cc\n"
            "  DEPS graphrt::graph PRIVATE_DEPS graphrt::executor_cuda)\n"))
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertEqual(violations(out), [
            "core/executor/CMakeLists.txt:3: core/executor may not link graphrt::executor_cuda"
            " (core/executor/cuda); allowed: core/base, core/graph"])

    def test_upward_link_dep_is_reported(self):
        self.make(core__base__CMakeLists_DOT_txt="graphrt_library(base SRCS s.cc\n"
                                                 "  DEPS graphrt::graph)\n")
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("core/base/CMakeLists.txt:2: core/base may not link graphrt::graph "
                      "(core/graph); allowed: nothing of the project", out)

    def test_forbidden_header_and_system_include_in_public_closure_show_chains(self):
        self.make(core__graph__graph_DOT_h='#include "core/base/status.h"\n'
                                           '#include "core/graph/io/graph.pb.h"\n'
                                           '#include "core/executor/executor.h"\n')
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("core/graph/graph.h:3: public API reaches core/executor/executor.h: "
                      "core/executor/session.h -> core/graph/graph.h -> "
                      "core/executor/executor.h (from 2 of 2 roots)", out)
        self.assertIn("core/executor/executor.h:1: public API reaches <tbb/task_arena.h>: "
                      "core/executor/session.h -> core/graph/graph.h -> "
                      "core/executor/executor.h -> <tbb/task_arena.h>", out)

    def test_public_list_must_equal_the_closure(self):
        self.make(core__graph__ops__math_ops_DOT_h='#include "core/graph/graph.h"\n'
                                                   '#include "core/graph/shape.h"\n',
                  core__graph__shape_DOT_h="\n")
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("core/graph/shape.h is in the public closure (core/graph/ops/math_ops.h"
                      " -> core/graph/shape.h) but not in GRAPHRT_PUBLIC_HEADERS", out)
        rc, out, err = run_checker(self.tmp, "--print-public-headers")
        self.assertEqual(rc, 1)
        self.assertIn("core/graph/shape.h", out.split())
        self.assertIn("but not in GRAPHRT_PUBLIC_HEADERS", err)
        rc, out, _ = run_checker(self.tmp, "--update-public-headers")
        self.assertEqual(rc, 0)
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 0, out)

    def test_public_root_that_matches_no_file_is_reported(self):
        self.make(scripts__layering_DOT_rules=RULES.replace(
            "core/graph/ops/*.h\n", "core/graph/ops/*.h\ncore/graph/gone.h\n"))
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertEqual(violations(out), [
            "scripts/layering.rules:1: public root core/graph/gone.h matches no file; "
            "update [public-roots]"])

    def test_stale_entry_in_public_list_is_reported(self):
        self.make(cmake__graphrt_public_headers_DOT_cmake=CLEAN[
            "cmake/graphrt_public_headers.cmake"].replace(
                "  core/graph/graph.h\n", "  core/graph/graph.h\n  core/graph/old.h\n"))
        rc, out, _ = run_checker(self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("cmake/graphrt_public_headers.cmake:5: core/graph/old.h is in "
                      "GRAPHRT_PUBLIC_HEADERS but not in the public closure", out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    ap.add_argument("--tmp", default=None)
    ARGS, rest = ap.parse_known_args()
    ARGS.root = os.path.abspath(ARGS.root)
    if ARGS.tmp:
        os.makedirs(ARGS.tmp, exist_ok=True)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
