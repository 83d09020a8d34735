#!/usr/bin/env python3
"""Writes a tiny TAPE remote homology release under tests/data/tape/, structured exactly like TAPE's
own files (github.com/songlab-cal/tape, tape/datasets.py), in both formats fpt reads:

  lmdb/remote_homology/remote_homology_<split>.lmdb/   data.mdb (lock.mdb removed), written with the
        python `lmdb` package as TAPE's LMDB release is: key b"num_examples" -> pickle of the
        record count, key str(i).encode() -> pickle of record i (a dict)
  json/remote_homology_<split>.json                    TAPE's JSON release: a JSON list of the same
        records, numpy arrays as nested lists

for the five splits train, valid, test_fold_holdout, test_superfamily_holdout,
test_family_holdout. Records carry TAPE's full field set: id, primary, protein_length,
class_label, fold_label, superfamily_label, family_label, and the per-residue numpy arrays
secondary_structure (int64), solvent_accessibility (int64) and evolutionary (float32, L x 20), so
the C++ restricted unpickler meets numpy arrays (GLOBAL/STACK_GLOBAL + REDUCE + BUILD) it must
skip. The splits use different pickle protocols (TAPE's own files are protocol 3, Python 3's
default when they were made) and one split stores its labels as numpy int64 scalars, so every path
of the decoder is exercised by real Python pickles:

  train 3, valid 4 (FRAME, STACK_GLOBAL, MEMOIZE), test_fold_holdout 5, test_superfamily_holdout 2,
  test_family_holdout 3 with numpy int64 labels

Deterministic (numpy seed 0); sequences use every letter of the iupac vocabulary (A-Z but J) and
fold labels include 0 and 1194. The C++ tests (tests/unit/tasks/tape_reader_test.cpp) check the
decoded tokens against expected.json, written here from the same records.

Run (a venv of its own with lmdb and numpy):
  python3 -m venv /var/cache/fpt/tape-fixture-venv
  /var/cache/fpt/tape-fixture-venv/bin/pip install lmdb numpy
  /var/cache/fpt/tape-fixture-venv/bin/python tests/tools/make_tape_fixture.py [OUT_DIR]
OUT_DIR defaults to tests/data/tape (the script's repository); the result stays < 300 KB.
"""

import json
import os
import pickle
import shutil
import sys

import lmdb
import numpy as np

SPLITS = {  # split -> (records, pickle protocol, labels as numpy scalars)
    "train": (16, 3, False),
    "valid": (6, 4, False),
    "test_fold_holdout": (4, 5, False),
    "test_superfamily_holdout": (4, 2, False),
    "test_family_holdout": (4, 3, True),
}
LETTERS = "ABCDEFGHIKLMNOPQRSTUVWXYZ"  # TAPE's iupac letters, ids 5..29
COMMON = "ACDEFGHIKLMNPQRSTVWY"        # the 20 standard amino acids


def make_record(rng, split, index, numpy_labels):
    length = int(rng.integers(4, 33))
    primary = "".join(rng.choice(list(COMMON), size=length))
    if index == 0:  # the rare letters once per split: B, O, U, X, Z
        primary = "BOUXZ" + primary[5:] if length > 5 else "BOUXZ"
        length = len(primary)
    fold = int(rng.integers(0, 1195))
    if split == "train" and index == 0:
        fold = 0
    if split == "train" and index == 1:
        fold = 1194
    labels = {
        "class_label": int(rng.integers(0, 7)),
        "fold_label": fold,
        "superfamily_label": int(rng.integers(0, 1823)),
        "family_label": int(rng.integers(0, 3439)),
    }
    if numpy_labels:
        labels = {key: np.int64(value) for key, value in labels.items()}
    return {
        "id": f"d{split[:4]}{index:03d}a_",
        "primary": primary,
        "protein_length": np.int64(length) if numpy_labels else length,
        **labels,
        "secondary_structure": rng.integers(0, 3, size=length).astype(np.int64),
        "solvent_accessibility": rng.integers(0, 2, size=length).astype(np.int64),
        # multiples of 1/8: exact in float32 and short in JSON
        "evolutionary": (rng.integers(0, 9, size=(length, 20)) / 8).astype(np.float32),
    }


def to_json(record):
    out = {}
    for key, value in record.items():
        if isinstance(value, np.ndarray):
            out[key] = value.tolist()
        elif isinstance(value, np.integer):
            out[key] = int(value)
        else:
            out[key] = value
    return out


def write_lmdb(path, records, protocol):
    if os.path.exists(path):
        shutil.rmtree(path)
    env = lmdb.open(path, map_size=4 << 20)  # grows data.mdb only as far as it is used
    with env.begin(write=True) as txn:
        for i, record in enumerate(records):
            txn.put(str(i).encode(), pickle.dumps(record, protocol=protocol))
        txn.put(b"num_examples", pickle.dumps(len(records), protocol=protocol))
    env.close()
    # lmdb's lock file holds no data (fpt opens the split without it, as on read-only media); left
    # out to keep the fixture small.
    os.remove(os.path.join(path, "lock.mdb"))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "data", "tape")
    lmdb_dir = os.path.join(out, "lmdb", "remote_homology")
    json_dir = os.path.join(out, "json")
    os.makedirs(lmdb_dir, exist_ok=True)
    os.makedirs(json_dir, exist_ok=True)
    rng = np.random.default_rng(0)
    expected = {}
    for split, (count, protocol, numpy_labels) in SPLITS.items():
        records = [make_record(rng, split, i, numpy_labels) for i in range(count)]
        write_lmdb(os.path.join(lmdb_dir, f"remote_homology_{split}.lmdb"), records, protocol)
        with open(os.path.join(json_dir, f"remote_homology_{split}.json"), "w") as f:
            json.dump([to_json(r) for r in records], f, separators=(",", ":"))
        expected[split] = {
            "protocol": protocol,
            "ids": [r["id"] for r in records],
            "primary": [r["primary"] for r in records],
            "fold_label": [int(r["fold_label"]) for r in records],
        }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    print(f"wrote {out}: {total} bytes")


if __name__ == "__main__":
    main()
