//! [`Values`]: the cells' numbers, as one `f64` per cell and a validity bitmap.

use std::fmt;

use polars::prelude::*;
use polars_arrow::array::PrimitiveArray;
use polars_arrow::bitmap::{Bitmap, MutableBitmap};

/// The values of a dataset's cells, row-major over its dimensions: a number, or null
/// where the table has none (often with a [`Status`] saying why).
///
/// Stored as one `f64` per cell plus a validity bitmap (absent when no cell is null):
/// the layout of the frame's Float64 `value` column, which [`Dataset::to_frame`]
/// shares rather than copies, and half the size of a `Vec<Option<f64>>`. Read it by
/// cell with [`get`](Values::get), in order with [`iter`](Values::iter), or convert
/// it with [`to_vec`](Values::to_vec); build one from a `Vec<Option<f64>>`, a
/// `Vec<f64>` (no nulls) or an iterator of `Option<f64>`. It compares equal to a
/// vector or array of `Option<f64>` with the same cells.
///
/// ```
/// use statbank::data::jsonstat::{Dataset, Values};
/// let doc = br#"{"version":"2.0","class":"dataset","id":["Tid"],"size":[3],
///   "dimension":{"Tid":{"category":{"index":["2024","2025","2026"]}}},
///   "value":[5,null,7.5],"status":{"1":".."}}"#;
/// let ds = Dataset::from_slice(doc)?;
/// assert_eq!(ds.values.len(), 3);
/// assert_eq!(ds.values.get(0), Some(5.0));
/// assert_eq!(ds.values.get(1), None); // null
/// assert_eq!(ds.values.null_count(), 1);
/// assert_eq!(ds.values.iter().flatten().sum::<f64>(), 12.5);
/// assert_eq!(ds.values, [Some(5.0), None, Some(7.5)]);
/// assert_eq!(ds.values.to_vec(), vec![Some(5.0), None, Some(7.5)]);
/// assert_eq!(Values::from(vec![Some(5.0), None, Some(7.5)]), ds.values);
/// # Ok::<(), statbank::Error>(())
/// ```
#[derive(Clone)]
pub struct Values {
    /// Float64, one slot per cell (0 under a null); its validity is `None` when no
    /// cell is null. Cloning shares the buffers.
    pub(super) array: PrimitiveArray<f64>,
}

impl Values {
    /// The numbers of the cells, with the cells at `nulls` null (their numbers are ignored).
    pub(super) fn from_parts(numbers: Vec<f64>, nulls: &[usize]) -> Values {
        if nulls.is_empty() {
            return Values::from(numbers);
        }
        let mut valid = MutableBitmap::from_len_set(numbers.len());
        for &i in nulls {
            valid.set(i, false);
        }
        Values::from_validity(numbers, valid.freeze())
    }

    /// The numbers of the cells, null where `valid` is unset (one bit per number).
    pub(super) fn from_validity(numbers: Vec<f64>, valid: Bitmap) -> Values {
        debug_assert_eq!(numbers.len(), valid.len());
        let valid = if valid.unset_bits() == 0 { None } else { Some(valid) };
        Values { array: PrimitiveArray::new(ArrowDataType::Float64, numbers.into(), valid) }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.array.len()
    }

    /// Whether there is no cell.
    pub fn is_empty(&self) -> bool {
        self.array.len() == 0
    }

    /// The value of `cell`: `None` where it is null (or past the last cell).
    pub fn get(&self, cell: usize) -> Option<f64> {
        if cell >= self.array.len() {
            return None;
        }
        let valid = self.array.validity().map_or(true, |v| v.get_bit(cell));
        valid.then(|| self.array.value(cell))
    }

    /// Number of null cells.
    pub fn null_count(&self) -> usize {
        self.array.validity().map_or(0, Bitmap::unset_bits)
    }

    /// The value of every cell in order, `None` where it is null.
    pub fn iter(&self) -> ValuesIter<'_> {
        ValuesIter { values: self, range: 0..self.len() }
    }

    /// One `Option<f64>` per cell, `None` where it is null.
    pub fn to_vec(&self) -> Vec<Option<f64>> {
        self.iter().collect()
    }
}

impl Default for Values {
    /// No cell.
    fn default() -> Values {
        Values::from(Vec::<f64>::new())
    }
}

impl fmt::Debug for Values {
    /// As the list of `Option<f64>` it holds.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Values {
    /// The same cells: equal lengths, nulls in the same places, and equal numbers
    /// elsewhere (as `Vec<Option<f64>>` compares, so a NaN equals nothing).
    fn eq(&self, other: &Values) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl PartialEq<[Option<f64>]> for Values {
    fn eq(&self, other: &[Option<f64>]) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().copied())
    }
}

impl PartialEq<Vec<Option<f64>>> for Values {
    fn eq(&self, other: &Vec<Option<f64>>) -> bool {
        *self == **other
    }
}

impl<const N: usize> PartialEq<[Option<f64>; N]> for Values {
    fn eq(&self, other: &[Option<f64>; N]) -> bool {
        *self == other[..]
    }
}

impl From<Vec<f64>> for Values {
    /// Every cell a number, none null.
    fn from(numbers: Vec<f64>) -> Values {
        Values { array: PrimitiveArray::new(ArrowDataType::Float64, numbers.into(), None) }
    }
}

impl From<Vec<Option<f64>>> for Values {
    /// `None` cells are null.
    fn from(cells: Vec<Option<f64>>) -> Values {
        cells.into_iter().collect()
    }
}

impl FromIterator<Option<f64>> for Values {
    /// `None` cells are null.
    fn from_iter<I: IntoIterator<Item = Option<f64>>>(cells: I) -> Values {
        let cells = cells.into_iter();
        let (mut numbers, mut nulls) = (Vec::with_capacity(cells.size_hint().0), Vec::new());
        for x in cells {
            if x.is_none() {
                nulls.push(numbers.len());
            }
            numbers.push(x.unwrap_or(0.0));
        }
        Values::from_parts(numbers, &nulls)
    }
}

impl<'a> IntoIterator for &'a Values {
    type Item = Option<f64>;
    type IntoIter = ValuesIter<'a>;
    fn into_iter(self) -> ValuesIter<'a> {
        self.iter()
    }
}

/// The cells of a [`Values`] in order, `None` where null; from [`Values::iter`].
#[derive(Debug, Clone)]
pub struct ValuesIter<'a> {
    values: &'a Values,
    range: std::ops::Range<usize>,
}

impl Iterator for ValuesIter<'_> {
    type Item = Option<f64>;
    fn next(&mut self) -> Option<Option<f64>> {
        self.range.next().map(|i| self.values.get(i))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl DoubleEndedIterator for ValuesIter<'_> {
    fn next_back(&mut self) -> Option<Option<f64>> {
        self.range.next_back().map(|i| self.values.get(i))
    }
}

impl ExactSizeIterator for ValuesIter<'_> {}

