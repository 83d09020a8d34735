#!/usr/bin/env bash
# The set-up's package list against what this build and the scripts really use
# (tests/tools/check_setup_dependencies.py), then the same check with packages taken out of the
# list, which must fail and name them: libarchive-dev (headers the build reads), hdf5-tools (a
# program the tests call and a file CMake resolved) and gnuplot-nox (the program fpt_figures runs).
#
#   setup_dependencies.sh REPO BUILD WORK_DIR
set -euo pipefail
repo=$1
build=$2
work=$3
mkdir -p "$work"
checker=$repo/tests/tools/check_setup_dependencies.py

python3 "$checker" --source "$repo" --build "$build"

reduced=$work/packages-reduced.txt
grep -vE '^(libarchive-dev|hdf5-tools|gnuplot-nox)\b' "$repo/scripts/debian-packages.txt" > "$reduced"
code=0
python3 "$checker" --source "$repo" --build "$build" --packages "$reduced" > "$work/reduced.out" 2>&1 || code=$?
cat "$work/reduced.out"
[ $code -eq 1 ] || { echo "setup_dependencies: the reduced list passed (exit $code)"; exit 1; }
for package in libarchive-dev hdf5-tools gnuplot-nox; do
  grep -q "^  $package: add it to \[quickstart\]" "$work/reduced.out" ||
    { echo "setup_dependencies: removing $package was not detected"; exit 1; }
done
grep -q "/usr/include/archive.h" "$work/reduced.out" ||
  { echo "setup_dependencies: archive.h not named"; exit 1; }
echo "setup_dependencies: the full list passes; removed packages are named"
