//! [`Dataset::to_jsonstat2`]: a dataset back to the JSON-stat2 document PxWebApi writes.

use super::{Dataset, Role};

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

