#!/usr/bin/env python3
"""Checks fpt_tables' CSV of one paper table against values computed here, independently, from the
per-experiment run files (h5py): which experiments land in each cell, their mean, sample standard
deviation, counts, status, difference to the published number, the bold cell, and (convergence)
the speed-up ratio. The table layouts below are written from ../shared/reference/fpt_spec.md §4,
not read from fpt's declaration (src/fpt/results/tables/paper_tables.cpp), so a wrong row, column,
condition or published number there shows up here as a differing cell. The stand-ins of the
scaled runs (MiniLM for GPT-2, MNIST for CIFAR-10, gpt2-tiny / gpt2-mini for base / medium) are a
design choice, not the paper's, and are the same words here as there; alternatives are in order
of preference: a cell uses the first alternative any of its runs matches.

    check_paper_table.py RESULTS_DIR TABLE_CSV TABLE_NAME --min-ok N

Exit status 0 when every cell agrees and at least N cells hold numbers; 1 otherwise, with one
line per disagreement.
"""
import argparse
import csv
import json
import math
import pathlib
import sys

import h5py
import numpy as np

# The language-pretrained body (GPT-2 of any size, or MiniLM where a scaled run swaps it in) and
# CIFAR-10 (or the MNIST a scaled run stands in for it) in the tables without an MNIST column.
LANGUAGE = "gpt2*|minilm"
CIFAR10 = "cifar10|mnist"
TASKS = [("Memory", "bit-memory"), ("XOR", "bit-xor"), ("ListOps", "listops"), ("MNIST", "mnist"),
         ("CIFAR-10", "cifar10"), ("C10 LRA", "cifar10-gray"), ("Homology", "remote-homology")]
TASK_COLUMNS = [(label, {"task": task}) for label, task in TASKS]
FPT = "input,output,pos,ln"


def groups(init):
    return [("output only", {"init": init, "trains": "output"}),
            ("+ LayerNorm", {"init": init, "trains": "output,ln"}),
            ("+ input", {"init": init, "trains": "output,ln,input"}),
            ("+ positions", {"init": init, "trains": FPT})]


# name: (every cell's conditions, rows, columns, metric, published[row][column] or None)
TABLES = {
    "table1": ({}, [("FPT", {"body": LANGUAGE, "init": "pretrained", "trains": FPT}),
                    ("Full", {"body": LANGUAGE, "init": "random", "trains": "full"}),
                    ("LSTM", {"body": "lstm*", "init": "random", "trains": "full"})],
               TASK_COLUMNS, "accuracy",
               [[100, 100, 38.4, 98.0, 72.1, 38.6, 12.7], [100, 100, 38, 99.1, 70.3, 42, 9],
                [60.9, 50.1, 17.1, 99.5, 73.6, 11.7, 12]]),
    "table2": ({"trains": FPT},
               [("FPT (language)", {"body": LANGUAGE, "init": "pretrained"}),
                ("Random", {"body": LANGUAGE, "init": "random"}),
                ("Bit (Bit Memory)", {"body": LANGUAGE, "init": "bit"}),
                ("ViT (ImageNet-21k)", {"body": "vit*", "init": "pretrained"})],
               TASK_COLUMNS, "accuracy",
               [[100, 100, 38.4, 98.0, 68.2, 38.6, 12.7], [75.8, 100, 34.3, 91.7, 61.7, 36.1, 9.3],
                [100, 100, 35.4, 97.8, 62.6, 36.7, 7.8], [100, 100, 37.4, 97.8, 72.5, 43.0, 7.5]]),
    "sizes": ({"task": CIFAR10, "trains": FPT},
              [("base", {"body": "gpt2|gpt2-tiny"}), ("medium", {"body": "gpt2-medium|gpt2-mini"}),
               ("large", {"body": "gpt2-large"})],
              [("FPT", {"init": "pretrained"}), ("Random", {"init": "random"})], "accuracy",
              [[68.2, 61.7], [69.8, 64.0], [72.1, 65.7]]),
    "convergence": ({"body": LANGUAGE, "trains": FPT}, TASK_COLUMNS,
                    [("FPT", {"init": "pretrained"}), ("Random", {"init": "random"})], "steps",
                    [[1e4, 4e4], [5e2, 2e4], [2e3, 6e3], [5e3, 2e4], [4e5, 4e5], [3e5, 6e5],
                     [1e5, 1e5]]),
    "ablation_params": ({"body": LANGUAGE}, groups("pretrained"), TASK_COLUMNS, "accuracy",
                        [[76, 56, 15, 23, 25, 17, 2], [94, 98, 36, 96, 54, 39, 9],
                         [100, 98, 36, 98, 60, 39, 10], [100, 100, 38, 98, 68, 39, 13]]),
    "ablation_params_random": ({"body": LANGUAGE}, groups("random"), TASK_COLUMNS, "accuracy",
                               [[None, 50, 17, 25, 20, 11, None], [None, 100, 35, 83, 46, 34, None],
                                [None, 100, 36, 92, 56, 36, None], [None, 100, 37, 92, 62, 36, None]]),
    "ablation_ln": ({"body": LANGUAGE, "task": CIFAR10},
                    [("pretrained", {"init": "pretrained"}), ("random", {"init": "random"})],
                    [("LN frozen", {"trains": "input,output,pos"}), ("LN trained", {"trains": FPT})],
                    "accuracy", [[61.5, 68.2], [55.0, 61.7]]),
    "unfreeze": ({"body": LANGUAGE, "init": "pretrained"},
                 [("+ feedforward", {"trains": FPT + ",ff"}),
                  ("+ attention", {"trains": FPT + ",attn"}),
                  ("+ both", {"trains": FPT + ",attn,ff"}),
                  ("+ feedforward, last attention", {"trains": FPT + ",ff,attn@-1"})],
                 TASK_COLUMNS, "accuracy",
                 [[100, 100, 36.0, 98.3, 76.6, 38.2, 13.1], [100, 100, 36.8, 89.0, 47.7, 23.0, 10.9],
                  [100, 100, 35.8, 93.1, 32.9, 21.0, 10.5], [None] * 4 + [80.0] + [None] * 2]),
    "init_stats": ({"body": LANGUAGE, "trains": FPT},
                   [("pretrained", {"init": "pretrained"}), ("statistics only", {"init": "stats"}),
                    ("random", {"init": "random"})], TASK_COLUMNS, "accuracy",
                   [[100, 100, 38.4, 98.0, 68.2, 38.6, 12.7], [100, 100, 37.4, 97.2, 56.5, 33.1, 11.0],
                    [75.8, 100, 34.3, 91.7, 61.7, 36.1, 9.3]]),
    "backbones": ({"init": "pretrained", "trains": FPT},
                  [("GPT-2", {"body": "gpt2"}), ("BERT", {"body": "bert*|minilm"}),
                   ("T5 encoder", {"body": "t5*"}), ("Longformer", {"body": "longformer*"})],
                  [("CIFAR-10", {"task": CIFAR10}), ("ListOps", {"task": "listops"})], "accuracy",
                  [[68.2, 38.4], [68.8, 38.3], [64.7, 15.4], [66.8, 17.0]]),
}


def trained_set(trains):
    return set(FPT.split(",")) if trains == "fpt" else {"".join(w.split()) for w in trains.split(",")}


def alternative_index(key, value, pattern):
    """The index of the first alternative of the pattern that the value matches, or None."""
    for index, alternative in enumerate(pattern.split("|")):
        if key == "trains":
            if trained_set(value) == trained_set(alternative):
                return index
        elif alternative.endswith("*"):
            if value.startswith(alternative[:-1]):
                return index
        elif value == alternative:
            return index
    return None


def text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def read_runs(results_dir):
    """Every run file of the sweep (those listed in plan_ids.txt, as fpt_tables reads them)."""
    plan_path = results_dir / "plan_ids.txt"
    plan = set(plan_path.read_text().split()) if plan_path.exists() else None
    runs = []
    for path in sorted(results_dir.glob("*.h5")):
        with h5py.File(path, "r") as f:
            if plan is not None and f.attrs["id"] not in plan:
                continue
            final = f["final"].attrs
            full, last = float(final["full_eval_accuracy"]), float(final["final_eval_accuracy"])
            curve_steps = f["curves/step"][:]
            curve_accuracy = f["curves/eval_accuracy"][:]
            runs.append({"path": path, "spec": json.loads(f["spec"].attrs["spec_json"]),
                         "completed": f.attrs["status"] == "completed",
                         "accuracy": 100.0 * (last if math.isnan(full) else full),
                         "curve": list(zip(curve_steps.tolist(), curve_accuracy.tolist()))})
    return runs


def steps_to_converge(curve, threshold=0.99):
    measured = [(step, accuracy) for step, accuracy in curve if not math.isnan(accuracy)]
    if not measured:
        return math.nan
    final = measured[-1][1]
    return float(next(step for step, accuracy in measured if accuracy >= threshold * final))


def expected_cells(name, runs):
    every, rows, columns, metric, published = TABLES[name]
    cells = {}
    for r, (row, row_when) in enumerate(rows):
        for c, (column, column_when) in enumerate(columns):
            when = {**every, **row_when, **column_when}
            matching = [run for run in runs if all(
                alternative_index(k, text(run["spec"][k]), v) is not None for k, v in when.items())]
            for key, pattern in when.items():  # the most preferred alternative present wins
                best = min((alternative_index(key, text(run["spec"][key]), pattern)
                            for run in matching), default=None)
                matching = [run for run in matching
                            if alternative_index(key, text(run["spec"][key]), pattern) == best]
            values = [run["accuracy"] if metric == "accuracy" else steps_to_converge(run["curve"])
                      for run in matching if run["completed"]]
            finite = [v for v in values if not math.isnan(v)]
            differing = sorted({k for run in matching for k in run["spec"]
                                if k != "seed" and run["spec"][k] != matching[0]["spec"][k]})
            if differing:
                status = "mixed: " + ", ".join(differing)
            elif not matching:
                status = "empty"
            elif not finite:
                status = "failed" if len(matching) > len(values) else "unmeasured"
            else:
                status = "ok"
            number = published[r][c] if published else None
            cells[(row, column)] = {
                "mean": float(np.mean(finite)) if finite and not differing else None,
                "std": float(np.std(finite, ddof=1)) if len(finite) > 1 and not differing else None,
                "n": len(finite), "failed": len(matching) - len(values),
                "unmeasured": len(values) - len(finite),
                "runs": len(matching), "published": number, "status": status,
                "files": [run["path"].name for run in matching]}
    # Bold: the best mean among the cells that compete (a column's rows; convergence: a row's
    # columns, fewest steps), when at least two compete.
    lower = metric == "steps"
    lines = ([[(row, column) for column, _ in columns] for row, _ in rows] if lower else
             [[(row, column) for row, _ in rows] for column, _ in columns])
    for line in lines:
        means = [cells[key]["mean"] for key in line if cells[key]["mean"] is not None]
        best = (min(means) if lower else max(means)) if len(means) >= 2 else None
        for key in line:
            cells[key]["best"] = best is not None and cells[key]["mean"] == best
    return cells


def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", type=pathlib.Path)
    parser.add_argument("table_csv", type=pathlib.Path)
    parser.add_argument("table", choices=sorted(TABLES))
    parser.add_argument("--min-ok", type=int, required=True,
                        help="cells that must hold numbers (the scaled grid fills that many)")
    args = parser.parse_args()

    runs = read_runs(args.results_dir)
    cells = expected_cells(args.table, runs)
    problems, seen, ratios, ok = [], set(), set(), 0
    with open(args.table_csv, newline="") as f:
        for line in csv.DictReader(f):
            if line["table"] != args.table:
                problems.append(f"line of another table: {line}")
                continue
            key = (line["row"], line["column"])
            if key not in cells:
                if args.table == "convergence" and line["column"].startswith("speed-up"):
                    if line["row"] in ratios:
                        problems.append(f"speed-up of {line['row']} twice in the CSV")
                    ratios.add(line["row"])
                    fpt, random = cells[(line["row"], "FPT")], cells[(line["row"], "Random")]
                    expected = (random["mean"] / fpt["mean"]
                                if fpt["mean"] and random["mean"] is not None else None)
                    got = float(line["mean"]) if line["mean"] else None
                    if (expected is None) != (got is None) or (got is not None and not close(got, expected)):
                        problems.append(f"{key}: speed-up {got}, expected {expected}")
                    continue
                problems.append(f"unexpected cell {key}")
                continue
            if key in seen:
                problems.append(f"{args.table}: cell {key} twice in the CSV")
            seen.add(key)
            cell = cells[key]
            where = f"{args.table} [{key[0]} / {key[1]}] (files: {', '.join(cell['files']) or 'none'})"
            got_mean = float(line["mean"]) if line["mean"] else None
            got_std = float(line["std"]) if line["std"] else None
            if (got_mean is None) != (cell["mean"] is None) or (
                    got_mean is not None and not close(got_mean, cell["mean"])):
                problems.append(f"{where}: mean {got_mean}, expected {cell['mean']}")
            if (got_std is None) != (cell["std"] is None) or (
                    got_std is not None and not close(got_std, cell["std"])):
                problems.append(f"{where}: std {got_std}, expected {cell['std']}")
            for field in ("n", "failed", "unmeasured", "runs"):
                if int(line[field]) != cell[field]:
                    problems.append(f"{where}: {field} {line[field]}, expected {cell[field]}")
            if line["status"] != cell["status"]:
                problems.append(f"{where}: status '{line['status']}', expected '{cell['status']}'")
            published = float(line["published"]) if line["published"] else None
            if published != cell["published"]:
                problems.append(f"{where}: published {published}, expected {cell['published']}")
            expected_delta = (got_mean - published
                              if got_mean is not None and published is not None else None)
            got_delta = float(line["delta"]) if line["delta"] else None
            if (got_delta is None) != (expected_delta is None) or (
                    got_delta is not None and not close(got_delta, expected_delta)):
                problems.append(f"{where}: delta {got_delta}, expected {expected_delta}")
            if (line["best"] == "1") != cell["best"]:
                problems.append(f"{where}: best {line['best']}, expected {cell['best']}")
            ok += cell["mean"] is not None
    for key in sorted(set(cells) - seen):
        problems.append(f"{args.table}: cell {key} missing from the CSV")
    if args.table == "convergence":
        for row, _ in TABLES[args.table][1]:
            if row not in ratios:
                problems.append(f"convergence: no speed-up line for {row}")
    if ok < args.min_ok:
        problems.append(f"{args.table}: {ok} cells hold numbers, expected at least {args.min_ok}")
    for problem in problems:
        print("FAIL:", problem)
    print(f"{args.table}: {len(seen)} cells checked against {len(runs)} run files, {ok} with numbers"
          + ("" if problems else ": all agree"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
