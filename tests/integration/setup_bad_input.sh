#!/usr/bin/env bash
# scripts/setup.sh on bad ground, as a user meets it: each case must stop with a message that says
# what is wrong and what to do, exit non-zero, and leave nothing half-done behind.
#   1. not root, with a package missing: names it and the apt-get command, touches nothing
#   2. no network for PyPI: names every wheel it could not fetch and where to put it by hand
#   3. too little disk for LibTorch (the cache) and for the build: says how much is needed
# Needs root (setpriv, unshare --net, a tmpfs mount in a private mount namespace), as CI runs.
#
#   setup_bad_input.sh REPO WORK_DIR
set -euo pipefail
repo=$1
work=$2
[ "$(id -u)" = 0 ] || { echo "setup_bad_input: needs root (CI runs as root)" >&2; exit 1; }
mountpoint -q "$work/small" 2> /dev/null && umount "$work/small"  # left by a killed run
rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"
failures=0
check() {  # NAME EXPECTED_PATTERN OUTPUT_FILE CODE
  local name=$1 pattern=$2 output=$3 code=$4
  sed "s/^/  [$name] /" "$output"
  if [ "$code" -eq 0 ]; then
    echo "FAIL [$name]: exited 0"; failures=$((failures + 1))
  elif ! grep -Eq -- "$pattern" "$output"; then
    echo "FAIL [$name]: output does not match /$pattern/"; failures=$((failures + 1))
  else
    echo "ok [$name] (exit $code)"
  fi
}

# 1. Not root and a package missing (a name no machine has installed). The user `nobody` runs a
# copy of the scripts in a directory it can read (the clone may sit in root's home, 0700).
visible=$(mktemp -d /tmp/fpt-setup-bad-input.XXXXXX)
trap 'rm -rf "$visible"' EXIT
chmod 755 "$visible"
mkdir -p "$visible/repo/scripts"
cp "$repo/scripts/setup.sh" "$repo/scripts/wheel_cache.sh" "$repo/scripts/pinned-wheels.txt" \
  "$visible/repo/scripts/"
list=$visible/packages.txt
printf '[quickstart]\nfpt-no-such-package\ncmake\n[test]\n' > "$list"
chmod -R a+rX "$visible"
code=0
setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin HOME=/nonexistent \
  FPT_DEBIAN_PACKAGES="$list" FPT_CACHE="$visible/not-root-cache" \
  FPT_BUILD="$visible/not-root-build" \
  bash "$visible/repo/scripts/setup.sh" --quickstart > "$work/not_root.out" 2>&1 || code=$?
check not_root "missing: fpt-no-such-package.*" "$work/not_root.out" $code
grep -q "sudo apt-get install --no-install-recommends fpt-no-such-package" "$work/not_root.out" ||
  { echo "FAIL [not_root]: no apt-get command in the message"; failures=$((failures + 1)); }
for left in "$visible/not-root-cache" "$visible/not-root-build"; do
  [ ! -e "$left" ] || { echo "FAIL [not_root]: created $left"; failures=$((failures + 1)); }
done

# 2. No network: a network namespace with only a loopback that is down.
code=0
unshare --net env FPT_CACHE="$work/offline-cache" FPT_BUILD="$work/offline-build" \
  bash "$repo/scripts/setup.sh" --quickstart > "$work/offline.out" 2>&1 || code=$?
check offline "could not download torch-2\.12\.1-cp311-cp311-manylinux_2_28_x86_64\.whl from PyPI" \
  "$work/offline.out" $code
for expected in "nvidia_nccl_cu13-2.29.7-py3-none-manylinux_2_18_x86_64.whl" \
                "https://pypi.org/project/torch/2.12.1/#files" \
                "put them in $work/offline-cache/wheels/"; do
  grep -qF -- "$expected" "$work/offline.out" ||
    { echo "FAIL [offline]: message lacks '$expected'"; failures=$((failures + 1)); }
done
ls "$work/offline-cache/wheels"/*.whl > /dev/null 2>&1 &&
  { echo "FAIL [offline]: a wheel file was left in the cache"; failures=$((failures + 1)); }
ls -d "$work/offline-cache/wheels"/.download.* > /dev/null 2>&1 &&
  { echo "FAIL [offline]: a partial download was left in the cache"; failures=$((failures + 1)); }

# 3. Too little disk: a 64 MB tmpfs, in a mount namespace of its own so nothing outlives the test.
# In a chroot (/ not a mount point) unshare cannot make the mounts private: it leaves them as they
# are, and the tmpfs is unmounted at the end.
small=$work/small
mkdir -p "$small"
unshare_mount=(unshare --mount)
"${unshare_mount[@]}" true 2> /dev/null || unshare_mount=(unshare --mount --propagation unchanged)
code=0
"${unshare_mount[@]}" bash -c "mount -t tmpfs -o size=64m tmpfs '$small' || exit 9
  FPT_CACHE='$small/cache' FPT_BUILD='$work/disk-build' bash '$repo/scripts/setup.sh' --quickstart
  code=\$?; umount '$small'; exit \$code" \
  > "$work/disk_cache.out" 2>&1 || code=$?
check disk_cache "not enough disk space for LibTorch in $small/cache: needs about [0-9]+ MB, [0-9]+ MB free" \
  "$work/disk_cache.out" $code
# The build directory on the small disk, with a LibTorch given (no download needed).
torch_dir=$(ls -d /var/cache/fpt/torch-*/lib/python3*/site-packages/torch/share/cmake/Torch 2>/dev/null | head -1)
[ -n "$torch_dir" ] || torch_dir=$repo  # any directory: the space check comes before it is read
code=0
"${unshare_mount[@]}" bash -c "mount -t tmpfs -o size=64m tmpfs '$small' || exit 9
  Torch_DIR='$torch_dir' FPT_CACHE='$work/disk-cache' FPT_BUILD='$small/build' bash '$repo/scripts/setup.sh' --quickstart
  code=\$?; umount '$small'; exit \$code" \
  > "$work/disk_build.out" 2>&1 || code=$?
check disk_build "not enough disk space for the build in $small/build: needs about [0-9]+ MB" \
  "$work/disk_build.out" $code

[ $failures -eq 0 ] || { echo "setup_bad_input: $failures checks failed"; exit 1; }
echo "setup_bad_input: all cases stopped with the expected message"
