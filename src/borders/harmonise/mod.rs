//! Carry municipal series to one year's borders.
//!
//! Norway merged 428 municipalities into 356 in 2020, split some again in 2024 and
//! renumbered almost all of them twice (`0602 Drammen (-2019)` → `3005 Drammen
//! (2020-2023)` → `3301 Drammen`). A [`Harmoniser`] rewrites a frame so that every year
//! is on the codes and names valid on 1 January of a target year (default 2024):
//!
//! * **renumbering and merges** carry values exactly (sums);
//! * **a split that re-creates a unit merged away earlier** is exact: when 1507 Ålesund
//!   (2020–2023) was split in 2024, Haram 1580 re-created Haram 1534 (-2019). For years
//!   before the 2020 merge, 1580 gets exactly 1534's values and Ålesund 1508 the rest of
//!   the old units (1504, 1523, 1529, 1546). A successor re-creates a predecessor when
//!   their names agree and the other successor keeps the split unit's name;
//! * **any other split** (Stokke 0720 in 2017, Tysfjord 1850 and Snillfjord 5012 in
//!   2020, and 1507 Ålesund for 2020–2023) divides the value by shares measured from the
//!   population jump at the split: for each successor, its population on the split date
//!   minus that of its other predecessors a year earlier (at least 0), normalised to sum
//!   to 1. Shares come from table 07459 through the same [`Source`], and the same shares
//!   divide any other table's counts;
//! * going **back** to earlier borders (data years after the target) reverses the
//!   changes: a renumbering or a split part is exact, a merged unit is divided in
//!   proportion to its predecessors' population the year before the merge.
//!
//! Totals are conserved for every year (the parts of a divided value add up to it), and
//! a municipality untouched by any change comes out equal to its input. Every output
//! row says how it was obtained (`exact`, `method`), and [`Harmonised::changes`] lists
//! the changes and shares applied, for a notebook to show its assumptions.
//!
//! # Rows and columns
//!
//! The region column holds codes (`region_code` from
//! [`Dataset::to_frame`](crate::data::jsonstat::Dataset::to_frame)); its label column
//! (`region`) is replaced by the name valid in the target year. Rows that are not
//! municipalities (the country `0`, counties, `xx99`/`9999`, Svalbard …) are dropped
//! unless [`Harmoniser::other_regions`] says [`OtherRegions::Keep`]; they are never added
//! into municipalities. A municipality code in a year where it did not exist with value
//! 0 or null (07459 has such cells) is a phantom and is dropped. `status` is dropped;
//! every other column (year, `tid`, `contents_code`, `innvandr_kat_code`, …) is a key:
//! values are summed within equal keys. Null values are skipped in sums; an output made
//! of nulls only is null, one with some null input has `method = "partial"`.
//!
//! A frame that is already on some other year's borders (for instance the output of an
//! earlier harmonisation) is recognised by its codes: its rows are spread back over the
//! units of the data year in proportion to their population and carried from there, so
//! harmonising twice changes nothing and 2010 → 2020 borders → 2024 equals 2010 → 2024
//! for population counts.
//!
//! ```
//! use statbank::prelude::*;
//! use statbank::borders::harmonise::Harmoniser;
//! let source = Source::snapshot()?;
//! let pop = source.fetch(&Query::new("07459").select_str("Tid", "2010")?)?;
//! let h = Harmoniser::new(&source).borders(2024).run(&pop, "value", "year", "region_code")?;
//! let drammen = h.data.clone().lazy().filter(col("region_code").eq(lit("3301"))).collect()?;
//! assert_eq!(drammen.column("value")?.f64()?.get(0), Some(91_719.0));
//! assert_eq!(h.data.height(), 357);
//! println!("{}", h.changes);
//! # Ok::<(), statbank::Error>(())
//! ```

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::rc::Rc;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::data::klass::{same_name, CodeChange, CodeVersion, Klass, VersionIndex, MUNICIPALITIES};
use crate::data::query::Query;
use crate::data::region;
use crate::data::source::Source;
mod engine;
mod graph;
mod run;

pub use engine::Population;
pub use graph::Borders;
pub use run::Harmoniser;
pub(crate) use engine::describe_years;
use engine::*;
use engine::Engine;
use graph::*;

use crate::frame::{column_names, find_column, float_values, string_values, string_values_cast, year_values};

/// The kind of a change applied by the harmoniser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// A code replaced by another for the same territory (or the part of a split unit
    /// that a successor takes whole, going back).
    Renumber,
    /// Several units (or one unit's part) became one.
    Merge,
    /// One unit divided among several, by population shares (estimated).
    Split,
    /// A successor of a split that re-creates a unit merged away earlier (exact).
    Recreate,
}

impl ChangeKind {
    /// `renumber`, `merge`, `split` or `recreate`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Renumber => "renumber",
            ChangeKind::Merge => "merge",
            ChangeKind::Split => "split",
            ChangeKind::Recreate => "recreate",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do with rows that are not municipalities (country, counties, unknown,
/// Svalbard …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OtherRegions {
    /// Leave them out of the result (the default).
    #[default]
    Drop,
    /// Pass them through unchanged, with `method = "passthrough"`.
    Keep,
}

/// How a row of [`Harmonised::data`] was obtained: its `method` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// The code existed on the target borders already, value unchanged.
    Identity,
    /// Renumbered or merged: every part carried with share 1.
    Exact,
    /// Some part came from a split, divided by population shares.
    Estimated,
    /// Some input value was null (`..`): the sum is of the known parts only.
    Partial,
    /// Not a municipality, kept as it is ([`OtherRegions::Keep`]).
    Passthrough,
}

impl Method {
    /// The name written in the `method` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Identity => "identity",
            Method::Exact => "exact",
            Method::Estimated => "estimated",
            Method::Partial => "partial",
            Method::Passthrough => "passthrough",
        }
    }

    /// The method named `s` (a `method` column read back in), or an error naming the ones there are.
    pub fn parse(s: &str) -> Result<Method> {
        [Method::Identity, Method::Exact, Method::Estimated, Method::Partial, Method::Passthrough]
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                Error::column("method", format!("{s:?} is not a method (identity, exact, estimated, partial, passthrough)"))
            })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change the harmoniser applied: `share` of `from_code`'s value went to `to_code`.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedChange {
    /// The year the change took effect (1 January).
    pub year: i32,
    /// The code values come from.
    pub from_code: String,
    /// Its name.
    pub from_name: String,
    /// The code values go to.
    pub to_code: String,
    /// Its name.
    pub to_name: String,
    /// What kind of change.
    pub kind: ChangeKind,
    /// The share of `from_code`'s value that goes to `to_code`.
    pub share: f64,
    /// Whether the share is exact (1 for renumbering, merges and re-creations) or an
    /// estimate from population.
    pub exact: bool,
    /// Which data the row applies to, in words.
    pub note: String,
}

/// The result of a harmonisation.
#[derive(Debug, Clone)]
pub struct Harmonised {
    /// The data on the target borders: the input's columns (minus `status`) with the
    /// region code and name replaced, plus `exact` (bool) and `method` (`identity`,
    /// `exact`, `estimated`, `partial`, `passthrough`).
    pub data: DataFrame,
    /// The changes and shares applied: `year, from_code, from_name, to_code, to_name,
    /// kind, share, exact, note` (see [`AppliedChange`]).
    pub changes: DataFrame,
    /// The same changes as structs.
    pub applied: Vec<AppliedChange>,
    /// The target year.
    pub borders: i32,
}

trait NoneOrZero {
    fn is_none_or_zero(&self) -> bool;
}
impl NoneOrZero for Option<f64> {
    fn is_none_or_zero(&self) -> bool {
        self.map_or(true, |v| v == 0.0)
    }
}

/// Harmonise with default options: `Harmoniser::new(source).borders(borders).run(…)`.
pub fn harmonise(
    source: &Source,
    df: &DataFrame,
    value_col: &str,
    year_col: &str,
    region_col: &str,
    borders: i32,
) -> Result<Harmonised> {
    Harmoniser::new(source).borders(borders).run(df, value_col, year_col, region_col)
}


/// SSB's own harmonised series: table 07459 with `agg:KommSummer` (municipalities on
/// 2024 borders, computed by SSB), with `K-3301` codes turned into `3301` and labels
/// stripped of suffixes. `K-21-22`, `K-23` and `K-Rest` keep their codes.
///
/// SSB does not divide split municipalities: Heim, Hitra, Orkland, Narvik and Hamarøy
/// are 0 before 2020 and all of Stokke is in Sandefjord, where [`Harmoniser`] divides
/// them by population shares (see the `borders` tests for the comparison).
pub fn ssb_kommsummer(source: &Source) -> Result<DataFrame> {
    let q = Query::new("07459").select_str("Region", "agg:KommSummer")?;
    let df = source.fetch(&q)?;
    region::strip_kommsummer(&df, "region_code")
}

// ---------------------------------------------------------------- column helpers

fn check_year(y: i32) -> Result<()> {
    if (1838..=2100).contains(&y) {
        Ok(())
    } else {
        Err(Error::Borders(format!("year {y} is outside the municipal classification (1838–2100)")))
    }
}

/// Where `code` on `from`'s borders goes on `to`'s borders: `(code, weight, exact)`
/// (for inspecting single mappings in a notebook).
pub fn map_code(source: &Source, code: &str, from: i32, to: i32) -> Result<Vec<(String, f64, bool)>> {
    let borders = Borders::load(&Klass::new(source), from.min(to) + 1, from.max(to))?;
    let engine = Engine::new(&borders, source, None);
    Ok(engine.map_code(code, from, to)?.iter().map(|p| (p.code.clone(), p.w, p.exact)).collect())
}

