//! Region codes and labels: which level a code is, what its label means, which county
//! it belongs to.
//!
//! SSB's `Region` dimension mixes levels: the country (`0`), counties (two digits),
//! municipalities (four digits), Svalbard, Jan Mayen and the continental shelf (`21`,
//! `22`, `23`, `2100`, `2111`, `2121`, `2131`, `2211`, `2311`), "unknown"
//! (`xx99`, `9999`, `99`) and, with the `agg:KommSummer` codelist, `K-3301`-style codes.
//! Labels carry a validity suffix for historical codes: `Halden (2020-2023)`,
//! `Drammen (-2019)`.
//!
//! * [`level`] classifies one code, [`parse_label`] splits one label;
//! * [`annotate`] adds `level`, `name`, `valid_from`, `valid_to`, `county_code` to a frame;
//! * [`Counties`] / [`annotate_county`] attach the county (code and name valid in the
//!   row's year) to municipality rows;
//! * [`kommsummer_code`] / [`strip_kommsummer`] turn SSB's `K-3301` into `3301`.
//!
//! ```
//! use statbank::data::region::{level, parse_label, Level};
//! assert_eq!(level("0"), Level::Country);
//! assert_eq!(level("46"), Level::County);
//! assert_eq!(level("3301"), Level::Municipality);
//! assert_eq!(level("2111"), Level::Territory);
//! assert_eq!(level("0399"), Level::Unknown);
//! let l = parse_label("Halden (2020-2023)");
//! assert_eq!((l.name.as_str(), l.valid_from, l.valid_to), ("Halden", Some(2020), Some(2023)));
//! let l = parse_label("Våler (Østfold) (-2019)");
//! assert_eq!((l.name.as_str(), l.valid_from, l.valid_to), ("Våler (Østfold)", None, Some(2019)));
//! ```

use std::fmt;

use polars::prelude::*;

use crate::error::Result;
use crate::frame::str_column;

/// The level of a region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// `0`, Hele landet.
    Country,
    /// Two digits, e.g. `03`, `46`.
    County,
    /// Four digits, e.g. `0301`.
    Municipality,
    /// Svalbard, Jan Mayen, the continental shelf: `21`, `22`, `23`, `21xx`, `22xx`, `23xx`.
    Territory,
    /// "Unknown" / unallocated: `xx99`, `9999`, `99` (and KommSummer's `K-Rest`).
    Unknown,
    /// Anything else (economic regions, labour-market regions, …).
    Other,
}

impl Level {
    /// The lower-case name used in frames: `country`, `county`, `municipality`,
    /// `territory`, `unknown`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::County => "county",
            Level::Municipality => "municipality",
            Level::Territory => "territory",
            Level::Unknown => "unknown",
            Level::Other => "other",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The level of a region code (see [`Level`]); `K-` codes are classified by the code
/// they stand for (`K-3301` → municipality, `K-21-22` → territory, `K-Rest` → unknown).
pub fn level(code: &str) -> Level {
    let code = code.trim();
    if let Some(rest) = code.strip_prefix("K-") {
        return match rest {
            "Rest" | "rest" => Level::Unknown,
            "21-22" => Level::Territory,
            r => level(r),
        };
    }
    if !all_digits(code) {
        return Level::Other;
    }
    match code.len() {
        1 if code == "0" => Level::Country,
        2 => match code {
            "21" | "22" | "23" => Level::Territory,
            "99" => Level::Unknown,
            "00" => Level::Other,
            _ => Level::County,
        },
        4 => {
            if code.ends_with("99") {
                Level::Unknown
            } else if code.starts_with("21") || code.starts_with("22") || code.starts_with("23") {
                Level::Territory
            } else if code.starts_with("00") {
                Level::Other
            } else {
                Level::Municipality
            }
        }
        _ => Level::Other,
    }
}

/// Whether a code is a (four-digit) municipality code.
pub fn is_municipality(code: &str) -> bool {
    level(code) == Level::Municipality
}

/// The county code of a region code: the first two digits of a municipality, territory
/// or `xx99` code; the code itself for a county; `None` for the country, `9999`, `99` and
/// other codes. (Norwegian municipality codes begin with the code of the county they
/// belonged to when the code was issued.)
pub fn county_code(code: &str) -> Option<&str> {
    let code = code.trim();
    let code = code.strip_prefix("K-").unwrap_or(code);
    match level(code) {
        Level::County => Some(code),
        Level::Territory if code.len() == 2 => Some(code),
        Level::Municipality | Level::Territory if code.len() == 4 => code.get(..2),
        Level::Unknown if code.len() == 4 && code != "9999" => code.get(..2),
        _ => None,
    }
}

/// A label split into the name and SSB's validity years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The name without the suffix, e.g. `Halden`.
    pub name: String,
    /// First year of validity (`Halden (2020-2023)` → 2020), `None` when not given.
    pub valid_from: Option<i32>,
    /// Last year of validity, inclusive (`Halden (-2019)` → 2019); `None` when the code is
    /// still valid or the label says nothing.
    pub valid_to: Option<i32>,
}

/// Split SSB's validity suffix off a label: `Halden (2020-2023)`, `Halden (-2019)`,
/// `Bø (1868-2019)`, `Ny (2024-)`. Parentheses that are not years stay in the name
/// (`Våler (Østfold)`).
pub fn parse_label(label: &str) -> Label {
    let t = label.trim();
    let plain = || Label { name: t.to_string(), valid_from: None, valid_to: None };
    let Some(inner) = t.strip_suffix(')') else { return plain() };
    let Some(open) = inner.rfind('(') else { return plain() };
    let years = inner[open + 1..].trim();
    let parse = |s: &str| -> Option<Option<i32>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else if s.len() == 4 && all_digits(s) {
            s.parse().ok().map(Some)
        } else {
            None
        }
    };
    let (from, to) = match years.split_once('-') {
        Some((a, b)) => match (parse(a), parse(b)) {
            (Some(a), Some(b)) if a.is_some() || b.is_some() => (a, b),
            _ => return plain(),
        },
        None => return plain(),
    };
    Label { name: inner[..open].trim_end().to_string(), valid_from: from, valid_to: to }
}

/// `K-3301` → `3301` (SSB's `agg:KommSummer` codes); `None` for anything else,
/// including `K-21-22`, `K-23` and `K-Rest`.
pub fn kommsummer_code(code: &str) -> Option<&str> {
    let rest = code.trim().strip_prefix("K-")?;
    (rest.len() == 4 && all_digits(rest)).then_some(rest)
}




/// Add `level`, `name`, `valid_from`, `valid_to` (Int32, inclusive years from the label's
/// suffix, null where the label gives none) and `county_code` to a frame with a region
/// code column and a label column (as [`Dataset::to_frame`](crate::data::jsonstat::Dataset::to_frame)
/// writes them: `region_code`, `region`). Existing columns of these names are replaced.
///
/// ```
/// use statbank::polars::prelude::*;
/// use statbank::data::region::annotate;
/// let df = df!("region_code" => ["0", "3005", "0399"],
///              "region" => ["Hele landet", "Drammen (2020-2023)", "Uoppgitt komm. (Oslo)"])?;
/// let out = annotate(&df, "region_code", "region")?;
/// assert_eq!(out.column("level")?.str()?.get(1), Some("municipality"));
/// assert_eq!(out.column("name")?.str()?.get(1), Some("Drammen"));
/// assert_eq!(out.column("valid_to")?.i32()?.get(1), Some(2023));
/// assert_eq!(out.column("county_code")?.str()?.get(1), Some("30"));
/// assert_eq!(out.column("level")?.str()?.get(2), Some("unknown"));
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn annotate(df: &DataFrame, code_col: &str, label_col: &str) -> Result<DataFrame> {
    let codes = str_column(df, code_col)?;
    let labels = str_column(df, label_col)?;
    let n = df.height();
    let mut lv = Vec::with_capacity(n);
    let mut names = Vec::with_capacity(n);
    let mut from = Vec::with_capacity(n);
    let mut to = Vec::with_capacity(n);
    let mut county = Vec::with_capacity(n);
    for (c, l) in codes.iter().zip(labels.iter()) {
        lv.push(c.map(|c| level(c).as_str()));
        let parsed = l.map(parse_label);
        names.push(parsed.as_ref().map(|p| p.name.clone()));
        from.push(parsed.as_ref().and_then(|p| p.valid_from));
        to.push(parsed.as_ref().and_then(|p| p.valid_to));
        county.push(c.and_then(county_code).map(str::to_string));
    }
    let mut out = df.clone();
    out.with_column(Column::new("level".into(), lv))?;
    out.with_column(Column::new("name".into(), names))?;
    out.with_column(Column::new("valid_from".into(), from))?;
    out.with_column(Column::new("valid_to".into(), to))?;
    out.with_column(Column::new("county_code".into(), county))?;
    Ok(out)
}

/// Keep only the rows of one level (e.g. municipalities) of a region code column.
pub fn filter_level(df: &DataFrame, code_col: &str, keep: Level) -> Result<DataFrame> {
    let codes = str_column(df, code_col)?;
    let mask: BooleanChunked = codes.iter().map(|c| Some(c.is_some_and(|c| level(c) == keep))).collect();
    Ok(df.filter(&mask)?)
}

/// Replace `K-xxxx` codes by `xxxx` in a code column (other codes unchanged), so a frame
/// fetched with `agg:KommSummer` lines up with plain municipality codes.
pub fn strip_kommsummer(df: &DataFrame, code_col: &str) -> Result<DataFrame> {
    let codes = str_column(df, code_col)?;
    let new: StringChunked =
        codes.iter().map(|c| c.map(|c| kommsummer_code(c).unwrap_or(c).to_string())).collect_ca(code_col.into());
    let mut out = df.clone();
    out.with_column(new.into_series().into_column())?;
    Ok(out)
}
