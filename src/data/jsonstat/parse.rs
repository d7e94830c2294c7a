//! Reading a JSON-stat document (2.0, and 1.0 as SSB's v0 API writes it) into a
//! [`Dataset`], in one pass with serde.

use std::collections::HashMap;
use std::fmt;

use polars_arrow::bitmap::MutableBitmap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::frame::{advise_huge_pages, for_each_index, strides};
use super::{Dataset, Dimension, Role, Status, Values};
use crate::error::{Error, Result};

// ---------------------------------------------------------------- raw serde model

pub(super) struct RawDataset {
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
///
/// The up-front allocation is bounded by the document: [`RawDatasetSeed`] carries the
/// largest count worth reserving (each value takes at least two bytes of JSON, so a
/// 100-byte document claiming `size` 10¹² reserves room for 50 values, not 10¹²).
impl<'de> Deserialize<'de> for RawDataset {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        RawDatasetSeed { presize_limit: 0 }.deserialize(d)
    }
}

/// Reads a [`RawDataset`], reserving at most `presize_limit` values up front.
pub(super) struct RawDatasetSeed {
    pub(super) presize_limit: usize,
}

impl<'de> DeserializeSeed<'de> for RawDatasetSeed {
    type Value = RawDataset;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<RawDataset, D::Error> {
        struct V {
            presize_limit: usize,
        }
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
                                .map_or(0, |c| c.min(self.presize_limit));
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
        d.deserialize_map(V { presize_limit: self.presize_limit })
    }
}

/// The largest `value` vector allocated up front from `size` (2²⁷ cells, 1 GiB); a
/// larger cube grows its vector as it is read.
const MAX_PRESIZE_CELLS: usize = 1 << 27;

/// The most cells a dataset may have (2³¹, some 16 GiB of values alone; StatBank answers
/// at most a few million per request): a larger cube is refused before anything is allocated.
pub const MAX_CELLS: usize = 1 << 31;

/// Cells a document may leave to be filled in (a sparse `value` object, one `status`
/// for all) without listing them, whatever its size: 2²⁰. Beyond that, 16 per byte of
/// the document, so a few bytes cannot make `to_frame` allocate gigabytes.
pub const MAX_UNLISTED_CELLS: usize = 1 << 20;

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
        let seed = RawDatasetSeed { presize_limit: (bytes.len() / 2).min(MAX_PRESIZE_CELLS) };
        let mut de = serde_json::Deserializer::from_slice(bytes);
        match seed.deserialize(&mut de).and_then(|raw| de.end().map(|()| raw)) {
            Ok(raw) if raw.id.is_some() => Self::from_raw(raw, context, bytes.len()),
            Ok(_) | Err(_) => {
                // Either 1.0 (`id`/`size` under `dimension`, maybe wrapped in a bundle)
                // or not JSON-stat at all: look at it as a generic value.
                let v: serde_json::Value =
                    serde_json::from_slice(bytes).map_err(|e| Error::jsonstat(context, e))?;
                Self::from_value_v1(v, context, bytes.len())
            }
        }
    }

    fn from_value_v1(v: serde_json::Value, context: &str, input_len: usize) -> Result<Dataset> {
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
        Self::from_raw(raw, context, input_len)
    }

    /// `input_len` is the document's size in bytes: cells the document does not list one
    /// by one (a `value` object, a single `status`) are allowed up to
    /// [`MAX_UNLISTED_CELLS`] or 16 per byte, whichever is more.
    fn from_raw(raw: RawDataset, context: &str, input_len: usize) -> Result<Dataset> {
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
        let sizes = || dimensions.iter().map(|d| d.len()).collect::<Vec<_>>();
        let n = dimensions
            .iter()
            .try_fold(1usize, |a, d| a.checked_mul(d.len()))
            .filter(|&n| n <= MAX_CELLS)
            .ok_or_else(|| {
                Error::jsonstat(
                    context,
                    format!("the category counts {:?} make more than {MAX_CELLS} cells; select fewer categories", sizes()),
                )
            })?;
        let listed = matches!(raw.value, RawValues::Dense { .. });
        let unlisted_limit = MAX_UNLISTED_CELLS.max(input_len.saturating_mul(16));
        if (!listed || matches!(raw.status, Some(RawStatus::All(_)))) && n > unlisted_limit {
            return Err(Error::jsonstat(
                context,
                format!(
                    "{n} cells (category counts {:?}) in a {input_len}-byte document that does not list them \
                     one by one: more than the {unlisted_limit} statbank fills in; the document is not a real table",
                    sizes()
                ),
            ));
        }
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

}

