//! Answering queries from an offline snapshot of full tables.
//!
//! The snapshot directory (`STATBANK_OFFLINE`) holds full-table JSON-stat2 files:
//! `pxweb/<table>.json`, and `pxweb/<table>.<codelist>.json` for an aggregation such as
//! `agg_KommSummer`. A query is answered by selecting the requested codes locally with
//! the same [`Filter::resolve`](crate::data::query::Filter::resolve) rules the live API
//! follows, so a notebook returns identical frames online and offline.
//! KLASS files live under `klass/`.
//!
//! [`write_snapshot`] writes such a directory from any [`Source`]: from SSB's live API
//! it makes a fresh snapshot; from a snapshot it makes a copy in the same layout (the
//! `statbank snapshot --out DIR` command).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::data::jsonstat::Dataset;
use crate::data::klass::{parse_changes, CodeVersion, Klass, MUNICIPALITIES};
use crate::data::meta::TableMeta;
use crate::output::write_atomic;
use crate::data::query::{Filter, Output, Query};
use crate::data::source::{same_dir, Source};

/// A snapshot directory answering queries locally.
#[derive(Debug)]
pub struct Offline {
    dir: PathBuf,
    tables: Mutex<HashMap<PathBuf, Arc<Dataset>>>,
}

impl Clone for Offline {
    fn clone(&self) -> Self {
        Offline::new_unchecked(self.dir.clone())
    }
}

impl Offline {
    /// Open a snapshot directory; it must exist.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Offline> {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(Error::io(
                "opening the offline snapshot",
                &dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory (check STATBANK_OFFLINE)"),
            ));
        }
        Ok(Offline::new_unchecked(dir))
    }

    fn new_unchecked(dir: PathBuf) -> Offline {
        Offline { dir, tables: Mutex::new(HashMap::new()) }
    }

    /// The snapshot directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The full table (or codelist aggregation), parsed once and kept.
    pub fn table(&self, table: &str, codelist: Option<&str>) -> Result<Arc<Dataset>> {
        let path = self.dir.join(table_file(table, codelist));
        if let Some(ds) = self.tables.lock().unwrap_or_else(|e| e.into_inner()).get(&path) {
            return Ok(ds.clone());
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::OfflineMissingTable {
                    table: table.to_string(),
                    codelist: codelist.map(|c| format!(" with codelist {c}")).unwrap_or_default(),
                    path: path.clone(),
                }
            } else {
                Error::io("reading", &path, e)
            }
        })?;
        let ds = Arc::new(Dataset::from_slice_named(&bytes, &path.display().to_string())?);
        self.tables.lock().unwrap_or_else(|e| e.into_inner()).insert(path, ds.clone());
        Ok(ds)
    }

    /// Answer a query from the snapshot.
    pub fn dataset(&self, q: &Query) -> Result<Dataset> {
        let codelists: Vec<&str> = q.selections.iter().filter_map(|s| s.codelist.as_deref()).collect();
        if codelists.len() > 1 {
            return Err(Error::Query(format!(
                "offline, one codelist per query is supported; this one uses {codelists:?}"
            )));
        }
        let full = self.table(&q.table, codelists.first().copied())?;
        for s in &q.selections {
            if full.dimension(&s.dimension).is_none() {
                return Err(Error::UnknownDimension {
                    table: q.table.clone(),
                    dimension: s.dimension.clone(),
                    available: full.dimensions.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", "),
                });
            }
        }
        let picks = full
            .dimensions
            .iter()
            .map(|d| match q.selection(&d.id) {
                Some(s) => s.filter.resolve(&q.table, d),
                None => Ok((0..d.len()).collect()),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(full.select_positions(&picks))
    }

    /// Table metadata, read off the full table.
    pub fn metadata(&self, table: &str) -> Result<TableMeta> {
        let ds = self.table(table, None)?;
        Ok(TableMeta::from_dataset(table, &ds))
    }

    /// A KLASS file from `<dir>/klass/`.
    pub fn klass_file(&self, name: &str) -> Result<Vec<u8>> {
        let path = self.dir.join("klass").join(name);
        std::fs::read(&path).map_err(|e| Error::io("reading the offline KLASS file", &path, e))
    }
}

/// Where a full table lives in a snapshot: `pxweb/<table>.json`, or
/// `pxweb/<table>.<codelist>.json` for a codelist aggregation such as `agg_KommSummer`.
pub fn table_file(table: &str, codelist: Option<&str>) -> String {
    match codelist {
        Some(cl) => format!("pxweb/{table}.{cl}.json"),
        None => format!("pxweb/{table}.json"),
    }
}

// ---------------------------------------------------------------- writing a snapshot

/// The first day of the KLASS change list a snapshot holds (`klass/131-changes.json`).
pub const CHANGES_FROM: &str = "2011-01-01";

/// The credit line written into every snapshot's README.
pub const LICENCE: &str = "Statistics Norway (SSB), NLOD 2.0 / CC BY 4.0; credit: Source: Statistics Norway (SSB)";

/// The queries behind a snapshot's tables, with the file each answer goes to (see
/// [`table_file`]):
///
/// | file | query |
/// |---|---|
/// | `pxweb/07459.json` | 07459, every `Region`, `ContentsCode` `Personer1`, every `Tid`; sex and age eliminated (not selected) |
/// | `pxweb/07459.agg_KommSummer.json` | the same with the codelist `agg_KommSummer` on `Region` (SSB's harmonised series) |
/// | `pxweb/09817.json` | 09817, every `Region`, `InnvandrKat` `B` and `C`, `ContentsCode` `Personer1`, every `Tid`; country background eliminated |
///
/// ```
/// use statbank::data::offline::snapshot_queries;
/// let files: Vec<String> = snapshot_queries().into_iter().map(|(f, _)| f).collect();
/// assert_eq!(files, ["pxweb/07459.json", "pxweb/07459.agg_KommSummer.json", "pxweb/09817.json"]);
/// ```
pub fn snapshot_queries() -> Vec<(String, Query)> {
    let population = Query::new("07459")
        .select("Region", Filter::All)
        .select("ContentsCode", Filter::items(["Personer1"]))
        .select("Tid", Filter::All);
    let harmonised = population.clone().codelist("Region", "agg_KommSummer", Output::Aggregated);
    let immigrants = Query::new("09817")
        .select("Region", Filter::All)
        .select("InnvandrKat", Filter::items(["B", "C"]))
        .select("ContentsCode", Filter::items(["Personer1"]))
        .select("Tid", Filter::All);
    [population, harmonised, immigrants]
        .into_iter()
        .map(|q| {
            let codelist = q.selections.iter().find_map(|s| s.codelist.clone());
            (table_file(&q.table, codelist.as_deref()), q)
        })
        .collect()
}

/// What [`write_snapshot`] wrote, and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotReport {
    /// Every file written, in order, `README.md` last.
    pub files: Vec<PathBuf>,
    /// What was not written, and why: one sentence each.
    pub skipped: Vec<String>,
}

/// Write a snapshot directory from `source`, in the layout of the repository's own
/// `data/snapshot` (which [`Source::offline`] then reads):
///
/// * `pxweb/07459.json`, `pxweb/07459.agg_KommSummer.json`, `pxweb/09817.json`: the
///   answers to [`snapshot_queries`], as JSON-stat2 ([`Dataset::to_jsonstat2`]);
/// * `klass/131-changes.json`: online, the body of KLASS's
///   `classifications/131/changes?from=2011-01-01&to=<31 December of last year>` as
///   KLASS sent it; offline, the source's file as it is;
/// * `klass/131-versions.csv`: [`Klass::versions`] of the municipalities, as
///   `code,name,validFrom,validTo` ([`crate::data::klass::parse_versions_csv`] reads it;
///   CRLF line endings, like the repository's file);
/// * `tettsteder/*.csv`: urban settlements, copied when the source is offline. StatBank's
///   API has no settlements by municipality (see [`crate::analysis::urban`]), so from the live API
///   they are skipped and the report says so;
/// * `README.md`: where the data came from (the live API and the date, or which
///   snapshot), what each file holds, and the licence and credit line ([`LICENCE`]).
///
/// Everything is fetched before anything is written, and every file is written
/// atomically (a temporary file in its directory, then renamed), so a failed or
/// interrupted run never leaves a half-written file. Files already in `dir` that this
/// does not write are left alone. From a snapshot the output is deterministic (the
/// README has no date then); writing a snapshot onto itself is refused.
///
/// ```
/// use statbank::data::offline::write_snapshot;
/// use statbank::prelude::*;
/// let dir = std::env::temp_dir().join(format!("statbank-doc-snapshot-{}", std::process::id()));
/// let report = write_snapshot(&Source::snapshot()?, &dir)?;
/// assert_eq!(report.files.len(), 8); // 3 tables, 2 KLASS files, 2 settlement years, README
/// let q = Query::new("07459").select_str("Region", "0301")?.select_str("Tid", "2010,2026")?;
/// assert!(Source::offline(&dir)?.fetch(&q)?.equals_missing(&Source::snapshot()?.fetch(&q)?));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn write_snapshot(source: &Source, dir: &Path) -> Result<SnapshotReport> {
    if let Source::Offline(o) = source {
        if same_dir(o.dir(), dir) {
            return Err(Error::Config(format!(
                "{} is the snapshot being read (STATBANK_OFFLINE, or data/snapshot by default): \
                 write the new snapshot to another directory",
                dir.display()
            )));
        }
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut skipped = Vec::new();
    let mut about: Vec<String> = Vec::new();

    for (rel, q) in snapshot_queries() {
        let ds = source.dataset(&q)?;
        about.push(format!("`{rel}`: {}", describe_table(&ds)));
        let mut bytes = serde_json::to_vec(&ds.to_jsonstat2()).map_err(|e| Error::jsonstat(rel.as_str(), e))?;
        bytes.push(b'\n');
        files.push((rel, bytes));
    }

    let date = match source {
        Source::Online(_) => Some(today_utc()),
        Source::Offline(_) => None,
    };
    let (changes, origin) = match source {
        Source::Online(c) => {
            let (year, _, _) = date.expect("set for an online source");
            let path = format!("classifications/{MUNICIPALITIES}/changes?from={CHANGES_FROM}&to={}-12-31", year - 1);
            let body = c.klass_get(&path)?;
            let origin = format!("the body of KLASS's `GET {path}`");
            (body, origin)
        }
        Source::Offline(o) => {
            let name = format!("{MUNICIPALITIES}-changes.json");
            (o.klass_file(&name)?, "copied from the source snapshot as it is".to_string())
        }
    };
    let rel = format!("klass/{MUNICIPALITIES}-changes.json");
    let n = parse_changes(&changes, &rel)?.len();
    about.push(format!("`{rel}`: {n} changes of the municipality classification (KLASS 131), {origin}."));
    files.push((rel, changes));

    let versions = Klass::new(source).versions(MUNICIPALITIES)?;
    if versions.is_empty() {
        return Err(Error::Borders(format!("KLASS gave no versions of classification {MUNICIPALITIES}")));
    }
    let rel = format!("klass/{MUNICIPALITIES}-versions.csv");
    about.push(format!(
        "`{rel}`: {} versions of municipality codes, `code,name,validFrom,validTo` (`validTo` exclusive, empty while valid).",
        versions.len()
    ));
    files.push((rel, versions_csv(&versions)));

    match source {
        Source::Offline(o) => {
            let from = o.dir().join("tettsteder");
            let mut names: Vec<String> = match std::fs::read_dir(&from) {
                Ok(rd) => rd
                    .filter_map(|e| e.ok())
                    .filter(|e| e.path().is_file())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".csv") && !n.starts_with('.'))
                    .collect(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(Error::io("listing", &from, e)),
            };
            names.sort();
            if names.is_empty() {
                skipped.push(format!("tettsteder/: the source snapshot has no urban-settlement files ({})", from.display()));
            }
            for name in names {
                let path = from.join(&name);
                let bytes = std::fs::read(&path).map_err(|e| Error::io("reading", &path, e))?;
                let rel = format!("tettsteder/{name}");
                about.push(format!("`{rel}`: urban settlements (tettsteder), copied from the source snapshot as it is."));
                files.push((rel, bytes));
            }
        }
        Source::Online(_) => {
            let mut note = "tettsteder/: urban settlements by municipality are not in StatBank's API \
                            (see statbank::analysis::urban); copy tettsteder-<year>.csv from an offline snapshot"
                .to_string();
            let stale = std::fs::read_dir(dir.join("tettsteder")).map(|rd| rd.filter_map(|e| e.ok()).count()).unwrap_or(0);
            if stale > 0 {
                note.push_str(&format!(" ({stale} file(s) already in {} were left as they are)", dir.join("tettsteder").display()));
            }
            skipped.push(note);
        }
    }

    let readme = readme(source, date, &about, &skipped);
    files.push(("README.md".to_string(), readme.into_bytes()));

    let mut report = SnapshotReport { files: Vec::with_capacity(files.len()), skipped };
    for (rel, bytes) in &files {
        let path = dir.join(rel);
        write_atomic(&path, bytes)?;
        report.files.push(path);
    }
    Ok(report)
}

/// One line about a table: its label, dimensions and period.
fn describe_table(ds: &Dataset) -> String {
    let dims: Vec<String> = ds.dimensions.iter().map(|d| format!("{} {}", d.id, d.len())).collect();
    let time = ds.dimensions.iter().find(|d| d.role == Some(crate::data::jsonstat::Role::Time));
    let period = match time.map(|t| (t.codes.first(), t.codes.last())) {
        Some((Some(a), Some(b))) => format!(", {a}–{b}"),
        _ => String::new(),
    };
    format!("{} ({}{period}), JSON-stat2.", ds.label.as_deref().unwrap_or("table"), dims.join(" × "))
}

fn readme(source: &Source, date: Option<(i64, u32, u32)>, about: &[String], skipped: &[String]) -> String {
    let mut s = String::from("# SSB StatBank snapshot\n\n");
    match source {
        Source::Online(c) => {
            let (y, m, d) = date.unwrap_or((1970, 1, 1));
            let base = match c.api() {
                crate::data::query::Api::V0 => &c.v0_base,
                crate::data::query::Api::V2 => &c.v2_base,
            };
            s.push_str(&format!(
                "Written by `statbank snapshot` from SSB's live API on {y:04}-{m:02}-{d:02} (UTC): \
                 PxWebApi {} at {base}, KLASS at {}.\n\n",
                c.api(),
                c.klass_base
            ));
        }
        Source::Offline(_) => {
            s.push_str(&format!(
                "Written by `statbank snapshot` from the {}; the figures are those of that snapshot \
                 (its README says when they were fetched).\n\n",
                source.describe()
            ));
        }
    }
    s.push_str(&format!("**Licence and credit.** {LICENCE}.\n\n"));
    s.push_str("Read it with `STATBANK_OFFLINE=<this directory>` or `Source::offline(<this directory>)`.\n\n## Files\n\n");
    for line in about {
        s.push_str(&format!("- {line}\n"));
    }
    if !skipped.is_empty() {
        s.push_str("\n## Not included\n\n");
        for line in skipped {
            s.push_str(&format!("- {line}.\n"));
        }
    }
    s
}

/// Versions as `code,name,validFrom,validTo` with CRLF line endings, quoting a field
/// only where it needs it (what `parse_versions_csv` reads).
fn versions_csv(versions: &[CodeVersion]) -> Vec<u8> {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\r', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }
    let mut out = String::from("code,name,validFrom,validTo\r\n");
    for v in versions {
        out.push_str(&format!(
            "{},{},{},{}\r\n",
            field(&v.code),
            field(&v.name),
            field(&v.valid_from),
            field(v.valid_to.as_deref().unwrap_or(""))
        ));
    }
    out.into_bytes()
}

/// Today's date in UTC, `(year, month, day)` (Howard Hinnant's civil-from-days).
pub(crate) fn today_utc() -> (i64, u32, u32) {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_csv_round_trips() {
        let v = vec![
            CodeVersion { code: "0101".into(), name: "Halden".into(), valid_from: "1928-01-01".into(), valid_to: Some("1967-01-01".into()) },
            CodeVersion { code: "0437".into(), name: "Våler, \"Hedmark\"".into(), valid_from: "1838-01-01".into(), valid_to: None },
        ];
        let csv = versions_csv(&v);
        assert!(csv.starts_with(b"code,name,validFrom,validTo\r\n0101,Halden,1928-01-01,1967-01-01\r\n"));
        assert_eq!(crate::data::klass::parse_versions_csv(&csv, "t").unwrap(), v);
    }

    #[test]
    fn today_is_a_date() {
        let (y, m, d) = today_utc();
        assert!(y >= 2024 && (1..=12).contains(&m) && (1..=31).contains(&d));
    }
}
