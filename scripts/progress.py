#!/usr/bin/env python3
"""A progress line every 30 s for a long step of scripts/test, scripts/setup or scripts/main.

    scripts/progress.py watch --pid PID --label LABEL --kind KIND [--every 30]
    scripts/progress.py record --label LABEL --kind KIND --seconds S

`watch` runs beside the step (whose process is PID) until PID exits, and every 30 s
prints one line to stderr: what is being built (the crates rustc is compiling now,
read from /proc, machine-wide), how many crates it has seen compiled so far, how long
the step has run and roughly how long it has left. `record` is called when the step
has passed, with how long it took.

"How long it has left" comes from the last time this step of this kind passed on
this machine ($STATBANK_CACHE_DIR/step-times.json, written by `record`), or, on a
machine that has never run it, from the reference times below, measured on a new
2-core machine (cold .ci/run of 2026-12-04). KIND is "cold" or "warm" as the caller
sees it (an empty target/ or cache is cold), so a warm run never promises a cold one's
time. Past the estimate the line says so instead of counting below zero.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

# Measured on a new 2-core machine (cold .ci/run, 2026-12-04; README "Run headless"):
# the step's label -> seconds. A step not named here has no estimate until it has
# passed once on this machine.
REFERENCE_COLD = {
    "scripts/setup": 900,                 # evcxr_jupyter install 815 s, venv, chromium
    "cargo install evcxr_jupyter": 815,   # beside the tests' polars build
    "cargo build --examples": 1070,       # polars for the tests, beside the install
    "cargo test --all-targets": 60,
    "cargo test --doc": 40,
    "cargo build": 1070,                  # scripts/main: the CLI, polars as for the tests
    "scripts/run-notebooks": 500,         # 00's setup cell builds polars for the kernel
    "scripts/kernel-faults": 60,
    "scripts/browser-test": 70,
}

CACHE = Path(os.environ.get("STATBANK_CACHE_DIR") or Path.home() / ".cache" / "statbank")
RECORD = CACHE / "step-times.json"


def read_record() -> dict:
    try:
        return json.loads(RECORD.read_text())
    except (OSError, ValueError):
        return {}


def estimate(label: str, kind: str) -> tuple[float | None, str]:
    seen = read_record().get(f"{kind} {label}")
    if isinstance(seen, (int, float)) and seen > 0:
        return float(seen), f"its last {kind} run here"
    if kind == "cold" and label in REFERENCE_COLD:
        return float(REFERENCE_COLD[label]), "a new 2-core machine"
    return None, ""


def minutes(s: float) -> str:
    s = int(round(s))
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def rustc_crates() -> dict[int, str]:
    """pid -> crate name of every rustc running now (machine-wide)."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            argv = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--crate-name" in argv:
            i = argv.index(b"--crate-name")
            if i + 1 < len(argv):
                found[int(name)] = argv[i + 1].decode(errors="replace")
    return found


def line(label: str, kind: str, elapsed: float, now: dict[int, str], compiled: int) -> str:
    total, basis = estimate(label, kind)
    if total is None:
        left = f"no estimate yet for a {kind} run (none has passed here)"
    elif total > elapsed:
        left = f"about {minutes(total - elapsed)} left ({minutes(total)} on {basis})"
    else:
        left = f"past its {minutes(total)} on {basis}"
    names = sorted(set(now.values()))
    building = "compiling " + ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "") \
        if names else "no rustc running"
    return f"[statbank] progress: {label} ({kind}): {minutes(elapsed)} in, {left}; {building}; {compiled} crates compiled so far"


def watch(args) -> int:
    t0 = time.monotonic()
    seen: set[int] = set()
    next_line = t0 + args.every
    while alive(args.pid):
        now = rustc_crates()
        seen.update(now)
        if time.monotonic() >= next_line:
            done = len(seen - set(now))
            print(line(args.label, args.kind, time.monotonic() - t0, now, done), file=sys.stderr, flush=True)
            next_line += args.every
        time.sleep(0.25)
    return 0


def record(args) -> int:
    data = read_record()
    data[f"{args.kind} {args.label}"] = round(args.seconds, 1)
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    tmp = RECORD.with_name(f"{RECORD.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    tmp.replace(RECORD)
    return 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("watch", help="print a progress line every --every seconds until --pid exits")
    w.add_argument("--pid", type=int, required=True)
    w.add_argument("--every", type=float, default=30.0)
    r = sub.add_parser("record", help="remember how long a step took on this machine")
    r.add_argument("--seconds", type=float, required=True)
    for s in (w, r):
        s.add_argument("--label", required=True)
        s.add_argument("--kind", choices=["cold", "warm"], required=True)
    args = p.parse_args(argv)
    return watch(args) if args.cmd == "watch" else record(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
