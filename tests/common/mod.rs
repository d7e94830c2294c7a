//! What the integration tests share: where the data is, and the HTTP test server.
//!
//! The rule for data: the tests read the repository's own `data/snapshot`
//! ([`statbank::data::source::snapshot_dir`]), which is always there. The API fixtures and
//! the team's shared snapshot live beside the repository in `../shared/ssb-snapshot`;
//! a test that needs them calls [`shared_snapshot`], which panics with a clear message
//! when the folder is missing, so a test never passes by skipping its data.

#![allow(dead_code)]

pub mod notebook;
pub mod server;

use std::path::{Path, PathBuf};

/// The repository's snapshot (`data/snapshot`).
pub fn snapshot_dir() -> PathBuf {
    statbank::data::source::snapshot_dir().to_path_buf()
}

/// The team's shared snapshot beside the repository: `STATBANK_SHARED_SNAPSHOT`, else
/// `<crate>/../shared/ssb-snapshot`. Panics when it is missing.
pub fn shared_snapshot() -> PathBuf {
    let dir = match std::env::var_os("STATBANK_SHARED_SNAPSHOT") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/ssb-snapshot"),
    };
    assert!(
        dir.is_dir(),
        "this test needs the shared snapshot (API fixtures) at {}: check out `shared/` beside the \
         repository or set STATBANK_SHARED_SNAPSHOT",
        dir.display()
    );
    dir
}

/// A real API response kept in the shared snapshot's `fixtures/`.
pub fn fixture(rel: &str) -> Vec<u8> {
    let path = shared_snapshot().join("fixtures").join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}
