# shellcheck shell=bash disable=SC2034
# Sourced (bash) by bench/compare/run, run.sh and tests/bench/compare: the
# packages each workload needs, installing the missing ones, and running a
# workload so that its failure is recorded instead of ending the comparison.

# Debian packages for graphrt's build and the C++ scheduler peers ...
COMPARE_APT_PKGS=(cmake ninja-build g++ libbenchmark-dev libtbb-dev libeigen3-dev)
# ... and for the MLP peers (workload mlp, run.sh). libopenblas0-pthread:
# libtorch only "recommends" a fast BLAS; without it the reference BLAS is
# picked up and every matmul is roughly ten times slower.
MLP_APT_PKGS=(g++ zlib1g-dev libtorch-dev libopenblas0-pthread)
# PyPI: the ONNX Runtime and TensorFlow peers (addchain, matmul, step) and
# Keras (mlp, part of tensorflow-cpu); imported as these modules.
COMPARE_PIP_PKGS=(tensorflow-cpu onnxruntime onnx)
COMPARE_PIP_MODULES="tensorflow, onnxruntime, onnx"

# missing_apt_pkgs PKG...: prints those not installed, one a line.
missing_apt_pkgs() {
  local p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done
}

# install_apt_pkgs PKG...: apt-get installs those not installed.
install_apt_pkgs() {
  local missing sudo=""
  mapfile -t missing < <(missing_apt_pkgs "$@" | sort -u)
  ((${#missing[@]})) || return 0
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "== installing ${missing[*]}"
  $sudo apt-get update
  $sudo apt-get install -y "${missing[@]}"
}

# Note [A failing workload does not end the comparison]
# bench/compare/run used to stop at the first workload that failed (mlp on a
# machine without libtorch) and write no table at all. run_workload runs one
# workload in a subshell with errexit on, so any failing command inside it
# ends that workload only (a function called from `f || ...` would run with
# errexit off, which is why it is a subshell and not a conditional). Its
# stderr still reaches the terminal and is also kept in ERR_LOG; on failure
# the workload's name, exit status and last stderr line are appended to
# FAILED_TSV (name TAB reason), which table.py prints in the table.
#
# run_workload NAME FAILED_TSV ERR_LOG COMMAND...: always returns 0.
run_workload() {
  local name="$1" failed="$2" errlog="$3" rc why errexit=0
  shift 3
  : >"$errlog"
  [[ $- == *e* ]] && errexit=1
  set +e
  { (set -e; "$@") 2>&1 1>&3 3>&- | tee -a "$errlog" >&2; rc=${PIPESTATUS[0]}; } 3>&1
  ((errexit)) && set -e
  if ((rc != 0)); then
    why="$(grep -v '^[[:space:]]*$' "$errlog" | tail -n 1 || true)"
    why="${why//$'\t'/ }"
    printf '%s\t%s\n' "$name" "exit status $rc${why:+: $why}" >>"$failed"
    echo "== $name failed (exit status $rc); the other workloads go on" >&2
  fi
  return 0
}

# build_libtorch_peer SRC BIN: compiles a libtorch peer (libtorch_cnn.cc for
# bench/compare/run, libtorch_mlp.cc for run.sh) with g++ -O3 when BIN is
# missing or older than SRC or libtorch_idx.h, and prints the folder of
# OpenBLAS's libblas.so.3 (put it first on LD_LIBRARY_PATH: see run.sh's note
# on the reference BLAS). Needs MLP_APT_PKGS installed. Lists are read whole,
# never piped into an early-exiting grep: dpkg would fail with SIGPIPE under
# pipefail.
build_libtorch_peer() {
  local src="$1" bin="$2" torch_files blas_files torch_inc torch_so blas_so
  torch_files="$(dpkg -L libtorch-dev)"
  blas_files="$(dpkg -L libopenblas0-pthread)"
  torch_inc="$(grep '/torch/csrc/api/include$' <<<"$torch_files" | head -n1)"
  torch_so="$(grep '/libtorch\.so$' <<<"$torch_files" | head -n1)"
  blas_so="$(grep '/libblas\.so\.3$' <<<"$blas_files" | head -n1)"
  if [[ -z "$torch_inc" || -z "$torch_so" || -z "$blas_so" ]]; then
    echo "libtorch-dev / OpenBLAS files not found" >&2
    return 1
  fi
  mkdir -p "$(dirname "$bin")"
  if [[ ! -x "$bin" || "$src" -nt "$bin" || "$(dirname "$src")/libtorch_idx.h" -nt "$bin" ]]; then
    echo "== building $bin" >&2
    g++ -std=c++17 -O3 -DNDEBUG -I"$torch_inc" "$src" -o "$bin" -L"$(dirname "$torch_so")" \
      -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10 -Wl,--as-needed -lz >&2 || return 1
  fi
  dirname "$blas_so"
}
