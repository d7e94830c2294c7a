//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in `statbank`.
///
/// Every variant names what was wrong and, where there is one, what to do about it.
/// Match on the variant to react (e.g. [`Error::Api`] carries SSB's HTTP status).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A document is not valid JSON-stat2 (or not JSON at all).
    #[error("invalid JSON-stat2 ({context}): {reason}")]
    JsonStat { context: String, reason: String },

    /// A query is malformed (unknown filter syntax, empty selection, API mismatch).
    #[error("invalid query: {0}")]
    Query(String),

    /// A dimension named in a query does not exist in the table.
    #[error("table {table} has no dimension {dimension:?}; its dimensions are: {available}")]
    UnknownDimension { table: String, dimension: String, available: String },

    /// Codes asked for are not in the table (offline snapshot or metadata).
    #[error("table {table}, dimension {dimension}: no such codes {codes:?}{hint}")]
    MissingCodes { table: String, dimension: String, codes: Vec<String>, hint: String },

    /// The offline snapshot has no file for the table (or aggregation) asked for.
    #[error("the offline snapshot has no table {table}{codelist}: looked for {path}; \
             set STATBANK_LIVE=1 to fetch from SSB, or add the file")]
    OfflineMissingTable { table: String, codelist: String, path: PathBuf },

    /// SSB answered with an HTTP error; `message` is SSB's own text.
    #[error("SSB answered HTTP {status} for {url}: {message}")]
    Api { status: u16, url: String, message: String },

    /// The request could not be completed (connection refused or dropped, timeout),
    /// after the configured retries.
    #[error("request to {url} failed after {attempts} attempt(s): {message}")]
    Http { url: String, attempts: u32, message: String },

    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, #[source] source: std::io::Error },

    /// A column is missing from a frame or has the wrong type.
    #[error("column {column:?}: {reason}")]
    Column { column: String, reason: String },

    /// Municipal border bookkeeping failed (unknown code, inconsistent change list).
    #[error("borders: {0}")]
    Borders(String),

    /// The environment or a setting asks for something contradictory or unknown
    /// (for example both `STATBANK_LIVE` and `STATBANK_OFFLINE`).
    #[error("configuration: {0}")]
    Config(String),

    /// A polars operation failed.
    #[error("polars: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.into(), source }
    }
    pub(crate) fn jsonstat(context: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Error::JsonStat { context: context.into(), reason: reason.to_string() }
    }
    pub(crate) fn column(column: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Column { column: column.into(), reason: reason.into() }
    }
}
