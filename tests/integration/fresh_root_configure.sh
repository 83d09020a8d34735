#!/usr/bin/env bash
# The set-up on a fresh Debian 12 root, up to the CMake configure: scripts/fresh_machine_check.sh
# --commands configure, without a CUDA toolkit (as on a laptop), the pinned wheels given from this
# machine's cache when it has them (the set-up still checks their sums; no 1 GB download). Fails
# when the build needs a package the list lacks, or anything of this machine the set-up silently
# relies on. Needs root and Debian's mirror: skipped (exit 77) when deb.debian.org is unreachable.
#
#   fresh_root_configure.sh REPO WORK_DIR
set -euo pipefail
repo=$1
work=$2
wheels=${FPT_CACHE:-/var/cache/fpt}/wheels
[ "$(id -u)" = 0 ] || { echo "fresh_root_configure: needs root (CI runs as root)" >&2; exit 1; }
if ! python3 -c 'import socket; socket.create_connection(("deb.debian.org", 80), 10).close()' 2> /dev/null; then
  echo "fresh_root_configure: skipped: deb.debian.org is unreachable (no network)"
  exit 77
fi
arguments=(--commands configure)
[ -d "$wheels" ] && arguments+=(--wheels "$wheels")
bash "$repo/scripts/fresh_machine_check.sh" "${arguments[@]}" "$work"
