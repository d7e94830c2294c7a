//! JSON-stat2 datasets: parse them and turn them into tidy polars frames.
//!
//! JSON-stat2 is the format PxWebApi (v0/v1 with `"format": "json-stat2"`, v2 with
//! `outputFormat=json-stat2`) answers in. A dataset is a dense cube: `id` lists the
//! dimensions, `size` their lengths, and `value` holds the cells in row-major order
//! (the last dimension varies fastest).
//!
//! [`Dataset::to_frame`] flattens the cube to one row per cell. For every dimension it
//! writes a code column and a label column named after the dimension id in snake case
//! (`Region` → `region_code`, `region`; `ContentsCode` → `contents_code`, `contents`),
//! then `value` (Float64, null where the value is null) and `status` (the symbol such
//! as `..`, or null). A time dimension (role `time`) also gets `year` (Int32) and
//! `date` (the start of the period: `2010`, `2010K3`/`2010Q3`, `2010M07`, `2010H1`,
//! `2010U05`/`2010W05`).
//!
//! ```
//! use statbank::data::jsonstat::Dataset;
//! let doc = br#"{"version":"2.0","class":"dataset","id":["Region","Tid"],"size":[2,2],
//!   "role":{"time":["Tid"]},
//!   "dimension":{
//!     "Region":{"category":{"index":["0301","4601"],"label":{"0301":"Oslo","4601":"Bergen"}}},
//!     "Tid":{"category":{"index":{"2025":0,"2026":1}}}},
//!   "value":[717710,728714,null,295000],"status":{"2":".."}}"#;
//! let ds = Dataset::from_slice(doc)?;
//! let df = ds.to_frame()?;
//! assert_eq!(df.height(), 4);
//! assert_eq!(df.column("region")?.str()?.get(1), Some("Oslo"));
//! assert_eq!(df.column("value")?.f64()?.get(1), Some(728714.0));
//! assert_eq!(df.column("status")?.str()?.get(2), Some(".."));
//! assert_eq!(df.column("year")?.i32()?.get(3), Some(2026));
//! # Ok::<(), statbank::Error>(())
//! ```

use std::collections::HashMap;
use std::fmt;

use polars::prelude::*;
use polars_arrow::array::{PrimitiveArray, Utf8ViewArray, View};
use polars_arrow::bitmap::{Bitmap, MutableBitmap};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::error::{Error, Result};

/// What a dimension stands for, from the dataset's `role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Time (`Tid`).
    Time,
    /// Geography (`Region`).
    Geo,
    /// The statistics variable (`ContentsCode`).
    Metric,
}

/// One dimension of a dataset, its categories in index order.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    /// The id, e.g. `Region`.
    pub id: String,
    /// The dimension's label, e.g. `region`.
    pub label: String,
    /// Category codes in index order.
    pub codes: Vec<String>,
    /// Category labels, aligned with `codes` (the code where the dataset has no label).
    pub labels: Vec<String>,
    /// The role, where the dataset gives one.
    pub role: Option<Role>,
}

impl Dimension {
    /// Number of categories.
    pub fn len(&self) -> usize {
        self.codes.len()
    }
    /// Whether the dimension has no category.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
    /// Position of a code.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.codes.iter().position(|c| c == code)
    }
    /// Column names this dimension gets in a frame: `(code column, label column)`.
    pub fn column_names(&self) -> (String, String) {
        let base = column_base(&self.id);
        (format!("{base}_code"), base)
    }
}

/// A parsed JSON-stat2 dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// The dataset label, e.g. `07459: Befolkning, etter region, …`.
    pub label: Option<String>,
    /// The publisher, e.g. `Statistisk sentralbyrå`.
    pub source: Option<String>,
    /// When the table was last updated (ISO 8601), if given.
    pub updated: Option<String>,
    /// Notes attached to the dataset.
    pub notes: Vec<String>,
    /// Dimensions in `id` order.
    pub dimensions: Vec<Dimension>,
    /// Cell values, row-major over `dimensions`: a number or null per cell; see [`Values`].
    pub values: Values,
    /// Status symbols (`..`, `.`, `:`, `-`) of the cells that have one, by cell
    /// position (row-major, as `values`); see [`Status`].
    pub status: Status,
}

/// The status symbols of a dataset's cells, kept only for the cells that have one.
///
/// JSON-stat's `status` marks a few cells (SSB writes `..` for a suppressed or missing
/// value, `.` for one that cannot exist, `:` for a confidential one, `-` for a true
/// zero) and leaves the rest without, so the symbols are stored sparsely: one
/// `(cell, symbol)` entry per marked cell, in increasing cell order, where `cell` is a
/// position in [`Dataset::values`]. A dataset without statuses holds nothing at all.
///
/// The document may give `status` as an object keyed by cell position (what SSB
/// writes), as an array with a string or `null` per cell, or as one string for every
/// cell; all three read into the same entries. An empty string is a status like any
/// other (it is not the absence of one).
///
/// ```
/// use statbank::data::jsonstat::{Dataset, Status};
/// let doc = br#"{"version":"2.0","class":"dataset","id":["Tid"],"size":[4],
///   "dimension":{"Tid":{"category":{"index":["2023","2024","2025","2026"]}}},
///   "value":[1,null,3,null],"status":{"1":"..","3":":"}}"#;
/// let ds = Dataset::from_slice(doc)?;
/// assert_eq!(ds.status.get(1), Some(".."));
/// assert_eq!(ds.status.get(2), None);
/// assert_eq!(ds.status.len(), 2);
/// assert_eq!(ds.status.iter().collect::<Vec<_>>(), [(1, ".."), (3, ":")]);
///
/// // The same statuses from the dense form, one entry per cell…
/// assert_eq!(Status::from_dense([None, Some(".."), None, Some(":")]), ds.status);
/// // …or from `(cell, symbol)` pairs in any order, and back to one entry per cell.
/// let st: Status = [(3, ":"), (1, "..")].into_iter().collect();
/// assert_eq!(st, ds.status);
/// assert_eq!(st.to_dense(4), [None, Some(".."), None, Some(":")]);
/// # Ok::<(), statbank::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Status {
    /// `(cell, symbol)`, strictly increasing in `cell`.
    entries: Vec<(usize, String)>,
}

impl Status {
    /// No status on any cell.
    pub fn new() -> Status {
        Status::default()
    }

    /// From the dense form: one entry per cell, `None` (JSON `null`) where the cell has
    /// no status.
    pub fn from_dense<I, S>(cells: I) -> Status
    where
        I: IntoIterator<Item = Option<S>>,
        S: Into<String>,
    {
        let entries = cells.into_iter().enumerate().filter_map(|(i, s)| s.map(|s| (i, s.into()))).collect();
        Status { entries }
    }

    /// The same symbol on each of the first `cells` cells (`status` given as one string).
    pub fn all(symbol: &str, cells: usize) -> Status {
        Status { entries: (0..cells).map(|i| (i, symbol.to_owned())).collect() }
    }

    /// The status of `cell`, if it has one.
    pub fn get(&self, cell: usize) -> Option<&str> {
        if self.entries.is_empty() {
            return None;
        }
        self.entries.binary_search_by_key(&cell, |e| e.0).ok().map(|i| self.entries[i].1.as_str())
    }

    /// Set the status of `cell`, returning the one it replaces.
    ///
    /// Cheapest in increasing cell order (an append); otherwise the entries after `cell`
    /// move up by one.
    pub fn insert(&mut self, cell: usize, symbol: impl Into<String>) -> Option<String> {
        let symbol = symbol.into();
        if self.entries.last().map_or(true, |e| e.0 < cell) {
            self.entries.push((cell, symbol));
            return None;
        }
        match self.entries.binary_search_by_key(&cell, |e| e.0) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, symbol)),
            Err(i) => {
                self.entries.insert(i, (cell, symbol));
                None
            }
        }
    }

    /// Number of cells with a status.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no cell has a status.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The cells with a status and their symbols, in increasing cell order.
    pub fn iter(&self) -> StatusIter<'_> {
        StatusIter { inner: self.entries.iter() }
    }

    /// The dense form over `cells` cells: the symbol of every cell, `None` where it has
    /// none.
    ///
    /// # Panics
    ///
    /// If a cell with a status is at position `cells` or later.
    pub fn to_dense(&self, cells: usize) -> Vec<Option<&str>> {
        let mut v = vec![None; cells];
        for (cell, s) in self.iter() {
            assert!(cell < cells, "status on cell {cell} of a dataset of {cells} cells");
            v[cell] = Some(s);
        }
        v
    }

    /// From `(cell, symbol)` pairs in any order; a later pair for the same cell wins (as
    /// a repeated key in a JSON object does).
    fn from_pairs(mut entries: Vec<(usize, String)>) -> Status {
        // Stable, so pairs for one cell stay in input order; nearly free on the sorted
        // input that documents give.
        if !entries.windows(2).all(|w| w[0].0 < w[1].0) {
            entries.sort_by_key(|e| e.0);
            // Keep the last pair of every run of equal cells.
            let mut kept: Vec<(usize, String)> = Vec::with_capacity(entries.len());
            for e in entries {
                match kept.last_mut() {
                    Some(last) if last.0 == e.0 => *last = e,
                    _ => kept.push(e),
                }
            }
            entries = kept;
        }
        Status { entries }
    }

    /// The last cell with a status, if any.
    fn last_cell(&self) -> Option<usize> {
        self.entries.last().map(|e| e.0)
    }
}

impl<S: Into<String>> FromIterator<(usize, S)> for Status {
    /// From `(cell, symbol)` pairs in any order; a later pair for the same cell wins.
    fn from_iter<I: IntoIterator<Item = (usize, S)>>(pairs: I) -> Status {
        Status::from_pairs(pairs.into_iter().map(|(c, s)| (c, s.into())).collect())
    }
}

impl<'a> IntoIterator for &'a Status {
    type Item = (usize, &'a str);
    type IntoIter = StatusIter<'a>;
    fn into_iter(self) -> StatusIter<'a> {
        self.iter()
    }
}

/// The `(cell, symbol)` entries of a [`Status`], in increasing cell order; from
/// [`Status::iter`].
#[derive(Debug, Clone)]
pub struct StatusIter<'a> {
    inner: std::slice::Iter<'a, (usize, String)>,
}

impl<'a> Iterator for StatusIter<'a> {
    type Item = (usize, &'a str);
    fn next(&mut self) -> Option<(usize, &'a str)> {
        self.inner.next().map(|(c, s)| (*c, s.as_str()))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl DoubleEndedIterator for StatusIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|(c, s)| (*c, s.as_str()))
    }
}

impl ExactSizeIterator for StatusIter<'_> {}

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
    array: PrimitiveArray<f64>,
}

impl Values {
    /// The numbers of the cells, with the cells at `nulls` null (their numbers are ignored).
    fn from_parts(numbers: Vec<f64>, nulls: &[usize]) -> Values {
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
    fn from_validity(numbers: Vec<f64>, valid: Bitmap) -> Values {
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

// ---------------------------------------------------------------- raw serde model

struct RawDataset {
    version: Option<String>,
    class: Option<String>,
    label: Option<String>,
    source: Option<String>,
    updated: Option<String>,
    note: Option<Notes>,
    role: Option<HashMap<String, Vec<String>>>,
    id: Option<Vec<String>>,
    size: Option<Vec<usize>>,
    dimension: HashMap<String, RawDimension>,
    value: RawValues,
    status: Option<RawStatus>,
}

/// The top-level keys of a dataset; others (`extension`, `href`, …) are skipped.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Field {
    Version,
    Class,
    Label,
    Source,
    Updated,
    Note,
    Role,
    Id,
    Size,
    Dimension,
    Value,
    Status,
    #[serde(other)]
    Other,
}

/// Written out rather than derived for one reason: `size` comes before `value` in
/// the documents PxWeb writes, so the cell count is known when `value` starts and its
/// vector can be allocated once at full length instead of growing by doubling (which
/// copies and touches about twice the memory). Otherwise it behaves like the derive:
/// every key optional except `dimension` and `value`, `null` reads as absent for the
/// optional ones, a repeated key is an error, unknown keys are ignored.
impl<'de> Deserialize<'de> for RawDataset {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDataset;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON-stat dataset object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<RawDataset, A::Error> {
                /// Read the next value into `slot`, refusing a second occurrence of the key.
                fn once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
                    map: &mut A,
                    slot: &mut Option<T>,
                    key: &'static str,
                ) -> std::result::Result<(), A::Error> {
                    if slot.is_some() {
                        return Err(de::Error::duplicate_field(key));
                    }
                    *slot = Some(map.next_value()?);
                    Ok(())
                }
                let (mut version, mut class, mut label, mut source, mut updated) = (None, None, None, None, None);
                let (mut note, mut role, mut id, mut size, mut dimension) = (None, None, None, None, None);
                let (mut value, mut status) = (None, None);
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Version => once(&mut map, &mut version, "version")?,
                        Field::Class => once(&mut map, &mut class, "class")?,
                        Field::Label => once(&mut map, &mut label, "label")?,
                        Field::Source => once(&mut map, &mut source, "source")?,
                        Field::Updated => once(&mut map, &mut updated, "updated")?,
                        Field::Note => once(&mut map, &mut note, "note")?,
                        Field::Role => once(&mut map, &mut role, "role")?,
                        Field::Id => once(&mut map, &mut id, "id")?,
                        Field::Size => once(&mut map, &mut size, "size")?,
                        Field::Dimension => once(&mut map, &mut dimension, "dimension")?,
                        Field::Status => once(&mut map, &mut status, "status")?,
                        Field::Value => {
                            if value.is_some() {
                                return Err(de::Error::duplicate_field("value"));
                            }
                            // The cell count, if `size` came first; only a hint (`from_raw`
                            // checks the count), so an absurd product is ignored.
                            let cells = size
                                .as_ref()
                                .and_then(|s: &Option<Vec<usize>>| s.as_deref())
                                .and_then(|s| s.iter().try_fold(1usize, |a, &b| a.checked_mul(b)))
                                .filter(|&c| c <= MAX_PRESIZE_CELLS)
                                .unwrap_or(0);
                            value = Some(map.next_value_seed(ValuesSeed { cells })?);
                        }
                        Field::Other => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(RawDataset {
                    version: version.flatten(),
                    class: class.flatten(),
                    label: label.flatten(),
                    source: source.flatten(),
                    updated: updated.flatten(),
                    note: note.flatten(),
                    role: role.flatten(),
                    id: id.flatten(),
                    size: size.flatten(),
                    dimension: dimension.ok_or_else(|| de::Error::missing_field("dimension"))?,
                    value: value.ok_or_else(|| de::Error::missing_field("value"))?,
                    status: status.flatten(),
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// The largest `value` vector allocated up front from `size` (2²⁷ cells, 2 GiB); a
/// larger cube grows its vector as it is read.
const MAX_PRESIZE_CELLS: usize = 1 << 27;

#[derive(Deserialize)]
#[serde(untagged)]
enum Notes {
    Many(Vec<String>),
    One(String),
}

#[derive(Deserialize)]
struct RawDimension {
    #[serde(default)]
    label: Option<String>,
    category: RawCategory,
    // JSON-stat 1.0 keeps id/size/role inside `dimension`; they arrive as
    // pseudo-dimensions and are handled by `from_value_v1`.
}

#[derive(Deserialize)]
struct RawCategory {
    #[serde(default)]
    index: Option<Index>,
    #[serde(default)]
    label: Option<HashMap<String, String>>,
}

enum Index {
    Array(Vec<String>),
    Object(HashMap<String, usize>),
}

impl<'de> Deserialize<'de> for Index {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Index;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of codes or an object mapping codes to positions")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Index, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(8));
                while let Some(s) = seq.next_element::<String>()? {
                    v.push(s);
                }
                Ok(Index::Array(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Index, A::Error> {
                let mut m = HashMap::with_capacity(map.size_hint().unwrap_or(8));
                while let Some((k, v)) = map.next_entry::<String, usize>()? {
                    m.insert(k, v);
                }
                Ok(Index::Object(m))
            }
        }
        d.deserialize_any(V)
    }
}

/// `value`: a dense array or a sparse object `{"position": value}`.
///
/// An array is read straight into the layout of [`Values`]: the numbers (0 under a
/// null) and the positions of the nulls, which are few.
enum RawValues {
    Dense { numbers: Vec<f64>, nulls: Vec<usize> },
    Sparse(Vec<(usize, Option<f64>)>),
}

/// Reads `value`, allocating room for `cells` values up front when it is an array.
struct ValuesSeed {
    cells: usize,
}

impl<'de> DeserializeSeed<'de> for ValuesSeed {
    type Value = RawValues;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<RawValues, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValuesSeed {
    type Value = RawValues;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of numbers/nulls or an object mapping positions to numbers")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<RawValues, A::Error> {
        let (mut numbers, mut nulls) = (Vec::new(), Vec::new());
        // Best effort: if the allocation fails the vector simply grows as it is read.
        let _ = numbers.try_reserve_exact(self.cells.max(seq.size_hint().unwrap_or(1024)));
        advise_huge_pages(numbers.as_ptr(), numbers.capacity());
        while let Some(Cell(x)) = seq.next_element::<Cell>()? {
            if x.is_none() {
                nulls.push(numbers.len());
            }
            numbers.push(x.unwrap_or(0.0));
        }
        Ok(RawValues::Dense { numbers, nulls })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<RawValues, A::Error> {
        let mut v = Vec::new();
        while let Some((k, Cell(x))) = map.next_entry::<String, Cell>()? {
            let pos = k.parse::<usize>().map_err(|_| {
                de::Error::custom(format!("value key {k:?} is not a cell position"))
            })?;
            v.push((pos, x));
        }
        Ok(RawValues::Sparse(v))
    }
}

/// One cell of `value`: a number or `null`.
///
/// Read with `deserialize_any`, which hands an integer straight to `visit_u64`/`visit_i64`;
/// going through `Option<f64>` costs a separate `null` probe and a float-typed parse per cell.
struct Cell(Option<f64>);

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Cell;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or null")
            }
            fn visit_u64<E: de::Error>(self, x: u64) -> std::result::Result<Cell, E> {
                Ok(Cell(Some(x as f64)))
            }
            fn visit_i64<E: de::Error>(self, x: i64) -> std::result::Result<Cell, E> {
                Ok(Cell(Some(x as f64)))
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> std::result::Result<Cell, E> {
                Ok(Cell(Some(x)))
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Cell, E> {
                Ok(Cell(None))
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<Cell, E> {
                Ok(Cell(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `status` as the document gives it: one string for all cells, an array, or a
/// sparse object.
/// An array is read straight into the sparse form: its length and the `(position,
/// symbol)` pairs of its strings, so its nulls cost nothing.
enum RawStatus {
    All(String),
    Dense { len: usize, entries: Vec<(usize, String)> },
    Sparse(Vec<(usize, String)>),
}

impl<'de> Deserialize<'de> for RawStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawStatus;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a status string, array or object")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<RawStatus, E> {
                Ok(RawStatus::All(s.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<RawStatus, A::Error> {
                let (mut len, mut entries) = (0, Vec::new());
                while let Some(x) = seq.next_element::<Option<String>>()? {
                    if let Some(x) = x {
                        entries.push((len, x));
                    }
                    len += 1;
                }
                Ok(RawStatus::Dense { len, entries })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<RawStatus, A::Error> {
                let mut v = Vec::new();
                while let Some((k, x)) = map.next_entry::<String, String>()? {
                    let pos = k.parse::<usize>().map_err(|_| {
                        de::Error::custom(format!("status key {k:?} is not a cell position"))
                    })?;
                    v.push((pos, x));
                }
                Ok(RawStatus::Sparse(v))
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------- parsing

impl Dataset {
    /// Parse a JSON-stat2 dataset from bytes (a JSON-stat 1.0 bundle with one
    /// dataset is accepted too).
    pub fn from_slice(bytes: &[u8]) -> Result<Dataset> {
        Self::from_slice_named(bytes, "document")
    }

    /// Like [`Dataset::from_slice`], naming the document (file or URL) in errors.
    pub fn from_slice_named(bytes: &[u8], context: &str) -> Result<Dataset> {
        // Fast path: a JSON-stat2 dataset object.
        match serde_json::from_slice::<RawDataset>(bytes) {
            Ok(raw) if raw.id.is_some() => Self::from_raw(raw, context),
            Ok(_) | Err(_) => {
                // Either 1.0 (`id`/`size` under `dimension`, maybe wrapped in a bundle)
                // or not JSON-stat at all: look at it as a generic value.
                let v: serde_json::Value =
                    serde_json::from_slice(bytes).map_err(|e| Error::jsonstat(context, e))?;
                Self::from_value_v1(v, context)
            }
        }
    }

    fn from_value_v1(v: serde_json::Value, context: &str) -> Result<Dataset> {
        let mut obj = match v {
            serde_json::Value::Object(o) => o,
            _ => return Err(Error::jsonstat(context, "the top level is not an object")),
        };
        if let Some(cls) = obj.get("class").and_then(|c| c.as_str()) {
            if cls != "dataset" {
                return Err(Error::jsonstat(
                    context,
                    format!("class is {cls:?}; only \"dataset\" documents can be read"),
                ));
            }
        }
        // A bundle: {"name": {dataset}} with a single dataset inside.
        if !obj.contains_key("dimension") {
            let inner: Vec<_> = obj.into_iter().filter(|(_, v)| v.get("dimension").is_some()).collect();
            match inner.len() {
                1 => match inner.into_iter().next() {
                    Some((_, serde_json::Value::Object(o))) => obj = o,
                    _ => return Err(Error::jsonstat(context, "bundle entry is not an object")),
                },
                0 => return Err(Error::jsonstat(context, "no `dimension` object: not a JSON-stat dataset")),
                n => return Err(Error::jsonstat(context, format!("a bundle of {n} datasets; pass one at a time"))),
            }
        }
        if !obj.get("dimension").is_some_and(|d| d.is_object()) {
            return Err(Error::jsonstat(context, "`dimension` is not an object"));
        }
        if !obj.contains_key("id") {
            // JSON-stat 1.0: move dimension.id / size / role to the top.
            let dim = obj.get_mut("dimension").and_then(|d| d.as_object_mut()).expect("checked above");
            let id = dim.remove("id");
            let size = dim.remove("size");
            let role = dim.remove("role");
            if let Some(id) = id {
                obj.insert("id".into(), id);
            }
            if let Some(size) = size {
                obj.insert("size".into(), size);
            }
            if let Some(role) = role {
                obj.insert("role".into(), role);
            }
        }
        let raw: RawDataset = serde_json::from_value(serde_json::Value::Object(obj))
            .map_err(|e| Error::jsonstat(context, e))?;
        if raw.id.is_none() {
            return Err(Error::jsonstat(context, "no `id` list of dimensions"));
        }
        Self::from_raw(raw, context)
    }

    fn from_raw(raw: RawDataset, context: &str) -> Result<Dataset> {
        if let Some(class) = &raw.class {
            if class != "dataset" {
                return Err(Error::jsonstat(context, format!("class is {class:?}, expected \"dataset\"")));
            }
        }
        if let Some(v) = &raw.version {
            if !v.starts_with('2') {
                return Err(Error::jsonstat(context, format!("unsupported JSON-stat version {v:?}")));
            }
        }
        let ids = raw.id.unwrap_or_default();
        let mut roles: HashMap<&str, Role> = HashMap::new();
        if let Some(role) = &raw.role {
            for (name, r) in [("time", Role::Time), ("geo", Role::Geo), ("metric", Role::Metric)] {
                for id in role.get(name).into_iter().flatten() {
                    roles.insert(id.as_str(), r);
                }
            }
        }
        let mut dim_map = raw.dimension;
        let mut dimensions = Vec::with_capacity(ids.len());
        for id in &ids {
            let d = dim_map
                .remove(id)
                .ok_or_else(|| Error::jsonstat(context, format!("dimension {id:?} is listed in `id` but missing")))?;
            let codes = match d.category.index {
                Some(Index::Array(v)) => v,
                Some(Index::Object(m)) => {
                    let mut codes = vec![None; m.len()];
                    for (code, pos) in m {
                        let slot = codes.get_mut(pos).ok_or_else(|| {
                            Error::jsonstat(context, format!("dimension {id}: index position {pos} out of range"))
                        })?;
                        if slot.replace(code).is_some() {
                            return Err(Error::jsonstat(context, format!("dimension {id}: position {pos} used twice")));
                        }
                    }
                    codes.into_iter().map(|c| c.expect("every position filled")).collect()
                }
                None => {
                    // A single-category dimension may omit `index` and give only `label`.
                    let labels = d.category.label.as_ref().map(|l| l.keys().cloned().collect::<Vec<_>>());
                    match labels {
                        Some(l) if l.len() == 1 => l,
                        _ => return Err(Error::jsonstat(context, format!("dimension {id} has no category index"))),
                    }
                }
            };
            let labels = codes
                .iter()
                .map(|c| d.category.label.as_ref().and_then(|l| l.get(c)).cloned().unwrap_or_else(|| c.clone()))
                .collect();
            dimensions.push(Dimension {
                id: id.clone(),
                label: d.label.unwrap_or_else(|| id.clone()),
                codes,
                labels,
                role: roles.get(id.as_str()).copied(),
            });
        }
        let n: usize = dimensions.iter().map(|d| d.len()).product();
        if let Some(size) = &raw.size {
            let actual: Vec<usize> = dimensions.iter().map(|d| d.len()).collect();
            if size != &actual {
                return Err(Error::jsonstat(
                    context,
                    format!("`size` {size:?} does not match the category counts {actual:?}"),
                ));
            }
        }
        let values = match raw.value {
            RawValues::Dense { numbers, nulls } => {
                if numbers.len() != n {
                    return Err(Error::jsonstat(
                        context,
                        format!("{} values for {n} cells (size {:?}); the document is truncated or inconsistent",
                            numbers.len(), dimensions.iter().map(|d| d.len()).collect::<Vec<_>>()),
                    ));
                }
                Values::from_parts(numbers, &nulls)
            }
            RawValues::Sparse(pairs) => {
                // Cells the object leaves out are null; a repeated position wins last.
                let mut numbers = vec![0.0; n];
                let mut valid = MutableBitmap::from_len_zeroed(n);
                for (pos, x) in pairs {
                    if pos >= n {
                        return Err(Error::jsonstat(context, format!("value position {pos} ≥ {n} cells")));
                    }
                    numbers[pos] = x.unwrap_or(0.0);
                    valid.set(pos, x.is_some());
                }
                Values::from_validity(numbers, valid.freeze())
            }
        };
        let status = match raw.status {
            None => Status::new(),
            Some(RawStatus::All(s)) => Status::all(&s, n),
            Some(RawStatus::Dense { len, entries }) if len == n => Status { entries },
            Some(RawStatus::Dense { len, .. }) => {
                return Err(Error::jsonstat(context, format!("{len} status entries for {n} cells")))
            }
            Some(RawStatus::Sparse(pairs)) => {
                let status = Status::from_pairs(pairs);
                if let Some(pos) = status.last_cell().filter(|&pos| pos >= n) {
                    return Err(Error::jsonstat(context, format!("status position {pos} ≥ {n} cells")));
                }
                status
            }
        };
        let notes = match raw.note {
            None => vec![],
            Some(Notes::Many(v)) => v,
            Some(Notes::One(s)) => vec![s],
        };
        Ok(Dataset { label: raw.label, source: raw.source, updated: raw.updated, notes, dimensions, values, status })
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the dataset has no cell.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The dimension with this id.
    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.id == id)
    }

    /// The value at one category per dimension, given as codes in `id` order.
    ///
    /// Returns `None` for unknown codes or a null cell.
    pub fn get(&self, codes: &[&str]) -> Option<f64> {
        if codes.len() != self.dimensions.len() {
            return None;
        }
        let mut pos = 0;
        for (d, c) in self.dimensions.iter().zip(codes) {
            pos = pos * d.len() + d.position(c)?;
        }
        self.values.get(pos)
    }

    /// A sub-cube: for every dimension, the category positions to keep, in the order given.
    pub fn select_positions(&self, picks: &[Vec<usize>]) -> Dataset {
        assert_eq!(picks.len(), self.dimensions.len(), "one pick list per dimension");
        let dims: Vec<Dimension> = self
            .dimensions
            .iter()
            .zip(picks)
            .map(|(d, p)| Dimension {
                id: d.id.clone(),
                label: d.label.clone(),
                codes: p.iter().map(|&i| d.codes[i].clone()).collect(),
                labels: p.iter().map(|&i| d.labels[i].clone()).collect(),
                role: d.role,
            })
            .collect();
        let n: usize = picks.iter().map(|p| p.len()).product();
        let strides = strides(&self.dimensions.iter().map(|d| d.len()).collect::<Vec<_>>());
        let mut values: Vec<Option<f64>> = Vec::with_capacity(n);
        let mut status = Status::new();
        for_each_index(&picks.iter().map(|p| p.len()).collect::<Vec<_>>(), |idx| {
            let src: usize = idx.iter().enumerate().map(|(k, &i)| picks[k][i] * strides[k]).sum();
            // Cells come in increasing target order, so every insert is an append.
            if let Some(s) = self.status.get(src) {
                status.insert(values.len(), s);
            }
            values.push(self.values.get(src));
        });
        Dataset {
            label: self.label.clone(),
            source: self.source.clone(),
            updated: self.updated.clone(),
            notes: self.notes.clone(),
            dimensions: dims,
            values: values.into(),
            status,
        }
    }

    /// Flatten the cube into a tidy frame, one row per cell (see the module docs for the columns).
    ///
    /// The cube's layout is regular, so no column needs a per-row lookup: along a
    /// dimension with stride `s` (the product of the later dimensions' sizes) every
    /// category fills `s` consecutive rows and that block repeats to the end. Code and
    /// label columns are therefore built by repeating each category's 16-byte string
    /// view (see `repeat_layout` and `ViewDict`); a dimension with a single category
    /// becomes a scalar column of the frame's height, which polars materialises only
    /// if an operation needs it.
    pub fn to_frame(&self) -> Result<DataFrame> {
        let n = self.len();
        let sizes: Vec<usize> = self.dimensions.iter().map(|d| d.len()).collect();
        let strides = strides(&sizes);
        let mut columns: Vec<Column> = Vec::with_capacity(self.dimensions.len() * 2 + 4);
        let mut taken = std::collections::HashSet::new();
        for (k, d) in self.dimensions.iter().enumerate() {
            let (code_name, label_name) = d.column_names();
            let (code_name, label_name) = if ["value", "status", "year", "date"].contains(&label_name.as_str()) {
                (format!("{label_name}_dim_code"), format!("{label_name}_dim"))
            } else {
                (code_name, label_name)
            };
            if !taken.insert(label_name.clone()) {
                return Err(Error::jsonstat("frame", format!("two dimensions map to the column name {label_name:?}")));
            }
            let code_col = category_column(&d.codes, strides[k], n);
            let label_col = if d.labels == d.codes { code_col.clone() } else { category_column(&d.labels, strides[k], n) };
            columns.push(code_col.with_name(code_name.into()));
            columns.push(label_col.with_name(label_name.into()));
            if d.role == Some(Role::Time) {
                let parsed: Vec<Option<(i32, i32)>> = d.codes.iter().map(|c| parse_period(c)).collect();
                let years: Vec<Option<i32>> = parsed.iter().map(|p| p.map(|(y, _)| y)).collect();
                let days: Vec<Option<i32>> = parsed.iter().map(|p| p.map(|(_, days)| days)).collect();
                columns.push(period_column("year", &years, false, strides[k], n));
                columns.push(period_column("date", &days, true, strides[k], n));
            }
        }
        columns.push(self.value_column().into_column());
        columns.push(self.status_column().into_column());
        Ok(DataFrame::new(n, columns)?)
    }

    /// `value`: Float64, null where the cell is null; it shares the dataset's array
    /// (see [`Values`]).
    fn value_column(&self) -> Float64Chunked {
        Float64Chunked::with_chunk("value".into(), self.values.array.clone())
    }

    /// `status`: the cell's symbol, null where it has none.
    ///
    /// Statuses are few distinct short strings (`..`, `:`) over mostly null cells, so
    /// the column gets one view per distinct symbol, copied to the cells that carry it.
    fn status_column(&self) -> StringChunked {
        let n = self.len();
        if self.status.is_empty() {
            return StringChunked::full_null("status".into(), n);
        }
        let mut dict = ViewDict::default();
        let mut seen: HashMap<&str, View> = HashMap::new();
        // Null cells keep the all-zero view (an empty inline string), as polars' own null
        // arrays do. Huge pages pay off once the statuses are dense enough to touch most
        // 4 KiB pages of views anyway: from about one in 2 000 cells (a 2 MiB page of
        // views then holds some 60 of them).
        let mut views = zeroed_views(n, self.status.len().saturating_mul(2048) >= n);
        let mut validity = MutableBitmap::from_len_zeroed(n);
        let mut bytes_len = 0;
        for (i, s) in &self.status {
            views[i] = *seen.entry(s).or_insert_with(|| dict.view(s));
            validity.set(i, true);
            bytes_len += s.len();
        }
        StringChunked::with_chunk("status".into(), dict.into_array(views, Some(validity.freeze()), bytes_len))
    }
}

// ---------------------------------------------------------------- writing

impl Dataset {
    /// The dataset as a JSON-stat2 document, the way PxWebApi answers: `version`,
    /// `class`, `label`, `source`, `updated` and `note` where present, `role`, `id`,
    /// `size`, every dimension's `label` and `category` (`index` as code → position,
    /// `label` as code → label), `value` (`null` for a null cell) and, when some cell
    /// has one, `status` keyed by cell position.
    ///
    /// Whole numbers are written as integers (`728714`, as SSB does), other values as
    /// they are. Reading the document back with [`Dataset::from_slice`] gives an equal
    /// dataset, and so an equal frame. What a dataset does not keep (a category's
    /// `unit`, `extension` objects) is not written.
    ///
    /// ```
    /// use statbank::prelude::*;
    /// // Immigrants per municipality: nulls and `..` statuses included.
    /// let q = Query::new("09817").select_str("Region", "0,0301,1723,4601")?;
    /// let ds = Source::snapshot()?.dataset(&q)?;
    /// let doc = ds.to_jsonstat2();
    /// assert_eq!(doc["id"], serde_json::json!(["Region", "InnvandrKat", "ContentsCode", "Tid"]));
    /// let back = Dataset::from_slice(&serde_json::to_vec(&doc)?)?;
    /// assert!(back.to_frame()?.equals_missing(&ds.to_frame()?));
    /// assert_eq!(back, ds);
    /// assert!(back.status.len() > 0 && back.values.null_count() > 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_jsonstat2(&self) -> serde_json::Value {
        use serde_json::{json, Map, Value};
        let mut doc = Map::new();
        doc.insert("version".into(), json!("2.0"));
        doc.insert("class".into(), json!("dataset"));
        if let Some(l) = &self.label {
            doc.insert("label".into(), json!(l));
        }
        if let Some(s) = &self.source {
            doc.insert("source".into(), json!(s));
        }
        if let Some(u) = &self.updated {
            doc.insert("updated".into(), json!(u));
        }
        if !self.notes.is_empty() {
            doc.insert("note".into(), json!(self.notes));
        }
        let mut role = Map::new();
        for (name, r) in [("time", Role::Time), ("geo", Role::Geo), ("metric", Role::Metric)] {
            let ids: Vec<&str> = self.dimensions.iter().filter(|d| d.role == Some(r)).map(|d| d.id.as_str()).collect();
            if !ids.is_empty() {
                role.insert(name.into(), json!(ids));
            }
        }
        if !role.is_empty() {
            doc.insert("role".into(), Value::Object(role));
        }
        doc.insert("id".into(), json!(self.dimensions.iter().map(|d| &d.id).collect::<Vec<_>>()));
        doc.insert("size".into(), json!(self.dimensions.iter().map(|d| d.len()).collect::<Vec<_>>()));
        let mut dims = Map::new();
        for d in &self.dimensions {
            let index: Map<String, Value> = d.codes.iter().enumerate().map(|(i, c)| (c.clone(), json!(i))).collect();
            let label: Map<String, Value> = d.codes.iter().zip(&d.labels).map(|(c, l)| (c.clone(), json!(l))).collect();
            dims.insert(d.id.clone(), json!({"label": d.label, "category": {"index": index, "label": label}}));
        }
        doc.insert("dimension".into(), Value::Object(dims));
        doc.insert("value".into(), Value::Array(self.values.iter().map(number).collect()));
        if !self.status.is_empty() {
            let status: Map<String, Value> = self.status.iter().map(|(i, s)| (i.to_string(), json!(s))).collect();
            doc.insert("status".into(), Value::Object(status));
        }
        Value::Object(doc)
    }
}

/// A cell value as JSON: `null`, an integer for a whole number that `f64` holds exactly
/// (not `-0.0`), else the number as it is (`NaN` and infinities, which JSON lacks, become `null`).
fn number(v: Option<f64>) -> serde_json::Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match v {
        Some(x) if x.fract() == 0.0 && x.abs() < EXACT && !(x == 0.0 && x.is_sign_negative()) => {
            serde_json::Value::from(x as i64)
        }
        Some(x) => serde_json::Value::from(x),
        None => serde_json::Value::Null,
    }
}

/// The strings of a string view array under construction: every distinct string gets a
/// 16-byte [`View`] that holds it inline (≤ 12 bytes) or points into one shared data
/// buffer. Copying a view copies the string as far as the array is concerned.
#[derive(Default)]
struct ViewDict {
    /// Bytes of the strings longer than [`View::MAX_INLINE_SIZE`], back to back.
    data: Vec<u8>,
}

impl ViewDict {
    /// The view for `s`, appending it to the data buffer if it does not fit inline.
    fn view(&mut self, s: &str) -> View {
        let offset = u32::try_from(self.data.len()).expect("category strings exceed 4 GiB");
        if s.len() > View::MAX_INLINE_SIZE as usize {
            self.data.extend_from_slice(s.as_bytes());
        }
        View::new_from_bytes(s.as_bytes(), 0, offset)
    }

    /// An array of `views` (each from [`ViewDict::view`] on this dictionary, or the
    /// all-zero view under a null) whose non-null strings total `bytes_len` bytes.
    fn into_array(self, views: Vec<View>, validity: Option<Bitmap>, bytes_len: usize) -> Utf8ViewArray {
        let buffer_len = self.data.len();
        let buffers = if self.data.is_empty() { vec![] } else { vec![self.data.into()] };
        // SAFETY: every view is inline (valid UTF-8 copied from a `&str`, or the
        // all-zero empty string) or was made by `view` for a `&str` stored at its offset
        // in buffer 0, which is the one buffer passed. `validity`, when given, has one bit
        // per view. `bytes_len` and `buffer_len` are the array's true totals.
        unsafe {
            Utf8ViewArray::new_unchecked(
                ArrowDataType::Utf8View,
                views.into(),
                buffers.into(),
                validity,
                Some(bytes_len),
                buffer_len,
            )
        }
    }
}

/// `n` all-zero views (empty inline strings) from a zeroed allocation.
///
/// Large allocations come straight from the kernel, already zero, so the pages of a
/// mostly-null column that are never written are never touched either; a filled
/// `vec![View::default(); n]` would write (and page in) every one of them. With
/// `huge`, the caller will write to most of the memory anyway and huge pages are
/// asked for (see [`advise_huge_pages`]).
fn zeroed_views(n: usize, huge: bool) -> Vec<View> {
    if n == 0 {
        return Vec::new();
    }
    let layout = std::alloc::Layout::array::<View>(n).expect("a view vector of this length fits in memory");
    // SAFETY: `layout` has a non-zero size (n > 0 and a view is 16 bytes).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<View>();
    if ptr.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    if huge {
        advise_huge_pages(ptr, n);
    }
    // SAFETY: `ptr` comes from the global allocator with the layout of `[View; n]`, the
    // layout a `Vec<View>` of capacity `n` uses, and all `n` elements are initialised:
    // `View` is `#[repr(C)]` over four `u32`s, for which all-zero bits are a valid value
    // (polars-arrow marks it `bytemuck::Zeroable`).
    unsafe { Vec::from_raw_parts(ptr, n, n) }
}

/// Ask Linux for transparent huge pages under a large allocation that is about to be
/// written in full: `len` elements of `T` from `ptr`.
///
/// `to_frame` writes a few hundred MB of fresh memory for a cube of a few million
/// cells (16 bytes a cell for each string column). With 4 KiB pages every page costs a
/// fault (a kernel entry, zeroing, cgroup accounting, and in a VM more), and those
/// faults were most of `to_frame`'s time; a 2 MiB page costs one. Where transparent
/// huge pages run in `madvise` mode (the default of several distributions) only
/// advised memory gets them; `always` needs no advice and `never` ignores it.
///
/// Only the whole 2 MiB pages inside the allocation are advised, and only for
/// allocations of 4 MiB or more. The advice changes neither the contents nor the
/// ownership of the memory; a failure (say, a kernel without THP) is ignored. It does
/// stay on the address range after the memory is freed, where the allocator may reuse
/// it; that only matters for memory that is later touched sparsely.
#[cfg(target_os = "linux")]
fn advise_huge_pages<T>(ptr: *const T, len: usize) {
    const HUGE: usize = 2 << 20;
    let start = ptr as usize;
    let Some(end) = len.checked_mul(std::mem::size_of::<T>()).and_then(|b| b.checked_add(start)) else {
        return;
    };
    if end - start < 2 * HUGE {
        return;
    }
    // Round inwards to 2 MiB boundaries (no overflow: `end` fits and `first` ≤ `end`).
    let first = (start + HUGE - 1) & !(HUGE - 1);
    let last = end & !(HUGE - 1);
    if last > first {
        // SAFETY: `first..last` is page aligned and lies inside the live allocation at
        // `ptr` (of at least `end - start` bytes). `MADV_HUGEPAGE` only sets a paging
        // hint on the range; it neither changes, moves nor frees any memory.
        unsafe { libc::madvise(first as *mut libc::c_void, last - first, libc::MADV_HUGEPAGE) };
    }
}

/// Elsewhere, a no-op.
#[cfg(not(target_os = "linux"))]
fn advise_huge_pages<T>(_ptr: *const T, _len: usize) {}

/// The code or label column of a dimension whose categories are `strings`, with
/// `stride` cells per category and `n` cells in all.
fn category_column(strings: &[String], stride: usize, n: usize) -> Column {
    if let [only] = strings {
        let value = AnyValue::StringOwned(only.as_str().into());
        return Column::new_scalar(PlSmallStr::EMPTY, Scalar::new(DataType::String, value), n);
    }
    let mut dict = ViewDict::default();
    let views: Vec<View> = strings.iter().map(|s| dict.view(s)).collect();
    let views = repeat_layout(&views, stride, n);
    // Every category fills the same number of cells.
    let per_category = if strings.is_empty() { 0 } else { n / strings.len() };
    let bytes_len = strings.iter().map(String::len).sum::<usize>() * per_category;
    StringChunked::with_chunk(PlSmallStr::EMPTY, dict.into_array(views, None, bytes_len)).into_column()
}

/// The `year` (Int32) or `date` (Date) column of a time dimension with `stride` cells
/// per category; `items` holds one value per category (`None` for a code that is no
/// period).
fn period_column(name: &str, items: &[Option<i32>], date: bool, stride: usize, n: usize) -> Column {
    if let [only] = items {
        let (dtype, value) = match (date, *only) {
            (false, v) => (DataType::Int32, v.map_or(AnyValue::Null, AnyValue::Int32)),
            (true, v) => (DataType::Date, v.map_or(AnyValue::Null, AnyValue::Date)),
        };
        return Column::new_scalar(name.into(), Scalar::new(dtype, value), n);
    }
    let ca = if items.iter().all(Option::is_some) {
        let items: Vec<i32> = items.iter().flatten().copied().collect();
        Int32Chunked::from_vec(name.into(), repeat_layout(&items, stride, n))
    } else {
        repeat_layout(items, stride, n).into_iter().collect_ca(name.into())
    };
    if date { ca.into_date().into_series().into_column() } else { ca.into_column() }
}

/// `Region` → `region`, `ContentsCode` → `contents`, `InnvandrKat` → `innvandr_kat`.
pub(crate) fn column_base(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    let chars: Vec<char> = id.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            if prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let trimmed = out.trim_end_matches('_');
    let base = trimmed.strip_suffix("_code").unwrap_or(trimmed);
    if base.is_empty() { "dim".to_string() } else { base.to_string() }
}

/// The values of a dimension's column over a cube of `n` cells: `items[0]` repeated
/// `stride` times, then `items[1]` …, the whole block repeated up to `n`.
///
/// The block is written once and then doubled with `extend_from_within` (a memcpy),
/// so filling a column costs little more than writing its memory.
fn repeat_layout<T: Copy>(items: &[T], stride: usize, n: usize) -> Vec<T> {
    if n == 0 || items.is_empty() || stride == 0 {
        return Vec::new();
    }
    let mut v = Vec::with_capacity(n);
    advise_huge_pages(v.as_ptr(), n);
    for &x in items {
        v.resize(v.len() + stride, x);
    }
    while v.len() < n {
        let take = (n - v.len()).min(v.len());
        v.extend_from_within(..take);
    }
    v.truncate(n);
    v
}

/// Row-major strides of a cube of these sizes: how many cells one step along each
/// dimension moves (the last dimension varies fastest).
pub(crate) fn strides(sizes: &[usize]) -> Vec<usize> {
    let mut s = vec![1; sizes.len()];
    for k in (0..sizes.len().saturating_sub(1)).rev() {
        s[k] = s[k + 1] * sizes[k + 1];
    }
    s
}

/// Call `f` with every multi-index of a cube of these sizes, row-major.
fn for_each_index(sizes: &[usize], mut f: impl FnMut(&[usize])) {
    if sizes.iter().any(|&s| s == 0) {
        return;
    }
    let mut idx = vec![0; sizes.len()];
    loop {
        f(&idx);
        let mut k = sizes.len();
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < sizes[k] {
                break;
            }
            idx[k] = 0;
        }
    }
}

/// Parse a PxWeb time code into `(year, days since 1970-01-01 of the period start)`.
///
/// `2010` (year), `2010K3`/`2010Q3` (quarter), `2010M07` (month), `2010H1` (half),
/// `2010U05`/`2010W05` (ISO week), `2010T2` (tertial). Anything else → `None`.
///
/// ```
/// use statbank::data::jsonstat::parse_period;
/// assert_eq!(parse_period("1970"), Some((1970, 0)));
/// assert_eq!(parse_period("1970M02"), Some((1970, 31)));
/// assert_eq!(parse_period("2010K3").map(|p| p.0), Some(2010));
/// assert_eq!(parse_period("2025-2026"), None);
/// ```
pub fn parse_period(code: &str) -> Option<(i32, i32)> {
    let code = code.trim();
    if code.len() < 4 || !code.is_char_boundary(4) {
        return None;
    }
    let (y, rest) = code.split_at(4);
    if !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    if rest.is_empty() {
        return Some((year, days_from_civil(year, 1, 1)));
    }
    let mut chars = rest.chars();
    let kind = chars.next()?.to_ascii_uppercase();
    let num: u32 = chars.as_str().parse().ok()?;
    let month = match kind {
        'K' | 'Q' if (1..=4).contains(&num) => 3 * (num - 1) + 1,
        'M' if (1..=12).contains(&num) => num,
        'H' if (1..=2).contains(&num) => 6 * (num - 1) + 1,
        'T' if (1..=3).contains(&num) => 4 * (num - 1) + 1,
        'U' | 'W' if (1..=53).contains(&num) => {
            // ISO week: the Monday of week 1 is the Monday on or before 4 January.
            let jan4 = days_from_civil(year, 1, 4);
            let weekday = (jan4 + 3).rem_euclid(7); // 0 = Monday (1970-01-01 was a Thursday)
            return Some((year, jan4 - weekday + 7 * (num as i32 - 1)));
        }
        _ => return None,
    };
    Some((year, days_from_civil(year, month, 1)))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_base("Region"), "region");
        assert_eq!(column_base("ContentsCode"), "contents");
        assert_eq!(column_base("InnvandrKat"), "innvandr_kat");
        assert_eq!(column_base("Tid"), "tid");
        assert_eq!(column_base("Ikä"), "ikä");
        assert_eq!(column_base("HFU"), "hfu");
    }

    #[test]
    fn periods() {
        assert_eq!(parse_period("2010"), Some((2010, days_from_civil(2010, 1, 1))));
        assert_eq!(parse_period("2010K3"), Some((2010, days_from_civil(2010, 7, 1))));
        assert_eq!(parse_period("2010M07"), Some((2010, days_from_civil(2010, 7, 1))));
        assert_eq!(parse_period("2010H2"), Some((2010, days_from_civil(2010, 7, 1))));
        // ISO week 1 of 2010 starts Monday 4 January 2010; week 5 on 1 February.
        assert_eq!(parse_period("2010U01"), Some((2010, days_from_civil(2010, 1, 4))));
        assert_eq!(parse_period("2010U05"), Some((2010, days_from_civil(2010, 2, 1))));
        // Week 1 of 2026 starts Monday 29 December 2025.
        assert_eq!(parse_period("2026W01"), Some((2026, days_from_civil(2025, 12, 29))));
        assert_eq!(parse_period("2010M13"), None);
        assert_eq!(parse_period("abcd"), None);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
    }

    #[test]
    fn select_positions_keeps_row_major_order() {
        let doc = br#"{"version":"2.0","class":"dataset","id":["A","B"],"size":[2,3],
          "dimension":{"A":{"category":{"index":["a0","a1"]}},"B":{"category":{"index":["b0","b1","b2"]}}},
          "value":[0,1,2,3,4,5],"status":{"1":":","5":".."}}"#;
        let ds = Dataset::from_slice(doc).unwrap();
        let sub = ds.select_positions(&[vec![1], vec![2, 0]]);
        assert_eq!(sub.values, vec![Some(5.0), Some(3.0)]);
        assert_eq!(sub.status.iter().collect::<Vec<_>>(), [(0, "..")]);
        let sub2 = ds.select_positions(&[vec![1, 0], vec![1]]);
        assert_eq!(sub2.status.to_dense(2), [None, Some(":")]);
        assert_eq!(sub.dimensions[1].codes, vec!["b2", "b0"]);
    }

    /// The frame `to_frame` must produce, built the obvious slow way: row by row.
    fn frame_row_by_row(ds: &Dataset) -> DataFrame {
        let sizes: Vec<usize> = ds.dimensions.iter().map(|d| d.len()).collect();
        let mut rows: Vec<Vec<usize>> = Vec::new();
        for_each_index(&sizes, |idx| rows.push(idx.to_vec()));
        let mut columns = Vec::new();
        for (k, d) in ds.dimensions.iter().enumerate() {
            let (code_name, label_name) = d.column_names();
            let codes: Vec<&str> = rows.iter().map(|r| d.codes[r[k]].as_str()).collect();
            let labels: Vec<&str> = rows.iter().map(|r| d.labels[r[k]].as_str()).collect();
            columns.push(Series::new(code_name.into(), codes).into_column());
            columns.push(Series::new(label_name.into(), labels).into_column());
            if d.role == Some(Role::Time) {
                let periods: Vec<Option<(i32, i32)>> = rows.iter().map(|r| parse_period(&d.codes[r[k]])).collect();
                let years: Vec<Option<i32>> = periods.iter().map(|p| p.map(|p| p.0)).collect();
                let days: Vec<Option<i32>> = periods.iter().map(|p| p.map(|p| p.1)).collect();
                columns.push(Series::new("year".into(), years).into_column());
                columns.push(Series::new("date".into(), days).cast(&DataType::Date).unwrap().into_column());
            }
        }
        columns.push(Series::new("value".into(), ds.values.to_vec()).into_column());
        let status: Vec<Option<&str>> = ds.status.to_dense(ds.len());
        columns.push(Series::new("status".into(), status).into_column());
        DataFrame::new(rows.len(), columns).unwrap()
    }

    /// `to_frame` equals the row-by-row frame in names, dtypes and values, and every
    /// string array it built passes polars-arrow's own validation of views and buffers.
    fn assert_frame_matches(doc: &[u8]) -> DataFrame {
        let ds = Dataset::from_slice(doc).unwrap();
        let df = ds.to_frame().unwrap();
        let expected = frame_row_by_row(&ds);
        assert_eq!(df.schema(), expected.schema());
        assert!(df.equals_missing(&expected), "{df}\n{expected}");
        for col in df.columns() {
            if col.dtype() == &DataType::String {
                for arr in col.as_materialized_series().str().unwrap().downcast_iter() {
                    let checked = Utf8ViewArray::try_new(
                        ArrowDataType::Utf8View,
                        arr.views().clone(),
                        arr.data_buffers().clone(),
                        polars_arrow::array::Array::validity(arr).cloned(),
                    )
                    .unwrap_or_else(|e| panic!("column {}: {e}", col.name()));
                    assert_eq!(arr.total_bytes_len(), checked.total_bytes_len(), "column {}", col.name());
                    assert_eq!(arr.total_buffer_len(), checked.total_buffer_len(), "column {}", col.name());
                }
            }
        }
        df
    }

    #[test]
    fn frame_of_a_cube() {
        // Labels longer than a view's 12 inline bytes (and not ASCII), a single-category
        // dimension, a time dimension with a code that is no period, null values, and
        // statuses of both lengths on some of them.
        let doc = r#"{"version":"2.0","class":"dataset","id":["Region","ContentsCode","Tid"],"size":[3,1,4],
          "role":{"time":["Tid"],"metric":["ContentsCode"]},
          "dimension":{
            "Region":{"category":{"index":["0301","4601","K-1103"],
              "label":{"0301":"Oslo","4601":"Bergen – Vestland fylke","K-1103":"Stavanger (kommune før 2020)"}}},
            "ContentsCode":{"category":{"index":["Personer1"],"label":{"Personer1":"Personer"}}},
            "Tid":{"category":{"index":["2020","2021K3","2022M07","2025-2026"]}}},
          "value":[1,2,null,4,5,6,7,8,null,10,11.5,-12],
          "status":{"2":"..","8":"a status longer than twelve bytes","11":"."}}"#;
        let df = assert_frame_matches(doc.as_bytes());
        let names: Vec<&str> = df.get_column_names().into_iter().map(|n| n.as_str()).collect();
        assert_eq!(
            names,
            ["region_code", "region", "contents_code", "contents", "tid_code", "tid", "year", "date", "value", "status"]
        );
        assert_eq!(df.column("region").unwrap().str().unwrap().get(5), Some("Bergen – Vestland fylke"));
        assert_eq!(df.column("contents").unwrap().str().unwrap().get(11), Some("Personer"));
        assert_eq!(df.column("year").unwrap().i32().unwrap().get(3), None);
        assert_eq!(df.column("status").unwrap().str().unwrap().get(8), Some("a status longer than twelve bytes"));
        assert_eq!(df.column("value").unwrap().null_count(), 2);
    }

    #[test]
    fn frame_of_a_cube_with_one_period_and_no_status() {
        // A single period (year and date become scalar columns), labels equal to the
        // codes, every value present and no status at all.
        let doc = br#"{"version":"2.0","class":"dataset","id":["Alder","Tid"],"size":[3,1],
          "role":{"time":["Tid"]},
          "dimension":{"Alder":{"category":{"index":["000","001","002"]}},"Tid":{"category":{"index":["2024M02"]}}},
          "value":[3,2,1]}"#;
        let df = assert_frame_matches(doc);
        assert_eq!(df.column("date").unwrap().dtype(), &DataType::Date);
        assert_eq!(df.column("status").unwrap().null_count(), 3);
    }

    #[test]
    fn frame_of_a_cube_with_time_first() {
        // Time as the outer dimension, every code a period (week, quarter, half year).
        let doc = br#"{"version":"2.0","class":"dataset","id":["Tid","Kjonn"],"size":[3,2],
          "role":{"time":["Tid"]},
          "dimension":{"Tid":{"category":{"index":["2026U01","2010K3","2011H2"]}},
            "Kjonn":{"category":{"index":["1","2"],"label":{"1":"Menn","2":"Kvinner"}}}},
          "value":[1,null,3,4,5,6],"status":{"1":".."}}"#;
        let df = assert_frame_matches(doc);
        assert_eq!(df.column("year").unwrap().i32().unwrap().get(5), Some(2011));
    }

    #[test]
    fn frame_of_an_empty_cube() {
        let doc = br#"{"version":"2.0","class":"dataset","id":["A","B","Tid"],"size":[2,0,1],"role":{"time":["Tid"]},
          "dimension":{"A":{"category":{"index":["a0","a1"]}},"B":{"category":{"index":[]}},
            "Tid":{"category":{"index":["2020"]}}},"value":[]}"#;
        let df = assert_frame_matches(doc);
        assert_eq!(df.height(), 0);
    }

    #[test]
    fn dataset_keys_in_any_order() {
        // `size` after `value` (no up-front allocation), an unknown key, a null label,
        // a sparse `value` and a status for every cell.
        let doc = br#"{"value":{"1":7},"extension":{"px":{"tableid":"x"}},"label":null,"class":"dataset",
          "dimension":{"A":{"category":{"index":["a0","a1"]}}},"id":["A"],"size":[2],"version":"2.0","status":"p"}"#;
        let ds = Dataset::from_slice(doc).unwrap();
        assert_eq!(ds.values, vec![None, Some(7.0)]);
        assert_eq!(ds.label, None);
        assert_eq!(ds.status.to_dense(2), [Some("p"); 2]);
        assert_frame_matches(doc);
        // A repeated key is refused, as the derived deserializer did.
        let doc = br#"{"version":"2.0","id":["A"],"size":[1],"size":[1],
          "dimension":{"A":{"category":{"index":["a0"]}}},"value":[1]}"#;
        let err = serde_json::from_slice::<RawDataset>(doc).err().expect("a duplicate key is an error").to_string();
        assert!(err.contains("duplicate field `size`"), "{err}");
    }

    #[test]
    fn status_forms() {
        let doc = |status: &str| {
            format!(
                r#"{{"version":"2.0","class":"dataset","id":["A"],"size":[4],
                  "dimension":{{"A":{{"category":{{"index":["a0","a1","a2","a3"]}}}}}},
                  "value":[1,null,3,null],"status":{status}}}"#
            )
        };
        // An array: nulls are no status, an empty string is one.
        let ds = Dataset::from_slice(doc(r#"[null,"..",null,""]"#).as_bytes()).unwrap();
        assert_eq!(ds.status.iter().collect::<Vec<_>>(), [(1, ".."), (3, "")]);
        assert_eq!(ds.values.null_count(), 2);
        let df = assert_frame_matches(doc(r#"[null,"..",null,""]"#).as_bytes());
        assert_eq!(df.column("status").unwrap().str().unwrap().get(3), Some(""));
        // An object in any order, a repeated key winning last: the same entries.
        let ds2 = Dataset::from_slice(doc(r#"{"3":"","1":":","1":".."}"#).as_bytes()).unwrap();
        assert_eq!(ds2.status, ds.status);
        assert_eq!(ds2, ds);
        // Out of range or the wrong length is an error.
        let err = Dataset::from_slice(doc(r#"{"4":".."}"#).as_bytes()).unwrap_err().to_string();
        assert!(err.contains("status position 4 ≥ 4 cells"), "{err}");
        let err = Dataset::from_slice(doc(r#"[null,".."]"#).as_bytes()).unwrap_err().to_string();
        assert!(err.contains("2 status entries for 4 cells"), "{err}");
        // Building one by hand.
        let mut st = Status::new();
        assert_eq!(st.insert(3, ""), None);
        assert_eq!(st.insert(1, ":"), None);
        assert_eq!(st.insert(1, ".."), Some(":".to_string()));
        assert_eq!(st, ds.status);
        assert_eq!(Status::from_dense(st.to_dense(4)), st);
        assert_eq!(Status::all("p", 2).to_dense(2), [Some("p"); 2]);
    }

    #[test]
    fn values_forms() {
        let v = Values::from(vec![Some(1.5), None, Some(-2.0)]);
        assert_eq!(v.len(), 3);
        assert_eq!((v.get(0), v.get(1), v.get(2), v.get(3)), (Some(1.5), None, Some(-2.0), None));
        assert_eq!(v.iter().rev().collect::<Vec<_>>(), [Some(-2.0), None, Some(1.5)]);
        assert_eq!(format!("{v:?}"), "[Some(1.5), None, Some(-2.0)]");
        assert_eq!(Values::from(vec![1.0, 2.0]), [Some(1.0), Some(2.0)]);
        assert_eq!(Values::from(vec![1.0, 2.0]).null_count(), 0);
        assert_ne!(v, Values::from(vec![Some(1.5), Some(0.0), Some(-2.0)]));
        assert!(Values::default().is_empty());
        // A sparse `value` with a repeated position (the last wins) and a null.
        let doc = r#"{"version":"2.0","id":["A"],"size":[4],"dimension":{"A":{"category":{"index":["a","b","c","d"]}}},
          "value":{"0":1,"2":5,"2":6,"3":null}}"#;
        let ds = Dataset::from_slice(doc.as_bytes()).unwrap();
        assert_eq!(ds.values, [Some(1.0), None, Some(6.0), None]);
        let err = Dataset::from_slice(doc.replace(r#""3":null"#, r#""4":null"#).as_bytes()).unwrap_err().to_string();
        assert!(err.contains("value position 4 ≥ 4 cells"), "{err}");
    }

    #[test]
    fn json_stat_1_bundle() {
        // JSON-stat 1.0 keeps id/size/role inside `dimension` and wraps the dataset in a
        // bundle; it is read through a `serde_json::Value`.
        let doc = br#"{"dataset":{"label":"t","dimension":{"id":["A","Tid"],"size":[2,2],"role":{"time":["Tid"]},
          "A":{"category":{"index":{"a0":0,"a1":1}}},"Tid":{"category":{"index":["2020","2021"]}}},
          "value":[1,null,3,4],"status":{"1":".."}}}"#;
        let ds = Dataset::from_slice(doc).unwrap();
        assert_eq!(ds.values, vec![Some(1.0), None, Some(3.0), Some(4.0)]);
        assert_eq!(ds.dimension("Tid").unwrap().role, Some(Role::Time));
        assert_eq!(ds.status.get(1), Some(".."));
        assert_eq!(ds.status.len(), 1);
        assert_frame_matches(doc);
    }

    #[test]
    fn truncated_values_are_an_error() {
        let doc = br#"{"version":"2.0","class":"dataset","id":["A"],"size":[3],
          "dimension":{"A":{"category":{"index":["a0","a1","a2"]}}},"value":[0,1]}"#;
        let err = Dataset::from_slice(doc).unwrap_err().to_string();
        assert!(err.contains("2 values for 3 cells"), "{err}");
    }
}
