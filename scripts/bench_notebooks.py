#!/usr/bin/env python3
"""Summaries for scripts/bench-notebooks (reads timings files of run_notebooks.py).

  bench_notebooks.py merge OUT.json IN.json...      merge per-notebook timings files
  bench_notebooks.py report --warm W.json [--cold C.json] [--traced T.json] --out bench.json
  bench_notebooks.py phases T.json                   phase breakdown of a traced run (--trace-dir)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
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


# ---- phase breakdown from a kernel trace (run_notebooks.py --trace-dir) ----------------------
#
# perf records the scheduler's fork, exec and exit events; the kernel's descendants are
# the processes forked from it, transitively. A program's run is the interval from its
# first exec (a rustup proxy execs the real cargo/rustc in the same process) to the exit
# of its last thread. Inside a cell's window every instant goes to the innermost program
# running then (link inside rustc inside cargo); the rest is evcxr's own work, named by
# where it falls: before the cell's first compile (evcxr writing the crate and asking
# rust-analyzer for the variables' types), between compiles (evcxr fixing up its
# generated code and compiling again), or after the last one (loading the .so, running
# the cell, sending its output).

PHASES = ["before compile (rust-analyzer, evcxr)", "cargo (resolve, fingerprints)", "rustc: cell crate",
          "rustc: other crates", "link", "between compiles (evcxr retries)", "after compile (load, run, output)"]
LINKERS = {"cc", "gcc", "collect2", "ld", "ld.bfd", "ld.gold", "ld.lld", "lld", "rust-lld", "mold",
           "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-gcc-12", "x86_64-linux-gnu-ld", "x86_64-linux-gnu-ld.bfd"}
_PERF = re.compile(r"^\s*(.*?)\s+(\d+)/(\d+)\s+(\d+\.\d+):\s+sched:(sched_process_\w+):\s+(.*)$")


def parse_trace(path: Path, root: int | None = None) -> list[dict]:
    """Programs run under root (every program, when root is None): {pid, start, end,
    kind, detail}, from `perf script` text and the STEM.argv.json beside it."""
    argv_path = Path(str(path).removesuffix(".perf.txt") + ".argv.json")
    argvs = {int(k): v for k, v in json.loads(argv_path.read_text()).items()} if argv_path.exists() else {}
    parent: dict[int, int] = {}
    procs: dict[int, dict] = {}
    for line in path.read_text(errors="replace").splitlines():
        m = _PERF.match(line)
        if not m:
            continue
        tgid, ts, event, rest = int(m[2]), float(m[4]), m[5], m[6]
        fields = dict(kv.split("=", 1) for kv in re.findall(r"(\w+=\S+)", rest))
        if event == "sched_process_fork":
            parent.setdefault(int(fields["child_pid"]), tgid)
        elif event == "sched_process_exec":
            p = procs.get(tgid)
            if p is None or p["end"] is not None:  # a new process (or a reused pid)
                p = procs[tgid] = {"pid": tgid, "start": ts, "end": None}
            p["program"] = os.path.basename(fields.get("filename", "?"))
        elif event == "sched_process_exit" and fields.get("group_dead") == "true":
            if (p := procs.get(tgid)) is not None and p["end"] is None:
                p["end"] = ts

    def under_root(pid: int) -> bool:
        seen = set()
        while pid not in seen:
            if pid == root:
                return True
            seen.add(pid)
            if pid not in parent:
                return False
            pid = parent[pid]
        return False

    out = []
    for p in procs.values():
        if root is not None and not under_root(p["pid"]):
            continue
        p["kind"], p["detail"] = classify(argvs.get(p["pid"]) or [p["program"]])
        out.append(p)
    return out


def classify(argv: list[str]) -> tuple[str, str]:
    prog = os.path.basename(argv[0]) if argv else "?"
    if prog in ("sh", "dash") and len(argv) > 1 and os.path.basename(argv[1]) == "cargo":
        argv, prog = argv[1:], "cargo"  # the kernel's cargo (scripts/kernel-cargo), before it execs cargo.real
    if prog == "cargo.real":
        prog = "cargo"
    if prog == "rustc":
        name = argv[argv.index("--crate-name") + 1] if "--crate-name" in argv[:-1] else None
        if name == "ctx":
            return "rustc: cell crate", name
        if name is None or name == "___":  # cargo's probes (-vV, --print, target info)
            return "cargo (resolve, fingerprints)", "rustc " + " ".join(argv[1:3])
        return "rustc: other crates", name
    if prog == "cargo":
        sub = next((a for a in argv[1:] if not a.startswith("-")), "?")
        return "cargo (resolve, fingerprints)", sub
    if prog in LINKERS:
        return "link", prog
    return "other", prog


def _exclusive(window: tuple[float, float], procs: list[dict]) -> tuple[dict[str, float], list[tuple]]:
    """Seconds per phase inside window, each instant to its innermost program; and the
    compile intervals (cargo build/check runs) inside it."""
    lo, hi = window
    rank = {"link": 4, "rustc: cell crate": 3, "rustc: other crates": 2, "cargo (resolve, fingerprints)": 1}
    ivs = [(max(p["start"], lo), min(p["end"], hi), p["kind"]) for p in procs
           if p["kind"] in rank and p["end"] is not None and p["end"] > lo and p["start"] < hi]
    compiles = sorted((max(p["start"], lo), min(p["end"], hi)) for p in procs
                      if p["kind"] == "cargo (resolve, fingerprints)" and p["detail"] in ("build", "check")
                      and p["end"] is not None and p["end"] > lo and p["start"] < hi)
    cuts = sorted({lo, hi, *(t for a, b, _ in ivs for t in (a, b))})
    out = {k: 0.0 for k in PHASES}
    first = compiles[0][0] if compiles else hi
    last = compiles[-1][1] if compiles else hi
    for a, b in zip(cuts, cuts[1:]):
        if b <= a:
            continue
        active = [k for s, e, k in ivs if s <= a and e >= b]
        if active:
            out[max(active, key=rank.__getitem__)] += b - a
        elif b <= first:
            out["before compile (rust-analyzer, evcxr)"] += b - a
        elif a >= last:
            out["after compile (load, run, output)"] += b - a
        else:
            out["between compiles (evcxr retries)"] += b - a
    return out, compiles


def phases(timings: dict) -> dict:
    """Per notebook: the kernel start, the setup cells (up to the :dep cell) and the mean
    ordinary cell, each split into PHASES, with compiles per part; from the traces."""
    result = {}
    for name, r in timings.get("notebooks", {}).items():
        trace = r.get("trace")
        if not trace or not Path(trace).exists():
            continue
        procs = parse_trace(Path(trace), r.get("kernel_pid"))
        setup_idx = r.get("setup_cell_index")
        cells = [c for c in r.get("cells", []) if "t_start" in c]
        if not cells or setup_idx is None:
            continue

        def part(windows: list[tuple[float, float]]) -> dict:
            total = {k: 0.0 for k in PHASES}
            n = 0
            for w in windows:
                seconds, compiles = _exclusive(w, procs)
                n += len(compiles)
                for k, v in seconds.items():
                    total[k] += v
            return {"seconds": total, "wall_s": sum(b - a for a, b in windows), "compiles": n}

        def rounded(d: dict, per: int = 1) -> dict:
            return {"seconds": {k: round(v / per, 3) for k, v in d["seconds"].items()},
                    "wall_s": round(d["wall_s"] / per, 3), "compiles": round(d["compiles"] / per, 2)}

        setup = [c for c in cells if c["index"] <= setup_idx]
        later = [c for c in cells if c["index"] > setup_idx]
        entry = {"cells": len(later), "kernel_start": rounded(part([(r["t_start"], cells[0]["t_start"])])),
                 "setup": rounded(part([(c["t_start"], c["t_end"]) for c in setup]))}
        if later:
            entry["mean_cell"] = rounded(part([(c["t_start"], c["t_end"]) for c in later]), len(later))
        entry["rebuilt_crates"] = sorted({p["detail"] for p in procs if p["kind"] == "rustc: other crates"})
        result[name] = entry
    return result


SHORT = {"before compile (rust-analyzer, evcxr)": "before", "cargo (resolve, fingerprints)": "cargo",
         "rustc: cell crate": "rustc cell", "rustc: other crates": "rustc deps", "link": "link",
         "between compiles (evcxr retries)": "between", "after compile (load, run, output)": "after"}


def print_phases(ph: dict) -> None:
    if not ph:
        return
    print()
    print("Phase breakdown (traced warm run, seconds): kernel start, the cells up to the `:dep` cell, "
          "and the mean ordinary cell:")
    print()
    print("| notebook | part | wall | compiles | " + " | ".join(SHORT[k] for k in PHASES) + " |")
    print("|---|---|---:|---:|" + "---:|" * len(PHASES))
    for name, e in ph.items():
        for part, label in (("kernel_start", "kernel start"), ("setup", "setup cell"), ("mean_cell", "mean cell")):
            d = e.get(part)
            if d:
                print(f"| {name} | {label} | {d['wall_s']:.2f} | {d['compiles']} | "
                      + " | ".join(f"{d['seconds'][k]:.2f}" for k in PHASES) + " |")
    print()
    print("before: evcxr writes the crate and asks rust-analyzer for the variables' types; cargo: cargo's own "
          "time (resolve, fingerprint the ~280 crates of the graph); rustc cell: the cell crate `ctx` (front end, "
          "monomorphisation, LLVM); link: the linker; between: evcxr's fix-ups between retried compiles; "
          "after: loading the .so, running the cell, its output.")
    rebuilt = {n: e["rebuilt_crates"] for n, e in ph.items() if e.get("rebuilt_crates")}
    for n, crates in rebuilt.items():
        print(f"{n}: crates other than the cell crate compiled during the run: {', '.join(crates)}")


def report(warm_path: Path, cold_path: Path | None, out: Path, traced_path: Path | None = None) -> int:
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
    traced = load(traced_path) if traced_path else {}
    ph = phases(traced) if traced else {}
    if ph:
        result["phases"] = ph
        # tracing's own cost: the traced run's totals against the untraced warm run's
        result["traced_total_s"] = {n: r.get("total_s") for n, r in traced.get("notebooks", {}).items()}
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
    print_phases(ph)
    if ph:
        print("Traced run totals (tracing's own cost is the difference from the warm totals): "
              + ", ".join(f"{n} {fmt(t)}" for n, t in result["traced_total_s"].items()))
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
    r.add_argument("--traced", type=Path, help="timings of a run with --trace-dir: adds the phase breakdown")
    ph = sub.add_parser("phases", help="print the phase breakdown of a traced run's timings file")
    ph.add_argument("timings", type=Path)
    a = p.parse_args(argv)
    if a.cmd == "phases":
        print_phases(phases(load(a.timings)))
        return 0
    if a.cmd == "merge":
        merge(a.out, a.inputs)
        return 0
    return report(a.warm, a.cold, a.out, a.traced)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
