#!/usr/bin/env python3
"""Summaries for scripts/bench-notebooks (reads timings files of run_notebooks.py).

  bench_notebooks.py merge OUT.json IN.json...      merge per-notebook timings files
  bench_notebooks.py report --warm W.json [--cold C.json] --out bench.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path

# Issue 14's targets, warm build dir, 2 cores.
SETUP_MAX_S = 8.0        # kernel start + every cell up to and including the `:dep` cell
CELL_MEDIAN_MAX_S = 1.0  # ordinary cells (after the setup cell)
CELL_P90_MAX_S = 2.0
NOTEBOOK_MAX_S = 30.0    # end to end

def load(path: Path | None) -> dict:
    if path is None or not path.exists():
        return {}
    return json.loads(path.read_text())


def merge(out: Path, inputs: list[Path]) -> None:
    merged: dict = {"notebooks": {}}
    for p in inputs:
        data = load(p)
        merged["notebooks"].update(data.get("notebooks", {}))
        for k in ("build_dir", "statbank_offline"):
            merged.setdefault(k, data.get(k))
    out.write_text(json.dumps(merged, indent=2) + "\n")


def fmt(x) -> str:
    return "–" if x is None else f"{x:.1f}"


def quantile(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(r: dict) -> dict:
    """setup (kernel start included), median and p90 of ordinary cells, total."""
    if not r:
        return {}
    setup_idx = r.get("setup_cell_index")
    later = [c["seconds"] for c in r.get("cells", []) if setup_idx is not None and c["index"] > setup_idx]
    setup = None
    if r.get("first_cell_s") is not None and r.get("kernel_start_s") is not None:
        setup = r["kernel_start_s"] + r["first_cell_s"]
    return {"status": r.get("status"), "setup_s": setup, "cell_median_s": quantile(later, 0.5),
            "cell_p90_s": quantile(later, 0.9), "cells": len(later), "total_s": r.get("total_s")}


def met(w: dict) -> bool:
    return (w.get("status") == "ok" and all(w.get(k) is not None for k in ("setup_s", "total_s"))
            and w["setup_s"] <= SETUP_MAX_S and w["total_s"] <= NOTEBOOK_MAX_S
            and (w["cells"] == 0 or (w["cell_median_s"] <= CELL_MEDIAN_MAX_S and w["cell_p90_s"] <= CELL_P90_MAX_S)))


def report(warm_path: Path, cold_path: Path | None, out: Path) -> int:
    warm = load(warm_path).get("notebooks", {})
    cold = load(cold_path).get("notebooks", {}) if cold_path else {}
    names = sorted(set(warm) | set(cold))
    rows = []
    for n in names:
        w, c = summary(warm.get(n, {})), summary(cold.get(n, {}))
        rows.append({"notebook": n, "cold": c or None, "warm": w or None, "warm_targets_met": met(w) if w else False})
    result = {
        "generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "targets": {"setup_max_s": SETUP_MAX_S, "cell_median_max_s": CELL_MEDIAN_MAX_S,
                    "cell_p90_max_s": CELL_P90_MAX_S, "notebook_max_s": NOTEBOOK_MAX_S},
        "all_warm_targets_met": bool(rows) and all(r["warm_targets_met"] for r in rows if r["warm"]),
        "notebooks": rows,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")

    print()
    print("| notebook | cold setup | cold median | cold p90 | cold total | warm setup | warm median | warm p90 "
          "| warm total | warm targets |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        c, w = r["cold"] or {}, r["warm"] or {}
        cells = lambda d: [fmt(d.get(k)) for k in ("setup_s", "cell_median_s", "cell_p90_s", "total_s")]
        print(f"| {r['notebook']} | {' | '.join(cells(c))} | {' | '.join(cells(w))} "
              f"| {('met' if r['warm_targets_met'] else 'NOT met') if w else '–'} |")
    print()
    print(f"Seconds. Targets (warm): setup ≤ {SETUP_MAX_S:.0f} s (kernel start and every cell up to the `:dep` "
          f"cell), ordinary cells median ≤ {CELL_MEDIAN_MAX_S:.1f} s and p90 ≤ {CELL_P90_MAX_S:.0f} s, "
          f"notebook ≤ {NOTEBOOK_MAX_S:.0f} s: {'met' if result['all_warm_targets_met'] else 'NOT met'}.")
    print(f"Written: {out}")
    return 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("merge")
    m.add_argument("out", type=Path)
    m.add_argument("inputs", type=Path, nargs="*")
    r = sub.add_parser("report")
    r.add_argument("--warm", type=Path, required=True)
    r.add_argument("--cold", type=Path)
    r.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    if a.cmd == "merge":
        merge(a.out, a.inputs)
        return 0
    return report(a.warm, a.cold, a.out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
