#!/usr/bin/env bash
# Integration test: the paper's figures from small real runs. A tiny sweep (figures_sweep.yaml:
# gpt2-tiny random and Bit-Memory-pretrained on Bit XOR and Bit Memory, two seeds) and a trained
# frozen gpt2-tiny on Bit XOR with its attention map (fpt_train --attention-map), drawn by
# fpt_figures with gnuplot. Checks: every PNG has the PNG signature, every SVG parses as XML with
# an <svg> root, both are of non-trivial size; the curve data equal the per-step means computed
# here from the result files (read with h5dump); the attention map is a causal distribution over
# the example's 10 bits and its targets are the XOR of the two 5-bit strings; a missing gnuplot
# is named.
#   figures.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 source=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
source "$source/scripts/mpi_env.sh"

FPT_DATA_DIR="$work/data" mpirun -np 2 $FPT_MPIRUN_ARGS "$build/fpt_sweep" \
  "$source/tests/integration/figures_sweep.yaml" --output "$work/results" > "$work/sweep.log"
"$build/fpt_train" --task bit-xor --body gpt2-tiny --steps 60 --eval_every 30 --eval_batches 2 \
  --lr 3e-3 --threads 1 --attention-map "$work/xor_attention.tsv" --attention-head 1 \
  --output "$work/xor.h5" > "$work/train.log"
grep -q "attention map of layer 0 head 1" "$work/train.log" || { echo "FAIL: no attention map line"; cat "$work/train.log"; exit 1; }

"$build/fpt_figures" "$work/results" --attention-map "$work/xor_attention.tsv" \
  --out "$work/figures" | tee "$work/figures.log"
grep -q "fpt_figures: 6 figures" "$work/figures.log" || { echo "FAIL: expected 6 figures"; exit 1; }

python3 - "$work" <<'PY'
import glob, os, re, subprocess, sys, xml.etree.ElementTree as ET
work = sys.argv[1]
figures = os.path.join(work, "figures")

def fail(message):
    print("FAIL:", message)
    sys.exit(1)

for stem in ["curves_bit-xor", "curves_bit-memory", "attention_xor_attention"]:
    png = open(os.path.join(figures, stem + ".png"), "rb").read()
    if not png.startswith(b"\x89PNG\r\n\x1a\n") or len(png) < 5000:
        fail(f"{stem}.png is not a PNG of real size ({len(png)} bytes)")
    svg_path = os.path.join(figures, stem + ".svg")
    root = ET.parse(svg_path).getroot()  # raises on malformed XML
    if not root.tag.endswith("svg") or os.path.getsize(svg_path) < 5000:
        fail(f"{stem}.svg: root {root.tag}, {os.path.getsize(svg_path)} bytes")

def h5(path, kind, name):
    """One attribute (-a) or dataset (-d) of an HDF5 file, read by h5dump, as a list of values."""
    text = subprocess.run(["h5dump", "-y", "-w", "0", "-m", "%.17g", kind, name, path], check=True,
                          capture_output=True, text=True).stdout
    data = text[text.index("DATA {") + len("DATA {"):]
    data = data[:data.index("}")]
    strings = re.findall(r'"([^"]*)"', data)
    return strings if strings else [float(v) for v in data.replace("\n", " ").split(",") if v.strip()]

# Per task and init: step -> accuracies (%) of the completed runs, from the result files.
expected = {}
for path in sorted(glob.glob(os.path.join(work, "results", "*.h5"))):
    if h5(path, "-a", "/status")[0] != "completed":
        fail(f"{path} did not complete")
    if h5(path, "-a", "/tag")[0].endswith("_bit-pretraining"):
        continue
    task, init = h5(path, "-a", "/spec/task")[0], h5(path, "-a", "/spec/init")[0]
    steps, accuracies = h5(path, "-d", "/curves/step"), h5(path, "-d", "/curves/eval_accuracy")
    for step, accuracy in zip(steps, accuracies):
        expected.setdefault((task, init), {}).setdefault(int(step), []).append(100 * accuracy)
if len(expected) != 4:
    fail(f"expected 4 (task, init) lines from the result files, got {sorted(expected)}")

for task in ["bit-xor", "bit-memory"]:
    text = open(os.path.join(figures, f"curves_{task}.tsv")).read()
    blocks = [b for b in text.split("\n\n\n")]
    labels = re.findall(r"^# line \d+: (\S+)", text, re.M)
    if labels != ["bit", "random"] or len(blocks) != 2:
        fail(f"curves_{task}.tsv: lines {labels}, {len(blocks)} blocks")
    for label, block in zip(labels, blocks):
        rows = [[float(v) for v in line.split("\t")] for line in block.splitlines()
                if line and not line.startswith("#")]
        want = expected[(task, label)]
        if [int(r[0]) for r in rows] != sorted(want):
            fail(f"{task}/{label}: steps {[r[0] for r in rows]} vs {sorted(want)}")
        for row in rows:
            values = want[int(row[0])]
            mean = sum(values) / len(values)
            if row[1] != len(values) or abs(row[2] - mean) > 1e-6:
                fail(f"{task}/{label} step {row[0]}: file {row[1:3]} vs n={len(values)} mean={mean}")

lines = open(os.path.join(work, "xor_attention.tsv")).read().splitlines()
header = dict(l[2:].split(" ", 1) for l in lines if l.startswith("# ") and " " in l[2:])
bits = header["labels"].split("\t")
targets = header["targets"].split("\t")
if header["task"] != "bit-xor" or header["head"] != "1" or len(bits) != 10:
    fail(f"attention header {header}")
if targets != [str(int(a) ^ int(b)) for a, b in zip(bits[:5], bits[5:])]:
    fail(f"targets {targets} are not the XOR of {bits[:5]} and {bits[5:]}")
rows = [[float(v) for v in l.split("\t")] for l in lines if l and not l.startswith("#")]
if len(rows) != 10 or any(len(r) != 10 for r in rows):
    fail("attention map is not 10 x 10")
for i, row in enumerate(rows):
    if abs(sum(row) - 1) > 1e-5 or any(v != 0 for v in row[i + 1:]):
        fail(f"attention row {i} is not a causal distribution: {row}")
print("figure files and data: OK")
PY

# Without gnuplot: a clear error naming it, the data and the script still written.
if PATH=/nonexistent "$build/fpt_figures" "$work/results" --out "$work/no-gnuplot" > "$work/no_gnuplot.log" 2>&1; then
  echo "FAIL: fpt_figures succeeded without gnuplot"; exit 1
fi
grep -q "gnuplot is not installed.*apt-get install gnuplot-nox" "$work/no_gnuplot.log" || { echo "FAIL: message"; cat "$work/no_gnuplot.log"; exit 1; }
[ -f "$work/no-gnuplot/figures.gp" ] || { echo "FAIL: figures.gp not kept"; exit 1; }
echo "figures: OK"
