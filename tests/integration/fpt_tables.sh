#!/usr/bin/env bash
# Integration test: a tiny real sweep (random and Bit-Memory-pretrained gpt2-tiny on Bit XOR, two
# seeds), then fpt_tables on its results: Table 2 in Markdown, its cells in CSV checked against
# the accuracies read from the run files with h5dump, LaTeX written to a file, a table the results
# cannot fill (error naming the missing axes), a corrupted file (named, skipped), a file of
# another grid (refused, then --foreign skip), and --collect writing results.h5 (used by
# results_python_example.sh).
#   fpt_tables.sh BUILD_DIR WORK_DIR
set -uo pipefail
build=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
source "$(dirname "$0")/../../scripts/mpi_env.sh"
fail() { echo "FAIL: $*"; exit 1; }
tables() { "$build/fpt_tables" "$@" > "$work/out.txt" 2> "$work/err.txt"; }

cat > "$work/sweep.yaml" <<'YAML'
name: tables-it
runtime: {threads: 1}
defaults: {body: gpt2-tiny, task: bit-xor, steps: 20, batch_size: 8, eval_every: 10,
           eval_batches: 2, bit_pretrain_steps: 20}
axes:
  init: [random, bit]
  seed: [0, 1]
YAML
mpirun -np 1 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$work/sweep.yaml" --output "$work/results" \
  > "$work/sweep.log" 2>&1 || { cat "$work/sweep.log"; fail "fpt_sweep exited non-zero"; }
[ "$(ls "$work/results"/*.h5 | wc -l)" -eq 5 ] || fail "expected 5 run files (4 + the Bit pretraining)"

# Markdown: every table the results fill; Table 2's Random and Bit rows over two seeds.
tables "$work/results" || { cat "$work/out.txt" "$work/err.txt"; fail "fpt_tables exited non-zero"; }
cat "$work/out.txt"
grep -q "^### table2: " "$work/out.txt" || fail "no Table 2"
grep -Eq "^\| Random \| — / 75.8 \| \*\*[0-9.]+( ± [0-9.]+)?\*\* \(n=2\) / 100.0 \(Δ [-+][0-9.]+\) \||^\| Random \| — / 75.8 \| [0-9.]+( ± [0-9.]+)? \(n=2\) / 100.0" "$work/out.txt" ||
  fail "Random row of Table 2"
grep -Eq "^\| Bit \(Bit Memory\) \| — / 100.0 \| (\*\*)?[0-9.]+" "$work/out.txt" || fail "Bit row of Table 2"
grep -q "sizes" "$work/err.txt" || fail "unfilled tables not named on stderr"

# CSV: the Random / XOR cell against the run files' accuracies (bit-xor has no full pass, so the
# headline accuracy is final_eval_accuracy), read with h5dump.
tables "$work/results" --table table2 --format csv || fail "csv exited non-zero"
attribute() { h5dump -a "$1" "$2" | grep -oE '\(0\): .*' | sed 's/^(0): //; s/"//g'; }
expected=$(for f in "$work/results"/*.h5; do
  [ "$(attribute /spec/init "$f")" = random ] && [ "$(attribute /spec/trains "$f")" = fpt ] &&
    [ "$(attribute /spec/task "$f")" = bit-xor ] && attribute /final/final_eval_accuracy "$f"
done | awk '{s += 100 * $1; n++} END {if (n == 2) printf "%.6f", s / n}')
[ -n "$expected" ] || fail "did not find the two random bit-xor run files"
line=$(grep '^table2,Random,XOR,' "$work/out.txt") || fail "no Random,XOR line in the CSV"
echo "CSV: $line (expected mean $expected)"
awk -F, -v e="$expected" '{d = $4 - e; if (d < 0) d = -d; exit !(d < 1e-4 && $6 == 2 && $10 == 100 && $13 == "ok")}' <<< "$line" ||
  fail "CSV cell differs from the run files"
[ "$(wc -l < "$work/out.txt")" -eq 29 ] || fail "CSV of Table 2 should have 1 + 4 x 7 lines"

# LaTeX to a file.
tables "$work/results" --table table2 --format latex --out "$work/table2.tex" || fail "latex"
grep -q '\\toprule' "$work/table2.tex" && grep -q '\\bottomrule' "$work/table2.tex" || fail "booktabs rules"
if command -v pdflatex > /dev/null; then
  printf '\\documentclass{article}\\usepackage{booktabs,graphicx}\\begin{document}\\input{table2.tex}\\end{document}\n' > "$work/doc.tex"
  (cd "$work" && pdflatex -interaction=nonstopmode doc.tex > latex.log 2>&1) || fail "LaTeX does not compile"
fi

# A table the results cannot fill says what is missing.
tables "$work/results" --table sizes && fail "--table sizes succeeded without CIFAR-10 results"
grep -q "cannot be filled" "$work/err.txt" && grep -q "no experiment has task=cifar10" "$work/err.txt" ||
  { cat "$work/err.txt"; fail "unfillable message"; }

# A corrupted file is named and skipped.
echo "not hdf5" > "$work/results/00000000deadbeef.h5"
tables "$work/results" --table table2 || fail "a corrupted file stopped fpt_tables"
grep -q "skipped corrupted file $work/results/00000000deadbeef.h5" "$work/err.txt" || fail "corrupted file not named"

# A run file of another grid is refused unless asked.
mpirun -np 1 $FPT_MPIRUN_ARGS "$build/fpt_sweep" "$work/sweep.yaml" --output "$work/other" \
  --set steps=10 --where init=random --where seed=0 > "$work/other.log" 2>&1 || { cat "$work/other.log"; fail "second sweep"; }
foreign=$(ls "$work/other"/*.h5)
cp "$foreign" "$work/results/"
tables "$work/results" && fail "a file of another grid was accepted"
grep -q "belong to another sweep or grid" "$work/err.txt" && grep -q "$(basename "$foreign")" "$work/err.txt" ||
  { cat "$work/err.txt"; fail "foreign file not named"; }
tables "$work/results" --foreign skip --collect || { cat "$work/err.txt"; fail "--foreign skip"; }
grep -q "skipped foreign file" "$work/err.txt" || fail "skipped foreign file not reported"

# The collection beside the directory: one compound /summary with the 5 experiments.
[ -f "$work/results.h5" ] || fail "--collect did not write results.h5"
h5dump -H -d /summary "$work/results.h5" | grep -q "DATASPACE  SIMPLE { ( 5 ) / ( 5 ) }" ||
  { h5dump -H -d /summary "$work/results.h5" | head -20; fail "/summary should have 5 rows"; }
echo "fpt_tables: OK"
