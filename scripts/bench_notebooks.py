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

WARM_NOTEBOOK_MAX_S = 60.0
WARM_CELL_MAX_S = 5.0


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


def report(warm_path: Path, cold_path: Path | None, out: Path) -> int:
    warm = load(warm_path).get("notebooks", {})
    cold = load(cold_path).get("notebooks", {}) if cold_path else {}
    names = sorted(set(warm) | set(cold))
    rows = []
    all_met = bool(names)
    for n in names:
        w, c = warm.get(n, {}), cold.get(n, {})
        w_total, w_cell = w.get("total_s"), w.get("max_other_cell_s")
        met = (w.get("status") == "ok" and w_total is not None and w_total < WARM_NOTEBOOK_MAX_S
               and w_cell is not None and w_cell <= WARM_CELL_MAX_S)
        all_met &= met
        rows.append({
            "notebook": n,
            "cold": {k: c.get(k) for k in ("status", "kernel_start_s", "first_cell_s", "total_s", "max_other_cell_s")} if c else None,
            "warm": {k: w.get(k) for k in ("status", "kernel_start_s", "first_cell_s", "total_s", "max_other_cell_s")} if w else None,
            "warm_targets_met": met,
        })
    result = {
        "generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "targets": {"warm_notebook_max_s": WARM_NOTEBOOK_MAX_S, "warm_cell_after_setup_max_s": WARM_CELL_MAX_S},
        "all_warm_targets_met": all_met,
        "notebooks": rows,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")

    print()
    print("| notebook | cold setup cell (s) | cold total (s) | warm setup cell (s) | warm total (s) "
          "| warm slowest later cell (s) | warm targets |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        c, w = r["cold"] or {}, r["warm"] or {}
        print(f"| {r['notebook']} | {fmt(c.get('first_cell_s'))} | {fmt(c.get('total_s'))} "
              f"| {fmt(w.get('first_cell_s'))} | {fmt(w.get('total_s'))} | {fmt(w.get('max_other_cell_s'))} "
              f"| {'met' if r['warm_targets_met'] else 'NOT met'} |")
    print()
    print(f"Targets (warm build dir): each notebook < {WARM_NOTEBOOK_MAX_S:.0f} s, "
          f"no cell after the setup (`:dep`) cell > {WARM_CELL_MAX_S:.0f} s: "
          f"{'met' if all_met else 'NOT met'}.")
    print("Setup cell = every cell up to and including the first `:dep` cell; total includes kernel start.")
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
