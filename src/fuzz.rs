//! Fuzzing: every parser of outside input behind one entry point, with the properties
//! its answer must have.
//!
//! A [`Target`] takes arbitrary bytes, hands them to one parser (JSON-stat, PxWebApi
//! metadata, KLASS, query expressions, time codes, the snapshot's CSVs) and checks what
//! comes back. Rejecting the input with an [`Error`](crate::Error) is always fine; what
//! is not fine is a panic (an overflow included: fuzz builds check arithmetic), an
//! answer that breaks a property (a frame whose height is not the product of the
//! category counts, a filter that resolves to a position outside its dimension, a
//! document that does not read back as itself), or an allocation out of proportion to
//! the input (a `size` of 10¹² cells must fail before anything is allocated).
//!
//! The same checks serve three drivers: `cargo fuzz` (libFuzzer, `fuzz/`), the
//! stable-Rust mutation driver in `tests/fuzz.rs` (a few seconds in every `cargo test`,
//! longer from `scripts/fuzz`), and the regression inputs under `tests/fuzz/`.
//!
//! ```
//! use statbank::fuzz::Target;
//! // A 60-byte document claiming 10¹² cells: refused, nothing allocated.
//! let doc = br#"{"id":["a","b"],"size":[1000000,1000000],"dimension":{},"value":{}}"#;
//! assert!(Target::JsonStat.check(doc).is_ok());
//! assert!(Target::Period.check(b"2024K3").is_ok());
//! assert_eq!(Target::from_name("selection"), Some(Target::Selection));
//! ```

use std::fmt;
use std::path::Path;

use crate::analysis::urban::parse_settlements_csv;
use crate::data::client::metadata::{parse_codelist, parse_search, parse_table_meta};
use crate::data::jsonstat::{parse_period, Dataset, Dimension, MAX_CELLS, MAX_UNLISTED_CELLS};
use crate::data::klass::{changes_to_frame, derive_changes, parse_changes, parse_code_versions, parse_codes_at};
use crate::data::klass::{parse_versions_csv, VersionIndex};
use crate::data::query::{glob_match, Filter, Query, Selection};

/// A parser of outside input, as a fuzz target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// JSON-stat 2.0 and 1.0 documents: [`Dataset::from_slice`], then `to_frame` and the
    /// JSON-stat 2 writer (which must read back as the same dataset).
    JsonStat,
    /// PxWebApi table metadata (v0 `variables`, v2 JSON-stat2 and json-px), codelists and
    /// table search answers.
    TableMeta,
    /// KLASS `changes` answers.
    KlassChanges,
    /// KLASS `codesAt` and `codes?from=…&to=…` answers.
    KlassCodes,
    /// The KLASS code versions CSV of the snapshot (`131-versions.csv`), then the
    /// changes derived from it.
    KlassVersionsCsv,
    /// Selection expressions: `top(3)`, `from(2010)`, `agg:KommSummer`, `vs:Fylker=*`,
    /// `03*`, code lists.
    Selection,
    /// SSB time codes: `2024`, `2024K3`, `2024M07`, `2024H1`, `2024U05`, …
    Period,
    /// The snapshot's urban-settlement CSVs (`tettsteder-<year>.csv`).
    SettlementsCsv,
}

/// A property the parser's answer broke: what was expected and what came instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Violation {}

/// What became of an input: `accepted …` or `rejected: <error shape>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Outcome(pub String);

impl Outcome {
    fn new(s: impl Into<String>) -> Outcome {
        Outcome(s.into())
    }

    /// The error's shape: its kind and its explanation (what follows the last `: `
    /// outside quotes, after any echo of the input), without what it quotes of the input
    /// (text in quotes, backticks or brackets) and with runs of digits as `#`.
    fn rejected(e: &crate::Error) -> Outcome {
        let text = e.to_string();
        // The explanation: after the last ": " outside quotes.
        let (mut chars, mut cut, mut prev) = (text.chars(), 0, ' ');
        while let Some(c) = chars.next() {
            match c {
                '"' | '`' => skip_quoted(&mut chars, c),
                ' ' if prev == ':' => cut = text.len() - chars.as_str().len(),
                _ => {}
            }
            prev = c;
        }
        let mut out = String::new();
        let mut chars = text[cut..].chars();
        let mut last_digit = false;
        while let Some(c) = chars.next() {
            match c {
                '"' | '`' => {
                    skip_quoted(&mut chars, c);
                    out.push('…');
                }
                '(' | '[' | '{' => {
                    let mut depth = 1;
                    while let Some(d) = chars.next() {
                        match d {
                            '"' | '`' => skip_quoted(&mut chars, d),
                            '(' | '[' | '{' => depth += 1,
                            ')' | ']' | '}' => depth -= 1,
                            _ => {}
                        }
                        if depth == 0 {
                            break;
                        }
                    }
                    out.push_str("(…)");
                }
                '0'..='9' => {
                    if !last_digit {
                        out.push('#');
                    }
                    last_digit = true;
                    continue;
                }
                _ => out.push(c),
            }
            last_digit = false;
        }
        Outcome(format!("rejected ({:?}): {}", e.kind(), out.chars().take(100).collect::<String>()))
    }
}

/// Past the closing `quote` (a backslash escapes the next character).
fn skip_quoted(chars: &mut std::str::Chars<'_>, quote: char) {
    while let Some(d) = chars.next() {
        if d == '\\' {
            chars.next();
        } else if d == quote {
            break;
        }
    }
}

/// `Err(Violation)` with a formatted message unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(Violation(format!($($msg)+)));
        }
    };
}

impl Target {
    /// Every target, in the order reports list them.
    pub const ALL: [Target; 8] = [
        Target::JsonStat,
        Target::TableMeta,
        Target::KlassChanges,
        Target::KlassCodes,
        Target::KlassVersionsCsv,
        Target::Selection,
        Target::Period,
        Target::SettlementsCsv,
    ];

    /// The target's name (`jsonstat`, `table_meta`, …), as `cargo fuzz` and the reports know it.
    pub fn name(self) -> &'static str {
        match self {
            Target::JsonStat => "jsonstat",
            Target::TableMeta => "table_meta",
            Target::KlassChanges => "klass_changes",
            Target::KlassCodes => "klass_codes",
            Target::KlassVersionsCsv => "klass_versions_csv",
            Target::Selection => "selection",
            Target::Period => "period",
            Target::SettlementsCsv => "settlements_csv",
        }
    }

    /// The target called `name`.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Seed files, relative to a snapshot folder (the repository's `data/snapshot` or the
    /// shared `ssb-snapshot`, whose `fixtures/` hold real API answers); missing ones are skipped.
    pub fn seed_files(self) -> &'static [&'static str] {
        match self {
            Target::JsonStat => &[
                "pxweb/07459.json",
                "pxweb/07459.agg_KommSummer.json",
                "pxweb/09817.json",
                "fixtures/rjstat/1120.json",
                "fixtures/purplebugs-07459-2022/download-07459_20220914-092711.json",
                "fixtures/pxwebpy-39ecd0d/response_no.json",
                "fixtures/pxwebpy-39ecd0d/response_fi.json",
                "fixtures/pxwebpy-39ecd0d/response_gl.json",
                "fixtures/pxwebpy-HEAD-v2-scb/TAB6471_data.json",
            ],
            Target::TableMeta => &[
                "fixtures/pxwebpy-HEAD-v2-scb/TAB6471_metadata.json",
                "fixtures/pxwebpy-HEAD-v2-scb/TAB6471_data.json",
                "fixtures/pxwebpy-39ecd0d/result_no.json",
            ],
            Target::KlassChanges => &["klass/131-changes.json"],
            Target::KlassCodes => &[],
            Target::KlassVersionsCsv => &["klass/131-versions.csv"],
            Target::Selection | Target::Period => &[],
            Target::SettlementsCsv => &["tettsteder/tettsteder-2021.csv", "tettsteder/tettsteder-2022.csv"],
        }
    }

    /// Small seeds written out here, for the targets whose input is not a file.
    pub fn inline_seeds(self) -> &'static [&'static str] {
        match self {
            Target::KlassCodes => &[
                r#"{"codes":[{"code":"0301","parentCode":"03","level":"1","name":"Oslo","shortName":"","presentationName":"","validFrom":"2020-01-01","validTo":null,"validFromInRequestedRange":"2020-01-01","validToInRequestedRange":"2024-01-01","notes":""},{"code":"1723","name":"Mosvik","validFrom":"1838-01-01","validTo":"2012-01-01"}]}"#,
            ],
            Target::TableMeta => &[
                r#"{"title":"07459: Befolkning","variables":[{"code":"Region","text":"region","values":["0","0301"],"valueTexts":["Hele landet","Oslo"],"elimination":true},{"code":"Tid","text":"år","values":["2010","2026"],"valueTexts":["2010","2026"],"time":true}]}"#,
                r#"{"id":"agg_KommSummer","label":"Kommuner","values":[{"code":"K-3101","label":"Halden","valueMap":["3001","0101"]}]}"#,
                r#"{"tables":[{"id":"07459","label":"Befolkning","updated":"2026-02-20T07:00:00Z","firstPeriod":"1986","lastPeriod":"2026"}],"page":{"pageNumber":1}}"#,
            ],
            Target::Selection => &[
                "top(3)", "from(2010)", "to(2020)", "range(2018,2023)", "agg:KommSummer", "agg_single:KommSummer=K-3101,K-4601",
                "vs:Fylker=*", "agg_KommSummer=top(3)", "03*", "*", "[2010,2026]", "0301, 4601", "2?1*", "Top( 2 )",
            ],
            Target::Period => &[
                "2024", "2024K3", "2024Q1", "2024M07", "2024m12", "2024H1", "2024U05", "2020W53", "2024T2", "2010-2012",
                "1970M02", "0000", "9999K4",
            ],
            _ => &[],
        }
    }

    /// Parse `data` and check the answer's properties. `Ok` also when the parser
    /// rightly refuses the input.
    pub fn check(self, data: &[u8]) -> Result<(), Violation> {
        self.run(data).map(drop)
    }

    /// Like [`check`](Target::check), also saying what became of the input: an
    /// [`Outcome`] names the path it took (accepted, or the shape of the error that
    /// refused it, numbers and quoted names left out). Drivers without coverage
    /// instrumentation keep inputs that reach a new outcome.
    ///
    /// ```
    /// use statbank::fuzz::Target;
    /// let a = Target::Selection.run(b"top(0)").unwrap();
    /// let b = Target::Selection.run(b"top(-7)").unwrap();
    /// assert_eq!(a, b); // the same error, another number
    /// assert_ne!(a, Target::Selection.run(b"top(3)").unwrap());
    /// ```
    pub fn run(self, data: &[u8]) -> Result<Outcome, Violation> {
        match self {
            Target::JsonStat => jsonstat(data),
            Target::TableMeta => table_meta(data),
            Target::KlassChanges => klass_changes(data),
            Target::KlassCodes => klass_codes(data),
            Target::KlassVersionsCsv => klass_versions_csv(data),
            Target::Selection => std::str::from_utf8(data).map_or(Ok(Outcome::new("not UTF-8")), selection),
            Target::Period => std::str::from_utf8(data).map_or(Ok(Outcome::new("not UTF-8")), period),
            Target::SettlementsCsv => settlements_csv(data),
        }
    }
}

fn jsonstat(data: &[u8]) -> Result<Outcome, Violation> {
    let ds = match Dataset::from_slice(data) {
        Ok(ds) => ds,
        Err(e) => return Ok(Outcome::rejected(&e)),
    };
    let sizes: Vec<usize> = ds.dimensions.iter().map(Dimension::len).collect();
    let cells = sizes.iter().try_fold(1usize, |a, &b| a.checked_mul(b));
    ensure!(cells == Some(ds.len()), "{} cells for category counts {sizes:?}", ds.len());
    ensure!(ds.len() <= MAX_CELLS, "{} cells, more than MAX_CELLS", ds.len());
    ensure!(ds.values.len() == ds.len(), "{} values for {} cells", ds.values.len(), ds.len());
    ensure!(
        ds.len() <= MAX_UNLISTED_CELLS.max(data.len() * 16) || ds.values.len() <= data.len(),
        "{} cells from a {}-byte document",
        ds.len(),
        data.len()
    );
    for d in &ds.dimensions {
        ensure!(d.codes.len() == d.labels.len(), "dimension {}: {} codes, {} labels", d.id, d.codes.len(), d.labels.len());
    }
    if let Some((cell, _)) = ds.status.iter().find(|&(cell, _)| cell >= ds.len()) {
        return Err(Violation(format!("a status at cell {cell} of {}", ds.len())));
    }
    let frame = ds.to_frame();
    if let Ok(df) = &frame {
        ensure!(df.height() == ds.len(), "to_frame: {} rows for {} cells (sizes {sizes:?})", df.height(), ds.len());
        let nulls = df.column("value").map(|c| c.null_count()).map_err(|e| Violation(format!("to_frame: {e}")))?;
        ensure!(nulls == ds.values.null_count(), "to_frame: {nulls} null values, the dataset has {}", ds.values.null_count());
    }
    let written = serde_json::to_vec(&ds.to_jsonstat2()).map_err(|e| Violation(format!("to_jsonstat2: {e}")))?;
    let back = Dataset::from_slice(&written).map_err(|e| Violation(format!("the written document does not read back: {e}")))?;
    ensure!(back == ds, "the written document reads back as another dataset: {}", first_difference(&ds, &back));
    Ok(Outcome(format!(
        "accepted: {} dimensions, {} time, {} status, frame {}",
        ds.dimensions.len().min(6),
        ds.dimensions.iter().filter(|d| d.role == Some(crate::data::jsonstat::Role::Time)).count().min(2),
        if ds.status.is_empty() { "no" } else { "some" },
        match &frame {
            Ok(_) => "ok".to_string(),
            Err(e) => Outcome::rejected(e).0,
        }
    )))
}

/// Where two datasets first differ, for the report.
fn first_difference(a: &Dataset, b: &Dataset) -> String {
    let meta = [("label", &a.label, &b.label), ("source", &a.source, &b.source), ("updated", &a.updated, &b.updated)];
    if let Some((what, x, y)) = meta.iter().find(|(_, x, y)| x != y) {
        return format!("{what} {x:?} became {y:?}");
    }
    if a.notes != b.notes {
        return format!("notes {:?} became {:?}", a.notes, b.notes);
    }
    if a.dimensions.len() != b.dimensions.len() {
        return format!("{} dimensions became {}", a.dimensions.len(), b.dimensions.len());
    }
    for (x, y) in a.dimensions.iter().zip(&b.dimensions) {
        if x != y {
            return format!("dimension {:?} became {:?}", x, y);
        }
    }
    if a.values != b.values {
        let (x, y) = (a.values.to_vec(), b.values.to_vec());
        let i = x.iter().zip(&y).position(|(p, q)| p != q).unwrap_or(0);
        return format!("value {i}: {:?} became {:?}", x.get(i), y.get(i));
    }
    format!("status {:?} became {:?}", a.status.iter().take(5).collect::<Vec<_>>(), b.status.iter().take(5).collect::<Vec<_>>())
}

fn table_meta(data: &[u8]) -> Result<Outcome, Violation> {
    let meta = parse_table_meta("fuzz", data, "fuzz input");
    if let Ok(meta) = &meta {
        ensure!(
            meta.elimination.len() == meta.dimensions.len(),
            "{} elimination flags for {} dimensions",
            meta.elimination.len(),
            meta.dimensions.len()
        );
        for d in &meta.dimensions {
            ensure!(d.codes.len() == d.labels.len(), "dimension {}: {} codes, {} labels", d.id, d.codes.len(), d.labels.len());
        }
    }
    let codelist = parse_codelist(data, "fuzz input");
    if let Ok(d) = &codelist {
        ensure!(d.codes.len() == d.labels.len(), "codelist {}: {} codes, {} labels", d.id, d.codes.len(), d.labels.len());
    }
    let search = parse_search(data, "fuzz input");
    let shape = |r: Result<(), &crate::Error>| r.map_or_else(|e| Outcome::rejected(e).0, |()| "ok".into());
    Ok(Outcome(format!(
        "meta {} | codelist {} | search {}",
        shape(meta.as_ref().map(drop)),
        shape(codelist.as_ref().map(drop)),
        shape(search.as_ref().map(drop))
    )))
}

fn klass_changes(data: &[u8]) -> Result<Outcome, Violation> {
    let changes = match parse_changes(data, "fuzz input") {
        Ok(c) => c,
        Err(e) => return Ok(Outcome::rejected(&e)),
    };
    for c in &changes {
        ensure!(c.year().is_some(), "an accepted change has no year: {:?}", c.change_occurred);
    }
    let df = changes_to_frame(&changes).map_err(|e| Violation(format!("changes_to_frame: {e}")))?;
    ensure!(df.height() == changes.len(), "changes_to_frame: {} rows for {} changes", df.height(), changes.len());
    Ok(Outcome::new(if changes.is_empty() { "accepted: none" } else { "accepted" }))
}

fn klass_codes(data: &[u8]) -> Result<Outcome, Violation> {
    let codes = parse_codes_at(data, "fuzz input");
    let to = "2026-01-01";
    let versions = parse_code_versions(data, to, "fuzz input");
    if let Ok(versions) = &versions {
        for v in versions {
            ensure!(v.valid_to.as_deref().map_or(true, |t| t < to), "a version ends at {:?}, after {to}", v.valid_to);
        }
    }
    Ok(Outcome(format!(
        "codes {} | versions {}",
        codes.map_or_else(|e| Outcome::rejected(&e).0, |c| format!("{}", c.len().min(3))),
        versions.map_or_else(|e| Outcome::rejected(&e).0, |v| format!("{}", v.len().min(3)))
    )))
}

fn klass_versions_csv(data: &[u8]) -> Result<Outcome, Violation> {
    let versions = match parse_versions_csv(data, "fuzz input") {
        Ok(v) => v,
        Err(e) => return Ok(Outcome::rejected(&e)),
    };
    let index = VersionIndex::new(&versions);
    for v in versions.iter().take(64) {
        ensure!(index.contains(&v.code), "the index lost code {:?}", v.code);
        let _ = index.codes_in(2020);
    }
    let derived = derive_changes(&versions, &[], "2000-01-01", "2030-01-01");
    if let Ok(derived) = &derived {
        for c in derived {
            ensure!(c.year().is_some(), "a derived change has no year: {:?}", c.change_occurred);
        }
    }
    Ok(Outcome(format!(
        "accepted {} | derived {}",
        versions.len().min(3),
        derived.map_or_else(|e| format!("{:?}", e.kind()), |d| format!("{}", d.len().min(3)))
    )))
}

/// The dimension selections are resolved against: years, and a few region-like codes.
fn test_dimension() -> Dimension {
    let mut codes: Vec<String> = (2005..=2026).map(|y| y.to_string()).collect();
    codes.extend(["0", "0301", "03", "4601", "K-3101", "2024K3", "ÆØÅ", ""].map(String::from));
    Dimension { id: "Tid".into(), label: "år".into(), labels: codes.clone(), codes, role: None }
}

fn selection(s: &str) -> Result<Outcome, Violation> {
    let sel = match Selection::parse("Tid", s) {
        Ok(sel) => sel,
        Err(e) => return Ok(Outcome::rejected(&e)),
    };
    let dim = test_dimension();
    let resolved = sel.filter.resolve("fuzz", &dim);
    if let Ok(positions) = &resolved {
        if let Some(p) = positions.iter().find(|&&p| p >= dim.len()) {
            return Err(Violation(format!("{s:?} resolved to position {p} of {}", dim.len())));
        }
    }
    // The v2 expression reads back as the same filter.
    if sel.codelist.is_none() {
        let text = sel.filter.v2_codes().join(",");
        let back: Result<Filter, _> = text.parse();
        ensure!(back.as_ref().ok() == Some(&sel.filter), "{s:?} → {:?} → {text:?} → {back:?}", sel.filter);
    }
    let mut q = Query::new("07459");
    q.selections.push(sel.clone());
    let v0 = q.v0_body();
    let _ = (q.v2_url("http://127.0.0.1/api/v2"), q.v2_body(), q.normalised());
    // Patterns match as the plain recursive definition says (on short inputs, where it is quick).
    if let Filter::Wildcard(patterns) = &sel.filter {
        for p in patterns.iter().filter(|p| p.chars().count() <= 12) {
            for code in dim.codes.iter().chain(std::iter::once(&s.to_string())).filter(|c| c.chars().count() <= 16) {
                ensure!(
                    glob_match(p, code) == glob_reference(p, code),
                    "pattern {p:?} on {code:?}: glob_match says {}",
                    glob_match(p, code)
                );
            }
        }
    }
    let kind = format!("{:?}", sel.filter);
    Ok(Outcome(format!(
        "accepted {} {}| resolved {} | v0 {}",
        kind.split('(').next().unwrap_or_default(),
        if sel.codelist.is_some() { "with codelist " } else { "" },
        // These errors quote the filter itself: their kind is shape enough.
        resolved.map_or_else(|e| format!("{:?}", e.kind()), |p| format!("{}", p.len().min(3))),
        v0.map_or_else(|e| format!("{:?}", e.kind()), |_| "ok".into())
    )))
}

/// `*` matches any run, `?` one character: the definition, recursively (exponential in
/// the worst case, so only for short inputs).
fn glob_reference(pattern: &str, s: &str) -> bool {
    fn rec(p: &[char], s: &[char]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some('*'), _) => rec(&p[1..], s) || (!s.is_empty() && rec(p, &s[1..])),
            (Some('?'), Some(_)) => rec(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => rec(&p[1..], &s[1..]),
            _ => false,
        }
    }
    rec(&pattern.chars().collect::<Vec<_>>(), &s.chars().collect::<Vec<_>>())
}

fn period(s: &str) -> Result<Outcome, Violation> {
    let Some((year, days)) = parse_period(s) else { return Ok(Outcome::new("rejected")) };
    let digits: Option<i32> = s.trim().get(..4).and_then(|y| y.parse().ok());
    ensure!(digits == Some(year), "{s:?} gave year {year}");
    // The period starts within its year (an ISO week 1 may start in late December before).
    let (Some((_, jan1)), Some((_, next))) = (parse_period(&format!("{year:04}")), parse_period(&format!("{:04}", year + 1)))
    else {
        return Ok(Outcome::new("accepted: year 9999")); // no next year to compare with
    };
    ensure!(days >= jan1 - 3 && days < next, "{s:?} starts on day {days}, outside year {year} ({jan1}..{next})");
    let kind = s.trim().chars().nth(4).map_or('Y', |c| c.to_ascii_uppercase());
    Ok(Outcome(format!("accepted {kind}")))
}

fn settlements_csv(data: &[u8]) -> Result<Outcome, Violation> {
    let df = match parse_settlements_csv(data, Path::new("fuzz.csv")) {
        Ok(df) => df,
        Err(e) => return Ok(Outcome::rejected(&e)),
    };
    let names: Vec<&str> = df.get_column_names().into_iter().map(|s| s.as_str()).collect();
    ensure!(
        names
            == [
                "settlement_code",
                "settlement",
                "municipality_code",
                "municipality",
                "row_type",
                "residents",
                "area_km2",
                "density"
            ],
        "columns {names:?}"
    );
    Ok(Outcome::new(if df.height() == 0 { "accepted: empty" } else { "accepted" }))
}
