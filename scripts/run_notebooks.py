#!/usr/bin/env python3
"""Execute the statbank notebooks headless with the evcxr kernel (nbclient).

Called by scripts/run-notebooks (which builds the crate first and picks the venv).
Runs every notebooks/[0-9][0-9]-*.ipynb in order, one kernel at a time, and writes
  target/notebooks/NAME.ipynb   executed notebook
  target/notebooks/NAME.html    nbconvert HTML, images embedded
  target/notebooks/timings.json per notebook: kernel start, first (setup) cell,
                                total, slowest later cell, per-cell seconds
Fails (exit 1) on a cell error, a timeout, a dead kernel, or a code cell tagged
`chart` that produced no image/svg+xml or image/png output.

The committed notebooks carry their outputs. With --check (what scripts/test uses)
the run also fails when an output differs from the committed one, nbval-style:
text, HTML and Markdown exactly, images byte for byte, execution counts and
timings ignored; it prints the notebook, the cell, a short diff and the command
that refreshes the committed outputs. With --update the executed outputs are
written back into notebooks/ (normalised: no timings, streams merged), so a
refresh leaves `git diff` empty when nothing changed.

The "setup cell" is the first code cell that loads a crate with `:dep` (cold
polars compile), or the first code cell when none does. Cells up to and including
it get --first-timeout, every later cell --cell-timeout.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
IMAGE_MIMES = ("image/svg+xml", "image/png")
NOTEBOOK_GLOB = "[0-9][0-9]-*.ipynb"


def log(msg: str) -> None:
    print(f"[notebooks] {msg}", flush=True)


def default_build_dir() -> Path:
    cache = os.environ.get("STATBANK_CACHE_DIR") or str(Path.home() / ".cache" / "statbank")
    return Path(cache) / "evcxr-build"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="run only this notebook (stem like 01-population-change, or a prefix like 01); "
                        "repeatable, or comma-separated")
    p.add_argument("--build-dir", type=Path, default=None,
                   help="evcxr build dir (EVCXR_TMPDIR); default $STATBANK_CACHE_DIR/evcxr-build, "
                        "or $EVCXR_TMPDIR when set")
    p.add_argument("--notebooks-dir", type=Path, default=ROOT / "notebooks")
    p.add_argument("--out", type=Path, default=ROOT / "target" / "notebooks",
                   help="output directory for executed .ipynb/.html (default target/notebooks)")
    p.add_argument("--timings-file", type=Path, default=None,
                   help="where to write timings JSON (default OUT/timings.json)")
    p.add_argument("--kernel", default=None,
                   help="kernel name (default: the notebook's kernelspec, else 'rust')")
    p.add_argument("--first-timeout", type=int, default=2400,
                   help="seconds for cells up to the setup (:dep) cell (default 2400: cold polars compile)")
    p.add_argument("--cell-timeout", type=int, default=300, help="seconds for every later cell (default 300)")
    p.add_argument("--startup-timeout", type=int, default=300, help="seconds for the kernel to start")
    p.add_argument("--lock-wait", type=int, default=3600,
                   help="seconds to wait for another kernel to release the build dir (default 3600)")
    p.add_argument("--keep-going", action="store_true", help="run the remaining notebooks after a failure")
    p.add_argument("--no-html", action="store_true", help="skip the HTML export")
    p.add_argument("--trace-dir", type=Path, default=None,
                   help="record every program the kernel starts (cargo, rustc, the linker) with perf's "
                        "sched tracepoints into DIR/NAME.perf.txt, for scripts/bench_notebooks.py's "
                        "phase breakdown (needs perf and root)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="fail when an output differs from the one committed in notebooks/")
    mode.add_argument("--update", action="store_true",
                      help="write the executed outputs back into notebooks/ (refresh the committed outputs)")
    args = p.parse_args(argv)
    args.only = [n for item in args.only for n in item.split(",") if n]
    return args


def select_notebooks(nb_dir: Path, only: list[str]) -> list[Path]:
    found = sorted(nb_dir.glob(NOTEBOOK_GLOB))
    if not only:
        return found
    chosen = []
    for name in only:
        stem = name[:-6] if name.endswith(".ipynb") else Path(name).name
        matches = [p for p in found if p.stem == stem] or [p for p in found if p.stem.startswith(stem)]
        if not matches:
            raise SystemExit(f"[notebooks] --only {name}: no notebook {nb_dir}/{stem}*.ipynb "
                             f"(have: {', '.join(p.stem for p in found) or 'none'})")
        chosen += [m for m in matches if m not in chosen]
    return sorted(chosen)


class BuildDirLock:
    """flock on DIR.lock: the same lock the kernel wrapper takes (flock(1))."""

    def __init__(self, build_dir: Path, wait: int):
        self.path = Path(str(build_dir) + ".lock")
        self.wait = wait
        self.fd = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        deadline = time.monotonic() + self.wait
        told = False
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"[notebooks] build dir still locked after {self.wait} s: {self.path} "
                                     "(a JupyterLab kernel or another run uses it; shut it down or pass --build-dir)")
                if not told:
                    log(f"build dir is in use ({self.path}); waiting for the other kernel to stop")
                    told = True
                time.sleep(2)

    def __exit__(self, *exc):
        os.close(self.fd)


def is_setup_cell(cell) -> bool:
    return cell.cell_type == "code" and any(
        line.lstrip().startswith(":dep") for line in cell.source.splitlines())


def setup_cell_index(nb) -> int | None:
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if not code:
        return None
    deps = [i for i in code if is_setup_cell(nb.cells[i])]
    return deps[0] if deps else code[0]


def clean(text: str, color: bool) -> str:
    return text if color else ANSI.sub("", text)


def print_failure(name: str, nb, index: int | None, reason: str, color: bool) -> None:
    bar = "=" * 78
    print(bar, flush=True)
    where = f"cell {index}" if index is not None else "before any cell"
    print(f"NOTEBOOK FAILED: {name}, {where}: {reason}")
    if index is None or index >= len(nb.cells):
        print(bar, flush=True)
        return
    cell = nb.cells[index]
    print(f"--- source of cell {index} " + "-" * 40)
    print(cell.source)
    outputs = cell.get("outputs", [])
    errors = [o for o in outputs if o.get("output_type") == "error"]
    stderr = "".join(o.get("text", "") for o in outputs
                     if o.get("output_type") == "stream" and o.get("name") == "stderr")
    stdout = "".join(o.get("text", "") for o in outputs
                     if o.get("output_type") == "stream" and o.get("name") == "stdout")
    for err in errors:
        print(f"--- error: {clean(err.get('ename', ''), color)}: {clean(err.get('evalue', ''), color)}")
        for line in err.get("traceback", []):
            print(clean(line, color))
    if stderr:
        print("--- stderr " + "-" * 56)
        print(clean(stderr, color).rstrip())
    if stdout:
        lines = stdout.rstrip().splitlines()
        print(f"--- stdout (last {min(len(lines), 40)} of {len(lines)} lines) " + "-" * 30)
        print("\n".join(clean(line, color) for line in lines[-40:]))
    if not (errors or stderr):
        print("--- (the kernel sent no error output for this cell)")
    print(bar, flush=True)


def diagnose_dep_failure(build_dir: Path, color: bool) -> None:
    """evcxr reports a failing `:dep` compile by the bare rustc message ("mismatched types")
    without crate or line. Re-run the kernel's own cargo build in its build dir (same
    RUSTFLAGS and --target as evcxr 0.22 uses, so nothing is rebuilt) and show the errors."""
    if not (build_dir / "Cargo.toml").exists():
        return
    try:
        host = next(line.split(":", 1)[1].strip() for line in subprocess.run(
            ["rustc", "-vV"], capture_output=True, text=True, check=True).stdout.splitlines()
            if line.startswith("host:"))
        env = dict(os.environ, CARGO_TARGET_DIR="target", CARGO_BUILD_BUILD_DIR="target",
                   RUSTFLAGS="-Cprefer-dynamic")
        if color:
            env["CARGO_TERM_COLOR"] = "always"
        proc = subprocess.run(["cargo", "build", "--target", host], cwd=build_dir, env=env,
                              capture_output=True, text=True, timeout=900)
    except Exception as e:  # diagnostics only
        print(f"--- (could not re-run cargo in {build_dir}: {e})")
        return
    if proc.returncode == 0:
        return
    lines = [line for line in proc.stderr.splitlines()
             if not re.match(r"\s*(Compiling|Fresh|Checking|Blocking|Downloaded|Downloading)\b", clean(line, False))]
    print(f"--- cargo build in the kernel's build dir {build_dir} (the full compiler output) " + "-" * 4)
    print("\n".join(lines[-120:]))
    print("=" * 78, flush=True)


def has_image(cell) -> bool:
    return any(o.get("output_type") in ("display_data", "execute_result")
               and any(m in o.get("data", {}) for m in IMAGE_MIMES)
               for o in cell.get("outputs", []))


def chart_cells_without_image(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and "chart" in c.get("metadata", {}).get("tags", [])
            and not has_image(c)]


def write_outputs(nb, out_dir: Path, stem: str, html: bool) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / f"{stem}.ipynb")
    if html:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter(embed_images=True).from_notebook_node(nb)
        (out_dir / f"{stem}.html").write_text(body, encoding="utf-8")


# ------------------------------------------------------------ committed outputs

TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


def _text(v) -> str:
    return "".join(v) if isinstance(v, list) else (v if isinstance(v, str) else json.dumps(v, sort_keys=True))


def normalise_outputs(outputs) -> list[dict]:
    """Outputs as they are committed: consecutive streams of one name merged, no
    per-run metadata, text as one string."""
    out: list[dict] = []
    for o in outputs:
        kind = o.get("output_type")
        if kind == "stream":
            text = _text(o.get("text", ""))
            if out and out[-1]["output_type"] == "stream" and out[-1]["name"] == o.get("name"):
                out[-1]["text"] += text
            else:
                out.append({"output_type": "stream", "name": o.get("name"), "text": text})
        elif kind in ("display_data", "execute_result"):
            data = {m: _text(v) for m, v in sorted(o.get("data", {}).items())}
            n = {"output_type": kind, "data": data, "metadata": {}}
            if kind == "execute_result":
                n["execution_count"] = o.get("execution_count")
            out.append(n)
        elif kind == "error":
            out.append({"output_type": "error", "ename": o.get("ename", ""), "evalue": o.get("evalue", ""),
                        "traceback": list(o.get("traceback", []))})
        else:
            out.append(dict(o))
    return out


def comparable(outputs) -> list[dict]:
    """What --check compares: the normalised outputs without execution counts."""
    res = []
    for o in normalise_outputs(outputs):
        o = dict(o)
        o.pop("execution_count", None)
        res.append(o)
    return res


def describe_difference(old: list[dict], new: list[dict]) -> list[str]:
    import difflib
    import hashlib
    lines: list[str] = []
    if len(old) != len(new):
        lines.append(f"  {len(old)} committed output(s), {len(new)} now: "
                     f"committed {[o['output_type'] for o in old]}, now {[o['output_type'] for o in new]}")
    for k, (a, b) in enumerate(zip(old, new)):
        if a == b:
            continue
        if a["output_type"] != b["output_type"]:
            lines.append(f"  output {k}: was {a['output_type']}, now {b['output_type']}")
            continue
        pairs = []
        if a["output_type"] == "stream":
            pairs = [(f"stream {a['name']}", a["text"], b["text"])]
        elif a["output_type"] == "error":
            pairs = [("error", f"{a['ename']}: {a['evalue']}", f"{b['ename']}: {b['evalue']}")]
        else:
            for m in sorted(set(a.get("data", {})) | set(b.get("data", {}))):
                x, y = a["data"].get(m), b["data"].get(m)
                if x == y:
                    continue
                if x is None or y is None:
                    lines.append(f"  output {k}: {m} {'added' if x is None else 'removed'}")
                elif m in TEXT_MIMES or m == "image/svg+xml" and len(x) < 4000:
                    pairs.append((m, x, y))
                else:
                    h = lambda t: hashlib.sha256(t.encode()).hexdigest()[:12]
                    lines.append(f"  output {k}: {m} differs (committed {len(x)} chars, sha256 {h(x)}; "
                                 f"now {len(y)} chars, sha256 {h(y)})")
        for label, x, y in pairs:
            diff = list(difflib.unified_diff(x.splitlines(), y.splitlines(), "committed", "now", n=1, lineterm=""))
            lines.append(f"  output {k}: {label} differs:")
            lines += ["    " + d for d in diff[:24]]
            if len(diff) > 24:
                lines.append(f"    ... ({len(diff) - 24} more diff lines)")
    return lines


def check_outputs(path: Path, executed) -> list[str]:
    """Differences between the committed notebook and the executed one, as report lines."""
    committed = nbformat.read(path, as_version=4)
    report: list[str] = []
    code_old = [(i, c) for i, c in enumerate(committed.cells)]
    if [c.source for c in committed.cells] != [c.source for c in executed.cells]:
        return ["  the executed notebook's cells differ from the committed ones (edited during the run?)"]
    for i, c in code_old:
        if c.cell_type != "code":
            continue
        old, new = comparable(c.get("outputs", [])), comparable(executed.cells[i].get("outputs", []))
        if old != new:
            first = c.source.strip().splitlines()[0] if c.source.strip() else ""
            report.append(f"cell {i} (`{first[:70]}`):")
            report += describe_difference(old, new)
    return report


def only_lost_stream_lines(path: Path, executed) -> bool:
    """True when every difference from the committed notebook is stdout/stderr text cut
    short at a line boundary (the committed text starts with what arrived): the kernel
    lost the end of a cell's stream, which evcxr 0.22 does now and then when the cell
    ends right after printing (evcxr #353). Such a run is retried once; a real change
    of output is never of this form."""
    committed = nbformat.read(path, as_version=4)
    seen = False
    for c, e in zip(committed.cells, executed.cells):
        if c.cell_type != "code":
            continue
        old, new = comparable(c.get("outputs", [])), comparable(e.get("outputs", []))
        if old == new:
            continue
        if len(old) != len(new):
            return False
        for a, b in zip(old, new):
            if a == b:
                continue
            if not (a["output_type"] == b["output_type"] == "stream" and a["name"] == b["name"]
                    and a["text"].startswith(b["text"]) and (b["text"] == "" or b["text"].endswith("\n"))):
                return False
            seen = True
    return seen


def update_outputs(path: Path, executed) -> bool:
    """Write the executed outputs into the committed notebook; True when it changed."""
    committed = nbformat.read(path, as_version=4)
    for c, e in zip(committed.cells, executed.cells):
        c.get("metadata", {}).pop("execution", None)
        if c.cell_type == "code":
            c.outputs = [nbformat.from_dict(o) for o in normalise_outputs(e.get("outputs", []))]
            c.execution_count = e.get("execution_count")
    before = path.read_text(encoding="utf-8")
    after = nbformat.writes(committed) + "\n"
    if after != before:
        tmp = path.with_suffix(".ipynb.tmp")
        tmp.write_text(after, encoding="utf-8")
        os.replace(tmp, path)
        return True
    return False


# Programs that may still exec into another (cargo into rustc; the shell running the
# kernel's cargo script into cargo.real): the poller reads their command line again.
CARGO_LIKE = ("cargo", "sh", "dash")


class ProcessTrace:
    """The programs a notebook's kernel starts, for the phase breakdown of
    scripts/bench_notebooks.py, without slowing them down: perf records the scheduler's
    fork, exec and exit tracepoints machine-wide (no ptrace; strace -f doubled rustc's
    time on a cell), and a thread reads the command line of each new process every 10 ms
    to learn which crate a rustc compiles. Writes STEM.perf.txt (perf script) and
    STEM.argv.json; a failure to trace is logged and leaves the run untraced."""

    def __init__(self, stem: Path):
        self.stem = stem.resolve()
        self.data = self.stem.with_suffix(".perf.data")
        self.perf = None
        self.argv: dict[int, list[str]] = {}
        self._stop = threading.Event()
        self._thread = None

    def start(self) -> None:
        self.stem.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.perf = subprocess.Popen(
                ["perf", "record", "-q", "-k", "CLOCK_MONOTONIC", "-a", "-o", str(self.data),
                 "-e", "sched:sched_process_fork", "-e", "sched:sched_process_exec",
                 "-e", "sched:sched_process_exit"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except OSError as e:
            log(f"trace: perf not available ({e}); running untraced")
            self.perf = None
            return
        time.sleep(1.0)  # perf attaches its tracepoints
        if self.perf.poll() is not None:
            log(f"trace: perf record failed: {self.perf.stderr.read().decode(errors='replace').strip()}")
            self.perf = None
            return
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        seen: set[int] = set()
        while not self._stop.is_set():
            for name in os.listdir("/proc"):
                if not name.isdigit():
                    continue
                pid = int(name)
                # a process that still shows cargo's command line may be a child of cargo
                # between fork and exec: read it again until it has become rustc (and the
                # kernel's cargo, scripts/kernel-cargo, is a shell script that execs cargo.real)
                if pid in seen and os.path.basename(self.argv.get(pid, ["?"])[0]) not in CARGO_LIKE:
                    continue
                try:
                    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if not argv or argv == [b""]:
                    continue  # not exec'd yet: look again next round
                seen.add(pid)
                prog = os.path.basename(argv[0]).decode(errors="replace")
                if b"--crate-name" in argv or prog in ("cargo", "cargo.real", "rustc") \
                        or (prog in CARGO_LIKE and len(argv) > 1 and os.path.basename(argv[1]) == b"cargo"):
                    self.argv[pid] = [a.decode(errors="replace") for a in argv if a]
            self._stop.wait(0.01)

    def stop(self) -> str | None:
        if self.perf is None:
            return None
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.perf.send_signal(signal.SIGINT)
        self.perf.wait()
        text = self.stem.with_suffix(".perf.txt")
        with text.open("w") as out:
            subprocess.run(["perf", "script", "-i", str(self.data), "-F", "comm,pid,tid,time,event,trace"],
                           stdout=out, stderr=subprocess.DEVNULL, check=False)
        self.data.unlink(missing_ok=True)
        self.stem.with_suffix(".argv.json").write_text(json.dumps({str(k): v for k, v in self.argv.items()}))
        return str(text)


def run_one(path: Path, args, color: bool) -> dict:
    nb = nbformat.read(path, as_version=4)
    setup_idx = setup_cell_index(nb)
    kernel = args.kernel or nb.metadata.get("kernelspec", {}).get("name") or "rust"
    starts: dict[int, float] = {}
    ends: dict[int, float] = {}
    current: list[int | None] = [None]
    failed_at: list[int | None] = [None]

    def timeout_for(cell) -> int:
        idx = next((i for i, c in enumerate(nb.cells) if c is cell), current[0])
        if setup_idx is None or idx is None or idx <= setup_idx:
            return args.first_timeout
        return args.cell_timeout

    kernel_pid: list[int | None] = [None]

    def on_start(cell, cell_index, **_):
        current[0] = cell_index
        starts[cell_index] = time.monotonic()
        if kernel_pid[0] is None:
            kernel_pid[0] = getattr(getattr(client.km, "provisioner", None), "pid", None)

    def on_executed(cell, cell_index, **_):
        ends[cell_index] = time.monotonic()

    def on_error(cell, cell_index, **_):
        failed_at[0] = cell_index

    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout_func=timeout_for,
        startup_timeout=args.startup_timeout,
        allow_errors=False,
        interrupt_on_timeout=False,
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},  # kernel cwd: `:dep` paths resolve from here
        on_cell_start=on_start,
        on_cell_executed=on_executed,
        on_cell_error=on_error,
    )
    trace = ProcessTrace(args.trace_dir / path.stem) if args.trace_dir is not None else None
    if trace is not None:
        trace.start()
    log(f"{path.stem}: start (kernel {kernel}, setup cell {setup_idx})")
    t0 = time.monotonic()
    failure = None
    try:
        client.execute()
    except CellTimeoutError as e:
        failure = f"timeout ({timeout_for(nb.cells[current[0]]) if current[0] is not None else '?'} s)\n{e}"
    except DeadKernelError as e:
        failure = f"kernel died: {e}"
    except CellExecutionError:
        failure = "cell raised an error"
    except Exception as e:  # kernel failed to start, etc.
        failure = f"{type(e).__name__}: {e}"
    finally:
        # nbclient registers an atexit cleanup that asserts on a kernel that never started
        try:
            import atexit
            atexit.unregister(client._cleanup_kernel)
        except Exception:
            pass
    total = time.monotonic() - t0

    cells = []
    for i in sorted(starts):
        if i in ends:
            cell = {"index": i, "seconds": round(ends[i] - starts[i], 3)}
            if trace is not None:  # CLOCK_MONOTONIC, the clock of the trace's timestamps
                cell["t_start"], cell["t_end"] = starts[i], ends[i]
            cells.append(cell)
    first_start = min(starts.values()) if starts else None
    kernel_start_s = (first_start - t0) if first_start is not None else None
    first_cell_s = None
    if setup_idx is not None and setup_idx in ends and first_start is not None:
        first_cell_s = ends[setup_idx] - first_start  # everything up to and including the setup cell
    later = [c["seconds"] for c in cells if setup_idx is not None and c["index"] > setup_idx]
    stem = path.stem
    try:
        write_outputs(nb, args.out, stem, not args.no_html)
    except Exception as e:  # keep the cell error the headline
        log(f"{stem}: writing outputs failed: {type(e).__name__}: {e}")
        failure = failure or f"writing outputs failed: {e}"

    if failure is None:
        # evcxr reports an `Err` that a cell's `?` returned as text on stderr, not as an
        # error output: treat any stderr text (other than the crate's own progress
        # lines, which start with "statbank:") as the cell failing.
        for i, c in enumerate(nb.cells):
            if c.get("cell_type") != "code":
                continue
            text = "".join(o.get("text", "") for o in c.get("outputs", [])
                           if o.get("output_type") == "stream" and o.get("name") == "stderr")
            lines = [l for l in text.splitlines() if l.strip() and not l.startswith("statbank:")]
            if lines:
                failed_at[0] = i
                failure = "cell wrote an error to stderr"
                break
    if failure is None:
        missing = chart_cells_without_image(nb)
        if missing:
            failure = (f"code cell(s) {missing} tagged `chart` produced no image output "
                       f"({' or '.join(IMAGE_MIMES)})")
            for i in missing:
                print_failure(stem, nb, i, "tagged `chart` but no image output", color)
    else:
        idx = failed_at[0] if failed_at[0] is not None else current[0]
        print_failure(stem, nb, idx, failure.splitlines()[0], color)
        if (idx is not None and idx < len(nb.cells) and is_setup_cell(nb.cells[idx])
                and failure == "cell raised an error"):
            diagnose_dep_failure(args.build_dir_resolved, color)

    if failure is None and args.check:
        diffs = check_outputs(path, nb)
        if diffs and only_lost_stream_lines(path, nb):
            args.lost_output = True
        if diffs:
            failure = f"{len(diffs)} line(s) of output differ from the committed notebook"
            print("=" * 78)
            print(f"NOTEBOOK OUTPUTS DIFFER: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
            print("\n".join(diffs[:200]))
            print(f"--- the executed notebook is {args.out / (stem + '.ipynb')}")
            print(f"--- if the new outputs are right, refresh the committed ones with:\n"
                  f"    scripts/run-notebooks --update --only {stem}")
            print("=" * 78, flush=True)
    if failure is None and args.update:
        changed = update_outputs(path, nb)
        log(f"{stem}: committed outputs {'updated' if changed else 'unchanged'} ({path})")

    result = {
        "status": "ok" if failure is None else "failed",
        "kernel_start_s": round(kernel_start_s, 3) if kernel_start_s is not None else None,
        "first_cell_s": round(first_cell_s, 3) if first_cell_s is not None else None,
        "total_s": round(total, 3),
        "max_other_cell_s": round(max(later), 3) if later else (0.0 if failure is None else None),
        "setup_cell_index": setup_idx,
        "cells": cells,
        "output": str(args.out / f"{stem}.ipynb"),
    }
    if trace is not None:
        result["trace"] = trace.stop()
        result["t_start"] = t0
        result["kernel_pid"] = kernel_pid[0]
    if failure:
        result["error"] = failure.splitlines()[0]
        result["lost_output_only"] = bool(getattr(args, "lost_output", False))
    log(f"{stem}: {result['status']} in {total:.1f} s (kernel start {_fmt(kernel_start_s)}, "
        f"setup {_fmt(first_cell_s)}, slowest later cell {_fmt(result['max_other_cell_s'])})")
    return result


def registry_versions(lock: Path) -> dict[str, set[str]]:
    """Name -> versions of the crates.io packages in a Cargo.lock."""
    out: dict[str, set[str]] = {}
    for p in tomllib.loads(lock.read_text()).get("package", []):
        if p.get("source", "").startswith("registry+"):
            out.setdefault(p["name"], set()).add(p["version"])
    return out


def lock_drift(build_dir: Path) -> list[str]:
    """Crates the kernel built at versions the project's Cargo.lock does not have.

    scripts/init.evcxr copies the project's lock into the build dir at kernel start, so
    the kernel builds what `cargo test` builds; this says where that did not hold."""
    kernel_lock = build_dir / "Cargo.lock"
    if not kernel_lock.is_file():
        return [f"no {kernel_lock} after the notebook ran"]
    project = registry_versions(ROOT / "Cargo.lock")
    drift = []
    for name, versions in sorted(registry_versions(kernel_lock).items()):
        extra = versions - project.get(name, set())
        if extra:
            have = ", ".join(sorted(project.get(name, set()))) or "none"
            drift.append(f"{name} {', '.join(sorted(extra))} (Cargo.lock: {have})")
    return drift


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.1f} s"


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    notebooks = select_notebooks(args.notebooks_dir, args.only)
    if not notebooks:
        log(f"no notebooks matching {args.notebooks_dir}/{NOTEBOOK_GLOB}")
        return 2
    build_dir = (args.build_dir or Path(os.environ.get("EVCXR_TMPDIR") or default_build_dir())).resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    args.build_dir_resolved = build_dir
    args.out = args.out.resolve()
    timings_file = args.timings_file or args.out / "timings.json"
    # The kernel inherits this environment (nbclient starts it from os.environ).
    os.environ["EVCXR_TMPDIR"] = str(build_dir)
    os.environ["STATBANK_BUILD_LOCK_HELD"] = "1"
    offline = os.environ.get("STATBANK_OFFLINE")
    data = ("live SSB API" if os.environ.get("STATBANK_LIVE", "") not in ("", "0")
            else f"STATBANK_OFFLINE={offline}" if offline else "data/snapshot")
    log(f"build dir {build_dir}; data {data}; "
        f"{len(notebooks)} notebook(s): {', '.join(p.stem for p in notebooks)}")

    results: dict[str, dict] = {}
    ok = True
    t0 = time.monotonic()
    with BuildDirLock(build_dir, args.lock_wait):
        for path in notebooks:
            args.lost_output = False
            res = run_one(path, args, color)
            if res["status"] != "ok" and res.get("lost_output_only"):
                log(f"{path.stem}: the only difference is stream text cut short (evcxr lost the end of "
                    f"a cell's output, evcxr #353); running it once more")
                first = res
                args.lost_output = False
                res = run_one(path, args, color)
                res["retried_after"] = {"error": first.get("error"), "total_s": first.get("total_s")}
            drift = lock_drift(build_dir)
            if drift and res["status"] == "ok":
                res["status"] = "failed"
                res["error"] = (f"the kernel built {len(drift)} crate(s) at versions other than the project's "
                                f"Cargo.lock ({'; '.join(drift)}): is {default_build_dir().parent}/evcxr-config/"
                                f"init.evcxr current? run scripts/setup")
                log(f"{path.stem}: FAILED: {res['error']}")
            res["lock_drift"] = drift
            results[path.stem] = res
            if res["status"] != "ok":
                ok = False
                if not args.keep_going:
                    break
    summary = {
        "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "build_dir": str(build_dir),
        "statbank_offline": offline,
        "wall_s": round(time.monotonic() - t0, 3),
        "notebooks": results,
    }
    timings_file.parent.mkdir(parents=True, exist_ok=True)
    timings_file.write_text(json.dumps(summary, indent=2) + "\n")
    log(f"timings: {timings_file}")
    skipped = [p.stem for p in notebooks if p.stem not in results]
    n_ok = sum(r["status"] == "ok" for r in results.values())
    n_failed = len(results) - n_ok
    if skipped:
        log(f"not run after the failure: {', '.join(skipped)}")
    print(f"notebooks: {n_ok} passed, {n_failed} failed" + (f", {len(skipped)} skipped" if skipped else ""),
          flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
