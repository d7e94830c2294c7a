//! The crate's folders are layers, and every `use crate::…` points down (issue 10):
//!
//! ```text
//! base      error, frame, output        uses nothing else of the crate
//! data      data/                       base
//! borders   borders/                    base, data
//! chart     chart/                      base
//! display   display/                    base, chart
//! analysis  analysis/                   base, data, borders, chart, display
//! report    report.rs                   everything above
//! fuzz      fuzz.rs                     everything above (the parsers it drives)
//! ```
//!
//! `lib.rs` (the front door and the prelude) and `main.rs` (the CLI) may use anything.
//! And `Source` is the only type that knows live from offline: outside `data/source.rs`
//! and the snapshot reader/writer `data/offline.rs`, no code matches on its variants.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer of a file, from its path under `src/`.
fn layer_of_file(rel: &str) -> Option<&'static str> {
    let first = rel.split('/').next()?;
    Some(match first {
        "error.rs" | "frame.rs" | "output.rs" => "base",
        "data" => "data",
        "borders" => "borders",
        "chart" => "chart",
        "display" => "display",
        "analysis" => "analysis",
        "report.rs" => "report",
        "fuzz.rs" => "fuzz",
        "lib.rs" | "main.rs" => return None,
        other => panic!("src/{other} is in no layer: add it to tests/layering.rs (and to the crate docs' table)"),
    })
}

/// The layer a `crate::NAME` path points into.
fn layer_of_path(name: &str) -> &'static str {
    match name {
        "error" | "frame" | "output" | "Error" | "Result" => "base",
        "data" => "data",
        "borders" => "borders",
        "chart" => "chart",
        "display" => "display",
        "analysis" => "analysis",
        "report" => "report",
        "fuzz" => "fuzz",
        "prelude" => "prelude",
        "polars" | "plotters" => "external",
        other => panic!("crate::{other}: a path to no known layer"),
    }
}

fn allowed(from: &str) -> &'static [&'static str] {
    match from {
        "base" => &["base"],
        "data" => &["base", "data"],
        "borders" => &["base", "data", "borders"],
        "chart" => &["base", "chart"],
        "display" => &["base", "chart", "display"],
        "analysis" => &["base", "data", "borders", "chart", "display", "analysis"],
        "report" => &["base", "data", "borders", "chart", "display", "analysis", "report"],
        "fuzz" => &["base", "data", "borders", "chart", "display", "analysis", "fuzz"],
        _ => unreachable!(),
    }
}

/// The code of a file without comments (doc links may point anywhere).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")).map(|(i, l)| (i + 1, l))
}

/// Every `crate::NAME` on a line, and every `NAME` inside `crate::{A, B::…}`.
fn crate_paths(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            out.push(name);
        }
        rest = after;
    }
    out
}

fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).expect("read source");
            (rel, text)
        })
        .collect()
}

#[test]
fn every_use_of_crate_points_down_the_layers() {
    let mut problems = Vec::new();
    for (rel, text) in sources() {
        let Some(from) = layer_of_file(&rel) else { continue };
        // Unit tests may reach further (e.g. a data test using a chart helper) — but none do today,
        // so they are held to the same rule.
        for (n, line) in code_lines(&text) {
            for name in crate_paths(line) {
                let to = layer_of_path(&name);
                if to == "external" {
                    continue;
                }
                if to == "prelude" || !allowed(from).contains(&to) {
                    problems.push(format!("src/{rel}:{n}: {from} uses crate::{name} ({to}): `{}`", line.trim()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "uses against the layers:\n{}", problems.join("\n"));
}

#[test]
fn only_source_knows_live_from_offline() {
    let mut problems = Vec::new();
    for (rel, text) in sources() {
        if rel == "data/source.rs" || rel == "data/offline.rs" {
            continue;
        }
        for (n, line) in code_lines(&text) {
            if line.contains("Source::Online") || line.contains("Source::Offline") {
                problems.push(format!("src/{rel}:{n}: `{}`", line.trim()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "code outside data/source.rs that matches live against offline (ask Source instead):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checker_reads_paths_as_rust_does() {
    assert_eq!(crate_paths("use crate::data::source::Source;"), ["data"]);
    assert_eq!(crate_paths("use crate::{error::Result, frame::FrameExt};"), ["error", "frame"]);
    assert_eq!(crate_paths("let x = crate::borders::harmonise::run(crate::Error::x)"), ["borders", "Error"]);
    assert_eq!(layer_of_file("data/client/mod.rs"), Some("data"));
    assert!(!allowed("data").contains(&"borders"));
}
