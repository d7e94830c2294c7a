//! The repository's `data/snapshot` against the team's shared snapshot, and the default
//! source that reads it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use statbank::prelude::*;
use statbank::data::source::snapshot_dir;

/// The folders that are copied; `sources/` and `fixtures/` are not.
const COPIED: [&str; 3] = ["pxweb", "klass", "tettsteder"];

fn files(root: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for dir in COPIED {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for e in entries {
            let e = e.expect("directory entry");
            if e.file_type().expect("file type").is_file() {
                out.insert(format!("{dir}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    out
}

#[test]
fn data_snapshot_equals_the_shared_snapshot() {
    let shared = common::shared_snapshot();
    let (ours, theirs) = (files(snapshot_dir()), files(&shared));
    assert!(!theirs.is_empty(), "no files under {}", shared.display());
    let missing: Vec<_> = theirs.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&theirs).collect();
    let differ: Vec<_> = theirs
        .intersection(&ours)
        .filter(|f| std::fs::read(snapshot_dir().join(f)).ok() != std::fs::read(shared.join(f)).ok())
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "data/snapshot has drifted from {}: missing {missing:?}, extra {extra:?}, different {differ:?}.\n\
         Refresh it with: for d in pxweb klass tettsteder; do rm -rf data/snapshot/$d; cp -r {}/$d data/snapshot/; done",
        shared.display(),
        shared.display()
    );
}

#[test]
fn data_snapshot_has_only_the_copied_folders_and_a_readme() {
    let mut names: Vec<String> = std::fs::read_dir(snapshot_dir())
        .expect("data/snapshot")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["README.md", "klass", "pxweb", "tettsteder"]);
    let readme = std::fs::read_to_string(snapshot_dir().join("README.md")).expect("README.md");
    assert!(readme.contains("NLOD") && readme.contains("CC BY 4.0"), "the README states the licence");
    assert!(readme.contains("Source: Statistics Norway (SSB)"), "the README gives the credit line");
}

#[test]
fn the_snapshot_source_reads_real_figures() {
    let source = Source::snapshot().unwrap();
    assert_eq!(source.describe(), "offline snapshot data/snapshot (in this repository)");
    let q = Query::new("07459").select("Region", Filter::items(["0301"])).select("Tid", Filter::items(["2010", "2026"]));
    let df = source.fetch(&q).unwrap();
    assert_eq!(df.f64_at("value", 0).unwrap(), 586_860.0);
    assert_eq!(df.f64_at("value", 1).unwrap(), 728_714.0);
}
