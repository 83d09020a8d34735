#!/usr/bin/env bash
# fetch_weights.sh BUILD_DIR SOURCE_DIR WORK_DIR: runs the real fpt_fetch binary against the local
# range server (tests/tools/range_http_server.py) with a --catalog pointing at fixture files whose
# sums come from coreutils' sha256sum: download, a resumed download, skip when cached,
# --verify-only, a corrupted cache, an unknown name, an unpinned file, and an unreachable hub.
set -u
build=$1
source=$2
work=$3
fetch=$build/fpt_fetch
rm -rf "$work"
mkdir -p "$work/hub/org/tiny/resolve/rev1" "$work/hub/org/big/resolve/rev1"
source "$source/tests/integration/fetch_test_lib.sh"

head -c 250000 /dev/urandom > "$work/hub/org/tiny/resolve/rev1/model.safetensors"
printf '{"n_layer": 2}\n' > "$work/hub/org/tiny/resolve/rev1/config.json"
head -c 400000 /dev/urandom > "$work/hub/org/big/resolve/rev1/model.safetensors"
echo "150000 1" > "$work/hub/org/big/resolve/rev1/model.safetensors.drop"  # first request drops
model_sum=$(sha256sum "$work/hub/org/tiny/resolve/rev1/model.safetensors" | cut -d' ' -f1)
config_sum=$(sha256sum "$work/hub/org/tiny/resolve/rev1/config.json" | cut -d' ' -f1)
big_sum=$(sha256sum "$work/hub/org/big/resolve/rev1/model.safetensors" | cut -d' ' -f1)
cat > "$work/catalog.json" <<JSON
{"weights": [
  {"name": "tiny", "repository": "org/tiny", "revision": "rev1", "description": "fixture",
   "files": [{"file_name": "model.safetensors", "sha256": "$model_sum", "size": 250000},
             {"file_name": "config.json", "sha256": "$config_sum", "size": 15}]},
  {"name": "big", "repository": "org/big", "revision": "rev1",
   "files": [{"file_name": "model.safetensors", "sha256": "$big_sum", "size": 400000}]},
  {"name": "loose", "repository": "org/tiny", "revision": "rev1",
   "files": [{"file_name": "config.json", "sha256": "", "size": 0}]}
]}
JSON

start_range_server "$work/hub" --redirect
hub=$server_url
weights=$work/weights
run() { "$fetch" --catalog "$work/catalog.json" --weights-dir "$weights" "$@" > "$work/out" 2>&1; }

check "fetch tiny and big (big drops once, then resumes)" run tiny big --base-url "$hub"
check "tiny model bytes match" cmp -s "$weights/tiny/model.safetensors" \
  "$work/hub/org/tiny/resolve/rev1/model.safetensors"
check "big model bytes match" cmp -s "$weights/big/model.safetensors" \
  "$work/hub/org/big/resolve/rev1/model.safetensors"
check "the retry asked for a Range" grep -q '"range": "bytes=150000-"' "$work/requests.log"
check "progress went to stderr" output_has "\[fetch\]"
check "second fetch skips verified files (hub from FPT_HUB_URL)" \
  env FPT_HUB_URL="$hub" "$fetch" --catalog "$work/catalog.json" --weights-dir "$weights" tiny
FPT_HUB_URL="$hub" run tiny --quiet
check "it says so" output_has "model.safetensors: already present, verified"
check "--verify-only passes" run tiny big --verify-only

head -c 1000 /dev/urandom | dd of="$weights/tiny/model.safetensors" conv=notrunc status=none
check "--verify-only on a corrupted cache exits 1" bash -c "! '$fetch' --catalog '$work/catalog.json' --weights-dir '$weights' tiny --verify-only > '$work/out' 2>&1"
check "... naming the file and the sums" output_has "model.safetensors: sha256 [0-9a-f]{64}, expected $model_sum"

check "an unknown name exits 1 listing the names" bash -c "! '$fetch' --catalog '$work/catalog.json' --weights-dir '$weights' tinny > '$work/out' 2>&1"
check "... valid names listed" output_has "unknown weights 'tinny'.*tiny, big, loose"

check "an unpinned file is refused" bash -c "! '$fetch' --catalog '$work/catalog.json' --weights-dir '$weights' loose --base-url '$hub' > '$work/out' 2>&1"
check "... pointing at --trust-unpinned" output_has "trust-unpinned"
check "--trust-unpinned fetches and records it" run loose --base-url "$hub" --trust-unpinned
check "... in SHA256SUMS" grep -q "^$config_sum  config.json$" "$weights/loose/SHA256SUMS"

stop_range_server
rm -rf "$weights/tiny"
check "an unreachable hub exits 1" bash -c "! '$fetch' --catalog '$work/catalog.json' --weights-dir '$weights' tiny --base-url '$hub' --retries 0 > '$work/out' 2>&1"
check "... with offline advice and the cache path" output_has "unreachable.*--base-url.*FPT_HUB_URL.*$weights/tiny/model.safetensors"

check "the built-in catalogue lists gpt2 pinned" bash -c "'$fetch' --list --weights-dir '$weights' | grep -q 'openai-community/gpt2@607a30d783dfa663caf39e06633721c8d4cfcd7e'"
finish fetch_weights
