#!/usr/bin/env bash
# Side-by-side: the book's MNIST classifier trained by libtorch (C++), by Keras
# on TensorFlow, and (when it has been built) by graphrt's own step bench.
#
#   bench/compare/run.sh            step benchmarks at 1 and 2 threads
#   bench/compare/run.sh --train    the same, then the 10-epoch runs
#
# Environment knobs: THREADS ("1 2"), TRAIN_THREADS (1), TORCH_STEPS (2000),
# KERAS_STEPS (1000), WARMUP (200), ROUNDS (1; repeats the step benchmarks,
# interleaved), DATA (the Fashion-MNIST folder),
# SKIP_INSTALL=1 (use what is there), SKIP_STEP=1 (only the training runs),
# GRAPHRT_MLP_BENCH (graphrt's mlp_step_bench; default: the release build's),
# OUT (the log folder). bench/compare/run calls this script with the last two.
# Runs one timing job at a time; logs go to bench/compare/results/<stamp>/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DATA="${DATA:-/usr/share/datasets/fashion-mnist}"
THREADS="${THREADS:-1 2}"
TRAIN_THREADS="${TRAIN_THREADS:-1}"
TORCH_STEPS="${TORCH_STEPS:-2000}"
KERAS_STEPS="${KERAS_STEPS:-1000}"
WARMUP="${WARMUP:-200}"
ROUNDS="${ROUNDS:-1}"
PYTHON="${PYTHON:-python3}"

train=0
for a in "$@"; do
  case "$a" in
    --train) train=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $a" >&2; exit 2 ;;
  esac
done

# ---- install what is missing -------------------------------------------------
# The package list (MLP_APT_PKGS) is shared with bench/compare/run, which
# installs it up front and calls this script with SKIP_INSTALL=1.
# shellcheck source=bench/compare/lib.sh
source "$here/lib.sh"
if [[ "${SKIP_INSTALL:-0}" != 1 ]]; then
  install_apt_pkgs "${MLP_APT_PKGS[@]}"
  if ! "$PYTHON" -c "import tensorflow" >/dev/null 2>&1; then
    echo "== installing tensorflow-cpu"
    "$PYTHON" -m pip install tensorflow-cpu
  fi
fi

# ---- build libtorch_mlp --------------------------------------------------------
[[ -d "$DATA" ]] || { echo "run.sh: no Fashion-MNIST folder $DATA (set DATA)" >&2; exit 1; }
not_installed="$(missing_apt_pkgs "${MLP_APT_PKGS[@]}" | xargs)"
[[ -z "$not_installed" ]] || { echo "run.sh: not installed: $not_installed (run without SKIP_INSTALL=1)" >&2; exit 1; }
build="$here/.build"
bin="$build/libtorch_mlp"
openblas_dir="$(build_libtorch_peer "$here/libtorch_mlp.cc" "$bin")"
# Pin the BLAS that libtorch loads to OpenBLAS (pthread build), whatever the
# system's libblas.so.3 alternative points at.
export LD_LIBRARY_PATH="$openblas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

out="${OUT:-$here/results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"

# CPU seconds the whole machine has been busy (user+nice+system+irq+softirq+steal).
busy_s() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / {printf "%.2f", ($2+$3+$4+$7+$8+$9)/hz}' /proc/stat; }
# CPU seconds used so far by this shell's finished children, into $children.
# `times` has to run in this shell itself: in a $(...) subshell it would
# report that subshell's own children, which are none.
children_s() {
  times >"$build/times.txt"
  children=$(tail -n1 "$build/times.txt" | awk '{
    t = 0
    for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2] }
    printf "%.2f", t }')
}

# Run a command with both BLAS/OpenMP pools sized to $1, logging to $2. After
# it, report how many cores everything else on the machine kept busy meanwhile
# (machine busy time less this run's own CPU time, over wall time): on a
# 2-core machine a run with more than ~0.1 of them is suspect.
run() {
  local n="$1" log="$2"
  shift 2
  echo "== $* (OMP/OPENBLAS threads $n) -> ${log#"$root/"}"
  local b0 c0 t0 b1 c1 t1
  children_s; c0=$children
  b0=$(busy_s) t0=$(date +%s.%N)
  OMP_NUM_THREADS="$n" OPENBLAS_NUM_THREADS="$n" "$@" 2>&1 | tee "$log"
  t1=$(date +%s.%N) b1=$(busy_s)
  children_s; c1=$children
  awk -v b="$b1" -v b0="$b0" -v c="$c1" -v c0="$c0" -v t="$t1" -v t0="$t0" \
    'BEGIN { w = t - t0; o = ((b - b0) - (c - c0)) / w; if (o < 0) o = 0;
             printf "other load: %.2f cores busy with other work during this %.1f s run\n", o, w }' | tee -a "$log"
}

{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') x $(nproc)"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "libtorch: $(dpkg-query -W -f='${Version}' libtorch-dev)"
  echo "openblas: $(dpkg-query -W -f='${Version}' libopenblas0-pthread)"
  echo "blas loaded: $(ldd "$bin" | awk '/libblas/ {print $3}')"
  echo "tensorflow: $("$PYTHON" -c 'import tensorflow as tf; print(tf.__version__)' 2>/dev/null)"
} | tee "$out/env.txt"

if [[ "${SKIP_STEP:-0}" != 1 ]]; then
  graphrt_bench="${GRAPHRT_MLP_BENCH:-$root/build/release/bench/mlp_step_bench}"
  [[ -x "$graphrt_bench" ]] || echo "== graphrt's mlp_step_bench not built; skipping it"
  # Rounds interleave the peers, so that a slow spell of the host hits all.
  for ((r = 1; r <= ROUNDS; r++)); do
    for n in $THREADS; do
      run "$n" "$out/libtorch_step_t${n}_r$r.txt" "$bin" --data "$DATA" --mode step --threads "$n" \
        --warmup "$WARMUP" --steps "$TORCH_STEPS"
      run "$n" "$out/keras_step_t${n}_r$r.txt" "$PYTHON" "$here/keras_mlp.py" --data "$DATA" --mode step \
        --threads "$n" --warmup "$WARMUP" --steps "$KERAS_STEPS"
    done
    if [[ -x "$graphrt_bench" ]]; then
      run 1 "$out/graphrt_step_t1_r$r.txt" "$graphrt_bench" --benchmark_filter='BM_MlpTrainStep/32/1/[12]' \
        --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
    fi
  done
fi

if ((train)); then
  run "$TRAIN_THREADS" "$out/libtorch_train.txt" "$bin" --data "$DATA" --mode train --threads "$TRAIN_THREADS"
  run "$TRAIN_THREADS" "$out/keras_train.txt" "$PYTHON" "$here/keras_mlp.py" --data "$DATA" --mode train \
    --threads "$TRAIN_THREADS"
fi

echo "== summary (${out#"$root/"})"
grep -H -E '^step_us|^test accuracy|_median|^other load' "$out"/*.txt | sed "s|$out/||" || true
