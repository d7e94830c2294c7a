#!/usr/bin/env python3
"""RUSTC_WRAPPER for scripts/bench-notebooks --phases: times every rustc the kernel's
cargo runs, and splits the cell crate's compile into rustc's passes.

cargo calls `rustc_phases.py RUSTC ARGS...`. Each call appends one JSON line to
$STATBANK_PHASES_LOG: the crate, wall-clock start and end, when the parent cargo
started (from /proc, 10 ms resolution), and for evcxr's cell crate (`ctx`) the
`-Ztime-passes` lines (RUSTC_BOOTSTRAP=1 only for that child, so stable rustc takes
the flag; cargo sees neither, so nothing is rebuilt for it). Every other line of
rustc's stderr (its JSON diagnostics) passes through untouched.
"""

import json
import os
import subprocess
import sys
import time


def parent_started() -> float | None:
    """Wall-clock start of the parent process (cargo)."""
    try:
        stat = open(f"/proc/{os.getppid()}/stat").read()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22: starttime, clock ticks after boot
        uptime = float(open("/proc/uptime").read().split()[0])
        return time.time() - (uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def main() -> int:
    rustc, args = sys.argv[1], sys.argv[2:]
    crate = args[args.index("--crate-name") + 1] if "--crate-name" in args else None
    log = os.environ.get("STATBANK_PHASES_LOG")
    if crate is None or not log:  # cargo's probes (-vV, --print): pass straight through
        os.execv(rustc, [rustc, *args])
    start = time.time()
    record = {"crate": crate, "start": start, "cargo_start": parent_started(), "pid": os.getpid()}
    if crate == "ctx":
        env = dict(os.environ, RUSTC_BOOTSTRAP="1")
        p = subprocess.Popen([rustc, *args, "-Ztime-passes"], env=env, stderr=subprocess.PIPE, text=True)
        passes = []
        for line in p.stderr:
            if line.startswith("time:"):
                # time:   0.012; rss:   31MB ->   32MB (   +1MB)	parse_crate
                head, _, name = line.rstrip("\n").partition("\t")
                try:
                    passes.append([name.strip(), float(head.split(";")[0].split(":")[1])])
                except (IndexError, ValueError):
                    pass
            else:
                sys.stderr.write(line)
        rc = p.wait()
        record["passes"] = passes
    else:
        rc = subprocess.call([rustc, *args])
    record["end"] = time.time()
    record["status"] = rc
    with open(log, "a") as f:
        f.write(json.dumps(record) + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
