//! The article's analysis, in one place: what notebooks 01–05 compute step by step and
//! what `statbank report` writes.
//!
//! * [`size_class`]: the article's four classes of 2010 population;
//! * [`immigrant_change`] and [`years_with_figures`]: immigrants per municipality on one
//!   set of borders, over the years the data really covers;
//! * [`Findings`]: the article's five key findings, each with the rule that judges it
//!   and the numbers behind the verdict ([`Claim`]);
//! * [`population_change`]: residents gained or lost per municipality between two years,
//!   both on one year's borders (through [`Harmoniser`](crate::borders::harmonise::Harmoniser));
//! * [`urban`]: SSB's urban settlements (tettsteder).
//!
//! ```
//! use statbank::prelude::*;
//! use statbank::analysis::Findings;
//! let f = Findings::compute(&Source::snapshot()?)?;
//! assert_eq!(f.oslo, 141_854.0);
//! assert_eq!(f.claims().len(), 5);
//! # Ok::<(), statbank::Error>(())
//! ```

mod findings;
mod immigration;
mod population;
pub mod urban;

pub use population::population_change;
pub use findings::{Claim, Findings, Verdict, ACCELERATION_SPLIT, BIG_MUNICIPALITY, LOSS_THRESHOLD, SMALL_RANGE};
pub use immigration::{immigrant_change, years_with_figures};

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::data::source::Source;

/// The article's size classes of the 2010 population, smallest first:
/// `< 5,000`, `5,000–20,000`, `20,000–50,000`, `50,000+`.
pub const SIZE_CLASSES: [&str; 4] = ["< 5,000", "5,000–20,000", "20,000–50,000", "50,000+"];

/// An expression giving the [`SIZE_CLASSES`] label of the population in `column`
/// (lower bounds inclusive, as the article's `case_when(y2010 < 5000 ~ …)`).
///
/// ```
/// use statbank::prelude::*;
/// use statbank::analysis::size_class;
/// let df = df!("pop_from" => [600.0, 5_000.0, 49_999.0, 586_860.0])?
///     .lazy().with_column(size_class("pop_from").alias("class")).collect()?;
/// assert_eq!(df.str_at("class", 1)?, "5,000–20,000");
/// assert_eq!(df.str_at("class", 3)?, "50,000+");
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn size_class(column: &str) -> Expr {
    when(col(column).lt(lit(5_000)))
        .then(lit(SIZE_CLASSES[0]))
        .when(col(column).lt(lit(20_000)))
        .then(lit(SIZE_CLASSES[1]))
        .when(col(column).lt(lit(50_000)))
        .then(lit(SIZE_CLASSES[2]))
        .otherwise(lit(SIZE_CLASSES[3]))
}

/// The years (`Tid` codes that are years) of a table, in order.
pub fn years_of(source: &Source, table: &str) -> Result<Vec<i32>> {
    let meta = source.metadata(table)?;
    let tid = meta
        .dimension("Tid")
        .ok_or_else(|| Error::NotCovered(format!("table {table} has no Tid dimension")))?;
    Ok(tid.codes.iter().filter_map(|c| c.parse().ok()).collect())
}
