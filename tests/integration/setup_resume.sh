#!/usr/bin/env bash
# scripts/setup.sh finishes what an earlier run left halfway, as a user meets it:
#   1. a configure that failed (here: a LibTorch whose CMake config fails) leaves no cache behind
#      that the next run would take for a build; the next run, with a good LibTorch, configures
#   2. a rerun with the same arguments does not configure again; other arguments configure afresh
#   3. a LibTorch install that stopped halfway (a venv without the completion marker) is made
#      again from the cached wheels, never used as it is
# Every run stops after the configure (FPT_SETUP_STOP_AFTER=configure): nothing is compiled.
# Uses this machine's verified wheels (hard links into a cache of its own), so no network.
#
#   setup_resume.sh REPO WORK_DIR
set -euo pipefail
repo=$1
work=$2
host_cache=${FPT_CACHE:-/var/cache/fpt}
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
setup() { FPT_SETUP_STOP_AFTER=configure bash "$repo/scripts/setup.sh" --quickstart "$@"; }

# 1. A failing configure, then a good one.
fake=$work/fake-torch
mkdir -p "$fake"
echo 'message(FATAL_ERROR "this LibTorch is broken on purpose (setup_resume.sh)")' > "$fake/TorchConfig.cmake"
touch "$fake/TorchConfigVersion.cmake"
build=$work/build
code=0
Torch_DIR=$fake FPT_BUILD=$build setup > "$work/1-broken.log" 2>&1 || code=$?
cat "$work/1-broken.log"
[ $code -ne 0 ] || fail "a failing configure exited 0"
grep -q "CMake configure failed" "$work/1-broken.log" || fail "no 'CMake configure failed' message"
grep -q "run the same command again" "$work/1-broken.log" || fail "the message does not say to run it again"
[ ! -e "$build/CMakeCache.txt" ] || fail "the failed configure left $build/CMakeCache.txt"
[ ! -e "$build/build.ninja" ] || fail "the failed configure left $build/build.ninja"

torch_dir=$(echo "$host_cache"/torch-*/lib/python3*/site-packages/torch/share/cmake/Torch)
[ -f "$torch_dir/TorchConfig.cmake" ] || fail "no LibTorch in $host_cache (run scripts/setup.sh first)"
Torch_DIR=$torch_dir FPT_BUILD=$build setup > "$work/1-good.log" 2>&1 || { cat "$work/1-good.log"; fail "the good configure failed"; }
grep -q "configuring $build" "$work/1-good.log" || fail "the second run did not configure"
[ -f "$build/build.ninja" ] || fail "no build.ninja after the good configure"

# 2. The same arguments: no configure. Other arguments (the same LibTorch by another path, as after
# moving FPT_CACHE): a fresh cache, so no path found for the old set-up stays in it.
Torch_DIR=$torch_dir FPT_BUILD=$build setup > "$work/2-same.log" 2>&1 || { cat "$work/2-same.log"; fail "rerun failed"; }
grep -q "configuring" "$work/2-same.log" && fail "an unchanged set-up configured again"
Torch_DIR=$torch_dir FPT_BUILD=$build setup --no-such-option > /dev/null 2>&1 && fail "setup.sh accepted an unknown option"
venv_dir=${torch_dir%/lib/python3*}  # <cache>/torch-<version>
ln -sfn "$venv_dir" "$work/torch-elsewhere"
elsewhere=$work/torch-elsewhere${torch_dir#"$venv_dir"}
Torch_DIR=$elsewhere FPT_BUILD=$build setup > "$work/2-changed.log" 2>&1 ||
  { cat "$work/2-changed.log"; fail "configure with changed arguments failed"; }
grep -q "configure arguments changed since the last set-up: configuring $build afresh" "$work/2-changed.log" ||
  { cat "$work/2-changed.log"; fail "changed arguments not noticed"; }
grep -qE "^Torch_DIR:[A-Z]+=$elsewhere$" "$build/CMakeCache.txt" || fail "the cache keeps the old Torch_DIR"

# 3. A LibTorch install that stopped halfway: a venv without its marker.
cache=$work/cache
mkdir -p "$cache/wheels"
cp -l "$host_cache"/wheels/*.whl "$cache/wheels/" 2> /dev/null || cp "$host_cache"/wheels/*.whl "$cache/wheels/"
venv=$(echo "$torch_dir" | sed -E 's#.*/(torch-[^/]+)/lib/.*#\1#')  # torch-<version>
mkdir -p "$cache/$venv/lib/python3.11/site-packages/torch"
echo "half" > "$cache/$venv/lib/python3.11/site-packages/torch/half-installed"
FPT_CACHE=$cache FPT_BUILD=$work/build-2 setup > "$work/3-venv.log" 2>&1 || { cat "$work/3-venv.log"; fail "setup over a half-installed LibTorch failed"; }
grep -q "installing LibTorch" "$work/3-venv.log" || fail "the half-installed LibTorch was not installed again"
[ ! -e "$cache/$venv/lib/python3.11/site-packages/torch/half-installed" ] || fail "the half-installed venv was kept"
[ -f "$cache/$venv/.fpt-complete" ] || fail "no completion marker after the install"
FPT_CACHE=$cache FPT_BUILD=$work/build-2 setup > "$work/3-again.log" 2>&1 || fail "rerun failed"
grep -q "installing LibTorch" "$work/3-again.log" && fail "a complete LibTorch was installed again"
rm -rf "$work"
echo "setup_resume: a failed configure, changed arguments and a half-installed LibTorch are all finished by a rerun"
