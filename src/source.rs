//! Where data comes from: the snapshot in the repository, another snapshot, or SSB live.
//!
//! [`Source::from_env`] decides, in this order:
//!
//! | environment | source |
//! |---|---|
//! | `STATBANK_LIVE=1` | SSB's live PxWebApi and KLASS ([`Source::live`]) |
//! | `STATBANK_OFFLINE=DIR` | the snapshot directory `DIR` ([`Source::offline`]) |
//! | neither | the repository's own `data/snapshot` ([`Source::snapshot`]) |
//!
//! Notebooks, the CLI and the tests use the same code whichever it is, and an offline
//! source answers a query with the same selection rules as the API, so the frames are
//! identical.
//!
//! ```
//! use statbank::prelude::*;
//! let source = Source::snapshot()?;
//! assert!(source.is_offline());
//! assert_eq!(source.describe(), "offline snapshot data/snapshot (in this repository)");
//! # Ok::<(), statbank::Error>(())
//! ```

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::jsonstat::Dataset;
use crate::meta::TableMeta;
use crate::offline::Offline;
use crate::query::Query;

/// The environment variable naming an offline snapshot directory.
pub const OFFLINE_ENV: &str = "STATBANK_OFFLINE";

/// The environment variable that switches to SSB's live API (`1`, `true` or `yes`).
pub const LIVE_ENV: &str = "STATBANK_LIVE";

/// The repository's own snapshot, `<crate root>/data/snapshot` (see its README).
///
/// ```
/// assert!(statbank::source::snapshot_dir().join("pxweb/07459.json").is_file());
/// ```
pub fn snapshot_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/snapshot"))
}

/// A data source.
#[derive(Debug, Clone)]
pub enum Source {
    /// SSB's live APIs.
    Online(Client),
    /// A snapshot directory.
    Offline(Offline),
}

impl Source {
    /// The source the environment asks for (see the [module docs](self)): live with
    /// `STATBANK_LIVE=1`, the directory in `STATBANK_OFFLINE`, else [`Source::snapshot`].
    ///
    /// Setting both is an error, since either answer could be the wrong one.
    pub fn from_env() -> Result<Source> {
        let live = match std::env::var(LIVE_ENV) {
            Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
                "" | "0" | "false" | "no" => false,
                "1" | "true" | "yes" => true,
                other => {
                    return Err(Error::Config(format!(
                        "{LIVE_ENV}={other:?} is not understood: use {LIVE_ENV}=1 for SSB's live API, \
                         or unset it for the snapshot"
                    )))
                }
            },
            Err(_) => false,
        };
        let offline = std::env::var_os(OFFLINE_ENV).filter(|d| !d.is_empty());
        match (live, offline) {
            (true, Some(dir)) => Err(Error::Config(format!(
                "both {LIVE_ENV} and {OFFLINE_ENV}={} are set: unset one of them",
                PathBuf::from(dir).display()
            ))),
            (true, None) => Ok(Source::live()),
            (false, Some(dir)) => Source::offline(PathBuf::from(dir)),
            (false, None) => Source::snapshot(),
        }
    }

    /// SSB's live APIs, with the default [`Client`] (PxWebApi v2, rate limit, disk cache).
    pub fn live() -> Source {
        Source::Online(Client::default())
    }

    /// The snapshot in this repository, [`snapshot_dir`]: what the notebooks run on.
    pub fn snapshot() -> Result<Source> {
        Source::offline(snapshot_dir())
    }

    /// An offline source on `dir`, a directory laid out like [`snapshot_dir`].
    pub fn offline(dir: impl Into<PathBuf>) -> Result<Source> {
        Ok(Source::Offline(Offline::new(dir)?))
    }

    /// A one-line description: `SSB live API (v2)`, `offline snapshot data/snapshot (in
    /// this repository)` or `offline snapshot at DIR`. The repository's snapshot is named
    /// without its absolute path, so a notebook prints the same on every machine.
    pub fn describe(&self) -> String {
        match self {
            Source::Online(c) => format!("SSB live API ({})", c.api()),
            Source::Offline(o) if same_dir(o.dir(), snapshot_dir()) => {
                "offline snapshot data/snapshot (in this repository)".to_string()
            }
            Source::Offline(o) => format!("offline snapshot at {}", o.dir().display()),
        }
    }

    /// Whether this is an offline snapshot.
    pub fn is_offline(&self) -> bool {
        matches!(self, Source::Offline(_))
    }

    /// Run a query, returning the parsed dataset.
    pub fn dataset(&self, q: &Query) -> Result<Dataset> {
        match self {
            Source::Online(c) => c.dataset(q),
            Source::Offline(o) => o.dataset(q),
        }
    }

    /// Run a query, returning a tidy frame (see [`Dataset::to_frame`]).
    pub fn fetch(&self, q: &Query) -> Result<DataFrame> {
        self.dataset(q)?.to_frame()
    }

    /// A table's dimensions and codes.
    pub fn metadata(&self, table: &str) -> Result<TableMeta> {
        match self {
            Source::Online(c) => c.metadata(table, Default::default()),
            Source::Offline(o) => o.metadata(table),
        }
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}
