#!/usr/bin/env bash
# fpt_prepare on ListOps, as a user runs it:
#   --verify on a file with a corrupted label and a malformed line: both listed by line number,
#            exit 1; on a correct file: a count summary, exit 0;
#   --raw    on a small LRA-format directory: one set of shards per split, and fpt_train then
#            trains from them (the stderr log names no fallback; a damaged shard is an error).
#   listops_prepare.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$1
work=$2
rm -rf "$work"
mkdir -p "$work/lra"
tab=$'\t'

# --- --verify: line 3 mislabelled (MIN 2 9 is 2), line 4 lacks its closing bracket, line 5 Target not a digit
cat > "$work/bad.tsv" <<TSV
Source${tab}Target
( ( ( [MAX 2 ) 9 ) ] )${tab}9
( ( ( [MIN 2 ) 9 ) ] )${tab}9
( ( ( [SM 4 ) 9 )${tab}3
( ( ( [MED 1 ) 5 ) ] )${tab}x
( ( ( [MED 1 ) 5 ) ] )${tab}3
TSV
set +e
output=$("$build/fpt_prepare" listops --verify "$work/bad.tsv" 2>&1)
code=$?
set -e
printf '%s\n' "$output"
[ $code -ne 0 ] || { echo "FAIL: --verify accepted a corrupted file" >&2; exit 1; }
printf '%s\n' "$output" | grep -Eq "bad.tsv:3: disagrees: Target 9, the expression evaluates to 2" \
  || { echo "FAIL: line 3 (wrong label) not reported" >&2; exit 1; }
printf '%s\n' "$output" | grep -Eq "bad.tsv:4: unparsable" \
  || { echo "FAIL: line 4 (unbalanced) not reported" >&2; exit 1; }
printf '%s\n' "$output" | grep -Eq "bad.tsv:5: unparsable: Target 'x'" \
  || { echo "FAIL: line 5 (bad Target) not reported" >&2; exit 1; }
printf '%s\n' "$output" | grep -Eq "5 examples: 2 agree, 1 disagree, 2 unparsable" \
  || { echo "FAIL: no summary" >&2; exit 1; }
if printf '%s\n' "$output" | grep -Eq "bad.tsv:(2|6):"; then
  echo "FAIL: a correct line was reported" >&2; exit 1
fi

# --- a small correct LRA-format release: every split, each a handful of examples
for split in train val test; do
  {
    printf 'Source\tTarget\n'
    printf '( ( ( [MAX 2 ) 9 ) ] )\t9\n'
    printf '( ( ( [MIN 2 ) 9 ) ] )\t2\n'
    printf '( ( ( ( [SM 4 ) 9 ) 3 ) ] )\t6\n'
    printf '( ( ( [MED 1 ) 5 ) ] )\t3\n'
    printf '( ( ( [MAX 0 ) ( ( ( [MIN 7 ) 8 ) ] ) ) ] )\t7\n'
  } > "$work/lra/basic_$split.tsv"
done
"$build/fpt_prepare" listops --verify "$work/lra/basic_train.tsv" | tee "$work/verify_ok.txt"
grep -q "5 examples, every Target agrees" "$work/verify_ok.txt"

"$build/fpt_prepare" listops --raw "$work/lra" --out "$work/shards" --shard-size 2 | tee "$work/prepare.txt"
for split in train val test; do
  for i in 0 1 2; do
    [ -f "$work/shards/$split-0000$i-of-00003.h5" ] || { echo "FAIL: $split shard $i missing" >&2; exit 1; }
  done
done

# fpt_train on the release directory reads the shards made from it (FPT_SHARDS_DIR/listops)
mkdir -p "$work/shards_root"
mv "$work/shards" "$work/shards_root/listops"
FPT_SHARDS_DIR="$work/shards_root" "$build/fpt_train" --task listops --body gpt2-tiny --steps 2 \
  --batch_size 2 --eval_every 2 --eval_batches 1 --listops_data "$work/lra" \
  --output "$work/run.h5" 2> "$work/train.err" | tail -2
if grep -q "not using the shards" "$work/train.err"; then
  cat "$work/train.err" >&2; echo "FAIL: shards were not used" >&2; exit 1
fi
[ -f "$work/run.h5" ] || { echo "FAIL: no result file" >&2; exit 1; }

# ... and really reads them: a damaged shard is now an error naming it
echo "not hdf5" > "$work/shards_root/listops/val-00001-of-00003.h5"
set +e
output=$(FPT_SHARDS_DIR="$work/shards_root" "$build/fpt_train" --task listops --body gpt2-tiny \
  --steps 1 --listops_data "$work/lra" --output "$work/run2.h5" 2>&1)
code=$?
set -e
printf '%s\n' "$output" | tail -3
[ $code -ne 0 ] || { echo "FAIL: a damaged shard went unnoticed" >&2; exit 1; }
printf '%s\n' "$output" | grep -q "val-00001-of-00003.h5.*rerun fpt_prepare" \
  || { echo "FAIL: the error does not name the shard and the fix" >&2; exit 1; }
echo "listops_prepare: ok"
