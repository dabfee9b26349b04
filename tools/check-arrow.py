#!/usr/bin/env python3
"""Checks a @ser/store result folder from outside JavaScript: every Arrow file is read with
pyarrow.ipc and with DuckDB, row counts and the metadata JSON are checked, and the consolidated
cells.arrow / epochs.arrow must be the union of the per-cell files. Exits 1 on any problem.

Usage: tools/check-arrow.sh RESULTS_DIR [--expect-cells N]   (the .sh makes the venv)
"""
import argparse
import json
import os
import sys

import duckdb
import pandas  # noqa: F401  (to_pandas below needs it; the README tells users to use it)
import pyarrow as pa
import pyarrow.ipc as ipc

TABLES = ["cells", "epochs", "predictions", "embeddings"]
REQUIRED = {
    "cells": ["cellId", "experiment", "sweepIndex", "fold", "seed", "status", "ua", "wa", "classes", "confusion", "configHash"],
    "epochs": ["cellId", "epoch", "lr", "trainLoss", "valUa"],
    "predictions": ["cellId", "utteranceId", "split", "label", "prediction", "probabilities"],
    "embeddings": ["cellId", "utteranceId", "split", "label", "embedding"],
}

problems = []


def problem(msg):
    problems.append(msg)
    print(f"check-arrow: {msg}", file=sys.stderr)


def read(path, table):
    try:
        with ipc.open_file(path) as reader:
            t = reader.read_all()
    except Exception as e:  # noqa: BLE001 -- any failure to read is the finding
        problem(f"{path}: pyarrow cannot read it: {e}")
        return None
    meta = {k.decode(): v.decode() for k, v in (t.schema.metadata or {}).items()}
    if meta.get("ser.table") != table:
        problem(f"{path}: metadata ser.table is {meta.get('ser.table')!r}, expected {table!r}")
    try:
        json.loads(meta.get("ser.config", ""))
    except ValueError as e:
        problem(f"{path}: metadata ser.config is not JSON: {e}")
    if "ser.versions" in meta:
        try:
            json.loads(meta["ser.versions"])
        except ValueError as e:
            problem(f"{path}: metadata ser.versions is not JSON: {e}")
    for col in REQUIRED[table]:
        if col not in t.column_names:
            problem(f"{path}: column {col!r} is missing")
    # DuckDB reads the same table through Arrow; its count and a column aggregate must agree
    try:
        n, ids = duckdb.sql("select count(*), count(distinct cellId) from t").fetchone()
    except Exception as e:  # noqa: BLE001
        problem(f"{path}: DuckDB cannot query it: {e}")
        return t
    if n != t.num_rows:
        problem(f"{path}: DuckDB counts {n} rows, pyarrow {t.num_rows}")
    t.to_pandas()
    if table == "cells":
        for c in t.column("confusion").to_pylist():
            try:
                json.loads(c)
            except ValueError as e:
                problem(f"{path}: confusion is not JSON: {e}")
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--expect-cells", type=int, default=None)
    args = ap.parse_args()
    counts = {}
    files = 0
    for table in TABLES:
        d = os.path.join(args.dir, table)
        counts[table] = 0
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.startswith("."):
                continue  # temporary file of a writer; readers ignore it
            if not name.endswith(".arrow"):
                problem(f"{os.path.join(d, name)}: unexpected file in the store")
                continue
            t = read(os.path.join(d, name), table)
            files += 1
            if t is None:
                continue
            cell_id = name[: -len(".arrow")]
            bad = [v for v in t.column("cellId").to_pylist() if v != cell_id] if "cellId" in t.column_names else []
            if bad:
                problem(f"{d}/{name}: rows of other cells: {sorted(set(bad))[:3]}")
            if table == "cells" and t.num_rows != 1:
                problem(f"{d}/{name}: {t.num_rows} rows, expected 1")
            counts[table] += t.num_rows
    cell_files = {n for n in os.listdir(os.path.join(args.dir, "cells"))} if os.path.isdir(os.path.join(args.dir, "cells")) else set()
    for table in TABLES[1:]:
        d = os.path.join(args.dir, table)
        missing = [n for n in cell_files if not n.startswith(".") and not os.path.exists(os.path.join(d, n))]
        if missing:
            problem(f"{d}: no file for done cells {missing[:3]}")
    if args.expect_cells is not None and counts["cells"] != args.expect_cells:
        problem(f"{args.dir}: {counts['cells']} cells, expected {args.expect_cells}")
    for table in ["cells", "epochs"]:
        path = os.path.join(args.dir, f"{table}.arrow")
        if not os.path.exists(path):
            continue
        t = read(path, table)
        if t is not None and t.num_rows != counts[table]:
            problem(f"{path}: {t.num_rows} rows, but the per-cell files hold {counts[table]}")
        files += 1
    print(f"check-arrow: {files} files, {counts['cells']} cells, {counts['epochs']} epochs, "
          f"{counts['predictions']} predictions, {counts['embeddings']} embeddings; {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
