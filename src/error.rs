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
    JsonStat {
        /// Where the document came from (a URL or a file).
        context: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A query is malformed (unknown filter syntax, empty selection, API mismatch).
    #[error("invalid query: {0}")]
    Query(String),

    /// A dimension named in a query does not exist in the table.
    #[error("table {table} has no dimension {dimension:?}; its dimensions are: {available}")]
    UnknownDimension {
        /// The table id.
        table: String,
        /// The dimension asked for.
        dimension: String,
        /// The table's dimensions, listed.
        available: String,
    },

    /// Codes asked for are not in the table (offline snapshot or metadata).
    #[error("table {table}, dimension {dimension}: no such codes {codes:?}{hint}")]
    MissingCodes {
        /// The table id.
        table: String,
        /// The dimension.
        dimension: String,
        /// The codes that are not there.
        codes: Vec<String>,
        /// What to do about it (may be empty).
        hint: String,
    },

    /// The offline snapshot has no file for the table (or aggregation) asked for.
    #[error("the offline snapshot has no table {table}{codelist}: looked for {path}; \
             set STATBANK_LIVE=1 to fetch from SSB, or add the file")]
    OfflineMissingTable {
        /// The table id.
        table: String,
        /// ` with codelist …` where one was asked for, else empty.
        codelist: String,
        /// The file looked for.
        path: PathBuf,
    },

    /// SSB answered with an HTTP error; `message` is SSB's own text.
    #[error("SSB answered HTTP {status} for {url}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The URL asked for.
        url: String,
        /// SSB's message.
        message: String,
    },

    /// The request could not be completed (connection refused or dropped, timeout),
    /// after the configured retries.
    #[error("request to {url} failed after {attempts} attempt(s): {message}")]
    Http {
        /// The URL asked for.
        url: String,
        /// How many times it was tried.
        attempts: u32,
        /// What went wrong, in words (connection refused, timed out, body cut short).
        message: String,
        /// reqwest's error, kept as the cause.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done (`reading`, `writing`, `listing`, …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A column is missing from a frame or has the wrong type.
    #[error("column {column:?}: {reason}")]
    Column {
        /// The column's name.
        column: String,
        /// What is wrong.
        reason: String,
    },

    /// Municipal border bookkeeping failed (unknown code, inconsistent change list).
    #[error("borders: {0}")]
    Borders(String),

    /// The data does not cover what was asked for: a year, a category, a dimension or a
    /// file that the table or snapshot does not have. The message names what it does have.
    #[error("not in the data: {0}")]
    NotCovered(String),

    /// A CSV file of the snapshot could not be read.
    #[error("reading {path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// polars' error.
        #[source]
        source: polars::error::PolarsError,
    },

    /// The environment or a setting asks for something contradictory or unknown
    /// (for example both `STATBANK_LIVE` and `STATBANK_OFFLINE`).
    #[error("configuration: {0}")]
    Config(String),

    /// A chart could not be built or rendered (no data, a bad option, an encoder error).
    #[error("chart: {0}")]
    Chart(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),

    /// Something could not be written as JSON (a cache header, a frame as JSON rows).
    #[error("writing {what} as JSON: {source}")]
    Serialize {
        /// What was being written.
        what: String,
        /// serde_json's error.
        #[source]
        source: serde_json::Error,
    },

    /// A polars operation failed.
    #[error("polars: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is, for code that reacts to failures rather than
/// reporting them (retry later, fix the query, switch source…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The query, a dimension or a code asked for is wrong: fix the request.
    Query,
    /// SSB answered with an HTTP error status.
    Api,
    /// The network failed (refused, dropped, timed out): retrying later may help.
    Http,
    /// A document or file is not what it should be (JSON-stat, KLASS, a snapshot CSV).
    Data,
    /// The data does not cover what was asked for (a year, a category).
    NotCovered,
    /// The offline snapshot lacks a table or file.
    Offline,
    /// Reading or writing a file failed.
    Io,
    /// A frame lacks a column or has the wrong type, or polars failed.
    Frame,
    /// Municipal border bookkeeping failed.
    Borders,
    /// A chart could not be built or rendered.
    Chart,
    /// The environment or a setting is contradictory or unknown.
    Config,
}

impl Error {
    /// The kind of failure, to match on without matching every variant.
    ///
    /// ```
    /// use statbank::prelude::*;
    /// use statbank::error::ErrorKind;
    /// let err = Source::snapshot()?.fetch(&Query::new("07459").select("Kommune", Filter::All)).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Query);
    /// assert!(err.to_string().contains("no dimension \"Kommune\""), "{err}");
    /// # Ok::<(), statbank::Error>(())
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Query(_) | Error::UnknownDimension { .. } | Error::MissingCodes { .. } => ErrorKind::Query,
            Error::Api { .. } => ErrorKind::Api,
            Error::Http { .. } => ErrorKind::Http,
            Error::JsonStat { .. } | Error::Serialize { .. } | Error::Csv { .. } => ErrorKind::Data,
            Error::NotCovered(_) => ErrorKind::NotCovered,
            Error::OfflineMissingTable { .. } => ErrorKind::Offline,
            Error::Io { .. } => ErrorKind::Io,
            Error::Column { .. } | Error::Polars(_) => ErrorKind::Frame,
            Error::Borders(_) => ErrorKind::Borders,
            Error::Chart(_) => ErrorKind::Chart,
            Error::Config(_) => ErrorKind::Config,
        }
    }

    pub(crate) fn serialize(what: impl Into<String>, source: serde_json::Error) -> Self {
        Error::Serialize { what: what.into(), source }
    }
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
