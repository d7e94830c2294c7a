//! Where data comes from: SSB live, or an offline snapshot.
//!
//! [`Source::from_env`] reads `STATBANK_OFFLINE`: when it names a directory, every
//! query is answered from that snapshot; otherwise from SSB's live API. Notebooks and
//! the CLI use the same code either way.

use std::path::PathBuf;

use polars::prelude::DataFrame;

use crate::client::Client;
use crate::error::Result;
use crate::jsonstat::Dataset;
use crate::meta::TableMeta;
use crate::offline::Offline;
use crate::query::Query;

/// The environment variable naming an offline snapshot directory.
pub const OFFLINE_ENV: &str = "STATBANK_OFFLINE";

/// A data source.
#[derive(Debug, Clone)]
pub enum Source {
    /// SSB's live APIs.
    Online(Client),
    /// A snapshot directory.
    Offline(Offline),
}

impl Source {
    /// Offline when `STATBANK_OFFLINE` is set (to an existing directory), online otherwise.
    pub fn from_env() -> Result<Source> {
        match std::env::var_os(OFFLINE_ENV) {
            Some(dir) if !dir.is_empty() => Ok(Source::Offline(Offline::new(PathBuf::from(dir))?)),
            _ => Ok(Source::Online(Client::default())),
        }
    }

    /// An offline source on `dir`.
    pub fn offline(dir: impl Into<PathBuf>) -> Result<Source> {
        Ok(Source::Offline(Offline::new(dir)?))
    }

    /// A one-line description: `SSB live (v2)` or `offline snapshot at …`.
    pub fn describe(&self) -> String {
        match self {
            Source::Online(c) => format!("SSB live API ({})", c.api),
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
