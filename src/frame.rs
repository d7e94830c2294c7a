//! Small helpers for frames: finding a column, and taking one value out of a frame.
//!
//! Analysis code often ends in a single number: Oslo's change, the second-largest gain,
//! the size of the smallest class. Polars gets there in several steps (a column, its
//! typed view, `get(row)`, an `Option`), and the usual shortcut
//! `.get(0).unwrap_or(f64::NAN)` hides a missing row or a null behind a `NaN` that then
//! flows silently into every later number. [`FrameExt`] does it in one call and returns
//! an error that says what was missing.
//!
//! ```
//! use statbank::prelude::*;
//! let df = df!("code" => ["0301", "4601"], "name" => ["Oslo", "Bergen"], "change" => [141_854.0, 50_012.0])?;
//! assert_eq!(df.f64_at("change", 1)?, 50_012.0);
//! assert_eq!(df.str_at("name", 0)?, "Oslo");
//! assert_eq!(df.f64_where("code", "0301", "change")?, 141_854.0);
//! // A code that is not there is an error, not NaN:
//! assert!(df.f64_where("code", "5001", "change").is_err());
//! # Ok::<(), statbank::Error>(())
//! ```

use polars::prelude::*;

use crate::error::{Error, Result};

/// A column by name, or an [`Error::Column`] that lists the columns the frame has.
///
/// (It scans the columns instead of using polars' cached schema lookup.)
pub(crate) fn find_column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Column> {
    df.columns()
        .iter()
        .find(|c| c.name().as_str() == name)
        .ok_or_else(|| Error::column(name, format!("no such column; the frame has {:?}", column_names(df))))
}

/// The frame's column names, as owned strings.
pub(crate) fn column_names(df: &DataFrame) -> Vec<String> {
    df.get_column_names().iter().map(|s| s.to_string()).collect()
}

/// A string column's typed view, or an error naming the column and its type.
pub(crate) fn str_column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a StringChunked> {
    let col = find_column(df, name)?;
    col.str().map_err(|_| Error::column(name, format!("expected a string column, found {}", col.dtype())))
}

/// A string column's values.
pub(crate) fn string_values(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let c = find_column(df, name)?;
    let s = c.str().map_err(|_| Error::column(name, format!("expected a string column of codes, found {}", c.dtype())))?;
    Ok(s.iter().map(|v| v.map(str::to_string)).collect())
}

pub(crate) fn string_values_cast(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let c = find_column(df, name)?.cast(&DataType::String)?;
    Ok(c.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// An integer year column's values (any integer type).
pub(crate) fn year_values(df: &DataFrame, name: &str) -> Result<Vec<Option<i32>>> {
    let c = find_column(df, name)?;
    if !c.dtype().is_integer() {
        return Err(Error::column(name, format!("expected an integer year column, found {}", c.dtype())));
    }
    let c = c.cast(&DataType::Int32)?;
    Ok(c.i32()?.iter().collect())
}

/// A numeric value column's values as f64.
pub(crate) fn float_values(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let c = find_column(df, name)?;
    if !c.dtype().is_primitive_numeric() {
        return Err(Error::column(name, format!("expected a numeric value column, found {}", c.dtype())));
    }
    let c = c.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().collect())
}

/// One value out of a frame, with an error instead of a silent `NaN`.
///
/// In the prelude, so a notebook writes `change.f64_at("change", 0)?`.
pub trait FrameExt {
    /// The number in `column` at `row` (0-based), as `f64`; integer columns are
    /// converted. An error names the column and the row when the column is missing or
    /// not numeric, the row is past the end, or the value is null.
    ///
    /// ```
    /// use statbank::prelude::*;
    /// let df = df!("n" => [3u32, 5])?;
    /// assert_eq!(df.f64_at("n", 1)?, 5.0);
    /// let err = df.f64_at("n", 2).unwrap_err().to_string();
    /// assert!(err.contains("row 2") && err.contains("2 rows"), "{err}");
    /// # Ok::<(), statbank::Error>(())
    /// ```
    fn f64_at(&self, column: &str, row: usize) -> Result<f64>;

    /// The text in `column` at `row` (0-based), with the same errors as [`f64_at`](FrameExt::f64_at).
    fn str_at(&self, column: &str, row: usize) -> Result<String>;

    /// The number in `column` on the one row where `key_column` equals `key`: the usual
    /// "Oslo's value" lookup. Zero or several matching rows are an error.
    ///
    /// ```
    /// use statbank::prelude::*;
    /// let df = df!("code" => ["0301", "0301"], "v" => [1.0, 2.0])?;
    /// let err = df.f64_where("code", "0301", "v").unwrap_err().to_string();
    /// assert!(err.contains("2 rows"), "{err}");
    /// # Ok::<(), statbank::Error>(())
    /// ```
    fn f64_where(&self, key_column: &str, key: &str, column: &str) -> Result<f64>;
}

impl FrameExt for DataFrame {
    fn f64_at(&self, column: &str, row: usize) -> Result<f64> {
        let c = find_column(self, column)?;
        if !c.dtype().is_primitive_numeric() {
            return Err(Error::column(column, format!("expected a numeric column, found {}", c.dtype())));
        }
        check_row(self, column, row)?;
        let c = c.cast(&DataType::Float64)?;
        c.f64()?.get(row).ok_or_else(|| Error::column(column, format!("row {row} is null")))
    }

    fn str_at(&self, column: &str, row: usize) -> Result<String> {
        let c = find_column(self, column)?;
        check_row(self, column, row)?;
        let s = c
            .str()
            .map_err(|_| Error::column(column, format!("expected a string column, found {}", c.dtype())))?;
        s.get(row).map(str::to_string).ok_or_else(|| Error::column(column, format!("row {row} is null")))
    }

    fn f64_where(&self, key_column: &str, key: &str, column: &str) -> Result<f64> {
        let keys = find_column(self, key_column)?;
        let keys = keys
            .str()
            .map_err(|_| Error::column(key_column, format!("expected a string key column, found {}", keys.dtype())))?;
        let rows: Vec<usize> = keys.iter().enumerate().filter(|(_, k)| *k == Some(key)).map(|(i, _)| i).collect();
        match rows.as_slice() {
            [row] => self.f64_at(column, *row),
            _ => Err(Error::column(
                key_column,
                format!("expected exactly one row with {key_column} = {key:?}, found {} rows", rows.len()),
            )),
        }
    }
}

fn check_row(df: &DataFrame, column: &str, row: usize) -> Result<()> {
    if row < df.height() {
        Ok(())
    } else {
        Err(Error::column(column, format!("row {row} is past the end (the frame has {} rows)", df.height())))
    }
}
