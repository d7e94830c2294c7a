//! Population change per municipality between two years, on one set of borders.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use crate::borders::harmonise::{describe_years, Harmoniser, Population};
use crate::data::query::Query;
use crate::data::source::Source;
use crate::error::{Error, Result};
use crate::frame::{float_values, string_values, year_values};

/// Population change between two years for the municipalities of `borders`' year:
/// columns `code, name, pop_from, pop_to, change, pct_change, exact` (sorted by code;
/// `exact` is false where a split share was used for either year).
///
/// ```
/// use statbank::prelude::*;
/// let source = Source::snapshot()?;
/// let df = statbank::analysis::population_change(&source, 2024, 2010, 2026)?;
/// assert_eq!(df.height(), 357);
/// assert_eq!(df.column("code")?.str()?.get(0), Some("0301"));
/// assert_eq!(df.column("change")?.f64()?.get(0), Some(141_854.0));
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn population_change(source: &Source, borders: i32, from: i32, to: i32) -> Result<DataFrame> {
    let q = Query::new("07459")
        .select_str("Region", "*")?
        .select_str("ContentsCode", "Personer1")?
        .select_str("Tid", "*")?;
    let df = source.fetch(&q)?;
    let available: BTreeSet<i32> = year_values(&df, "year")?.into_iter().flatten().collect();
    for y in [from, to] {
        if !available.contains(&y) {
            return Err(Error::Borders(format!(
                "table 07459 has no year {y}; it covers {}",
                describe_years(&available)
            )));
        }
    }
    let pop = Population::from_frame(&df, "value", "year", "region_code")?;
    let sel = df
        .lazy()
        .filter(col("year").eq(lit(from)).or(col("year").eq(lit(to))))
        .select([col("region_code"), col("region"), col("year"), col("value")])
        .collect()?;
    let h = Harmoniser::new(source).borders(borders).population(pop).run(&sel, "value", "year", "region_code")?;
    let codes = string_values(&h.data, "region_code")?;
    let names = string_values(&h.data, "region")?;
    let years = year_values(&h.data, "year")?;
    let values = float_values(&h.data, "value")?;
    let exact = h.data.column("exact")?.bool()?.iter().collect::<Vec<_>>();
    let mut table: BTreeMap<String, (String, Option<f64>, Option<f64>, bool)> = BTreeMap::new();
    for i in 0..h.data.height() {
        let (Some(c), Some(y)) = (codes[i].clone(), years[i]) else { continue };
        let e = table.entry(c).or_insert((names[i].clone().unwrap_or_default(), None, None, true));
        if y == from {
            e.1 = values[i];
        }
        if y == to {
            e.2 = values[i];
        }
        e.3 &= exact[i].unwrap_or(false);
    }
    let n = table.len();
    let rows: Vec<_> = table.into_iter().collect();
    let change: Vec<Option<f64>> = rows.iter().map(|(_, r)| Some(r.2? - r.1?)).collect();
    let pct: Vec<Option<f64>> = rows
        .iter()
        .map(|(_, r)| {
            let (a, b) = (r.1?, r.2?);
            (a != 0.0).then(|| 100.0 * (b - a) / a)
        })
        .collect();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new("code".into(), rows.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>()),
            Column::new("name".into(), rows.iter().map(|(_, r)| r.0.as_str()).collect::<Vec<_>>()),
            Column::new("pop_from".into(), rows.iter().map(|(_, r)| r.1).collect::<Vec<_>>()),
            Column::new("pop_to".into(), rows.iter().map(|(_, r)| r.2).collect::<Vec<_>>()),
            Column::new("change".into(), change),
            Column::new("pct_change".into(), pct),
            Column::new("exact".into(), rows.iter().map(|(_, r)| r.3).collect::<Vec<_>>()),
        ],
    )?)
}
