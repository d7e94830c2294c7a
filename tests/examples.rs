//! The examples run, on the repository's snapshot, and print what they say they do.
//!
//! It runs the binaries of `cargo build --examples` (scripts/test builds them first)
//! rather than a nested `cargo run` from inside the test, which would build the crate,
//! polars included, a second time.

use std::path::PathBuf;
use std::process::Command;

fn example_binary(name: &str) -> PathBuf {
    // target/<profile>/deps/examples-<hash> → target/<profile>/examples/<name>, where
    // `cargo build --examples` puts the runnable binaries (`cargo test` builds the
    // examples only as test harnesses).
    let exe = std::env::current_exe().expect("the test binary's path");
    let bin = exe.parent().and_then(|d| d.parent()).expect("target/<profile>").join("examples").join(name);
    assert!(
        bin.is_file(),
        "{} is not built: run `cargo build --examples` first (scripts/test does)",
        bin.display()
    );
    bin
}

fn run_example(name: &str) -> String {
    let out = Command::new(example_binary(name))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("STATBANK_LIVE")
        .env_remove("STATBANK_OFFLINE")
        .output()
        .expect("cargo run");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "example {name} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[test]
fn fetch_population_prints_oslo() {
    let out = run_example("fetch_population");
    assert!(out.contains("data: offline snapshot data/snapshot (in this repository)"), "{out}");
    assert!(out.contains("Oslo: 586,860 residents in 2010, 728,714 in 2026"), "{out}");
}

#[test]
fn harmonise_to_2024_shows_the_changes_and_drammen() {
    let out = run_example("harmonise_to_2024");
    assert!(out.contains("municipalities on the borders of 2024"), "{out}");
    assert!(out.contains("357 municipalities"), "{out}");
    assert!(out.contains("Drammen"), "{out}");
}

#[test]
fn chart_gallery_draws_every_chart_type() {
    let out = run_example("chart_gallery");
    assert!(out.contains("wrote 6 charts"), "{out}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/chart-gallery");
    for name in ["lollipop", "beeswarm", "grouped_bar", "dumbbell", "scatter", "line"] {
        for ext in ["svg", "png"] {
            let p = dir.join(format!("{name}.{ext}"));
            assert!(std::fs::metadata(&p).map(|m| m.len() > 1000).unwrap_or(false), "{}", p.display());
        }
    }
}
