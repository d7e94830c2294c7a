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
//! use statbank::jsonstat::Dataset;
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
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::error::{Error, Result};

/// What a dimension stands for, from the dataset's `role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Time,
    Geo,
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
    /// Cell values, row-major over `dimensions`.
    pub values: Vec<Option<f64>>,
    /// Status symbols per cell (`..`, `.`, `:`, `-`), `None` where there is none.
    pub status: Vec<Option<String>>,
}

// ---------------------------------------------------------------- raw serde model

#[derive(Deserialize)]
struct RawDataset {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    updated: Option<String>,
    #[serde(default)]
    note: Option<Notes>,
    #[serde(default)]
    role: Option<HashMap<String, Vec<String>>>,
    #[serde(default)]
    id: Option<Vec<String>>,
    #[serde(default)]
    size: Option<Vec<usize>>,
    dimension: HashMap<String, RawDimension>,
    value: Values,
    #[serde(default)]
    status: Option<Status>,
}

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
struct Values(ValuesRepr);
enum ValuesRepr {
    Dense(Vec<Option<f64>>),
    Sparse(Vec<(usize, Option<f64>)>),
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Values;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of numbers/nulls or an object mapping positions to numbers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Values, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(1024));
                while let Some(x) = seq.next_element::<Option<f64>>()? {
                    v.push(x);
                }
                Ok(Values(ValuesRepr::Dense(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Values, A::Error> {
                let mut v = Vec::new();
                while let Some((k, x)) = map.next_entry::<String, Option<f64>>()? {
                    let pos = k.parse::<usize>().map_err(|_| {
                        de::Error::custom(format!("value key {k:?} is not a cell position"))
                    })?;
                    v.push((pos, x));
                }
                Ok(Values(ValuesRepr::Sparse(v)))
            }
        }
        d.deserialize_any(V)
    }
}

/// `status`: one string for all cells, an array, or a sparse object.
enum Status {
    All(String),
    Dense(Vec<Option<String>>),
    Sparse(Vec<(usize, String)>),
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Status;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a status string, array or object")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Status, E> {
                Ok(Status::All(s.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Status, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = seq.next_element::<Option<String>>()? {
                    v.push(x);
                }
                Ok(Status::Dense(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Status, A::Error> {
                let mut v = Vec::new();
                while let Some((k, x)) = map.next_entry::<String, String>()? {
                    let pos = k.parse::<usize>().map_err(|_| {
                        de::Error::custom(format!("status key {k:?} is not a cell position"))
                    })?;
                    v.push((pos, x));
                }
                Ok(Status::Sparse(v))
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
        let values = match raw.value.0 {
            ValuesRepr::Dense(v) => {
                if v.len() != n {
                    return Err(Error::jsonstat(
                        context,
                        format!("{} values for {n} cells (size {:?}); the document is truncated or inconsistent",
                            v.len(), dimensions.iter().map(|d| d.len()).collect::<Vec<_>>()),
                    ));
                }
                v
            }
            ValuesRepr::Sparse(pairs) => {
                let mut v = vec![None; n];
                for (pos, x) in pairs {
                    *v.get_mut(pos).ok_or_else(|| Error::jsonstat(context, format!("value position {pos} ≥ {n} cells")))? = x;
                }
                v
            }
        };
        let status = match raw.status {
            None => vec![None; n],
            Some(Status::All(s)) => vec![Some(s); n],
            Some(Status::Dense(v)) if v.len() == n => v,
            Some(Status::Dense(v)) => {
                return Err(Error::jsonstat(context, format!("{} status entries for {n} cells", v.len())))
            }
            Some(Status::Sparse(pairs)) => {
                let mut v = vec![None; n];
                for (pos, s) in pairs {
                    *v.get_mut(pos).ok_or_else(|| Error::jsonstat(context, format!("status position {pos} ≥ {n} cells")))? = Some(s);
                }
                v
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
        self.values[pos]
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
        let mut values = Vec::with_capacity(n);
        let mut status = Vec::with_capacity(n);
        for_each_index(&picks.iter().map(|p| p.len()).collect::<Vec<_>>(), |idx| {
            let src: usize = idx.iter().enumerate().map(|(k, &i)| picks[k][i] * strides[k]).sum();
            values.push(self.values[src]);
            status.push(self.status[src].clone());
        });
        Dataset {
            label: self.label.clone(),
            source: self.source.clone(),
            updated: self.updated.clone(),
            notes: self.notes.clone(),
            dimensions: dims,
            values,
            status,
        }
    }

    /// Flatten the cube into a tidy frame, one row per cell (see the module docs for the columns).
    pub fn to_frame(&self) -> Result<DataFrame> {
        let n = self.len();
        let sizes: Vec<usize> = self.dimensions.iter().map(|d| d.len()).collect();
        let strides = strides(&sizes);
        let mut columns: Vec<Column> = Vec::with_capacity(self.dimensions.len() * 2 + 4);
        let mut taken = std::collections::HashSet::new();
        for (k, d) in self.dimensions.iter().enumerate() {
            // Position of every cell along this dimension: (cell / stride) % len.
            let idx = position_index(n, strides[k], sizes[k]);
            let (code_name, label_name) = d.column_names();
            let (code_name, label_name) = if ["value", "status", "year", "date"].contains(&label_name.as_str()) {
                (format!("{label_name}_dim_code"), format!("{label_name}_dim"))
            } else {
                (code_name, label_name)
            };
            if !taken.insert(label_name.clone()) {
                return Err(Error::jsonstat("frame", format!("two dimensions map to the column name {label_name:?}")));
            }
            let codes = StringChunked::from_iter_values(PlSmallStr::EMPTY, d.codes.iter().map(String::as_str));
            let labels = StringChunked::from_iter_values(PlSmallStr::EMPTY, d.labels.iter().map(String::as_str));
            // SAFETY: every index is below the dimension's length (see `position_index`).
            let code_col = unsafe { codes.take_unchecked(&idx) }.into_series();
            let label_col = if d.labels == d.codes {
                code_col.clone()
            } else {
                // SAFETY: as above; labels are aligned with codes.
                unsafe { labels.take_unchecked(&idx) }.into_series()
            };
            columns.push(code_col.with_name(code_name.into()).into_column());
            columns.push(label_col.with_name(label_name.into()).into_column());
            if d.role == Some(Role::Time) {
                let parsed: Vec<Option<(i32, i32)>> = d.codes.iter().map(|c| parse_period(c)).collect();
                let years: Int32Chunked =
                    parsed.iter().map(|p| p.map(|(y, _)| y)).collect_ca(PlSmallStr::EMPTY);
                let days: Int32Chunked =
                    parsed.iter().map(|p| p.map(|(_, days)| days)).collect_ca(PlSmallStr::EMPTY);
                // SAFETY: as above.
                columns.push(unsafe { years.take_unchecked(&idx) }.into_series().with_name("year".into()).into_column());
                let date = unsafe { days.take_unchecked(&idx) }.into_series().cast(&DataType::Date)?;
                columns.push(date.with_name("date".into()).into_column());
            }
        }
        let values = if self.values.iter().all(Option::is_some) {
            Float64Chunked::from_vec("value".into(), self.values.iter().map(|v| v.unwrap_or_default()).collect())
        } else {
            self.values.iter().copied().collect_ca("value".into())
        };
        columns.push(values.into_series().into_column());
        let status: StringChunked = if self.status.iter().all(Option::is_none) {
            StringChunked::full_null("status".into(), n)
        } else {
            self.status.iter().map(|s| s.as_deref()).collect_ca("status".into())
        };
        columns.push(status.into_series().into_column());
        Ok(DataFrame::new(n, columns)?)
    }
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

/// For a dimension of `len` categories and `stride`, the category position of each of
/// `n` cells: `0` repeated `stride` times, then `1` …, the whole block repeated.
fn position_index(n: usize, stride: usize, len: usize) -> IdxCa {
    let mut v: Vec<IdxSize> = Vec::with_capacity(n);
    if len > 0 && stride > 0 {
        for i in 0..len {
            v.resize(v.len() + stride, i as IdxSize);
        }
        // Repeat the first block (len × stride cells) up to n, doubling.
        while v.len() < n {
            let take = (n - v.len()).min(v.len());
            v.extend_from_within(..take);
        }
    }
    v.truncate(n);
    IdxCa::from_vec(PlSmallStr::EMPTY, v)
}

fn strides(sizes: &[usize]) -> Vec<usize> {
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
/// use statbank::jsonstat::parse_period;
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
          "value":[0,1,2,3,4,5]}"#;
        let ds = Dataset::from_slice(doc).unwrap();
        let sub = ds.select_positions(&[vec![1], vec![2, 0]]);
        assert_eq!(sub.values, vec![Some(5.0), Some(3.0)]);
        assert_eq!(sub.dimensions[1].codes, vec!["b2", "b0"]);
    }

    #[test]
    fn truncated_values_are_an_error() {
        let doc = br#"{"version":"2.0","class":"dataset","id":["A"],"size":[3],
          "dimension":{"A":{"category":{"index":["a0","a1","a2"]}}},"value":[0,1]}"#;
        let err = Dataset::from_slice(doc).unwrap_err().to_string();
        assert!(err.contains("2 values for 3 cells"), "{err}");
    }
}
