//! Reading chart inputs from DataFrames and validating slices.

use super::ChartError;
use polars::prelude::{DataFrame, DataType};

fn column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a polars::prelude::Column, ChartError> {
    df.column(name).map_err(|_| ChartError::MissingColumn {
        name: name.to_string(),
        available: df.get_column_names().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
    })
}

/// A text column (any dtype is cast to string; nulls stay `None`).
pub(crate) fn text_column(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, ChartError> {
    let col = column(df, name)?;
    let cast = col.cast(&DataType::String)?;
    Ok(cast.str()?.iter().map(|o| o.map(str::to_string)).collect())
}

/// A numeric column as f64 (nulls and NaN become `None`).
pub(crate) fn num_column(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, ChartError> {
    let col = column(df, name)?;
    if !(col.dtype().is_primitive_numeric() || col.dtype().is_bool()) {
        return Err(ChartError::WrongDtype { column: name.to_string(), expected: "numeric", found: col.dtype().to_string() });
    }
    let cast = col.cast(&DataType::Float64)?;
    Ok(cast.f64()?.iter().map(|o| o.filter(|v| v.is_finite())).collect())
}

pub(crate) fn check_len(what: &str, expected: usize, found: usize) -> Result<(), ChartError> {
    if expected != found {
        return Err(ChartError::LengthMismatch { what: what.to_string(), expected, found });
    }
    Ok(())
}

pub(crate) fn check_finite(what: &str, values: &[f64]) -> Result<(), ChartError> {
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(ChartError::InvalidValue(format!("{what}[{i}] is {}", values[i])));
    }
    Ok(())
}

pub(crate) fn strings<S: AsRef<str>>(xs: &[S]) -> Vec<String> {
    xs.iter().map(|s| s.as_ref().to_string()).collect()
}

/// Errors recorded by builder methods and reported when the chart is drawn
/// (builders stay chainable, like reqwest's).
#[derive(Clone, Debug)]
pub(crate) enum Deferred {
    Length { what: String, expected: usize, found: usize },
    Value(String),
    Option(String),
}

impl From<Deferred> for ChartError {
    fn from(d: Deferred) -> Self {
        match d {
            Deferred::Length { what, expected, found } => ChartError::LengthMismatch { what, expected, found },
            Deferred::Value(s) => ChartError::InvalidValue(s),
            Deferred::Option(s) => ChartError::InvalidOption(s),
        }
    }
}

impl From<ChartError> for Deferred {
    fn from(e: ChartError) -> Self {
        match e {
            ChartError::LengthMismatch { what, expected, found } => Deferred::Length { what, expected, found },
            ChartError::InvalidOption(s) => Deferred::Option(s),
            other => Deferred::Value(other.to_string()),
        }
    }
}
