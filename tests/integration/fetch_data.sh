#!/usr/bin/env bash
# fetch_data.sh BUILD_DIR SOURCE_DIR WORK_DIR: runs the real fpt_fetch binary for data sets against
# the local range server (tests/tools/range_http_server.py) as a mirror (--data-base-url), with a
# --catalog whose "data" entries point at fixture files (sums from coreutils' sha256sum/md5sum):
# IDX-style .gz files and a CIFAR-style .tar.gz that is unpacked; a dropped transfer that resumes,
# a corrupted file, --verify-only on modified files, an unpinned archive, an unreachable mirror.
set -u
build=$1
source=$2
work=$3
fetch=$build/fpt_fetch
rm -rf "$work"
mkdir -p "$work/mirror/tinymnist" "$work/mirror/tinycifar" "$work/mirror/bad" "$work/mirror/loose" \
  "$work/archive/cifar-10-batches-bin"
source "$source/tests/integration/fetch_test_lib.sh"
sum() { sha256sum "$1" | cut -d' ' -f1; }

m=$work/mirror
head -c 300000 /dev/urandom > "$m/tinymnist/train-images-idx3-ubyte.gz"
echo "120000 1" > "$m/tinymnist/train-images-idx3-ubyte.gz.drop"  # the first request drops
head -c 2000 /dev/urandom > "$m/tinymnist/train-labels-idx1-ubyte.gz"
head -c 30730 /dev/urandom > "$work/archive/cifar-10-batches-bin/data_batch_1.bin"
head -c 30730 /dev/urandom > "$work/archive/cifar-10-batches-bin/test_batch.bin"
tar -czf "$m/tinycifar/cifar-10-binary.tar.gz" -C "$work/archive" cifar-10-batches-bin
cp "$m/tinycifar/cifar-10-binary.tar.gz" "$m/loose/loose.tar.gz"
head -c 5000 /dev/urandom > "$m/bad/file.gz"
images_sum=$(sum "$m/tinymnist/train-images-idx3-ubyte.gz")
labels_md5=$(md5sum "$m/tinymnist/train-labels-idx1-ubyte.gz" | cut -d' ' -f1)
cifar_sum=$(sum "$m/tinycifar/cifar-10-binary.tar.gz")
cat > "$work/catalog.json" <<JSON
{"data": [
  {"name": "tinymnist", "url": "http://publisher.invalid/mnist", "description": "fixture",
   "files": [{"file_name": "train-images-idx3-ubyte.gz", "sha256": "$images_sum", "size": 300000},
             {"file_name": "train-labels-idx1-ubyte.gz", "md5": "$labels_md5"}]},
  {"name": "tinycifar", "url": "http://publisher.invalid/cifar",
   "files": [{"file_name": "cifar-10-binary.tar.gz", "sha256": "$cifar_sum",
              "unpack": ["cifar-10-batches-bin/"]}]},
  {"name": "bad", "url": "http://publisher.invalid/bad",
   "files": [{"file_name": "file.gz", "sha256": "$images_sum"}]},
  {"name": "loose", "url": "http://publisher.invalid/loose",
   "files": [{"file_name": "loose.tar.gz", "unpack": ["cifar-10-batches-bin/"]}]}
]}
JSON

start_range_server "$m"
mirror=$server_url
data=$work/data
run() { "$fetch" --catalog "$work/catalog.json" --data-dir "$data" "$@" > "$work/out" 2>&1; }
fails() { ! run "$@"; }

check "fetch tinymnist and tinycifar from the mirror (images drop once, then resume)" \
  run tinymnist tinycifar --data-base-url "$mirror"
check "the retry asked for a Range" \
  grep -q '"path": "/tinymnist/train-images-idx3-ubyte.gz", "range": "bytes=120000-"' "$work/requests.log"
check "images bytes match" cmp -s "$data/tinymnist/train-images-idx3-ubyte.gz" \
  "$m/tinymnist/train-images-idx3-ubyte.gz"
check "labels (MD5 pin) bytes match" cmp -s "$data/tinymnist/train-labels-idx1-ubyte.gz" \
  "$m/tinymnist/train-labels-idx1-ubyte.gz"
check "... and its SHA-256 recorded" grep -q "^$(sum "$m/tinymnist/train-labels-idx1-ubyte.gz")  train-labels-idx1-ubyte.gz$" \
  "$data/tinymnist/SHA256SUMS"
check "cifar batches unpacked as in the tarball" cmp -s "$data/tinycifar/cifar-10-batches-bin/test_batch.bin" \
  "$work/archive/cifar-10-batches-bin/test_batch.bin"
check "... with no staging directory left" bash -c "! ls -a '$data/tinycifar' | grep -q extracting"
check "second fetch (mirror from FPT_DATA_URL) skips verified files" \
  env FPT_DATA_URL="$mirror" "$fetch" --catalog "$work/catalog.json" --data-dir "$data" tinycifar tinymnist --quiet
FPT_DATA_URL="$mirror" run tinycifar
check "it says so" output_has "already unpacked, verified"
check "--verify-only passes" run tinymnist tinycifar --verify-only
check "FPT_DATA_DIR is the default data directory" \
  env FPT_DATA_DIR="$data" "$fetch" --catalog "$work/catalog.json" tinycifar --verify-only --quiet

head -c 100 /dev/urandom | dd of="$data/tinymnist/train-images-idx3-ubyte.gz" conv=notrunc status=none
check "--verify-only on a modified download exits 1" fails tinymnist --verify-only
check "... naming the file and the sums" output_has "train-images-idx3-ubyte.gz: sha256 [0-9a-f]{64}, expected $images_sum"
printf 'changed' >> "$data/tinycifar/cifar-10-batches-bin/data_batch_1.bin"
check "--verify-only on a modified unpacked file exits 1" fails tinycifar --verify-only
check "... naming it" output_has "cifar-10-batches-bin/data_batch_1.bin: sha256 [0-9a-f]{64}, expected"
check "a fetch repairs both" run tinymnist tinycifar --data-base-url "$mirror"
check "... verified afterwards" run tinymnist tinycifar --verify-only

check "a corrupted download is rejected" fails bad --data-base-url "$mirror" --retries 0
check "... naming the file and both sums" output_has "bad/file.gz: SHA-256 mismatch: expected $images_sum, found [0-9a-f]{64}"
check "... and nothing lands" test ! -e "$data/bad/file.gz" -a ! -e "$data/bad/file.gz.partial"

check "an unpinned archive is refused" fails loose --data-base-url "$mirror"
check "... pointing at --trust-unpinned" output_has "data set 'loose': no pinned SHA-256 for loose.tar.gz.*--trust-unpinned"
check "... before downloading" bash -c "! grep -q loose.tar.gz '$work/requests.log'"
check "--trust-unpinned fetches, records and unpacks it" run loose --data-base-url "$mirror" --trust-unpinned
check "... in SHA256SUMS" grep -q "^$cifar_sum  loose.tar.gz$" "$data/loose/SHA256SUMS"
check "... unpacked" test -f "$data/loose/cifar-10-batches-bin/data_batch_1.bin"

check "an unknown name lists weights and data sets" fails tinymnsit
check "... by name" output_has "unknown weights 'tinymnsit'.*data sets: tinymnist, tinycifar, bad, loose"

stop_range_server
rm -rf "$data/tinymnist"
check "an unreachable mirror exits 1" fails tinymnist --data-base-url "$mirror" --retries 0
check "... naming the URL, the options and the target path" \
  output_has "$mirror/tinymnist/train-images-idx3-ubyte.gz.*unreachable.*--data-base-url.*FPT_DATA_URL.*$data/tinymnist/train-images-idx3-ubyte.gz"

check "--list shows the built-in data sets with their pins" bash -c \
  "'$fetch' --list --data-dir '$data' | grep -Eq 'cifar-10-binary.tar.gz +170.1 MB +pinned +not present, not unpacked'"
finish fetch_data
