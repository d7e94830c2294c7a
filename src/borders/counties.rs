//! Counties over time: which county a municipality belonged to in a given year, and
//! the county's name then (KLASS classification 104, or the built-in table).
//!
//! ```
//! use statbank::prelude::*;
//! let counties = Counties::builtin();
//! assert_eq!(counties.of("3301", 2024), Some(("33", Some("Buskerud"))));
//! assert_eq!(counties.name("30", 2020), Some("Viken"));
//! ```

use polars::prelude::*;

use crate::data::klass::{builtin_counties, date_year, Klass, VersionIndex, COUNTIES};
use crate::data::region::county_code;
use crate::error::Result;
use crate::frame::{str_column, year_values};

/// County codes and names over time (KLASS classification 104).
#[derive(Debug, Clone)]
pub struct Counties {
    index: VersionIndex,
}

impl Counties {
    /// Counties from KLASS (online: classification 104; offline: `klass/104-versions.csv`
    /// or the built-in table).
    pub fn load(klass: &Klass) -> Result<Counties> {
        Ok(Counties { index: VersionIndex::new(&klass.versions(COUNTIES)?) })
    }

    /// The built-in county table ([`builtin_counties`]).
    pub fn builtin() -> Counties {
        Counties { index: VersionIndex::new(&builtin_counties()) }
    }

    /// The name of county `code` on 1 January of `year`; for a year in which the code was
    /// not in use, the name of its nearest version (so a 2024 county code gets a name in
    /// 2010 too).
    pub fn name(&self, code: &str, year: i32) -> Option<&str> {
        if let Some(n) = self.index.name_in(code, year) {
            return Some(n);
        }
        let date = format!("{year:04}-01-01");
        self.index
            .versions(code)
            .iter()
            .min_by_key(|v| {
                let from = date_year(&v.valid_from).unwrap_or(0);
                let to = v.valid_to.as_deref().and_then(crate::data::klass::date_year).unwrap_or(9999);
                if date.as_str() < v.valid_from.as_str() { from - year } else { year - to + 1 }
            })
            .map(|v| v.name.as_str())
    }

    /// The county of a municipality code in `year`: `(county code, county name)`.
    pub fn of<'a>(&'a self, municipality: &'a str, year: i32) -> Option<(&'a str, Option<&'a str>)> {
        let c = county_code(municipality)?;
        Some((c, self.name(c, year)))
    }
}

/// Add `county_code` and `county` (the county's name valid in the row's year) to a frame
/// with a region code column and a year column. Rows that are not in a county (the
/// country, `9999`) get nulls.
///
/// ```
/// use statbank::polars::prelude::*;
/// use statbank::borders::counties::{annotate_county, Counties};
/// let df = df!("region_code" => ["0602", "3005", "3301"], "year" => [2019i32, 2020, 2024])?;
/// let out = annotate_county(&df, "region_code", "year", &Counties::builtin())?;
/// let names: Vec<_> = out.column("county")?.str()?.iter().flatten().collect();
/// assert_eq!(names, ["Buskerud", "Viken", "Buskerud"]);
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn annotate_county(df: &DataFrame, code_col: &str, year_col: &str, counties: &Counties) -> Result<DataFrame> {
    let codes = str_column(df, code_col)?;
    let years = year_values(df, year_col)?;
    let mut cc = Vec::with_capacity(df.height());
    let mut cn = Vec::with_capacity(df.height());
    for (c, y) in codes.iter().zip(years) {
        let county = c.and_then(county_code);
        cc.push(county.map(str::to_string));
        cn.push(match (county, y) {
            (Some(k), Some(y)) => counties.name(k, y).map(str::to_string),
            _ => None,
        });
    }
    let mut out = df.clone();
    out.with_column(Column::new("county_code".into(), cc))?;
    out.with_column(Column::new("county".into(), cn))?;
    Ok(out)
}
