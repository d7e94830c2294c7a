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
//! | `row_type` | str | `single_kommune`, `total_split` (a settlement spanning several municipalities) or `split_part` (its part in one); live, [`WHOLE_SETTLEMENT`] |
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
//! Live it comes from StatBank's table [`SETTLEMENT_TABLE`] (04859), which gives
//! residents and area per settlement but not the municipalities a settlement spans:
//! the page's totals, largest settlements and size classes work live, while the
//! tables by municipality and by county, and new and discontinued settlements per
//! municipality, answer with an error that says so ([`ErrorKind::NotCovered`](crate::error::ErrorKind)).

mod page;
mod tables;

pub use page::{PageCheck, PageFigure, UrbanReport, BY_MUNICIPALITY_THRESHOLD, PAGE_COUNTY_SHARES, PAGE_FIGURES, PAGE_UNKNOWN_BY_COUNTY, PAGE_YEAR};
pub use tables::{
    by_county, by_municipality, by_size_class, county_population, largest, merged_name, national_population,
    new_and_discontinued, parts, summary, whole_settlements, COUNTY_ORDER, SIZE_CLASSES,
};

use std::sync::Arc;

use polars::prelude::*;

use crate::data::query::{Filter, Query};
use crate::data::source::Source;
use crate::error::{Error, Result};

/// StatBank's table of urban settlements: residents and area (km²) of every
/// settlement on 1 January ("Areal og befolkning i tettsteder"). It has no
/// municipality split, so a live source gives whole settlements only (see
/// [`settlements`]).
pub const SETTLEMENT_TABLE: &str = "04859";

/// The `row_type` of a whole settlement from [`SETTLEMENT_TABLE`], whose municipalities
/// the table does not give.
pub const WHOLE_SETTLEMENT: &str = "settlement";

/// The years of settlement data the source has: the snapshot's lists offline, the
/// years of [`SETTLEMENT_TABLE`] live.
pub fn years(source: &Source) -> Result<Vec<i32>> {
    if source.is_offline() {
        return source.settlement_years();
    }
    let meta = source.metadata(SETTLEMENT_TABLE)?;
    let time = meta.dimension("Tid").ok_or_else(|| table_lacks("a time dimension `Tid`", &meta))?;
    let mut years: Vec<i32> = time.codes.iter().filter_map(|c| c.parse().ok()).collect();
    years.sort_unstable();
    Ok(years)
}


/// Urban settlements on 1 January of `year` (see the module docs for the columns).
///
/// Offline, the snapshot's list for `year`, split by municipality. Live, StatBank's
/// table [`SETTLEMENT_TABLE`] (04859): one row per whole settlement, `row_type`
/// [`WHOLE_SETTLEMENT`], no municipality (the table has none), density computed from
/// residents and area. [`summary`], [`largest`] and [`by_size_class`] work on both;
/// the tables by municipality and county say what they need instead.
///
/// ```
/// use statbank::prelude::*;
/// use statbank::analysis::urban;
/// let s = urban::settlements(&Source::snapshot()?, 2022)?;
/// assert_eq!(s.column("residents")?.i64()?.get(0), Some(25_916)); // Halden
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn settlements(source: &Source, year: i32) -> Result<DataFrame> {
    if !source.is_offline() {
        return from_statbank(source, year);
    }
    let path = source.settlement_file(year)?;
    let bytes = std::fs::read(&path).map_err(|e| Error::io("reading", &path, e))?;
    parse_settlements_csv(&bytes, &path)
}

/// The header of a settlement list (`tettsteder-<year>.csv`).
pub const SETTLEMENT_CSV_HEADER: &str =
    "tettstednr,tettstednavn,kommunenr,kommunenavn,row_type,bosatte,areal_km2,bosatte_per_km2";

/// Read a settlement list in the snapshot's layout (`tettsteder-<year>.csv`, with the
/// header [`SETTLEMENT_CSV_HEADER`]) into the frame [`settlements`] returns; `path`
/// names the file in errors.
///
/// ```
/// let csv = "tettstednr,tettstednavn,kommunenr,kommunenavn,row_type,bosatte,areal_km2,bosatte_per_km2\n\
///            0001,Halden,3001,Halden,single_kommune,25916,14.31,1811\n";
/// let df = statbank::analysis::urban::parse_settlements_csv(csv.as_bytes(), "tettsteder-2022.csv".as_ref())?;
/// assert_eq!(df.height(), 1);
/// assert!(statbank::analysis::urban::parse_settlements_csv(b"tettstednr\n0001,Halden,x\n", "bad.csv".as_ref()).is_err());
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn parse_settlements_csv(bytes: &[u8], path: &std::path::Path) -> Result<DataFrame> {
    let path = path.to_path_buf();
    // polars reads a CSV with a given schema by position, whatever its header says:
    // check the header, so that a file with other or reordered columns is an error.
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let header = String::from_utf8_lossy(header.strip_prefix("\u{feff}".as_bytes()).unwrap_or(header));
    if header.trim_end() != SETTLEMENT_CSV_HEADER {
        return Err(Error::column(
            "tettstednr",
            format!(
                "{}: the header is {:?}, expected {SETTLEMENT_CSV_HEADER:?} (a snapshot's tettsteder-<year>.csv)",
                path.display(),
                header.trim_end().chars().take(200).collect::<String>()
            ),
        ));
    }
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
        .into_reader_with_file_handle(std::io::Cursor::new(bytes))
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

/// Whole settlements of `year` from [`SETTLEMENT_TABLE`]: the measures are found by
/// their labels (residents: `Bosatte`/`Residents`; area: `Areal`/`Area`), so the
/// query names the table's own codes.
fn from_statbank(source: &Source, year: i32) -> Result<DataFrame> {
    let meta = source.metadata(SETTLEMENT_TABLE)?;
    let contents = meta.dimension("ContentsCode").ok_or_else(|| table_lacks("a dimension `ContentsCode`", &meta))?;
    let find = |words: &[&str]| {
        let matches = |s: &String| words.iter().any(|w| s.to_lowercase().starts_with(w));
        contents.codes.iter().zip(&contents.labels).find(|(c, l)| matches(c) || matches(l)).map(|(c, _)| c.clone())
    };
    let residents = find(&["bosatte", "resident", "folkemengde"]).ok_or_else(|| table_lacks("a measure of residents", &meta))?;
    let area = find(&["areal", "area"]).ok_or_else(|| table_lacks("a measure of area", &meta))?;
    let q = Query::new(SETTLEMENT_TABLE)
        .select("Region", Filter::All)
        .select("ContentsCode", Filter::items([residents.as_str(), area.as_str()]))
        .select("Tid", Filter::items([year.to_string()]));
    let ds = source.dataset(&q)?;
    let region = ds.dimension("Region").ok_or_else(|| Error::column("Region", format!("table {SETTLEMENT_TABLE} answered without it")))?;
    let (mut code, mut name, mut people, mut km2) = (vec![], vec![], vec![], vec![]);
    let y = year.to_string();
    for (c, l) in region.codes.iter().zip(&region.labels) {
        let r = ds.get(&[c.as_str(), residents.as_str(), y.as_str()]);
        let a = ds.get(&[c.as_str(), area.as_str(), y.as_str()]);
        match (r, a) {
            (Some(r), Some(a)) => {
                code.push(c.clone());
                name.push(l.clone());
                people.push(r.round() as i64);
                km2.push(a);
            }
            (None, None) => {} // not a settlement that year
            _ => {
                return Err(Error::column(
                    "Region",
                    format!("table {SETTLEMENT_TABLE} gives {c} ({l}) in {year} residents or area but not both"),
                ))
            }
        }
    }
    let n = code.len();
    let density: Vec<f64> = people.iter().zip(&km2).map(|(&r, &a)| if a > 0.0 { (r as f64 / a).round() } else { f64::NAN }).collect();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("settlement_code".into(), code),
        Column::new("settlement".into(), name),
        Column::full_null("municipality_code".into(), n, &DataType::String),
        Column::full_null("municipality".into(), n, &DataType::String),
        Column::new("row_type".into(), vec![WHOLE_SETTLEMENT; n]),
        Column::new("residents".into(), people),
        Column::new("area_km2".into(), km2),
        Column::new("density".into(), density),
    ])?)
}

fn table_lacks(what: &str, meta: &crate::data::meta::TableMeta) -> Error {
    Error::NotCovered(format!(
        "table {SETTLEMENT_TABLE} ({}) has no {what}; its dimensions: {}",
        meta.label,
        meta.dimensions.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", ")
    ))
}

/// An error when `s` holds whole settlements from [`SETTLEMENT_TABLE`] and `what`
/// needs the municipality of each part.
pub(crate) fn needs_municipalities(s: &DataFrame, what: &str) -> Result<()> {
    let whole = s.column("row_type")?.str()?.iter().flatten().any(|t| t == WHOLE_SETTLEMENT);
    if whole {
        return Err(Error::NotCovered(format!(
            "{what} needs each settlement's municipalities, which StatBank's table {SETTLEMENT_TABLE} does not give; \
             use the repository's snapshot (unset STATBANK_LIVE) or STATBANK_OFFLINE=DIR with tettsteder/tettsteder-<year>.csv"
        )));
    }
    Ok(())
}
