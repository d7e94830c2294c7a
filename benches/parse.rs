//! Parse speed: `Dataset::from_slice` + `to_frame` against a plain
//! `serde_json::from_slice::<Value>` on the same JSON-stat2 bytes.
//!
//! The document is generated from the snapshot's table 07459 (849 regions × 22 years)
//! with a synthetic `Alder` dimension of 110 ages: 2 054 580 cells, some null with a
//! status symbol, as SSB answers. Best, median and p90 of several runs; results go to stdout and to
//! `target/bench/parse.json`. Target: the frame parse at least 0.5× the speed of the
//! plain `Value` parse.
//!
//! `cargo bench --bench parse` (reads the repository's `data/snapshot`;
//! `STATBANK_BENCH_RUNS` for the number of runs, default 5; `STATBANK_HUGE_PAGES=0`
//! without `to_frame`'s huge-page advice). `scripts/bench-parse` runs it as many fresh
//! processes, both ways, and prints the distributions.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use statbank::data::jsonstat::Dataset;

fn snapshot_dir() -> PathBuf {
    statbank::data::source::snapshot_dir().to_path_buf()
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

/// A JSON-stat2 document: Region × Alder × ContentsCode × Tid.
fn generate(base: &Dataset, ages: usize) -> (Vec<u8>, usize) {
    let region = base.dimension("Region").expect("Region");
    let tid = base.dimension("Tid").expect("Tid");
    let (nr, nt) = (region.len(), tid.len());
    let n = nr * ages * nt;
    let mut s = String::with_capacity(n * 8 + 200_000);
    s.push_str(r#"{"version":"2.0","class":"dataset","label":"07459: Befolkning, etter region, alder, statistikkvariabel og år (benchmark)","source":"Statistisk sentralbyrå","updated":"2026-02-20T07:00:00Z","role":{"time":["Tid"],"metric":["ContentsCode"],"geo":["Region"]},"id":["Region","Alder","ContentsCode","Tid"],"size":["#);
    let _ = write!(s, "{nr},{ages},1,{nt}],\"dimension\":{{");
    let dim = |s: &mut String, id: &str, label: &str, codes: &[String], labels: &[String]| {
        let _ = write!(s, "{}:{{\"label\":{},\"category\":{{\"index\":{{", json_str(id), json_str(label));
        for (i, c) in codes.iter().enumerate() {
            let _ = write!(s, "{}{}:{i}", if i > 0 { "," } else { "" }, json_str(c));
        }
        s.push_str("},\"label\":{");
        for (i, (c, l)) in codes.iter().zip(labels).enumerate() {
            let _ = write!(s, "{}{}:{}", if i > 0 { "," } else { "" }, json_str(c), json_str(l));
        }
        s.push_str("}}}");
    };
    dim(&mut s, "Region", "region", &region.codes, &region.labels);
    s.push(',');
    let age_codes: Vec<String> = (0..ages).map(|a| format!("{a:03}")).collect();
    let age_labels: Vec<String> = (0..ages).map(|a| format!("{a} år")).collect();
    dim(&mut s, "Alder", "alder", &age_codes, &age_labels);
    s.push(',');
    dim(&mut s, "ContentsCode", "statistikkvariabel", &["Personer1".into()], &["Personer".into()]);
    s.push(',');
    dim(&mut s, "Tid", "år", &tid.codes, &tid.labels);
    s.push_str("},\"value\":[");
    let mut status = String::new();
    let mut cell = 0usize;
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    for r in 0..nr {
        for a in 0..ages {
            for t in 0..nt {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                if cell > 0 {
                    s.push(',');
                }
                match base.values.get(r * nt + t) {
                    // One cell in 500 is suppressed, as SSB marks them.
                    Some(v) if rng % 500 != 0 => {
                        // Spread the region's population over ages (integers, as SSB answers).
                        let share = (v / ages as f64) * (0.5 + (rng % 1000) as f64 / 1000.0);
                        let _ = write!(s, "{}", share.round() as i64 + (a as i64 % 3));
                    }
                    _ => {
                        s.push_str("null");
                        let _ = write!(status, "{}\"{cell}\":\"..\"", if status.is_empty() { "" } else { "," });
                    }
                }
                cell += 1;
            }
        }
    }
    s.push_str("],\"status\":{");
    s.push_str(&status);
    s.push_str("}}");
    (s.into_bytes(), n)
}

/// The distribution of `runs` timings: the first run (fresh memory for this process),
/// best, median and 90th percentile (nearest rank).
#[derive(Clone, Copy)]
struct Timing {
    first: Duration,
    best: Duration,
    median: Duration,
    p90: Duration,
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Timing {
    let mut all: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            let out = f();
            let el = t.elapsed();
            drop(std::hint::black_box(out));
            el
        })
        .collect();
    let first = all[0];
    all.sort();
    let rank = |q: f64| all[((q * all.len() as f64).ceil() as usize).clamp(1, all.len()) - 1];
    Timing { first, best: all[0], median: rank(0.5), p90: rank(0.9) }
}

impl Timing {
    fn json(self, mb: f64, cells: usize) -> serde_json::Value {
        let s = |d: Duration| d.as_secs_f64();
        serde_json::json!({
            "seconds": s(self.best), "median_seconds": s(self.median), "p90_seconds": s(self.p90),
            "first_seconds": s(self.first),
            "mb_per_s": mb / s(self.best), "cells_per_s": cells as f64 / s(self.best),
        })
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing special:
    // with `--test` (cargo test) run one quick pass only.
    let quick = std::env::args().any(|a| a == "--test");
    let runs: usize = std::env::var("STATBANK_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(if quick { 1 } else { 5 });
    let snap = snapshot_dir();
    let base_bytes = std::fs::read(snap.join("pxweb/07459.json")).expect("the snapshot's pxweb/07459.json ");
    let base = Dataset::from_slice(&base_bytes).expect("07459 parses");
    let (bytes, cells) = generate(&base, 110);
    let mb = bytes.len() as f64 / 1e6;
    eprintln!("document: {cells} cells, {mb:.1} MB; {runs} runs each (best, median, p90)");

    // Check once that both parse the same document, and the frame is right.
    let ds = Dataset::from_slice(&bytes).expect("generated document parses");
    assert_eq!(ds.len(), cells);
    let df = ds.to_frame().expect("frame");
    assert_eq!(df.height(), cells);
    drop((ds, df));

    let frame = time(runs, || {
        let ds = Dataset::from_slice(&bytes).expect("parse");
        ds.to_frame().expect("frame")
    });
    let parse_only = time(runs, || Dataset::from_slice(&bytes).expect("parse"));
    let value = time(runs, || serde_json::from_slice::<serde_json::Value>(&bytes).expect("value"));

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let line = |name: &str, t: Timing| {
        println!(
            "{name:<31}: first {:>7.1} ms  best {:>7.1} ms  median {:>7.1} ms  p90 {:>7.1} ms  {:>7.1} MB/s  {:>6.2} M cells/s (best)",
            ms(t.first), ms(t.best), ms(t.median), ms(t.p90), mb / t.best.as_secs_f64(), cells as f64 / t.best.as_secs_f64() / 1e6
        )
    };
    line("Dataset::from_slice + to_frame", frame);
    line("Dataset::from_slice only", parse_only);
    line("serde_json::Value", value);
    // The target compares typical runs: medians, not the luckiest run.
    let ratio = value.median.as_secs_f64() / frame.median.as_secs_f64();
    println!("ratio (frame / Value speed, medians): {ratio:.2}× (target ≥ 0.50×) {}", if ratio >= 0.5 { "OK" } else { "MISSED" });

    let out = serde_json::json!({
        "document_bytes": bytes.len(),
        "cells": cells,
        "runs": runs,
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        // `STATBANK_HUGE_PAGES=0` turns off to_frame's huge-page advice (scripts/bench-parse compares).
        "huge_page_advice": statbank::data::jsonstat::huge_page_advice(),
        "frame": frame.json(mb, cells),
        "dataset_parse_only": parse_only.json(mb, cells),
        "serde_json_value": value.json(mb, cells),
        "ratio_frame_vs_value": ratio,
        "ratio_of": "medians",
        "target_ratio": 0.5,
        "met": ratio >= 0.5,
    });
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).expect("target/bench");
    std::fs::write(dir.join("parse.json"), serde_json::to_string_pretty(&out).unwrap() + "\n").expect("write parse.json");
    eprintln!("wrote {}", dir.join("parse.json").display());
}
