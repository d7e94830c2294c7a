"""End-to-end test of a notebook in JupyterLab, in a real browser (scripts/browser-test).

Starts scripts/lab on a free port, opens the notebook in Debian's Chromium through
Playwright, runs all cells as a user would (Run > Run All Cells), waits until every code
cell has run and the kernel is idle, and checks what the page shows:

* no error output (evcxr's compile errors and a cell's `Err` arrive as stderr; the
  crate's own progress lines start with "statbank:" and are allowed);
* every chart is an image that has really loaded (complete, natural size > 0), as many
  as the committed notebook has;
* the tables render as HTML tables, as many as the committed notebook has;
* no notification toast (the "Jupyter news" prompt is turned off by scripts/setup).

Writes a screenshot of the whole notebook to target/browser/NAME.png and the timings
to target/browser/NAME.json. Exit status 0 only if every check passes.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent


def log(msg: str) -> None:
    print(f"[browser] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def expected(notebook: Path) -> dict:
    """What the committed notebook shows: chart images and HTML tables."""
    nb = json.loads(notebook.read_text())
    images = tables = 0
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if "image/png" in data or "image/svg+xml" in data:
                images += 1
            if "<table" in "".join(data.get("text/html", "")):
                tables += 1
    return {"images": images, "tables": tables}


def wait_for_server(url: str, proc: subprocess.Popen, timeout: float) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"scripts/lab exited with status {proc.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"JupyterLab did not answer at {url} within {timeout:.0f} s")


# JavaScript run in the page: the notebook panel of JupyterLab's application object
# (scripts/lab is started with --expose-app-in-browser for this).
STATE_JS = """() => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  if (!w || !w.content || !w.sessionContext) return null;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  return {
    kernel: w.sessionContext.kernelDisplayName,
    status: w.sessionContext.kernelDisplayStatus,
    code_cells: cells.length,
    executed: cells.filter(c => c.model.executionCount !== null).length,
  };
}"""

CHECK_JS = """() => {
  const outputs = Array.from(document.querySelectorAll('.jp-OutputArea-output'));
  const stderr = outputs
    .filter(o => o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr')
    .map(o => o.innerText)
    .filter(t => t.split('\\n').some(l => l.trim() && !l.startsWith('statbank:')));
  const imgs = Array.from(document.querySelectorAll('.jp-OutputArea-output img'));
  return {
    errors: stderr,
    images: imgs.length,
    images_loaded: imgs.filter(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0).length,
    image_sizes: imgs.map(i => [i.naturalWidth, i.naturalHeight]),
    tables: document.querySelectorAll('.jp-OutputArea-output table').length,
    toasts: Array.from(document.querySelectorAll('.Toastify__toast')).map(t => t.innerText),
    height: (document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer') || document.body).scrollHeight,
  };
}"""


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebook", nargs="?", default="01-population-change.ipynb")
    ap.add_argument("--timeout", type=float, default=900, help="seconds for Run All (default 900)")
    ap.add_argument("--chromium", default=os.environ.get("STATBANK_CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--out", type=Path, default=ROOT / "target" / "browser")
    args = ap.parse_args(argv)
    notebook = ROOT / "notebooks" / args.notebook
    if not notebook.is_file():
        raise SystemExit(f"no notebook {notebook}")
    if not Path(args.chromium).exists():
        raise SystemExit(f"no browser at {args.chromium}: scripts/setup installs Debian's chromium")
    want = expected(notebook)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = notebook.stem

    # The test must leave the committed notebook as it is: JupyterLab autosaves a
    # notebook after it runs, so this lab gets its own user settings (autosave off) and
    # workspaces in a throw-away directory, and the file is compared afterwards.
    original = notebook.read_bytes()
    scratch = tempfile.TemporaryDirectory(prefix="statbank-browser-")
    settings = Path(scratch.name) / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}) + "\n")
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, PORT=str(port), JUPYTER_TOKEN=token,
               JUPYTERLAB_SETTINGS_DIR=str(Path(scratch.name) / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(Path(scratch.name) / "workspaces"))
    lab_log = open(args.out / f"{stem}.lab.log", "w")
    t0 = time.monotonic()
    lab = subprocess.Popen([str(ROOT / "scripts" / "lab"), "--expose-app-in-browser", "--ServerApp.port_retries=0"],
                           env=env, stdout=lab_log, stderr=subprocess.STDOUT, start_new_session=True)
    timings: dict[str, float] = {}
    failures: list[str] = []
    try:
        wait_for_server(f"http://127.0.0.1:{port}/api/status?token={token}", lab, 120)
        timings["server_start_s"] = round(time.monotonic() - t0, 2)
        log(f"JupyterLab up on port {port} in {timings['server_start_s']} s")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            t1 = time.monotonic()
            page.goto(f"http://127.0.0.1:{port}/lab/tree/{notebook.name}?token={token}")
            page.wait_for_function(f"() => {{ const s = ({STATE_JS})(); return s && s.status === 'idle'; }}",
                                   timeout=180_000)
            timings["kernel_idle_s"] = round(time.monotonic() - t1, 2)
            state = page.evaluate(STATE_JS)
            log(f"notebook open, kernel {state['kernel']!r} {state['status']} after {timings['kernel_idle_s']} s; Run > Run All Cells")
            if state["kernel"] != "Rust":
                failures.append(f"the notebook opened with kernel {state['kernel']!r}, not 'Rust'")
            # As a user does it: the Run menu, then "Run All Cells".
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            t2 = time.monotonic()
            last, idle_since = None, None
            while True:
                state = page.evaluate(STATE_JS)
                done = state and state["executed"] == state["code_cells"] and state["status"] == "idle"
                if done:
                    break
                # A cell that fails stops Run All: the kernel goes idle with cells left unrun.
                if state and state["status"] == "idle":
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > 15:
                        failures.append(f"Run All stopped: {state['executed']} of {state['code_cells']} code cells ran "
                                        f"and the kernel has been idle for 15 s")
                        break
                else:
                    idle_since = None
                if time.monotonic() - t2 > args.timeout:
                    failures.append(f"Run All did not finish in {args.timeout:.0f} s: {state}")
                    break
                progress = (state or {}).get("executed")
                if progress != last and state:
                    log(f"  {state['executed']}/{state['code_cells']} code cells run, kernel {state['status']}")
                    last = progress
                time.sleep(1)
            timings["run_all_s"] = round(time.monotonic() - t2, 2)
            log(f"Run All finished in {timings['run_all_s']} s")
            page.wait_for_timeout(1500)  # let the last images decode
            seen = page.evaluate(CHECK_JS)
            if seen["errors"]:
                failures.append(f"{len(seen['errors'])} error output(s): " + " | ".join(e[:300] for e in seen["errors"]))
            if seen["images"] != want["images"]:
                failures.append(f"{seen['images']} chart image(s) on the page, the committed notebook has {want['images']}")
            if seen["images_loaded"] != seen["images"]:
                failures.append(f"only {seen['images_loaded']} of {seen['images']} images loaded (natural sizes {seen['image_sizes']})")
            if seen["tables"] < want["tables"]:
                failures.append(f"{seen['tables']} HTML table(s) on the page, the committed notebook has {want['tables']}")
            if seen["toasts"]:
                failures.append(f"notification toast(s) shown: {seen['toasts']}")
            # The notebook scrolls inside its panel: make the window as tall as the
            # notebook (Chromium caps a capture at 16384 px) and capture the page.
            page.set_viewport_size({"width": 1400, "height": min(int(seen["height"]) + 200, 16000)})
            page.evaluate("() => { const o = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');"
                          " if (o) o.scrollTop = 0; }")
            page.wait_for_timeout(2000)
            shot = args.out / f"{stem}.png"
            page.screenshot(path=str(shot), full_page=True)
            log(f"screenshot {shot}; {seen['images']} images {seen['image_sizes']}, {seen['tables']} tables, "
                f"{len(seen['errors'])} errors, {len(seen['toasts'])} toasts")
            browser.close()
            (args.out / f"{stem}.json").write_text(json.dumps({"timings": timings, "seen": seen, "expected": want,
                                                               "failures": failures}, indent=2) + "\n")
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
        lab_log.close()
        scratch.cleanup()
        if notebook.read_bytes() != original:
            notebook.write_bytes(original)
            failures.append(f"JupyterLab saved {notebook.name} during the test (restored the committed file)")
    timings["total_s"] = round(time.monotonic() - t0, 2)
    for f in failures:
        log(f"FAILED: {f}")
    log(f"{stem}: {'ok' if not failures else 'failed'} in {timings['total_s']} s ({timings})")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
