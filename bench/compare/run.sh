#!/usr/bin/env bash
# Side-by-side: the book's MNIST classifier trained by libtorch (C++), by Keras
# on TensorFlow, and (when it has been built) by graphrt's own step bench.
#
#   bench/compare/run.sh            step benchmarks at 1 and 2 threads
#   bench/compare/run.sh --train    the same, then the 10-epoch runs
#
# Environment knobs: THREADS ("1 2"), TRAIN_THREADS (1), TORCH_STEPS (2000),
# KERAS_STEPS (1000), WARMUP (200), DATA (the Fashion-MNIST folder),
# SKIP_INSTALL=1 (use what is there), SKIP_STEP=1 (only the training runs).
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
PYTHON="${PYTHON:-python3}"

train=0
for a in "$@"; do
  case "$a" in
    --train) train=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $a" >&2; exit 2 ;;
  esac
done

# ---- install what is missing -------------------------------------------------
# libopenblas0-pthread: libtorch only "recommends" a fast BLAS; without it the
# reference BLAS is picked up and every matmul is roughly ten times slower.
apt_pkgs=(g++ zlib1g-dev libtorch-dev libopenblas0-pthread)
if [[ "${SKIP_INSTALL:-0}" != 1 ]]; then
  missing=()
  for p in "${apt_pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    echo "== installing ${missing[*]}"
    $sudo apt-get update
    $sudo apt-get install -y "${missing[@]}"
  fi
  if ! "$PYTHON" -c "import tensorflow" >/dev/null 2>&1; then
    echo "== installing tensorflow-cpu"
    "$PYTHON" -m pip install tensorflow-cpu
  fi
fi

# ---- build libtorch_mlp --------------------------------------------------------
# (Lists are read whole first: an early-exiting grep would make dpkg fail
# with SIGPIPE under pipefail.)
torch_files="$(dpkg -L libtorch-dev)"
blas_files="$(dpkg -L libopenblas0-pthread)"
torch_inc="$(grep '/torch/csrc/api/include$' <<<"$torch_files" | head -n1)"
torch_so="$(grep '/libtorch\.so$' <<<"$torch_files" | head -n1)"
blas_so="$(grep '/libblas\.so\.3$' <<<"$blas_files" | head -n1)"
[[ -n "$torch_inc" && -n "$torch_so" && -n "$blas_so" ]] || { echo "libtorch-dev / OpenBLAS files not found" >&2; exit 1; }
torch_lib="$(dirname "$torch_so")"
openblas_dir="$(dirname "$blas_so")"

build="$here/.build"
bin="$build/libtorch_mlp"
mkdir -p "$build"
if [[ ! -x "$bin" || "$here/libtorch_mlp.cc" -nt "$bin" ]]; then
  echo "== building $bin"
  g++ -std=c++17 -O3 -DNDEBUG -I"$torch_inc" "$here/libtorch_mlp.cc" -o "$bin" \
    -L"$torch_lib" -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10 -Wl,--as-needed -lz
fi
# Pin the BLAS that libtorch loads to OpenBLAS (pthread build), whatever the
# system's libblas.so.3 alternative points at.
export LD_LIBRARY_PATH="$openblas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

out="$here/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

# Run a command with both BLAS/OpenMP pools sized to $1, logging to $2.
run() {
  local n="$1" log="$2"
  shift 2
  echo "== $* (OMP/OPENBLAS threads $n; load $(cut -d' ' -f1-3 /proc/loadavg)) -> ${log#"$root/"}"
  OMP_NUM_THREADS="$n" OPENBLAS_NUM_THREADS="$n" "$@" 2>&1 | tee "$log"
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
  for n in $THREADS; do
    run "$n" "$out/libtorch_step_t$n.txt" "$bin" --data "$DATA" --mode step --threads "$n" \
      --warmup "$WARMUP" --steps "$TORCH_STEPS"
    run "$n" "$out/keras_step_t$n.txt" "$PYTHON" "$here/keras_mlp.py" --data "$DATA" --mode step \
      --threads "$n" --warmup "$WARMUP" --steps "$KERAS_STEPS"
  done
  graphrt_bench="$root/build/release/bench/mlp_step_bench"
  if [[ -x "$graphrt_bench" ]]; then
    run 1 "$out/graphrt_step.txt" "$graphrt_bench" --benchmark_filter='BM_MlpTrainStep/32/1/1' \
      --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
  else
    echo "== graphrt's mlp_step_bench not built; skipping it"
  fi
fi

if ((train)); then
  run "$TRAIN_THREADS" "$out/libtorch_train.txt" "$bin" --data "$DATA" --mode train --threads "$TRAIN_THREADS"
  run "$TRAIN_THREADS" "$out/keras_train.txt" "$PYTHON" "$here/keras_mlp.py" --data "$DATA" --mode train \
    --threads "$TRAIN_THREADS"
fi

echo "== summary (${out#"$root/"})"
grep -H -E '^step_us|^test accuracy|_mean|_median' "$out"/*.txt | sed "s|$out/||" || true
