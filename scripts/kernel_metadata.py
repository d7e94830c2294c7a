#!/usr/bin/env python3
"""`cargo metadata` as the notebook kernel's rust-analyzer sees it: the crate graph cut
down to the crates whose types a notebook cell can hold.

evcxr asks rust-analyzer for the type of every variable a cell defines. On its first
question rust-analyzer parses and name-resolves every crate in the build directory's
`cargo metadata` graph: 296 packages for `statbank-dylib` on x86_64 Linux (polars with its cloud,
async and compression crates, reqwest, tokio, rustls, proc-macro crates, and optional
crates that cargo lists for weak features but never builds). Measured on 2 cores, warm:
that was 8 s of the `:dep` cell and 5.5 s of the first `let`, single-threaded parsing.
Cells only ever hold types of statbank, polars' user-facing crates, plotters and a few
value types, so rust-analyzer is shown those (25 packages); cargo still builds the whole
graph (this file only changes what rust-analyzer reads). Measured the same way: `:dep`
2.4 s and the first `let` 3.3 s.

The kernel's cargo (scripts/kernel-cargo) runs this for rust-analyzer's call only:
`cargo metadata ... --manifest-path $EVCXR_TMPDIR/Cargo.toml` (evcxr's own metadata calls
have no --manifest-path). Usage:

    kernel_metadata.py REAL_CARGO metadata ARGS...

The graph is cut only when it holds `statbank-dylib` (a statbank notebook); every
package the cell crate depends on directly (a notebook's own `:dep`) and every local
path package is kept whatever its name. Any failure passes cargo's answer through
unchanged: this must never stop the kernel.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

# What a cell can hold: statbank's own types, polars' frames, series, expressions and
# their dtypes and errors (the crates behind `polars::prelude`), plotters' colours and
# styles, serde_json values, and the date and error types they carry.
KEEP = re.compile(
    r"^(statbank|statbank-dylib"
    r"|polars|polars-(arrow|buffer|compute|config|core|dtype|error|io|lazy|ops|plan|schema|time|utils)"
    r"|plotters|plotters-(backend|bitmap|svg)"
    r"|serde_json|thiserror|chrono)$"
)
MARKER = "statbank-dylib"


def cut(meta: dict) -> dict:
    """The metadata with only the packages rust-analyzer needs, and the edges between them."""
    packages = {p["id"]: p for p in meta["packages"]}
    if not any(p["name"] == MARKER for p in packages.values()):
        return meta
    roots = set(meta.get("workspace_members") or [])
    direct = {d["pkg"] for n in meta["resolve"]["nodes"] if n["id"] in roots for d in n["deps"]}
    keep = {i for i, p in packages.items()
            if i in roots or i in direct or p.get("source") is None or KEEP.match(p["name"])}
    kept_names = {packages[i]["name"] for i in keep}
    out = dict(meta)
    out["packages"] = [dict(p, dependencies=[d for d in p["dependencies"] if d["name"] in kept_names])
                       for p in meta["packages"] if p["id"] in keep]
    nodes = []
    for n in meta["resolve"]["nodes"]:
        if n["id"] in keep:
            n = dict(n)
            n["deps"] = [d for d in n["deps"] if d["pkg"] in keep]
            n["dependencies"] = [d for d in n["dependencies"] if d in keep]
            nodes.append(n)
    out["resolve"] = dict(meta["resolve"], nodes=nodes)
    return out


def main(argv: list[str]) -> int:
    real, args = argv[0], argv[1:]
    r = subprocess.run([real, *args], stdout=subprocess.PIPE)
    if r.returncode != 0:
        sys.stdout.buffer.write(r.stdout)
        return r.returncode
    try:
        text = json.dumps(cut(json.loads(r.stdout)))
    except Exception as e:  # noqa: BLE001 - pass cargo's own answer through, never fail the kernel
        print(f"statbank: kernel_metadata.py passed cargo metadata through uncut ({e})", file=sys.stderr)
        sys.stdout.buffer.write(r.stdout)
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
