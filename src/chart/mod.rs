//! Publication-style charts for notebooks and reports, drawn with [`plotters`].
//!
//! Every chart is a builder: construct it from plain slices (`new`) or from a
//! polars [`DataFrame`](polars::prelude::DataFrame) by column names
//! (`from_frame`), chain options such as [`title`](Lollipop::title) or
//! [`caption`](Lollipop::caption), then
//!
//! * leave it as the last expression of an evcxr/Jupyter cell: it shows
//!   itself inline (SVG, with a PNG fallback in the same output bundle),
//! * call [`to_svg`](Lollipop::to_svg) / [`to_png`](Lollipop::to_png), or
//! * [`save`](Lollipop::save) it to a `.svg` or `.png` file.
//!
//! The look follows ggplot2's `theme_minimal` with the MetBrewer *Hokusai1*
//! palette (see [`Theme`]). Text is rendered and measured with the embedded
//! DejaVu Sans font, so output does not depend on system fonts, and margins
//! are sized to the longest label so nothing is clipped.
//!
//! | chart | use it for |
//! |---|---|
//! | [`Lollipop`] | one signed value per named row, sorted |
//! | [`Beeswarm`] | distribution of many values per category (quasirandom) |
//! | [`Dumbbell`] | a part of a total per row (overlay bars, "58%") |
//! | [`GroupedBar`] | several values per row side by side |
//! | [`LineChart`] | series over years |
//! | [`Scatter`] | two measures with non-overlapping point labels |
//!
//! ```
//! use statbank::chart::Lollipop;
//!
//! let chart = Lollipop::new(&["Oslo", "Bergen", "Utsira"], &[141_854.0, 40_120.0, -12.0])?
//!     .title("Population change 2010–2026")
//!     .caption("Source: Statistics Norway (SSB), table 07459");
//! let svg = chart.to_svg()?;
//! assert!(svg.contains("+141,854"));
//! # Ok::<(), statbank::chart::ChartError>(())
//! ```

mod beeswarm;
mod common;
mod data;
mod display;
mod dumbbell;
mod format;
mod grouped_bar;
mod line;
mod lollipop;
mod scale;
mod scatter;
mod scene;
mod text;
mod theme;

pub use beeswarm::Beeswarm;
pub use display::PngImage;
pub use dumbbell::Dumbbell;
pub use format::{format_number, group_digits, NumberFormat};
pub use grouped_bar::GroupedBar;
pub use line::LineChart;
pub use lollipop::Lollipop;
pub use scatter::Scatter;
pub use scene::{Anchor, Scene, TextItem};
pub use text::{measure_text, FONT_FAMILY};
pub use theme::{Color, Theme, HOKUSAI1};

/// Row order of row-based charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    /// Largest value at the top (default).
    #[default]
    Descending,
    /// Smallest value at the top.
    Ascending,
    /// Keep the input order (first row at the top).
    None,
}

/// Errors from building or writing a chart. Bad input never panics.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// A column name passed to `from_frame` is not in the DataFrame.
    #[error("column `{name}` not found (available: {available})")]
    MissingColumn {
        /// Requested column.
        name: String,
        /// Comma-separated list of the frame's columns.
        available: String,
    },
    /// A column has a dtype the chart cannot use.
    #[error("column `{column}` has dtype {found}, expected {expected}")]
    WrongDtype {
        /// Column name.
        column: String,
        /// What the chart needs, e.g. "numeric".
        expected: &'static str,
        /// The dtype found.
        found: String,
    },
    /// Two inputs that must have the same length do not.
    #[error("length mismatch: {what} has {found} elements, expected {expected}")]
    LengthMismatch {
        /// Which input.
        what: String,
        /// Expected length.
        expected: usize,
        /// Actual length.
        found: usize,
    },
    /// Nothing to draw.
    #[error("no data to draw{0}")]
    EmptyData(String),
    /// A value is NaN or infinite, or not representable on the chosen scale.
    #[error("invalid value: {0}")]
    InvalidValue(String),
    /// An option has an unusable value (e.g. a zero size).
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// The file extension is neither `.svg` nor `.png`.
    #[error("unsupported file extension `{0}`: use .svg or .png")]
    UnsupportedExtension(String),
    /// Reading or writing a file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The embedded font could not be loaded or used.
    #[error("font error: {0}")]
    Font(String),
    /// The drawing backend or the PNG encoder failed.
    #[error("rendering failed: {0}")]
    Render(String),
    /// A polars operation failed while reading a DataFrame.
    #[error("polars error: {0}")]
    Polars(#[from] polars::prelude::PolarsError),
}

/// Result alias of this module.
pub type Result<T, E = ChartError> = std::result::Result<T, E>;

/// A chart error inside the crate's [`Error`](crate::Error), cause kept: so `?` works on
/// chart calls in code that returns `statbank::Result`.
impl From<ChartError> for crate::error::Error {
    fn from(e: ChartError) -> Self {
        crate::error::Error::Chart(Box::new(e))
    }
}
