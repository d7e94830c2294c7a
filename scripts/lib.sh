# shellcheck shell=bash
# Shared paths for the notebook tooling; sourced by scripts/setup, run-notebooks,
# bench-notebooks, lab, test and main. Not meant to be run on its own.
#
# Heavy caches live outside the clone so that a fresh clone (CI) reuses them:
#   $STATBANK_CACHE_DIR            default ~/.cache/statbank
#     venv/                        Python venv: jupyterlab, nbconvert, nbclient, ipykernel
#     venv/share/jupyter/kernels/rust/   the evcxr kernelspec (found first via JUPYTER_PATH)
#     evcxr/bin/evcxr_jupyter      cargo install --root evcxr
#     evcxr/bin/statbank-evcxr-kernel    copy of scripts/kernel-wrapper: persistent build dir + lock
#     evcxr/toolchain/             the kernel's rustup path toolchain (cargo: scripts/kernel-cargo)
#     evcxr-build/                 persistent evcxr build dir (EVCXR_TMPDIR), one kernel at a time
#     evcxr-build.lock             flock(1) lock guarding it
#     evcxr-config/                EVCXR_CONFIG_DIR: keeps ~/.config/evcxr out of reproducible runs

STATBANK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATBANK_CACHE_DIR="${STATBANK_CACHE_DIR:-$HOME/.cache/statbank}"
STATBANK_VENV="$STATBANK_CACHE_DIR/venv"
STATBANK_EVCXR_ROOT="$STATBANK_CACHE_DIR/evcxr"
STATBANK_EVCXR_BIN="$STATBANK_EVCXR_ROOT/bin/evcxr_jupyter"
STATBANK_KERNEL_WRAPPER="$STATBANK_EVCXR_ROOT/bin/statbank-evcxr-kernel"
STATBANK_KERNEL_TOOLCHAIN="$STATBANK_EVCXR_ROOT/toolchain"
STATBANK_EVCXR_VERSION="0.22.0"
STATBANK_BUILD_DIR_DEFAULT="$STATBANK_CACHE_DIR/evcxr-build"
STATBANK_EVCXR_CONFIG="$STATBANK_CACHE_DIR/evcxr-config"
STATBANK_JUPYTER_PATH="$STATBANK_VENV/share/jupyter"
STATBANK_KERNEL_NAME="rust"
STATBANK_KERNEL_DIR="$STATBANK_JUPYTER_PATH/kernels/$STATBANK_KERNEL_NAME"
STATBANK_CHROMIUM="${STATBANK_CHROMIUM:-/usr/bin/chromium}"
export STATBANK_CACHE_DIR

# Our kernelspec directory comes first, ahead of a user-level ~/.local/share/jupyter
# "rust" kernel that could point at another evcxr build.
export JUPYTER_PATH="$STATBANK_JUPYTER_PATH${JUPYTER_PATH:+:$JUPYTER_PATH}"

statbank_log() { printf '[statbank] %s\n' "$*" >&2; }

# True when evcxr_jupyter $STATBANK_EVCXR_VERSION is installed under our --root.
statbank_evcxr_installed() {
    [[ -x "$STATBANK_EVCXR_BIN" ]] &&
        cargo install --list --root "$STATBANK_EVCXR_ROOT" 2>/dev/null |
        grep -qx "evcxr_jupyter v$STATBANK_EVCXR_VERSION:"
}

# True when the venv and the kernel are in place (what run-notebooks and lab need).
statbank_ready() {
    [[ -x "$STATBANK_VENV/bin/python" && -x "$STATBANK_EVCXR_BIN" \
        && -x "$STATBANK_KERNEL_WRAPPER" && -f "$STATBANK_KERNEL_DIR/kernel.json" ]] &&
        cmp -s "$STATBANK_ROOT/scripts/init.evcxr" "$STATBANK_EVCXR_CONFIG/init.evcxr" &&
        cmp -s "$STATBANK_ROOT/scripts/kernel-wrapper" "$STATBANK_KERNEL_WRAPPER" &&
        { ! command -v rustup >/dev/null ||
            { cmp -s "$STATBANK_ROOT/scripts/kernel-cargo" "$STATBANK_KERNEL_TOOLCHAIN/bin/cargo" &&
              cmp -s "$STATBANK_ROOT/scripts/kernel_metadata.py" "$STATBANK_KERNEL_TOOLCHAIN/kernel_metadata.py"; }; }
}

statbank_require_ready() {
    if ! statbank_ready; then
        statbank_log "notebook tooling not set up (or out of date) under $STATBANK_CACHE_DIR: run scripts/setup first"
        exit 1
    fi
}

# Say which data the notebooks and the report will read (statbank::Source::from_env
# decides the same way): STATBANK_LIVE=1 -> SSB's live API; STATBANK_OFFLINE=DIR ->
# that snapshot; neither -> the repository's data/snapshot (the default).
statbank_describe_source() {
    if [[ -n "${STATBANK_LIVE:-}" && "${STATBANK_LIVE}" != 0 ]]; then
        statbank_log "data: live SSB API (STATBANK_LIVE=$STATBANK_LIVE; needs a route to data.ssb.no)"
    elif [[ -n "${STATBANK_OFFLINE:-}" ]]; then
        [[ -d "$STATBANK_OFFLINE" ]] || statbank_log "warning: STATBANK_OFFLINE=$STATBANK_OFFLINE is not a directory"
        statbank_log "data: offline snapshot STATBANK_OFFLINE=$STATBANK_OFFLINE"
    else
        statbank_log "data: the repository's snapshot data/snapshot (STATBANK_LIVE=1 for SSB's live API)"
    fi
}

# Fail early, and say why, when the disk under DIR has less than NEED_GIB GiB free for
# WHAT: a full disk otherwise surfaces deep in cargo's output as "No space left on
# device" or a linker's "Bus error". Measured (2 cores, 2026-12-04): a clean
# `scripts/test` leaves 2.7 GB in target/ and, on a new machine, 2.2 GB in the cache (the
# kernel's build dir, the venv, evcxr_jupyter), with evcxr_jupyter's install build in
# $TMPDIR on top while it runs.
statbank_require_disk() {
    local dir="$1" need_gib="$2" what="$3" avail_kib
    mkdir -p "$dir"
    avail_kib="$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')"
    if [[ "$avail_kib" =~ ^[0-9]+$ ]] && ((avail_kib < need_gib * 1024 * 1024)); then
        statbank_log "error: $what needs about $need_gib GiB free on the disk of $dir, which has $((avail_kib / 1024 / 1024)) GiB free; free some space (an old target/ of another checkout, say) and run again"
        exit 1
    fi
}

# statbank_timed KIND LABEL CMD...: run CMD with a progress line every 30 s on stderr
# (scripts/progress.py: what rustc is compiling, how long LABEL has run and roughly how
# long it has left); when CMD passes, remember how long it took on this machine, for the
# next run's estimate. KIND is cold or warm. STATBANK_PROGRESS=0 runs CMD bare.
statbank_timed() {
    local kind="$1" label="$2"; shift 2
    local t=$SECONDS status=0 ticker=""
    if [[ "${STATBANK_PROGRESS:-1}" != 0 ]]; then
        python3 "$STATBANK_ROOT/scripts/progress.py" watch --pid "$BASHPID" --label "$label" --kind "$kind" &
        ticker=$!
    fi
    "$@" || status=$?
    if [[ -n "$ticker" ]]; then
        kill "$ticker" 2>/dev/null || true
        wait "$ticker" 2>/dev/null || true
    fi
    if ((status == 0)); then
        python3 "$STATBANK_ROOT/scripts/progress.py" record --label "$label" --kind "$kind" --seconds $((SECONDS - t)) || true
    fi
    return "$status"
}

# statbank_setup_begin WHO: run scripts/setup now; or, on a new machine (evcxr_jupyter
# missing), start it in the background (statbank_timed: a progress line every 30 s) with
# its log in target/setup.log, so that a cargo build can run beside its install (12-25 min
# on 2 cores; its build leaves a core idle in serial phases). statbank_setup_end WHO waits
# for it, shows its log and fails if it failed.
statbank_setup_begin() {
    STATBANK_SETUP_PID=""
    if statbank_evcxr_installed; then
        "$STATBANK_ROOT/scripts/setup"
        return
    fi
    mkdir -p "$STATBANK_ROOT/target"
    statbank_log "$1: evcxr_jupyter missing; scripts/setup runs in the background (log target/setup.log)"
    statbank_timed cold scripts/setup statbank_setup_logged &
    STATBANK_SETUP_PID=$!
}

statbank_setup_logged() {
    STATBANK_PROGRESS=0 "$STATBANK_ROOT/scripts/setup" >"$STATBANK_ROOT/target/setup.log" 2>&1 </dev/null
}

statbank_setup_end() {
    [[ -n "${STATBANK_SETUP_PID:-}" ]] || return 0
    statbank_log "$1: waiting for scripts/setup (pid $STATBANK_SETUP_PID)"
    local status=0
    wait "$STATBANK_SETUP_PID" || status=$?
    cat "$STATBANK_ROOT/target/setup.log"
    if ((status != 0)); then
        statbank_log "$1: scripts/setup failed"
        return 1
    fi
}
