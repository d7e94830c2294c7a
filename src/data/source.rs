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

use crate::data::client::Client;
use crate::error::{Error, Result};
use crate::data::jsonstat::Dataset;
use crate::data::meta::TableMeta;
use crate::data::offline::{today_utc, Offline};
use crate::data::klass::{
    builtin_counties, parse_changes, parse_code_versions, parse_codes_at, parse_versions_csv, Code, CodeChange,
    CodeVersion, COUNTIES,
};
use crate::data::query::{Lang, Query};

/// The environment variable naming an offline snapshot directory.
pub const OFFLINE_ENV: &str = "STATBANK_OFFLINE";

/// The environment variable that switches to SSB's live API (`1`, `true` or `yes`).
pub const LIVE_ENV: &str = "STATBANK_LIVE";

/// The repository's own snapshot, `<crate root>/data/snapshot` (see its README).
///
/// ```
/// assert!(statbank::data::source::snapshot_dir().join("pxweb/07459.json").is_file());
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
        Source::from_env_with(Client::default())
    }

    /// [`Source::from_env`], with `client` for the live API (the CLI's `--api` and
    /// `--refresh`); an offline source ignores it.
    pub fn from_env_with(client: Client) -> Result<Source> {
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
            (true, None) => Ok(Source::Online(client)),
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
        self.metadata_in(table, Lang::default())
    }

    /// A table's dimensions and codes, with labels in `lang` where the live API has them
    /// (a snapshot has the language it was written in).
    pub fn metadata_in(&self, table: &str, lang: Lang) -> Result<TableMeta> {
        match self {
            Source::Online(c) => c.metadata(table, lang),
            Source::Offline(o) => o.metadata(table),
        }
    }
}

/// KLASS and the other non-PxWeb resources. Each method is the one place that knows
/// where its answer lives live and offline; [`Klass`](crate::data::klass::Klass) and
/// [`analysis::urban`](crate::analysis::urban) parse what it returns.
impl Source {
    /// KLASS's own list of changes of `classification` between two ISO dates. Offline:
    /// `klass/{id}-changes.json` (none for counties when the file is absent).
    pub(crate) fn klass_official_changes(&self, classification: u32, from: &str, to: &str) -> Result<Vec<CodeChange>> {
        match self {
            Source::Online(c) => {
                let path = format!("classifications/{classification}/changes?from={from}&to={to}");
                parse_changes(&c.klass_get(&path)?, &path)
            }
            Source::Offline(o) => {
                let name = format!("{classification}-changes.json");
                match o.klass_file(&name) {
                    Ok(bytes) => parse_changes(&bytes, &name),
                    Err(_) if classification == COUNTIES => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// The codes of `classification` valid on `date`. Offline they come from the
    /// versions file (without parent codes).
    pub(crate) fn klass_codes_at(&self, classification: u32, date: &str) -> Result<Vec<Code>> {
        match self {
            Source::Online(c) => {
                let path = format!("classifications/{classification}/codesAt?date={date}");
                parse_codes_at(&c.klass_get(&path)?, &path)
            }
            Source::Offline(_) => Ok(self
                .klass_versions(classification)?
                .into_iter()
                .filter(|v| v.valid_at(date))
                .map(|v| Code { code: v.code, name: v.name, parent_code: None })
                .collect()),
        }
    }

    /// Every version of every code of `classification`. Offline:
    /// `klass/{id}-versions.csv` (for counties without that file, the built-in table).
    /// Live: `classifications/{id}/codes?from=1838-01-01&to=<1 January next year>`.
    pub(crate) fn klass_versions(&self, classification: u32) -> Result<Vec<CodeVersion>> {
        match self {
            Source::Offline(o) => {
                let name = format!("{classification}-versions.csv");
                match o.klass_file(&name) {
                    Ok(bytes) => parse_versions_csv(&bytes, &name),
                    Err(_) if classification == COUNTIES => Ok(builtin_counties()),
                    Err(e) => Err(e),
                }
            }
            Source::Online(c) => {
                // Up to 1 January of next year: KLASS answers ranges, not open ends.
                let to = format!("{:04}-01-01", today_utc().0 + 1);
                let path = format!("classifications/{classification}/codes?from=1838-01-01&to={to}");
                parse_code_versions(&c.klass_get(&path)?, &to, &path)
            }
        }
    }

    /// The years of urban-settlement files (`tettsteder/tettsteder-<year>.csv`) the
    /// snapshot has. Live: an error (see [`analysis::urban::years`](crate::analysis::urban::years),
    /// which asks table 04859 instead).
    pub(crate) fn settlement_years(&self) -> Result<Vec<i32>> {
        let Source::Offline(o) = self else { return Err(settlements_not_live()) };
        let dir = o.dir().join("tettsteder");
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io("listing", &dir, e))?;
        let mut years: Vec<i32> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_prefix("tettsteder-")?.strip_suffix(".csv")?.parse().ok()
            })
            .collect();
        years.sort_unstable();
        Ok(years)
    }

    /// The urban-settlement file of `year`, or an error naming the years there are.
    pub(crate) fn settlement_file(&self, year: i32) -> Result<PathBuf> {
        let Source::Offline(o) = self else { return Err(settlements_not_live()) };
        let path = o.dir().join("tettsteder").join(format!("tettsteder-{year}.csv"));
        if !path.is_file() {
            let have = self.settlement_years().unwrap_or_default();
            return Err(Error::NotCovered(format!(
                "no urban-settlement data for {year} in the snapshot ({}); available years: {have:?}",
                path.display()
            )));
        }
        Ok(path)
    }
}

fn settlements_not_live() -> Error {
    Error::NotCovered(
        "the settlement lists by municipality are snapshot files; live, analysis::urban reads StatBank's table 04859 \
         (whole settlements, no municipality split)"
            .into(),
    )
}

/// Whether two paths name the same directory (after resolving links).
pub(crate) fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}
