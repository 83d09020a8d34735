#!/usr/bin/env bash
# Tries the README's two commands as a new user would on a new machine: builds a minimal Debian 12
# root with mmdebstrap, clones this repository into it and runs, as root inside it,
#   bash scripts/quickstart.sh      then      bash scripts/test.sh
# timing each (and the set-up's phases). Nothing of the host's fpt set-up is used: no packages
# beyond Debian's minimal base, no cached LibTorch or wheels, no ccache, no weights.
#
#   scripts/fresh_machine_check.sh [options] [WORK_DIR]     (default WORK_DIR: /var/tmp/fpt-fresh)
#     --cuda            bind the host's CUDA toolkit (/usr/local/cuda-13.0) into the root, as on
#                       the development machines; default: a plain Debian 12 (a laptop, a CPU node)
#     --kill-after S    first kill each command S seconds after it started (SIGKILL to all its
#                       processes: an interrupted install, download or build), then run it again;
#                       the rerun must exit 0
#     --commands LIST   which commands, in order (default "quickstart test"; "configure": the
#                       set-up up to the CMake configure only, for a quick check)
#     --ref REF         the commit to clone (default HEAD; commit your work first)
#     --wheels DIR      give the root the pinned wheels found in DIR (e.g. /var/cache/fpt/wheels;
#                       the set-up still checks each one's SHA-256): no 1 GB download
#     --keep            keep the root afterwards (default: removed once all commands passed)
#
# Needs root on a Debian/Ubuntu host with network access to Debian's mirror and PyPI; installs
# mmdebstrap on the host when it is missing. The host's certificate bundle and /etc/pip.conf are
# given to the root's pip (where a proxy's certificate lives on machines like the development ones).
# Results: WORK_DIR/times-{plain,cuda}.txt (also printed) and one log per command run.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cuda=0 kill_after="" commands="quickstart test" ref=HEAD keep=0 work=/var/tmp/fpt-fresh wheels=""
while [ $# -gt 0 ]; do
  case $1 in
    --cuda) cuda=1 ;;
    --kill-after) kill_after=$2; shift ;;
    --commands) commands=$2; shift ;;
    --ref) ref=$2; shift ;;
    --wheels) wheels=$2; shift ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    -*) echo "fresh_machine_check: unknown option $1" >&2; exit 2 ;;
    *) work=$1 ;;
  esac
  shift
done
say() { printf '[fresh] %s\n' "$*"; }
die() { printf '[fresh] error: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot, mounts)"
cuda_root=/usr/local/cuda-13.0
[ $cuda = 0 ] || [ -x "$cuda_root/bin/nvcc" ] || die "--cuda: no CUDA toolkit at $cuda_root"
if ! command -v mmdebstrap > /dev/null; then
  say "installing mmdebstrap on the host"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap > /dev/null
fi

variant=$([ $cuda = 1 ] && echo cuda || echo plain)
root=$work/root-$variant
times=$work/times-$variant.txt
mkdir -p "$work"
if [ -d "$root" ]; then
  say "removing the old root $root"
  rm -rf --one-file-system "$root"
fi

# --- the machine: Debian 12, minimal base ---------------------------------------------------------
say "building a minimal Debian 12 root in $root"
mmdebstrap --quiet --variant=minbase --aptopt='Acquire::Check-Valid-Until "false"' bookworm "$root" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The host's certificates (a proxy's among them) for pip, at a path of their own: the root's
# ca-certificates package rewrites /etc/ssl/certs when the set-up installs it.
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/fpt-host-ca.crt"
if [ -f /etc/pip.conf ]; then
  sed 's#/etc/ssl/certs/ca-certificates.crt#/etc/fpt-host-ca.crt#' /etc/pip.conf > "$root/etc/pip.conf"
else
  printf '[global]\ncert = /etc/fpt-host-ca.crt\n' > "$root/etc/pip.conf"
fi
mkdir -p "$root/root"
if [ -n "$wheels" ]; then
  mkdir -p "$root/var/cache/fpt/wheels"
  cp -l "$wheels"/*.whl "$root/var/cache/fpt/wheels/" 2> /dev/null ||
    cp "$wheels"/*.whl "$root/var/cache/fpt/wheels/"
fi
if [ $cuda = 1 ]; then
  mkdir -p "$root$cuda_root"
  ln -sfn "$cuda_root" "$root/usr/local/cuda"
  echo "$cuda_root/lib" > "$root/etc/ld.so.conf.d/zz-cuda-13-0.conf"
fi

# --- the repository, as a user clones it ----------------------------------------------------------
commit=$(git -C "$repo" rev-parse "$ref")
git clone --quiet --no-hardlinks "$repo" "$root/root/fpt"
git -C "$root/root/fpt" checkout --quiet "$commit"
say "cloned $repo at $commit into /root/fpt"

# Runs "$1" (a shell command) inside the root as root, in private mount and PID namespaces: every
# process it starts dies with it, and its mounts vanish with it.
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cuda_env=()
if [ $cuda = 1 ]; then
  path=/usr/local/cuda/bin:$path
  cuda_env=(LIBRARY_PATH=/usr/local/cuda/lib64/stubs)
fi
# Inside a chroot (this check run by a test inside another fresh root) / is no mount point and
# its propagation cannot change: the mounts are then left as the enclosing namespace has them.
unshare_options=(--mount --pid --fork --kill-child)
unshare --mount true 2> /dev/null || unshare_options+=(--propagation unchanged)
in_root() {
  unshare "${unshare_options[@]}" bash -c '
    set -e
    root=$1 cuda=$2 cuda_root=$3; shift 3
    mount --make-rprivate / 2> /dev/null || true
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs -o size=4g tmpfs "$root/dev/shm"
    if [ "$cuda" = 1 ]; then
      mount --bind -o ro "$cuda_root" "$root$cuda_root"
      chroot "$root" ldconfig
    fi
    exec chroot "$root" "$@"' fpt-fresh "$root" "$cuda" "$cuda_root" \
    /usr/bin/env -i HOME=/root PATH="$path" LANG=C.UTF-8 TERM=dumb "${cuda_env[@]}" \
    bash -c "cd /root/fpt && $1"
}

command_line() {
  case $1 in
    quickstart) echo "bash scripts/quickstart.sh" ;;
    test) echo "bash scripts/test.sh" ;;
    configure) echo "FPT_SETUP_STOP_AFTER=configure bash scripts/setup.sh" ;;
    *) die "unknown command '$1' (quickstart, test, configure)" ;;
  esac
}

# The set-up's phases from its log: "[setup] ... (N s)" lines.
phases() { grep -oE '^\[setup\] [a-zA-Z ]+: [0-9]+ s' "$1" | sed 's/^\[setup\] //' | paste -sd ',' | sed 's/,/, /g'; }

printf 'fpt fresh-machine check, %s, commit %s, Debian 12 minbase root, CUDA toolkit: %s, %s cores\n' \
  "$(date -u '+%Y-%m-%d %H:%M UTC')" "${commit:0:10}" "$([ $cuda = 1 ] && echo "yes ($cuda_root)" || echo no)" \
  "$(nproc)" > "$times"
failed=0
for name in $commands; do
  line=$(command_line "$name")
  if [ -n "$kill_after" ]; then
    log=$work/$variant-$name-killed.log
    say "running '$line', killed after $kill_after s (log: $log)"
    start=$SECONDS
    setsid bash -c "$(declare -f in_root); $(declare -p root cuda cuda_root path cuda_env unshare_options); in_root '$line'" \
      > "$log" 2>&1 &
    runner=$!
    while kill -0 $runner 2>/dev/null && [ $((SECONDS - start)) -lt "$kill_after" ]; do sleep 1; done
    if kill -0 $runner 2>/dev/null; then
      kill -KILL -- -$runner 2>/dev/null || true
      wait $runner 2>/dev/null || true
      printf '%-11s killed after %4d s: %s\n' "$name" $((SECONDS - start)) "$(tail -n 1 "$log" | cut -c1-100)" >> "$times"
    else
      wait $runner && code=0 || code=$?
      printf '%-11s finished (exit %d) before the kill at %d s\n' "$name" $code "$kill_after" >> "$times"
    fi
  fi
  log=$work/$variant-$name.log
  say "running '$line' (log: $log)"
  start=$SECONDS
  in_root "$line" > "$log" 2>&1 && code=0 || code=$?
  seconds=$((SECONDS - start))
  printf '%-11s exit %d in %4d s (%d m %02d s)%s; %s\n' "$name" $code $seconds $((seconds / 60)) \
    $((seconds % 60)) "$([ -n "$kill_after" ] && echo ', rerun after the kill')" "$(phases "$log")" >> "$times"
  if [ $code -ne 0 ]; then
    failed=1
    say "'$line' failed (exit $code); last lines of $log:"
    tail -n 30 "$log" >&2
    break
  fi
done
echo
cat "$times"
if [ $failed = 0 ] && [ $keep = 0 ]; then rm -rf --one-file-system "$root"; fi
exit $failed
