//! # statbank
//!
//! Fetch Statistics Norway (SSB) StatBank tables into [polars] frames, carry municipal
//! series to one year's borders, test an article's claims on them, and chart the result
//! with [plotters] — in Rust notebooks (evcxr) or from the `statbank` command line.
//!
//! ## A short tour
//!
//! The crate's folders read in the order a notebook uses them, and every arrow points
//! one way (a test, `tests/layering.rs`, keeps it so):
//!
//! | module | holds | uses |
//! |---|---|---|
//! | [`error`], [`frame`], [`output`] | [`Error`]; column and scalar helpers ([`FrameExt`](frame::FrameExt)); atomic file writes | — |
//! | [`data`] | queries, PxWebApi v0/v2 and KLASS clients, JSON-stat, the disk cache, offline snapshots, and [`Source`](data::source::Source), the one place that knows live from offline | base |
//! | [`borders`] | municipal borders over time: counties, and [`Harmoniser`](borders::harmonise::Harmoniser), which carries a series to one year's municipalities | base, data |
//! | [`chart`] | publication-quality charts (lollipop, beeswarm, dumbbell, …) as SVG and PNG | base |
//! | [`display`] | HTML tables and Markdown for notebooks | base, chart |
//! | [`analysis`] | the article's analysis: population and immigrant change, its five claims with their rules, urban settlements | all of the above |
//! | [`report`] | `statbank report`: writes the analysis to files | all |
//! | [`fuzz`] | every parser of outside input as a fuzz target, with its properties | data, analysis |
//!
//! ```
//! use statbank::prelude::*;
//! // The repository's snapshot of SSB's data (no network); Source::live() asks SSB.
//! let source = Source::snapshot()?;
//! let pop = source.fetch(
//!     &Query::new("07459")
//!         .select("Region", Filter::items(["0301"]))
//!         .select("ContentsCode", Filter::items(["Personer1"]))
//!         .select("Tid", Filter::items(["2010", "2026"])),
//! )?;
//! assert_eq!(pop.f64_at("value", 0)?, 586_860.0); // Oslo, 1 January 2010
//! assert_eq!(pop.f64_at("value", 1)?, 728_714.0); // and 2026
//!
//! // Population change 2010 → 2026 for every municipality, on the borders of 2026.
//! let change = statbank::analysis::population_change(&source, 2026, 2010, 2026)?;
//! assert_eq!(change.f64_where("code", "0301", "change")?, 141_854.0);
//! # Ok::<(), statbank::Error>(())
//! ```
//!
//! ## Notebooks
//!
//! `notebooks/00-start-here.ipynb` … `06-urban-settlements.ipynb` replicate the article
//! step by step and teach Rust data analysis on the way; they load this crate through
//! `dylib/` with `:dep statbank = { package = "statbank-dylib", path = "../dylib" }` and
//! `use statbank::prelude::*;`.
//!
//! ## Data
//!
//! [`Source::from_env`](data::source::Source::from_env) reads the repository's
//! `data/snapshot` (SSB's open data, NLOD / CC BY 4.0) unless `STATBANK_LIVE=1` (SSB's
//! live API) or `STATBANK_OFFLINE=DIR` (another snapshot) is set.
//!
//! The crate re-exports the exact [polars] and [plotters] it is built with, so a
//! notebook needs only `:dep statbank` and never mixes two versions.

#![warn(missing_docs)]

#[doc(no_inline)]
pub use plotters;
#[doc(no_inline)]
pub use polars;

pub mod analysis;
pub mod borders;
pub mod chart;
pub mod data;
pub mod display;
pub mod error;
pub mod frame;
pub mod fuzz;
pub mod output;
pub mod report;

pub use error::{Error, Result};

/// The names most notebooks need, in one `use statbank::prelude::*;` (polars' prelude
/// included).
pub mod prelude {
    pub use crate::borders::counties::Counties;
    pub use crate::borders::harmonise::{harmonise, Harmonised, Harmoniser, OtherRegions};
    pub use crate::analysis::population_change;
    pub use crate::chart::{
        Beeswarm, Color, Dumbbell, GroupedBar, LineChart, Lollipop, NumberFormat, Scatter, Theme, HOKUSAI1,
    };
    pub use crate::data::api_data;
    pub use crate::data::jsonstat::Dataset;
    pub use crate::data::klass::Klass;
    pub use crate::data::query::{Api, Filter, Lang, Query};
    pub use crate::data::region::Level;
    pub use crate::data::source::Source;
    pub use crate::display::markdown::Markdown;
    pub use crate::display::table::TableExt;
    pub use crate::error::{Error, Result};
    pub use crate::frame::FrameExt;
    #[doc(no_inline)]
    pub use polars::prelude::*;
}
