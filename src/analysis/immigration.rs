//! Immigrants (table 09817) per municipality, on one set of borders.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::borders::harmonise::Harmoniser;
use crate::data::query::{Filter, Query};
use crate::data::source::Source;

/// The years in which table 09817 has figures for the immigrant category `category`
/// (`"B"` immigrants, `"C"` Norwegian-born to immigrant parents): years where at least
/// one region has a value. A category can stop before the table does: in the
/// repository's snapshot, B covers 2010–2022 and C 2010–2015.
///
/// ```
/// use statbank::prelude::*;
/// use statbank::analysis::years_with_figures;
/// let source = Source::snapshot()?;
/// assert_eq!(years_with_figures(&source, "B")?, (2010..=2022).collect::<Vec<_>>());
/// assert_eq!(years_with_figures(&source, "C")?, (2010..=2015).collect::<Vec<_>>());
///
/// // Asking for a year without figures is an error that says which years there are.
/// let err = statbank::analysis::immigrant_change(&source, 2026, "B", 2010, 2026).unwrap_err();
/// assert_eq!(err.kind(), statbank::error::ErrorKind::NotCovered);
/// assert!(err.to_string().contains("it has 2010–2022"), "{err}");
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn years_with_figures(source: &Source, category: &str) -> Result<Vec<i32>> {
    let df = source.fetch(
        &Query::new("09817")
            .select("InnvandrKat", Filter::items([category]))
            .select("ContentsCode", Filter::items(["Personer1"])),
    )?;
    let years = df
        .lazy()
        .filter(col("value").is_not_null())
        .select([col("year").unique().sort(SortOptions::default())])
        .collect()?;
    Ok(years.column("year")?.i32()?.into_no_null_iter().collect())
}

/// Immigrant change per municipality for one category between two years, on the
/// municipalities of `borders`: `code, name, category, year_from, year_to, imm_from,
/// imm_to, imm_change, imm_pct_change`, sorted by code.
///
/// Split municipalities are divided by the population shares of table 07459 (see
/// [`Harmoniser`]); a municipality with a missing (`..`) cell in either year is left
/// out rather than counted as zero. Asking for a year in which the category has no
/// figures is an error that names the years it has.
pub fn immigrant_change(source: &Source, borders: i32, category: &str, from: i32, to: i32) -> Result<DataFrame> {
    let have = years_with_figures(source, category)?;
    for y in [from, to] {
        if !have.contains(&y) {
            return Err(Error::NotCovered(format!(
                "table 09817 has no figures for category {category} in {y}; it has {}",
                match (have.first(), have.last()) {
                    (Some(a), Some(b)) => format!("{a}–{b}"),
                    _ => "none".to_string(),
                }
            )));
        }
    }
    let imm = source.fetch(
        &Query::new("09817")
            .select("Region", Filter::All)
            .select("InnvandrKat", Filter::items([category]))
            .select("ContentsCode", Filter::items(["Personer1"]))
            .select("Tid", Filter::items([from.to_string(), to.to_string()])),
    )?;
    let h = Harmoniser::new(source).borders(borders).run(&imm, "value", "year", "region_code")?;
    Ok(h.data
        .lazy()
        .filter(col("method").neq(lit("partial")))
        .group_by([col("region_code"), col("region"), col("innvandr_kat_code")])
        .agg([
            col("value").filter(col("year").eq(lit(from))).first().alias("imm_from"),
            col("value").filter(col("year").eq(lit(to))).first().alias("imm_to"),
        ])
        .filter(col("imm_from").is_not_null().and(col("imm_to").is_not_null()))
        .with_columns([
            (col("imm_to") - col("imm_from")).alias("imm_change"),
            ((col("imm_to") - col("imm_from")) / col("imm_from") * lit(100.0)).alias("imm_pct_change"),
            lit(from).alias("year_from"),
            lit(to).alias("year_to"),
        ])
        .sort(["region_code"], SortMultipleOptions::default())
        .select([
            col("region_code").alias("code"),
            col("region").alias("name"),
            col("innvandr_kat_code").alias("category"),
            col("year_from"),
            col("year_to"),
            col("imm_from"),
            col("imm_to"),
            col("imm_change"),
            col("imm_pct_change"),
        ])
        .collect()?)
}
