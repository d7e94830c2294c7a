"""Run every fuzz target for a fixed time and report (scripts/fuzz).

The targets and their properties live in the crate (`statbank::fuzz`); this script only
drives them: with libFuzzer through `cargo fuzz` where a nightly toolchain is present,
else with the stable mutation driver (`cargo test --test fuzz`). Either way it writes
target/fuzz/report.json and target/fuzz/report.md, one row per target: executions,
coverage, corpus, findings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "fuzz"
CACHE = Path(os.environ.get("STATBANK_CACHE_DIR") or Path.home() / ".cache" / "statbank")
TARGETS = ["jsonstat", "table_meta", "klass_changes", "klass_codes", "klass_versions_csv", "selection", "period",
           "settlements_csv"]
CARGO_FUZZ_VERSION = "0.13.2"


def log(msg: str) -> None:
    print(f"[fuzz] {msg}", flush=True)


def has_nightly() -> bool:
    try:
        return subprocess.run(["cargo", "+nightly", "--version"], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


def cargo_fuzz() -> list[str]:
    """The cargo-fuzz command, installed under the cache when missing."""
    root = CACHE / "cargo-fuzz"
    exe = root / "bin" / "cargo-fuzz"
    if not exe.exists():
        log(f"installing cargo-fuzz {CARGO_FUZZ_VERSION} under {root} (a few minutes, once)")
        subprocess.run(["cargo", "install", "cargo-fuzz", "--version", CARGO_FUZZ_VERSION, "--locked", "--root", str(root)],
                       check=True)
    return [str(exe), "fuzz"]


def write_seeds(dest: Path) -> None:
    shutil.rmtree(dest, ignore_errors=True)
    subprocess.run(["cargo", "test", "--quiet", "--test", "fuzz", "--", "--write-seeds", str(dest)], check=True, cwd=ROOT)


def libfuzzer(targets: list[str], seconds: int) -> list[dict]:
    fuzz = cargo_fuzz()
    corpus_root = OUT / "corpus"
    seeds = OUT / "seeds"
    write_seeds(seeds)
    build_dir = OUT / "build"
    lock = ROOT / "fuzz" / "Cargo.lock"
    if not lock.exists():
        shutil.copy(ROOT / "Cargo.lock", lock)  # the project's versions, plus libfuzzer-sys
    rows = []
    for t in targets:
        corpus = corpus_root / t
        corpus.mkdir(parents=True, exist_ok=True)
        artifacts = OUT / "artifacts" / t
        artifacts.mkdir(parents=True, exist_ok=True)
        before = {p.name for p in artifacts.iterdir()}
        cmd = ["cargo", "+nightly", *fuzz[1:], "run", "--target-dir", str(build_dir), t, str(corpus), str(seeds / t), "--",
               f"-max_total_time={seconds}", "-rss_limit_mb=2048", "-malloc_limit_mb=1024", "-timeout=10",
               "-print_final_stats=1", f"-artifact_prefix={artifacts}/"]
        env = dict(os.environ, PATH=f"{Path(fuzz[0]).parent}:{os.environ['PATH']}")
        log(f"{t}: libFuzzer for {seconds} s")
        started = time.monotonic()
        p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.monotonic() - started
        text = p.stdout + p.stderr
        (OUT / f"{t}.log").write_text(text)
        done = [l for l in text.splitlines() if re.match(r"#\d+\s", l)]
        last = done[-1] if done else ""
        m = lambda pat: (re.search(pat, last) or [None, None])[1]
        execs = re.search(r"stat::number_of_executed_units:\s*(\d+)", text)
        rss = re.search(r"stat::peak_rss_mb:\s*(\d+)", text)
        cov, ft = m(r"cov: (\d+)"), m(r"ft: (\d+)")
        new = sorted(p.name for p in artifacts.iterdir() if p.name not in before)
        if p.returncode != 0 and not new:
            print(text[-4000:])
            sys.exit(f"fuzz: {t}: cargo fuzz failed (exit {p.returncode}) without a finding; see {OUT / (t + '.log')}")
        rows.append({
            "target": t, "driver": "libFuzzer (cargo fuzz, ASan)", "seconds": seconds, "wall_s": round(wall, 1),
            "execs": int(execs[1]) if execs else int(m(r"#(\d+)") or 0),
            "coverage": f"cov {cov}, ft {ft}",
            "corpus": int(m(r"corp: (\d+)") or 0), "peak_rss_mb": int(rss[1]) if rss else None,
            "findings": [str(artifacts / n) for n in new],
        })
        log(f"{t}: {rows[-1]['execs']} execs, {rows[-1]['coverage']}, {len(new)} finding(s)")
    return rows


def stable(targets: list[str], seconds: int) -> list[dict]:
    report = OUT / "stable.json"
    args = ["--seconds", str(seconds), "--report", str(report)]
    for t in targets:
        args += ["--target", t]
    log(f"stable driver, {seconds} s per target")
    p = subprocess.run(["cargo", "test", "--test", "fuzz", "--", *args], cwd=ROOT)
    if not report.exists():
        sys.exit(f"fuzz: the stable driver wrote no report (exit {p.returncode})")
    doc = json.loads(report.read_text())
    return [{
        "target": r["target"], "driver": "stable mutations (tests/fuzz.rs)", "seconds": seconds, "wall_s": None,
        "execs": r["execs"], "coverage": f"{r['outcomes']} outcomes", "corpus": r["corpus"], "peak_rss_mb": None,
        "findings": [f["input"] for f in r["findings"]],
    } for r in doc["targets"]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=60, help="per target (default 60)")
    ap.add_argument("--stable", action="store_true", help="the stable driver even where nightly is present")
    ap.add_argument("--target", action="append", choices=TARGETS, help="only these targets")
    a = ap.parse_args()
    targets = a.target or TARGETS
    OUT.mkdir(parents=True, exist_ok=True)
    use_libfuzzer = not a.stable and has_nightly()
    if not a.stable and not use_libfuzzer:
        log("no nightly toolchain: the stable driver runs instead of cargo fuzz")
    rows = libfuzzer(targets, a.seconds) if use_libfuzzer else stable(targets, a.seconds)
    rustc = subprocess.run(["rustc", "+nightly" if use_libfuzzer else "+stable", "--version"], capture_output=True, text=True).stdout.strip()
    doc = {"date": time.strftime("%Y-%m-%d"), "rustc": rustc, "targets": rows}
    (OUT / "report.json").write_text(json.dumps(doc, indent=1) + "\n")
    lines = ["| target | driver | time | executions | coverage | corpus | findings |", "|---|---|---:|---:|---|---:|---:|"]
    for r in rows:
        execs = f"{r['execs']:,}".replace(",", "\u202f")  # thin space between thousands
        lines.append(f"| `{r['target']}` | {r['driver']} | {r['seconds']} s | {execs} | {r['coverage']} | "
                     f"{r['corpus']} | {len(r['findings'])} |")
    md = "\n".join(lines) + "\n"
    (OUT / "report.md").write_text(md)
    print(md)
    found = sum(len(r["findings"]) for r in rows)
    log(f"{found} finding(s); report in {OUT / 'report.md'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
