//! Urban settlements (tettsteder): residents and area by settlement and municipality.
//!
//! SSB publishes, for 1 January of each year, every urban settlement with its
//! residents, area (km²) and density, split by municipality where a settlement spans
//! several (StatBank table 04859 and the published table "Tettsteder. Folkemengde og
//! areal, etter kommune"). [`settlements`] loads one year as a tidy frame:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `settlement_code` | str | `0001` … |
//! | `settlement` | str | e.g. `Stavanger/Sandnes` |
//! | `municipality_code` | str | municipality of the row (codes valid that year) |
//! | `municipality` | str | its name |
//! | `row_type` | str | `single_kommune`, `total_split` (a settlement spanning several municipalities) or `split_part` (its part in one) |
//! | `residents` | i64 | residents |
//! | `area_km2` | f64 | area in km² |
//! | `density` | f64 | residents per km² |
//!
//! To count each person once, sum either the rows that are not `split_part`
//! (per settlement) or the rows that are not `total_split` (per municipality).
//!
//! The page's tables, each a function of one year's list (or two):
//! [`summary`], [`largest`], [`by_municipality`], [`by_county`],
//! [`new_and_discontinued`], [`by_size_class`] and SSB's naming rule [`merged_name`];
//! [`UrbanReport`] builds them all and holds them against SSB's page for 1 January
//! 2023 ([`PAGE_FIGURES`], [`PageCheck`]), for notebook 06 and `statbank report`.
//!
//! Offline the data comes from `<STATBANK_OFFLINE>/tettsteder/tettsteder-<year>.csv`.
//! The per-municipality split is not offered by StatBank's API, so the live source
//! answers with a clear error for now.

mod page;
mod tables;

pub use page::{PageCheck, PageFigure, UrbanReport, BY_MUNICIPALITY_THRESHOLD, PAGE_COUNTY_SHARES, PAGE_FIGURES, PAGE_UNKNOWN_BY_COUNTY, PAGE_YEAR};
pub use tables::{
    by_county, by_municipality, by_size_class, county_population, largest, merged_name, national_population,
    new_and_discontinued, parts, summary, whole_settlements, COUNTY_ORDER, SIZE_CLASSES,
};

use std::sync::Arc;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::data::source::Source;

/// The years of settlement data the source has.
pub fn years(source: &Source) -> Result<Vec<i32>> {
    source.settlement_years()
}

/// Urban settlements on 1 January of `year` (see the module docs for the columns).
pub fn settlements(source: &Source, year: i32) -> Result<DataFrame> {
    let path = source.settlement_file(year)?;
    let schema = Schema::from_iter([
        Field::new("tettstednr".into(), DataType::String),
        Field::new("tettstednavn".into(), DataType::String),
        Field::new("kommunenr".into(), DataType::String),
        Field::new("kommunenavn".into(), DataType::String),
        Field::new("row_type".into(), DataType::String),
        Field::new("bosatte".into(), DataType::Int64),
        Field::new("areal_km2".into(), DataType::Float64),
        Field::new("bosatte_per_km2".into(), DataType::Float64),
    ]);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .try_into_reader_with_file_path(Some(path.clone()))?
        .finish()
        .map_err(|source| Error::Csv { path: path.clone(), source })?;
    let df = df
        .lazy()
        .select([
            col("tettstednr").alias("settlement_code"),
            col("tettstednavn").alias("settlement"),
            col("kommunenr").alias("municipality_code"),
            col("kommunenavn").alias("municipality"),
            col("row_type"),
            col("bosatte").alias("residents"),
            col("areal_km2").alias("area_km2"),
            col("bosatte_per_km2").alias("density"),
        ])
        .collect()?;
    let bad = df.column("row_type")?.str()?.iter().flatten().find(|t| {
        !matches!(*t, "single_kommune" | "total_split" | "split_part")
    });
    if let Some(t) = bad {
        return Err(Error::column("row_type", format!("unknown row type {t:?} in {}", path.display())));
    }
    Ok(df)
}
