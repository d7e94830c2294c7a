//! The stable-Rust fuzz driver: mutations of the real fixtures fed to every target of
//! [`statbank::fuzz`], on any toolchain (`scripts/fuzz` uses `cargo fuzz`'s libFuzzer
//! instead where a nightly toolchain is present).
//!
//! ```text
//! cargo test --test fuzz                       # the short version (in every cargo test): regressions,
//!                                              #   seeds, then 0.5 s of mutations per target
//! cargo test --test fuzz -- --seconds 60 --target jsonstat --report target/fuzz/stable.json
//! cargo test --test fuzz -- --write-seeds DIR  # the seed corpora, one folder per target (for libFuzzer)
//! cargo test --test fuzz -- --explain jsonstat FILE   # what one saved input makes
//! ```
//!
//! Every input is checked under a counting allocator: an input that makes a parser hold
//! more than 64 MiB + 1 KiB per input byte at once is a finding, like a panic or a broken
//! property. A finding is minimised, saved under `target/fuzz/stable/<target>/` and
//! fails the run; it becomes a regression test once copied to `tests/fuzz/<target>/`
//! (every file there is checked on every run). Without coverage instrumentation the
//! driver keeps the mutants that reach a new [`Outcome`](statbank::fuzz::Outcome) (an
//! error of another shape, another path through the parser); the report counts them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use statbank::fuzz::{Outcome, Target};

mod common;

// ---------------------------------------------------------------- allocation accounting

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call goes straight to the system allocator; the counters only watch.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The most an input may make the parsers hold at once.
fn allocation_bound(input_len: usize) -> usize {
    (64 << 20) + 1024 * input_len
}

// ---------------------------------------------------------------- one input

/// What a finding is: a panic, a broken property, or an allocation out of bounds.
#[derive(Debug, Clone)]
struct Finding {
    kind: &'static str,
    message: String,
}

static PANIC_AT: Mutex<String> = Mutex::new(String::new());

/// Run one input; its outcome, or the finding it makes.
fn exec(target: Target, data: &[u8]) -> Result<Outcome, Finding> {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let result = catch_unwind(AssertUnwindSafe(|| target.run(data)));
    let held = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    match result {
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic".into());
            let at = PANIC_AT.lock().map(|s| s.clone()).unwrap_or_default();
            Err(Finding { kind: "panic", message: format!("{msg} ({at})") })
        }
        Ok(Err(v)) => Err(Finding { kind: "property", message: v.to_string() }),
        Ok(Ok(_)) if held > allocation_bound(data.len()) => Err(Finding {
            kind: "allocation",
            message: format!("held {} MiB at once for a {}-byte input", held >> 20, data.len()),
        }),
        Ok(Ok(outcome)) => Ok(outcome),
    }
}

/// The shortest input (by deleting chunks) that still makes a finding of the same kind.
fn minimise(target: Target, data: &[u8], kind: &str) -> Vec<u8> {
    let mut best = data.to_vec();
    let mut chunk = best.len().div_ceil(2).max(1);
    let mut tries = 0;
    while chunk >= 1 && tries < 4000 {
        let mut i = 0;
        let mut shrunk = false;
        while i < best.len() && tries < 4000 {
            let mut cand = best.clone();
            cand.drain(i..(i + chunk).min(cand.len()));
            tries += 1;
            if matches!(exec(target, &cand), Err(f) if f.kind == kind) {
                best = cand;
                shrunk = true;
            } else {
                i += chunk;
            }
        }
        if !shrunk {
            if chunk == 1 {
                break;
            }
            chunk /= 2;
        }
    }
    best
}

// ---------------------------------------------------------------- mutations

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const BYTES: &[u8] = b"\0\xff\"{}[],:9-.e\n\\ 0\x80\xc3";
const NUMBERS: &[&str] = &[
    "0", "-1", "1", "2", "1e308", "-0", "4294967296", "18446744073709551616", "1000000000000", "2147483648",
    "99999999999999999999", "3.5", "null", "134217728", "9007199254740993",
];
const WORDS: &[&str] = &[
    "", "dataset", "dimension", "size", "value", "status", "index", "label", "category", "id", "role", "time",
    "Tid", "Region", "ContentsCode", "2024K3", "2021U53", "..", "*", "top(", "agg:", "vs:", "single_kommune",
    "total_split", "codeChanges", "changeOccurred", "validFrom", "variables", "values", "valueTexts", "1.0",
    "2.0", "Æ", "\u{1F600}", "\\u0000",
];

/// A mutant of `data` (1 to 4 stacked edits), never longer than `max_len`.
fn mutate(rng: &mut Rng, data: &[u8], corpus: &[Vec<u8>], max_len: usize) -> Vec<u8> {
    let mut d = data.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = d.len();
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                d[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                d[i] = BYTES[rng.below(BYTES.len())];
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(16);
                d.drain(i..(i + n).min(len));
            }
            3 if len > 0 => {
                let (i, n) = (rng.below(len), 1 + rng.below(64));
                let piece = d[i..(i + n).min(len)].to_vec();
                let at = rng.below(len + 1);
                d.splice(at..at, piece);
            }
            4 => {
                let at = rng.below(len + 1);
                let piece: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.next() as u8).collect();
                d.splice(at..at, piece);
            }
            5 => {
                // A run of digits becomes an interesting number.
                let starts: Vec<usize> = (0..len).filter(|&i| d[i].is_ascii_digit() && (i == 0 || !d[i - 1].is_ascii_digit())).collect();
                let num = NUMBERS[rng.below(NUMBERS.len())].as_bytes().to_vec();
                if starts.is_empty() {
                    let at = rng.below(len + 1);
                    d.splice(at..at, num);
                } else {
                    let s = starts[rng.below(starts.len())];
                    let e = (s..len).find(|&i| !d[i].is_ascii_digit()).unwrap_or(len);
                    d.splice(s..e, num);
                }
            }
            6 if !corpus.is_empty() => {
                // Splice in a piece of another input.
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let (i, n) = (rng.below(other.len()), 1 + rng.below(256));
                    let piece = other[i..(i + n).min(other.len())].to_vec();
                    let at = rng.below(len + 1);
                    let cut = (at + rng.below(64)).min(len);
                    d.splice(at..cut, piece);
                }
            }
            7 => {
                // A quoted string becomes a dictionary word.
                let quotes: Vec<usize> = (0..len).filter(|&i| d[i] == b'"').collect();
                let word = WORDS[rng.below(WORDS.len())].as_bytes().to_vec();
                if quotes.len() >= 2 {
                    let k = rng.below(quotes.len() - 1);
                    d.splice(quotes[k] + 1..quotes[k + 1], word);
                } else {
                    let at = rng.below(len + 1);
                    d.splice(at..at, word);
                }
            }
            8 if len > 0 => d.truncate(rng.below(len)),
            _ if len > 1 => {
                // Repeat a piece many times (deep nesting, long lists).
                let (i, n) = (rng.below(len), 1 + rng.below(8));
                let piece = d[i..(i + n).min(len)].to_vec();
                let times = 1 + rng.below(200);
                let at = rng.below(len + 1);
                d.splice(at..at, piece.repeat(times));
            }
            _ => {}
        }
    }
    d.truncate(max_len);
    d
}

// ---------------------------------------------------------------- a run

struct Options {
    seconds: f64,
    targets: Vec<Target>,
    report: Option<PathBuf>,
    seed: u64,
    write_seeds: Option<PathBuf>,
}

fn options() -> Options {
    let mut o = Options { seconds: 0.5, targets: vec![], report: None, seed: 0x5747_4154_4241_4e4b, write_seeds: None };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().unwrap_or_else(|| die(&format!("{name} needs a value")));
        match a.as_str() {
            "--seconds" => o.seconds = value("--seconds").parse().unwrap_or_else(|_| die("--seconds takes a number")),
            "--seed" => o.seed = value("--seed").parse().unwrap_or_else(|_| die("--seed takes a whole number")),
            "--report" => o.report = Some(PathBuf::from(value("--report"))),
            "--write-seeds" => o.write_seeds = Some(PathBuf::from(value("--write-seeds"))),
            "--target" => {
                let name = value("--target");
                o.targets.push(Target::from_name(&name).unwrap_or_else(|| {
                    let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
                    die(&format!("no fuzz target {name:?}; the targets are {}", names.join(", ")))
                }));
            }
            "--explain" => {
                // Run one saved input and say what it makes: `--explain TARGET FILE`.
                let name = value("--explain");
                let target = Target::from_name(&name).unwrap_or_else(|| die(&format!("no fuzz target {name:?}")));
                let file = value("--explain");
                let data = std::fs::read(&file).unwrap_or_else(|e| die(&format!("{file}: {e}")));
                match exec(target, &data) {
                    Ok(o) => println!("{}: {} bytes: {}", target.name(), data.len(), o.0),
                    Err(f) => println!("{}: {} bytes: {} finding: {}", target.name(), data.len(), f.kind, f.message),
                }
                std::process::exit(0);
            }
            "--list" => {
                // What libtest answers, for tools that ask (cargo nextest).
                println!("properties: test");
                std::process::exit(0);
            }
            _ => {} // cargo test's own flags (--nocapture, filters, …) do not apply here
        }
    }
    if o.targets.is_empty() {
        o.targets = Target::ALL.to_vec();
    }
    o
}

fn die(msg: &str) -> ! {
    eprintln!("fuzz: {msg}");
    std::process::exit(2)
}

/// The target's regression inputs: every file in `tests/fuzz/<target>/`, by name.
fn regressions(target: Target) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz").join(target.name());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap_or_else(|e| die(&format!("reading {}: {e}", p.display())))).collect()
}

/// The seeds: the target's files from the repository's snapshot and the shared one, and its inline seeds.
fn seeds(target: Target) -> Vec<Vec<u8>> {
    let dirs = [common::snapshot_dir(), common::shared_snapshot()];
    let mut out: Vec<Vec<u8>> = vec![];
    for rel in target.seed_files() {
        if let Some(bytes) = dirs.iter().find_map(|d| std::fs::read(d.join(rel)).ok()) {
            out.push(bytes);
        } else {
            die(&format!("seed {rel} is in neither {} nor {}", dirs[0].display(), dirs[1].display()));
        }
    }
    out.extend(target.inline_seeds().iter().map(|s| s.as_bytes().to_vec()));
    out
}

#[derive(Default)]
struct Tally {
    execs: u64,
    outcomes: HashSet<Outcome>,
    findings: Vec<(Finding, PathBuf)>,
    regressions: usize,
    slowest: Duration,
    corpus: usize,
}

fn record(target: Target, data: &[u8], tally: &mut Tally, seen: &mut HashSet<String>) -> Option<Outcome> {
    let t = Instant::now();
    let r = exec(target, data);
    tally.execs += 1;
    tally.slowest = tally.slowest.max(t.elapsed());
    match r {
        Ok(o) => Some(o),
        Err(f) => {
            if seen.insert(format!("{}: {}", f.kind, f.message)) {
                let small = minimise(target, data, f.kind);
                let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../fuzz/stable").join(target.name());
                let _ = std::fs::create_dir_all(&dir);
                let hash = small.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
                let path = dir.join(format!("{hash:016x}"));
                let _ = std::fs::write(&path, &small);
                eprintln!(
                    "fuzz: {} {} finding: {}\n      minimised to {} bytes: {}",
                    target.name(),
                    f.kind,
                    f.message,
                    small.len(),
                    path.display()
                );
                tally.findings.push((f, path));
            }
            None
        }
    }
}

fn fuzz_target(target: Target, o: &Options) -> Tally {
    let mut tally = Tally::default();
    let mut seen = HashSet::new();
    // Every regression input, then every seed.
    for bytes in regressions(target) {
        tally.regressions += 1;
        record(target, &bytes, &mut tally, &mut seen);
    }
    let mut corpus = seeds(target);
    let max_len = corpus.iter().map(Vec::len).max().unwrap_or(0).max(4096) * 2;
    for s in corpus.clone() {
        if let Some(out) = record(target, &s, &mut tally, &mut seen) {
            tally.outcomes.insert(out);
        }
    }
    let mut rng = Rng(o.seed ^ (target as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let deadline = Instant::now() + Duration::from_secs_f64(o.seconds);
    while Instant::now() < deadline {
        if corpus.is_empty() {
            corpus.push(vec![]);
        }
        let parent = &corpus[rng.below(corpus.len())];
        let child = mutate(&mut rng, parent, &corpus, max_len);
        if let Some(out) = record(target, &child, &mut tally, &mut seen) {
            if tally.outcomes.insert(out) && corpus.len() < 4096 {
                corpus.push(child);
            }
        }
    }
    tally.corpus = corpus.len();
    if let Some(path) = std::env::var_os("STATBANK_FUZZ_OUTCOMES") {
        // For a look at what the outcomes are (tuning the driver): one per line.
        let mut lines: Vec<&str> = tally.outcomes.iter().map(|o| o.0.as_str()).collect();
        lines.sort_unstable();
        let _ = std::fs::write(Path::new(&path).join(target.name()), lines.join("\n"));
    }
    tally
}

fn main() {
    let o = options();
    // Panics are findings, reported once each, minimised: keep the default hook's noise out.
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut at) = PANIC_AT.lock() {
            *at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        }
    }));
    if let Some(dir) = &o.write_seeds {
        // The corpora libFuzzer starts from: seeds and regression inputs, one folder per target.
        for &target in &o.targets {
            let d = dir.join(target.name());
            std::fs::create_dir_all(&d).unwrap_or_else(|e| die(&format!("creating {}: {e}", d.display())));
            let inputs = seeds(target).into_iter().chain(regressions(target));
            for (i, bytes) in inputs.enumerate() {
                let path = d.join(format!("seed-{i:03}"));
                std::fs::write(&path, bytes).unwrap_or_else(|e| die(&format!("writing {}: {e}", path.display())));
            }
        }
        println!("fuzz: seeds written to {}", dir.display());
        return;
    }
    let started = Instant::now();
    let mut rows = vec![];
    let mut failed = 0;
    println!("fuzz: stable driver, {} s per target, seed {}", o.seconds, o.seed);
    for &target in &o.targets {
        let t = fuzz_target(target, &o);
        println!(
            "fuzz: {:<18} {:>8} execs  {:>4} outcomes  {:>4} corpus  {:>3} regressions  {} findings  (slowest input {:.0} ms)",
            target.name(),
            t.execs,
            t.outcomes.len(),
            t.corpus,
            t.regressions,
            t.findings.len(),
            t.slowest.as_secs_f64() * 1e3
        );
        failed += t.findings.len();
        rows.push(serde_json::json!({
            "target": target.name(),
            "execs": t.execs,
            "outcomes": t.outcomes.len(),
            "corpus": t.corpus,
            "regressions": t.regressions,
            "findings": t.findings.iter().map(|(f, p)| serde_json::json!({
                "kind": f.kind, "message": f.message, "input": p,
            })).collect::<Vec<_>>(),
            "slowest_ms": t.slowest.as_secs_f64() * 1e3,
        }));
    }
    if let Some(path) = &o.report {
        let doc = serde_json::json!({
            "driver": "stable", "seconds_per_target": o.seconds, "seed": o.seed,
            "wall_s": started.elapsed().as_secs_f64(), "targets": rows,
        });
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, serde_json::to_string_pretty(&doc).expect("json") + "\n")
            .unwrap_or_else(|e| die(&format!("writing {}: {e}", path.display())));
    }
    println!("fuzz: {failed} finding(s) in {:.1} s", started.elapsed().as_secs_f64());
    if failed > 0 {
        std::process::exit(1);
    }
}
