//! SSB's classification database KLASS: municipalities (131) and counties (104).
//!
//! [`Klass`] reads, through a [`Source`]:
//!
//! * **changes** — `classifications/{id}/changes?from=…&to=…`: which code became which
//!   on which date ([`CodeChange`]);
//! * **codes valid at a date** — `classifications/{id}/codesAt?date=…` ([`Code`]);
//! * **versions** — every (code, name) with its validity ([`CodeVersion`]).
//!
//! Online, every request goes through [`Client::klass_get`](crate::data::client::Client::klass_get)
//! (the same HTTP stack, cache and rate limit as the StatBank tables). Offline, the
//! snapshot directory holds `klass/131-changes.json` (the body of the changes request)
//! and `klass/131-versions.csv` (`code,name,validFrom,validTo`, `validTo` exclusive);
//! `codesAt` is then answered from the versions file.
//!
//! # Changes the change list does not cover
//!
//! The offline change list starts in 2011, but the population series (07459) starts in
//! 2005. [`Klass::changes`] therefore completes the official list with changes
//! **derived from the versions** ([`derive_changes`]): on every date where a code's last
//! version ends (the code disappears) and the official list has no change for it, the
//! code is linked to the code that took over its territory. That successor is found
//! among the codes whose version starts on the same date, in the same county (first two
//! digits): a brand-new code first (2006: Vindafjord 1154 and Ølen 1159 → Vindafjord
//! 1160; Aure 1569 and Tustna 1572 → Aure 1576; 2008: Kristiansund 1503 and Frei 1556 →
//! Kristiansund 1505), otherwise an existing code that starts a new version that day
//! (2005: Skjerstad 1842 → Bodø 1804, whose version 2005– begins when it absorbed
//! Skjerstad). Several candidates are narrowed by name; a date that stays ambiguous is
//! an [`Error::Borders`]. Derived changes have [`CodeChange::derived`] set.
//!
//! Counties (104) offline: `klass/104-versions.csv` when the snapshot has one, otherwise
//! a built-in table of the county codes of 1972–2017, 2018–2019, 2020–2023 and 2024–
//! ([`builtin_counties`]).
//!
//! ```
//! use statbank::data::klass::{Klass, MUNICIPALITIES};
//! use statbank::data::source::Source;
//! let klass = Klass::new(&Source::snapshot()?);
//! let changes = klass.changes(MUNICIPALITIES, "2005-01-01", "2024-12-31")?;
//! // Drammen, Nedre Eiker and Svelvik became Drammen 3005 in 2020:
//! assert!(changes.iter().any(|c| c.old_code == "0711" && c.new_code == "3005"));
//! // 2005, derived from the versions: Skjerstad went into Bodø.
//! assert!(changes.iter().any(|c| c.old_code == "1842" && c.new_code == "1804" && c.derived));
//! let codes = klass.codes_at(MUNICIPALITIES, "2024-01-01")?;
//! assert_eq!(codes.iter().filter(|c| c.code != "9999").count(), 357);
//! # Ok::<(), statbank::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};

use polars::prelude::*;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::data::source::Source;

/// KLASS id of the municipality classification ("Standard for kommuneinndeling").
pub const MUNICIPALITIES: u32 = 131;
/// KLASS id of the county classification ("Standard for fylkesinndeling").
pub const COUNTIES: u32 = 104;

/// One change in a classification: `old_code` became (part of) `new_code` on
/// `change_occurred` (ISO date; municipal changes take effect on 1 January).
///
/// A code that is split appears once per successor; a merge once per predecessor; a
/// name change has `old_code == new_code`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeChange {
    /// The code before the change.
    pub old_code: String,
    /// Its name before the change.
    #[serde(default)]
    pub old_name: String,
    /// The code after the change.
    pub new_code: String,
    /// Its name after the change.
    #[serde(default)]
    pub new_name: String,
    /// The date the change took effect, `YYYY-MM-DD`.
    pub change_occurred: String,
    /// `true` when the change was derived from the versions rather than read from
    /// KLASS's change list (see the [module docs](self)).
    #[serde(skip)]
    pub derived: bool,
}

impl CodeChange {
    /// The year the change took effect.
    pub fn year(&self) -> Option<i32> {
        date_year(&self.change_occurred)
    }
}

/// A code valid at a date (an answer of `codesAt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// The code, e.g. `3301`.
    pub code: String,
    /// The name, e.g. `Drammen`.
    pub name: String,
    /// Parent code where KLASS gives one.
    pub parent_code: Option<String>,
}

/// One version of a code: its name and validity (`valid_to` exclusive, `None` = still valid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeVersion {
    /// The code.
    pub code: String,
    /// The name in this version.
    pub name: String,
    /// First day of validity, `YYYY-MM-DD`.
    pub valid_from: String,
    /// First day it is no longer valid, `YYYY-MM-DD`; `None` while still valid.
    pub valid_to: Option<String>,
}

impl CodeVersion {
    /// Whether the version is valid on `date` (`YYYY-MM-DD`).
    pub fn valid_at(&self, date: &str) -> bool {
        self.valid_from.as_str() <= date && self.valid_to.as_deref().map_or(true, |to| date < to)
    }
}

/// Reads KLASS classifications online or from the offline snapshot.
#[derive(Debug, Clone)]
pub struct Klass {
    source: Source,
}

#[derive(Deserialize)]
struct ChangesDoc {
    #[serde(rename = "codeChanges", default)]
    code_changes: Vec<CodeChange>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCode {
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent_code: Option<String>,
    #[serde(default)]
    valid_from: Option<String>,
    #[serde(default)]
    valid_to: Option<String>,
    #[serde(default)]
    valid_from_in_requested_range: Option<String>,
    #[serde(default)]
    valid_to_in_requested_range: Option<String>,
}

#[derive(Deserialize)]
struct CodesDoc {
    #[serde(default)]
    codes: Vec<RawCode>,
}

impl Klass {
    /// KLASS through `source` (online client or offline snapshot).
    pub fn new(source: &Source) -> Klass {
        Klass { source: source.clone() }
    }

    /// The source this reads from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Changes with `from <= changeOccurred <= to` (ISO dates), sorted by date.
    ///
    /// For municipalities (131) the official list is completed with changes derived from
    /// the versions wherever a code disappears without an official change (see the
    /// [module docs](self)).
    pub fn changes(&self, classification: u32, from: &str, to: &str) -> Result<Vec<CodeChange>> {
        check_date(from)?;
        check_date(to)?;
        let mut official = self.official_changes(classification, from, to)?;
        official.retain(|c| c.change_occurred.as_str() >= from && c.change_occurred.as_str() <= to);
        if classification == MUNICIPALITIES {
            let versions = self.versions(classification)?;
            let derived = derive_changes(&versions, &official, from, to)?;
            official.extend(derived);
        }
        official.sort_by(|a, b| {
            (a.change_occurred.as_str(), a.old_code.as_str(), a.new_code.as_str()).cmp(&(
                b.change_occurred.as_str(),
                b.old_code.as_str(),
                b.new_code.as_str(),
            ))
        });
        official.dedup();
        Ok(official)
    }

    /// Only KLASS's own change list (no derived changes).
    pub fn official_changes(&self, classification: u32, from: &str, to: &str) -> Result<Vec<CodeChange>> {
        check_date(from)?;
        check_date(to)?;
        self.source.klass_official_changes(classification, from, to)
    }

    /// Codes valid on `date` (`YYYY-MM-DD`), sorted by code.
    pub fn codes_at(&self, classification: u32, date: &str) -> Result<Vec<Code>> {
        check_date(date)?;
        let mut codes = self.source.klass_codes_at(classification, date)?;
        codes.sort_by(|a, b| a.code.cmp(&b.code));
        codes.dedup_by(|a, b| a.code == b.code);
        Ok(codes)
    }

    /// Every version of every code of the classification.
    ///
    /// Offline: `klass/{id}-versions.csv` (for counties without that file, the built-in
    /// table [`builtin_counties`]). Online: `classifications/{id}/codes?from=1838-01-01&to=…`,
    /// one entry per (code, name) with its validity within the range.
    pub fn versions(&self, classification: u32) -> Result<Vec<CodeVersion>> {
        self.source.klass_versions(classification)
    }

    /// [`Klass::changes`] as a frame: `date, year, old_code, old_name, new_code, new_name, derived`.
    pub fn changes_frame(&self, classification: u32, from: &str, to: &str) -> Result<DataFrame> {
        changes_to_frame(&self.changes(classification, from, to)?)
    }

    /// [`Klass::codes_at`] as a frame: `code, name`.
    pub fn codes_at_frame(&self, classification: u32, date: &str) -> Result<DataFrame> {
        let codes = self.codes_at(classification, date)?;
        let n = codes.len();
        Ok(DataFrame::new(
            n,
            vec![
                Column::new("code".into(), codes.iter().map(|c| c.code.as_str()).collect::<Vec<_>>()),
                Column::new("name".into(), codes.iter().map(|c| c.name.as_str()).collect::<Vec<_>>()),
            ],
        )?)
    }
}

/// Parse KLASS's answer to `classifications/{id}/codesAt?date=…` (a code list).
pub fn parse_codes_at(bytes: &[u8], context: &str) -> Result<Vec<Code>> {
    let doc: CodesDoc = serde_json::from_slice(bytes)
        .map_err(|e| Error::Borders(format!("KLASS answer to {context} is not a code list: {e}")))?;
    Ok(doc
        .codes
        .into_iter()
        .map(|r| Code { code: r.code, name: r.name, parent_code: r.parent_code.filter(|p| !p.is_empty()) })
        .collect())
}

/// A list of changes as a frame: `date, year, old_code, old_name, new_code, new_name, derived`.
pub fn changes_to_frame(changes: &[CodeChange]) -> Result<DataFrame> {
    let n = changes.len();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new("date".into(), changes.iter().map(|c| c.change_occurred.as_str()).collect::<Vec<_>>()),
            Column::new("year".into(), changes.iter().map(|c| c.year()).collect::<Vec<_>>()),
            Column::new("old_code".into(), changes.iter().map(|c| c.old_code.as_str()).collect::<Vec<_>>()),
            Column::new("old_name".into(), changes.iter().map(|c| c.old_name.as_str()).collect::<Vec<_>>()),
            Column::new("new_code".into(), changes.iter().map(|c| c.new_code.as_str()).collect::<Vec<_>>()),
            Column::new("new_name".into(), changes.iter().map(|c| c.new_name.as_str()).collect::<Vec<_>>()),
            Column::new("derived".into(), changes.iter().map(|c| c.derived).collect::<Vec<_>>()),
        ],
    )?)
}

/// Parse the body of KLASS's `changes` request (`{"codeChanges": [...]}`, or a bare array).
pub fn parse_changes(bytes: &[u8], context: &str) -> Result<Vec<CodeChange>> {
    let list = match serde_json::from_slice::<ChangesDoc>(bytes) {
        Ok(doc) => doc.code_changes,
        Err(first) => serde_json::from_slice::<Vec<CodeChange>>(bytes)
            .map_err(|_| Error::Borders(format!("{context}: not a KLASS change list: {first}")))?,
    };
    for c in &list {
        check_date(&c.change_occurred)
            .map_err(|_| Error::Borders(format!("{context}: bad changeOccurred {:?}", c.change_occurred)))?;
    }
    Ok(list)
}

/// Parse KLASS's answer to `codes?from=…&to=…` into versions; a version still valid at
/// `to` (the end of the requested range) gets `valid_to = None`.
pub fn parse_code_versions(bytes: &[u8], to: &str, context: &str) -> Result<Vec<CodeVersion>> {
    let doc: CodesDoc = serde_json::from_slice(bytes)
        .map_err(|e| Error::Borders(format!("KLASS answer to {context} is not a code list: {e}")))?;
    Ok(doc
        .codes
        .into_iter()
        .filter_map(|r| {
            let from = r.valid_from_in_requested_range.or(r.valid_from)?;
            let valid_to =
                r.valid_to_in_requested_range.or(r.valid_to).filter(|t| !t.is_empty() && t.as_str() < to);
            Some(CodeVersion { code: r.code, name: r.name, valid_from: from, valid_to })
        })
        .collect())
}

/// Parse `code,name,validFrom,validTo` (with a header; `validTo` empty while valid).
///
/// Names may be quoted (`"Våler, Hedmark"`).
pub fn parse_versions_csv(bytes: &[u8], context: &str) -> Result<Vec<CodeVersion>> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Borders(format!("{context}: not UTF-8: {e}")))?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let cols: Vec<String> = split_csv_line(header).into_iter().map(|s| s.trim().to_string()).collect();
    let pos = |name: &str| {
        cols.iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::Borders(format!("{context}: no column {name:?} in header {header:?}")))
    };
    let (ic, ina, ifr, ito) = (pos("code")?, pos("name")?, pos("validFrom")?, pos("validTo")?);
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f = split_csv_line(line);
        let get = |i: usize| f.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
        let (code, name, from, to) = (get(ic), get(ina), get(ifr), get(ito));
        if code.is_empty() || check_date(&from).is_err() || (!to.is_empty() && check_date(&to).is_err()) {
            return Err(Error::Borders(format!("{context}: line {}: cannot read {line:?}", n + 2)));
        }
        out.push(CodeVersion { code, name, valid_from: from, valid_to: (!to.is_empty()).then_some(to) });
    }
    Ok(out)
}

fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Derive the changes that `official` lacks from the code versions, for dates in
/// `from..=to` (see the [module docs](self) for the rule).
///
/// A code disappears on date `D` when one of its versions ends on `D` and none of its
/// versions starts on `D`. Only disappearing codes without an official change on `D`
/// are linked; renames (the same code with a new name) need no link.
pub fn derive_changes(
    versions: &[CodeVersion],
    official: &[CodeChange],
    from: &str,
    to: &str,
) -> Result<Vec<CodeChange>> {
    // date -> (codes ending, codes starting)
    let mut ends: BTreeMap<&str, BTreeMap<&str, &CodeVersion>> = BTreeMap::new();
    let mut starts: BTreeMap<&str, BTreeMap<&str, &CodeVersion>> = BTreeMap::new();
    for v in versions {
        if let Some(t) = v.valid_to.as_deref() {
            if t >= from && t <= to {
                ends.entry(t).or_default().insert(v.code.as_str(), v);
            }
        }
        if v.valid_from.as_str() >= from && v.valid_from.as_str() <= to {
            starts.entry(v.valid_from.as_str()).or_default().insert(v.code.as_str(), v);
        }
    }
    let covered: BTreeSet<(&str, &str)> =
        official.iter().map(|c| (c.change_occurred.as_str(), c.old_code.as_str())).collect();
    let empty = BTreeMap::new();
    let mut out = Vec::new();
    for (&date, ended) in &ends {
        let started = starts.get(date).unwrap_or(&empty);
        for (&code, &old) in ended {
            if started.contains_key(code) || covered.contains(&(date, code)) {
                continue; // a new version of the same code, or a change KLASS lists
            }
            let county = county_digits(code);
            let new_codes: Vec<&CodeVersion> = started
                .values()
                .filter(|v| !ended.contains_key(v.code.as_str()) && county_digits(&v.code) == county)
                .copied()
                .collect();
            let re_versioned: Vec<&CodeVersion> = started
                .values()
                .filter(|v| ended.contains_key(v.code.as_str()) && county_digits(&v.code) == county)
                .copied()
                .collect();
            let pick = |cands: &[&CodeVersion]| -> Result<Option<CodeVersion>> {
                match cands {
                    [] => Ok(None),
                    [one] => Ok(Some((*one).clone())),
                    many => {
                        let same: Vec<_> = many.iter().filter(|v| same_name(&v.name, &old.name)).collect();
                        match same.as_slice() {
                            [one] => Ok(Some((**one).clone())),
                            _ => Err(Error::Borders(format!(
                                "cannot tell where municipality {code} {} went on {date}: candidates {}",
                                old.name,
                                many.iter().map(|v| format!("{} {}", v.code, v.name)).collect::<Vec<_>>().join(", ")
                            ))),
                        }
                    }
                }
            };
            let succ = match pick(&new_codes)? {
                Some(s) => Some(s),
                None => pick(&re_versioned)?,
            };
            let succ = match succ {
                Some(s) => s,
                None => {
                    // Same name anywhere (a renumbering across counties).
                    let named: Vec<&CodeVersion> = started
                        .values()
                        .filter(|v| !ended.contains_key(v.code.as_str()) && same_name(&v.name, &old.name))
                        .copied()
                        .collect();
                    match pick(&named)? {
                        Some(s) => s,
                        None => {
                            return Err(Error::Borders(format!(
                                "municipality {code} {} ends on {date} but neither KLASS's change list nor the \
                                 versions say where it went",
                                old.name
                            )))
                        }
                    }
                }
            };
            out.push(CodeChange {
                old_code: code.to_string(),
                old_name: old.name.clone(),
                new_code: succ.code.clone(),
                new_name: succ.name.clone(),
                change_occurred: date.to_string(),
                derived: true,
            });
        }
    }
    Ok(out)
}

fn county_digits(code: &str) -> &str {
    code.get(..2).unwrap_or(code)
}

/// Names equal after removing SSB's validity suffix, case and county qualifiers, or
/// sharing one of the parts of a multilingual name (`Hábmer - Hamarøy` ~ `Hamarøy`).
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let parts = |s: &str| -> Vec<String> {
        let base = crate::data::region::parse_label(s).name;
        let base = match base.find(" (") {
            Some(i) => base[..i].to_string(),
            None => base,
        };
        base.split(" - ").map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect()
    };
    let (pa, pb) = (parts(a), parts(b));
    pa.iter().any(|p| pb.contains(p))
}

/// The year of an ISO date.
pub(crate) fn date_year(date: &str) -> Option<i32> {
    date.get(..4)?.parse().ok()
}

fn check_date(date: &str) -> Result<()> {
    let ok = date.len() == 10
        && date.as_bytes()[4] == b'-'
        && date.as_bytes()[7] == b'-'
        && date.bytes().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    let in_range = ok && {
        let month: u32 = date[5..7].parse().unwrap_or(0);
        let day: u32 = date[8..10].parse().unwrap_or(0);
        (1..=12).contains(&month) && (1..=31).contains(&day)
    };
    if in_range {
        Ok(())
    } else {
        Err(Error::Borders(format!("{date:?} is not a date in the form YYYY-MM-DD (month 01–12, day 01–31)")))
    }
}

/// Built-in county versions (classification 104), for snapshots without a 104 file.
///
/// Codes and names of the county structures of 1972–2017, 2018–2019 (Trøndelag 50),
/// 2020–2023 (eleven counties) and 2024– (fifteen counties), plus Svalbard (21),
/// Jan Mayen (22), the continental shelf (23) and "unknown" (99). Bilingual names are
/// given in their Norwegian form.
pub fn builtin_counties() -> Vec<CodeVersion> {
    const T: &[(&str, &str, &str, Option<&str>)] = &[
        ("01", "Østfold", "1972-01-01", Some("2020-01-01")),
        ("02", "Akershus", "1972-01-01", Some("2020-01-01")),
        ("03", "Oslo", "1972-01-01", None),
        ("04", "Hedmark", "1972-01-01", Some("2020-01-01")),
        ("05", "Oppland", "1972-01-01", Some("2020-01-01")),
        ("06", "Buskerud", "1972-01-01", Some("2020-01-01")),
        ("07", "Vestfold", "1972-01-01", Some("2020-01-01")),
        ("08", "Telemark", "1972-01-01", Some("2020-01-01")),
        ("09", "Aust-Agder", "1972-01-01", Some("2020-01-01")),
        ("10", "Vest-Agder", "1972-01-01", Some("2020-01-01")),
        ("11", "Rogaland", "1972-01-01", None),
        ("12", "Hordaland", "1972-01-01", Some("2020-01-01")),
        ("14", "Sogn og Fjordane", "1972-01-01", Some("2020-01-01")),
        ("15", "Møre og Romsdal", "1972-01-01", None),
        ("16", "Sør-Trøndelag", "1972-01-01", Some("2018-01-01")),
        ("17", "Nord-Trøndelag", "1972-01-01", Some("2018-01-01")),
        ("18", "Nordland", "1972-01-01", None),
        ("19", "Troms", "1972-01-01", Some("2020-01-01")),
        ("20", "Finnmark", "1972-01-01", Some("2020-01-01")),
        ("21", "Svalbard", "1972-01-01", None),
        ("22", "Jan Mayen", "1972-01-01", None),
        ("23", "Kontinentalsokkelen", "1972-01-01", None),
        ("30", "Viken", "2020-01-01", Some("2024-01-01")),
        ("31", "Østfold", "2024-01-01", None),
        ("32", "Akershus", "2024-01-01", None),
        ("33", "Buskerud", "2024-01-01", None),
        ("34", "Innlandet", "2020-01-01", None),
        ("38", "Vestfold og Telemark", "2020-01-01", Some("2024-01-01")),
        ("39", "Vestfold", "2024-01-01", None),
        ("40", "Telemark", "2024-01-01", None),
        ("42", "Agder", "2020-01-01", None),
        ("46", "Vestland", "2020-01-01", None),
        ("50", "Trøndelag", "2018-01-01", None),
        ("54", "Troms og Finnmark", "2020-01-01", Some("2024-01-01")),
        ("55", "Troms", "2024-01-01", None),
        ("56", "Finnmark", "2024-01-01", None),
        ("99", "Uoppgitt", "1972-01-01", None),
    ];
    T.iter()
        .map(|&(code, name, from, to)| CodeVersion {
            code: code.into(),
            name: name.into(),
            valid_from: from.into(),
            valid_to: to.map(Into::into),
        })
        .collect()
}

/// Index of versions by code, for quick validity look-ups.
#[derive(Debug, Clone, Default)]
pub struct VersionIndex {
    by_code: HashMap<String, Vec<CodeVersion>>,
}

impl VersionIndex {
    /// Index `versions` by code.
    pub fn new(versions: &[CodeVersion]) -> VersionIndex {
        let mut by_code: HashMap<String, Vec<CodeVersion>> = HashMap::new();
        for v in versions {
            by_code.entry(v.code.clone()).or_default().push(v.clone());
        }
        for list in by_code.values_mut() {
            list.sort_by(|a, b| a.valid_from.cmp(&b.valid_from));
        }
        VersionIndex { by_code }
    }

    /// Whether the code is valid on 1 January of `year`.
    pub fn valid_in(&self, code: &str, year: i32) -> bool {
        self.version_in(code, year).is_some()
    }

    /// The version of `code` valid on 1 January of `year`.
    pub fn version_in(&self, code: &str, year: i32) -> Option<&CodeVersion> {
        let date = format!("{year:04}-01-01");
        self.by_code.get(code)?.iter().find(|v| v.valid_at(&date))
    }

    /// The name of `code` on 1 January of `year`.
    pub fn name_in(&self, code: &str, year: i32) -> Option<&str> {
        self.version_in(code, year).map(|v| v.name.as_str())
    }

    /// All versions of a code, oldest first.
    pub fn versions(&self, code: &str) -> &[CodeVersion] {
        self.by_code.get(code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether the code is known at all.
    pub fn contains(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    /// Codes valid on 1 January of `year`, sorted.
    pub fn codes_in(&self, year: i32) -> Vec<&str> {
        let mut v: Vec<&str> =
            self.by_code.keys().filter(|c| self.valid_in(c, year)).map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Years (1 January) at which the code is valid, within `lo..=hi`.
    pub fn valid_years(&self, code: &str, lo: i32, hi: i32) -> Vec<i32> {
        (lo..=hi).filter(|&y| self.valid_in(code, y)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(code: &str, name: &str, from: &str, to: Option<&str>) -> CodeVersion {
        CodeVersion { code: code.into(), name: name.into(), valid_from: from.into(), valid_to: to.map(Into::into) }
    }

    #[test]
    fn derives_merges_from_versions() {
        let versions = vec![
            v("1804", "Bodø", "1968-01-01", Some("2005-01-01")),
            v("1804", "Bodø", "2005-01-01", None),
            v("1842", "Skjerstad", "1905-01-01", Some("2005-01-01")),
            v("1154", "Vindafjord", "1965-01-01", Some("2006-01-01")),
            v("1159", "Ølen", "2002-01-01", Some("2006-01-01")),
            v("1160", "Vindafjord", "2006-01-01", None),
            v("0545", "Vang (Oppland)", "2003-01-01", Some("2005-01-01")),
            v("0545", "Vang", "2005-01-01", None),
        ];
        let d = derive_changes(&versions, &[], "2005-01-01", "2010-12-31").unwrap();
        let pairs: Vec<_> = d.iter().map(|c| (c.old_code.as_str(), c.new_code.as_str())).collect();
        assert_eq!(pairs, vec![("1842", "1804"), ("1154", "1160"), ("1159", "1160")]);
        assert!(d.iter().all(|c| c.derived));
    }

    #[test]
    fn online_code_ranges() {
        let body = br#"{"codes":[
          {"code":"0602","name":"Drammen","validFrom":"1838-01-01","validTo":"2020-01-01",
           "validFromInRequestedRange":"1838-01-01","validToInRequestedRange":"2020-01-01"},
          {"code":"3301","name":"Drammen","validFromInRequestedRange":"2024-01-01",
           "validToInRequestedRange":"2027-01-01"}]}"#;
        let v = parse_code_versions(body, "2027-01-01", "t").unwrap();
        assert_eq!(v[0].valid_to.as_deref(), Some("2020-01-01"));
        assert_eq!((v[1].valid_from.as_str(), v[1].valid_to.as_deref()), ("2024-01-01", None));
        assert!(parse_code_versions(b"\"not json codes\"", "2027-01-01", "t").is_err());
    }

    #[test]
    fn csv_and_dates() {
        let csv = b"code,name,validFrom,validTo\n0101,\"Halden, by\",1928-01-01,\n";
        let v = parse_versions_csv(csv, "t").unwrap();
        assert_eq!(v[0].name, "Halden, by");
        assert!(v[0].valid_to.is_none());
        assert!(check_date("2024-12-31").is_ok());
        assert!(check_date("2024-13-01").is_err()); // no month 13
        assert!(check_date("2024-02-00").is_err());
        assert!(check_date("2024-1-01").is_err());
        assert!(same_name("Hábmer - Hamarøy", "Hamarøy (-2019)"));
        assert!(!same_name("Haram", "Ålesund"));
    }
}
