"""The notebooks' Rust kernel under faults (scripts/kernel-faults).

Each check starts the "rust" kernel as JupyterLab does (the kernelspec, through the
wrapper that gives it a build dir under a lock) and talks to it with jupyter_client:

1. a cell that panics: the kernel answers the next cell, and a variable defined
   before the panic still has its value;
2. a kernel killed (SIGKILL, its whole process group) while it compiles a cell: the
   next kernel gets the same build dir and runs a cell there;
3. two kernels started at once on one build dir: both run to the end with the right
   answer, one in the build dir and one in a throw-away dir (evcxr supports one
   kernel per build dir; the wrapper's lock decides);
4. a build dir last linked by another clone of the repository: the kernel relinks the
   notebooks' dylib and runs this clone's code on this clone's data/snapshot
   (scripts/kernel-start says why that needs doing);
5. rust-analyzer's graph: the kernel runs with the toolchain scripts/setup made, whose
   cargo shows rust-analyzer's metadata call on the build dir only the crates a cell
   can hold (scripts/kernel-cargo) and passes evcxr's own calls on unchanged.

Checks 1-3 use small cells and no crates, so their throw-away build dirs (under
$STATBANK_CACHE_DIR/kernel-faults) compile in seconds. Checks 4 and 5 use the
persistent build dir with the notebooks' `:dep` (scripts/test runs them after the
notebooks, so polars is built there already; the relink takes about 15 s). Exit status 0 only if every
check passes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

CACHE = Path(os.environ.get("STATBANK_CACHE_DIR") or Path.home() / ".cache" / "statbank")
ROOT = CACHE / "kernel-faults"
REPO = Path(__file__).resolve().parent.parent


def log(msg: str) -> None:
    print(f"[kernel-faults] {msg}", flush=True)


class Kernel:
    def __init__(self, build_dir: Path):
        env = dict(os.environ, EVCXR_TMPDIR=str(build_dir))
        env.pop("STATBANK_BUILD_LOCK_HELD", None)
        self.km = KernelManager(kernel_name="rust")
        self.km.start_kernel(env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def run(self, code: str, timeout: float = 300) -> tuple[str, str | None]:
        """Run a cell; its text output and its error (None when it succeeded)."""
        msg_id = self.kc.execute(code)
        out, error = [], None
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                out.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                error = content.get("evalue", "") + "\n" + "\n".join(content.get("traceback", []))
            elif kind == "status" and content["execution_state"] == "idle":
                break
        return "".join(out), error

    def build_dir(self) -> str:
        out, err = self.run('! echo "BUILD_DIR=$EVCXR_TMPDIR"')
        line = next((l for l in out.splitlines() if l.startswith("BUILD_DIR=")), "")
        return line.removeprefix("BUILD_DIR=").strip()

    def kill(self) -> None:
        """SIGKILL to the kernel's whole process group (jupyter_client starts each kernel
        in its own session), cargo and rustc included, as when the machine kills it."""
        pid = self.km.provisioner.process.pid
        os.killpg(os.getpgid(pid), signal.SIGKILL)
        self.km.provisioner.process.wait()
        self.kc.stop_channels()

    def stop(self) -> None:
        self.kc.stop_channels()
        if self.km.is_alive():
            self.km.shutdown_kernel(now=True)


def fresh(name: str) -> Path:
    d = ROOT / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def check(failures: list[str], ok: bool, what: str) -> None:
    log(("ok: " if ok else "FAILED: ") + what)
    if not ok:
        failures.append(what)


def panicking_cell(failures: list[str]) -> None:
    k = Kernel(fresh("panic"))
    try:
        _, err = k.run("let answer: i32 = 40;")
        check(failures, err is None, f"a variable is defined ({err!r})")
        out, err = k.run('panic!("boom from a cell");')
        check(failures, "boom from a cell" in (out + (err or "")), f"the panic is shown to the user ({(out + (err or ''))[:200]!r})")
        out, err = k.run("answer + 2")
        check(failures, err is None and out.strip() == "42",
              f"after the panic the kernel answers and `answer` still holds 40 (got {out.strip()!r}, error {err!r})")
    finally:
        k.stop()


def killed_mid_compile(failures: list[str]) -> None:
    d = fresh("killed")
    k = Kernel(d)
    try:
        k.run("let warm = 1;")
        # A cell whose compile takes a while (a large generated function), killed mid-way.
        body = "\n".join(f"    v.push({i}u64.wrapping_mul({i + 7}));" for i in range(4000))
        k.kc.execute(f"fn big() -> Vec<u64> {{\n    let mut v = Vec::new();\n{body}\n    v\n}}\nlet n = big().len();")
        time.sleep(3)
        compiling = (d / "target").is_dir()
        k.kill()
    finally:
        k.stop()
    check(failures, compiling, "the first kernel was compiling in the build dir when it was killed")
    time.sleep(1)
    k2 = Kernel(d)
    try:
        where = k2.build_dir()
        check(failures, Path(where) == d, f"the next kernel gets the same build dir ({where})")
        out, err = k2.run("let y = 20 + 1;\ny * 2")
        check(failures, err is None and out.strip() == "42", f"and runs a cell there (got {out.strip()!r}, error {err!r})")
    finally:
        k2.stop()


def two_kernels_at_once(failures: list[str]) -> None:
    d = fresh("two")
    kernels: list[Kernel | None] = [None, None]
    results: list[tuple[str, str, str | None] | None] = [None, None]

    def one(i: int) -> None:
        kernels[i] = Kernel(d)
        where = kernels[i].build_dir()
        out, err = kernels[i].run(f"let k = {i};\nlet v: Vec<i32> = (1..=6).map(|x| x * (k + 1)).collect();\nv.iter().sum::<i32>()")
        results[i] = (where, out.strip(), err)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    try:
        for i, want in enumerate(["21", "42"]):
            r = results[i]
            check(failures, r is not None and r[2] is None and r[1] == want,
                  f"kernel {i + 1} of 2 runs its cell to the right answer {want} ({r})")
        dirs = sorted(r[0] for r in results if r)
        check(failures, len(dirs) == 2 and str(d) in dirs and any("statbank-evcxr." in x for x in dirs),
              f"one kernel has the build dir, the other a throw-away dir ({dirs})")
    finally:
        for k in kernels:
            if k:
                k.stop()


def another_clones_build(failures: list[str]) -> None:
    build = CACHE / "evcxr-build"
    marker = build / "statbank-clone"
    build.mkdir(parents=True, exist_ok=True)
    # As if a clone elsewhere (CI's clean clone, a second checkout) had linked the dylib last.
    marker.write_text("/elsewhere/statbank\n")
    dylibs = sorted(build.glob("target/*/debug/deps/libstatbank_dylib.so"))
    before = dylibs[0].stat().st_mtime_ns if dylibs else None
    k = Kernel(build)
    try:
        out, err = k.run(':opt 0\n:dep statbank = { package = "statbank-dylib", path = "../dylib" }\n'
                         'println!("{}", statbank::data::source::snapshot_dir().display());', timeout=1800)
        want = REPO / "data" / "snapshot"
        got = next((l.strip() for l in out.splitlines() if l.strip().endswith("snapshot")), out.strip())
        check(failures, err is None and Path(got) == want,
              f"the kernel reads this clone's snapshot {want} (got {got!r}, error {(err or '')[:300]!r})")
        after = sorted(build.glob("target/*/debug/deps/libstatbank_dylib.so"))
        check(failures, before is None or (after and after[0].stat().st_mtime_ns != before),
              "the dylib another clone had linked was relinked for this one")
        check(failures, marker.read_text().strip() == str(REPO),
              f"the build dir records this clone as the one that linked it ({marker.read_text().strip()!r})")
    finally:
        k.stop()


def rust_analyzers_graph(failures: list[str]) -> None:
    """The kernel runs with the toolchain scripts/setup made, whose cargo cuts the crate
    graph rust-analyzer reads (scripts/kernel-cargo) and passes every other call on."""
    toolchain = CACHE / "evcxr" / "toolchain"
    if shutil.which("rustup") is None:
        log("skipped: no rustup, so no kernel toolchain")
        return
    k = Kernel(fresh("toolchain"))
    try:
        out, err = k.run('! echo "TOOLCHAIN=$RUSTUP_TOOLCHAIN"')
    finally:
        k.stop()
    got = next((l.removeprefix("TOOLCHAIN=").strip() for l in out.splitlines() if l.startswith("TOOLCHAIN=")), "")
    check(failures, err is None and got == str(toolchain), f"the kernel's RUSTUP_TOOLCHAIN is {toolchain} (got {got!r})")
    build = CACHE / "evcxr-build"  # the notebooks' build dir: its Cargo.toml has the statbank dylib
    host = subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.split("host: ")[1].split()[0]
    env = dict(os.environ, EVCXR_TMPDIR=str(build))
    env.pop("RUSTUP_TOOLCHAIN", None)

    def names(cargo: str, *args: str) -> set[str]:
        r = subprocess.run([str(toolchain / "bin" / cargo), "metadata", "--format-version", "1", *args],
                           cwd=build, env=env, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"{cargo} metadata {' '.join(args)}: {r.stderr.strip()[-300:]}")
        return {p["name"] for p in json.loads(r.stdout)["packages"]}

    ra_args = ("--manifest-path", str(build / "Cargo.toml"), "--filter-platform", host)
    full, cut = names("cargo.real", *ra_args), names("cargo", *ra_args)
    check(failures, {"statbank", "statbank-dylib", "polars-core", "polars-lazy", "plotters"} <= cut
          and not cut & {"tokio", "reqwest", "syn", "sqlparser"} and cut < full,
          f"rust-analyzer's call sees {len(cut)} of the {len(full)} packages: statbank, polars and plotters, not tokio, reqwest, syn or sqlparser")
    own = names("cargo")  # evcxr's own call (no --manifest-path) is passed on unchanged
    check(failures, own == names("cargo.real"), f"evcxr's own metadata call is passed through ({len(own)} packages)")


def main() -> int:
    failures: list[str] = []
    t0 = time.monotonic()
    for name, f in [("a cell that panics", panicking_cell), ("a kernel killed mid-compile", killed_mid_compile),
                    ("two kernels at once", two_kernels_at_once),
                    ("a build dir another clone linked", another_clones_build),
                    ("rust-analyzer's graph", rust_analyzers_graph)]:
        if sys.argv[1:] and not any(a in name for a in sys.argv[1:]):
            continue  # `scripts/kernel-faults clone` runs only the checks whose name has "clone"
        log(f"{name}:")
        t = time.monotonic()
        try:
            f(failures)
        except Exception as e:  # a check that cannot run is a failure, said as such
            failures.append(f"{name}: {type(e).__name__}: {e}")
            log(f"FAILED: {name}: {type(e).__name__}: {e}")
        log(f"  {time.monotonic() - t:.1f} s")
    shutil.rmtree(ROOT, ignore_errors=True)
    log(f"{'ok' if not failures else f'{len(failures)} failure(s)'} in {time.monotonic() - t0:.1f} s")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
