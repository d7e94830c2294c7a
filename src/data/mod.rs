//! Getting SSB's data: what to ask for ([`query`]), where it comes from ([`source`]:
//! the live APIs through [`client`], or an offline snapshot through [`offline`]), and
//! what comes back ([`jsonstat`] documents, table metadata in [`meta`], KLASS
//! classifications in [`klass`], region codes and labels in [`region`]); [`cache`] keeps
//! live answers on disk.
//!
//! [`Source`](source::Source) is the only type that knows live from offline: everything
//! above this layer asks it, never a client or a snapshot directly.

pub mod cache;
pub mod client;
pub mod jsonstat;
pub mod klass;
pub mod meta;
pub mod offline;
pub mod query;
pub mod region;
pub mod source;

use polars::prelude::DataFrame;

use crate::error::Result;

/// Fetch a table the short way, from [`Source::from_env`](source::Source::from_env), in
/// the spirit of R's `PxWebApiData::ApiData`.
///
/// Each pair is a dimension id and a selection string: codes (`"0301,4601"`), `"*"`,
/// `"top(17)"`, `"from(2010)"`, `"range(2010,2015)"`, `"agg:KommSummer"`.
///
/// ```
/// use statbank::prelude::*;
/// // Oslo's population in the last two years of the table (the repository's snapshot
/// // unless STATBANK_LIVE=1 is set).
/// let pop = api_data("07459", &[("Region", "0301"), ("ContentsCode", "Personer1"), ("Tid", "top(2)")])?;
/// assert_eq!(pop.height(), 2);
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn api_data(table: &str, selections: &[(&str, &str)]) -> Result<DataFrame> {
    let mut q = query::Query::new(table);
    for (dim, sel) in selections {
        q = q.select_str(dim, sel)?;
    }
    source::Source::from_env()?.fetch(&q)
}
