//! # statbank
//!
//! Fetch Statistics Norway (SSB) StatBank tables into [polars] frames, carry
//! municipal series to one year's borders, and chart them with [plotters] — in
//! Rust notebooks (evcxr) or from the `statbank` command line.
//!
//! ```no_run
//! use statbank::prelude::*;
//! // In the spirit of R's ApiData("07459", Region = TRUE, Tid = top(17)):
//! let pop = api_data("07459", &[("Region", "*"), ("Tid", "top(17)")])?;
//! println!("{pop}");
//! # Ok::<(), statbank::Error>(())
//! ```
//!
//! Set `STATBANK_OFFLINE=<dir>` to answer every query from a snapshot directory
//! instead of SSB's live API.
//!
//! The crate re-exports the exact [polars] and [plotters] it is built with, so a
//! notebook needs only `:dep statbank` and never mixes two versions.

pub use plotters;
pub use polars;

pub mod analysis;
pub mod cache;
pub mod chart;
pub mod client;
pub mod error;
pub mod frame;
pub mod harmonise;
pub mod jsonstat;
pub mod klass;
pub mod markdown;
pub mod meta;
pub mod offline;
pub mod output;
pub mod query;
pub mod region;
pub mod report;
pub mod source;
pub mod table;
pub mod urban;

pub use error::{Error, Result};

use polars::prelude::DataFrame;

/// Fetch a table the short way, from [`Source::from_env`](source::Source::from_env).
///
/// Each pair is a dimension id and a selection string: codes (`"0301,4601"`), `"*"`,
/// `"top(17)"`, `"from(2010)"`, `"range(2010,2015)"`, `"agg:KommSummer"`.
pub fn api_data(table: &str, selections: &[(&str, &str)]) -> Result<DataFrame> {
    let mut q = query::Query::new(table);
    for (dim, sel) in selections {
        q = q.select_str(dim, sel)?;
    }
    source::Source::from_env()?.fetch(&q)
}

/// The names most notebooks need, in one `use statbank::prelude::*;`.
pub mod prelude {
    pub use crate::api_data;
    pub use crate::error::{Error, Result};
    pub use crate::frame::FrameExt;
    pub use crate::jsonstat::Dataset;
    pub use crate::query::{Api, Filter, Lang, Query};
    pub use crate::source::Source;
    pub use crate::harmonise::{harmonise, population_change, Harmonised, Harmoniser, OtherRegions};
    pub use crate::klass::Klass;
    pub use crate::region::{Counties, Level};
    pub use crate::chart::{
        Beeswarm, Color, Dumbbell, GroupedBar, LineChart, Lollipop, NumberFormat, Scatter, Theme, HOKUSAI1,
    };
    pub use crate::markdown::Markdown;
    pub use crate::table::TableExt;
    pub use polars::prelude::*;
}
