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

mod frame;
mod parse;
mod period;
mod status;
mod values;
mod write;

pub use frame::{huge_page_advice, HUGE_PAGES_ENV};
pub use parse::{MAX_CELLS, MAX_UNLISTED_CELLS};
pub use period::parse_period;
#[cfg(test)]
use period::days_from_civil;
pub(crate) use frame::{column_base, strides};
pub use status::{Status, StatusIter};
pub use values::{Values, ValuesIter};

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

#[cfg(test)]
mod tests {
    use polars::prelude::*;
    use polars_arrow::array::Utf8ViewArray;
    use polars_arrow::datatypes::ArrowDataType;

    use super::frame::for_each_index;
    use super::parse::RawDataset;
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

    /// A cube with `dims` dimensions of `n` categories each, values as an empty object.
    fn sparse_cube(dims: usize, n: usize) -> String {
        let ids: Vec<String> = (0..dims).map(|d| format!("\"D{d}\"")).collect();
        let codes: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
        let dim = format!(r#"{{"category":{{"index":[{}]}}}}"#, codes.join(","));
        let dimensions: Vec<String> = (0..dims).map(|d| format!("\"D{d}\":{dim}")).collect();
        format!(r#"{{"id":[{}],"dimension":{{{}}},"value":{{"0":1}}}}"#, ids.join(","), dimensions.join(","))
    }

    #[test]
    fn huge_cubes_are_refused_before_allocating() {
        // 10¹² cells named by 4 000 categories (a 40 kB document): more than MAX_CELLS.
        let err = Dataset::from_slice(sparse_cube(4, 1000).as_bytes()).unwrap_err().to_string();
        assert!(err.contains("[1000, 1000, 1000, 1000] make more than 2147483648 cells"), "{err}");
        // 10⁹ cells from 3 000 categories: within MAX_CELLS, but not filled in from a few bytes.
        let err = Dataset::from_slice(sparse_cube(3, 1000).as_bytes()).unwrap_err().to_string();
        assert!(err.contains("1000000000 cells") && err.contains("does not list them"), "{err}");
        // 10²⁰ cells overflow usize: refused with the category counts.
        let err = Dataset::from_slice(sparse_cube(5, 10_000).as_bytes()).unwrap_err().to_string();
        assert!(err.contains("make more than 2147483648 cells"), "{err}");
        // A size claiming 10¹² cells ahead of a short `value` array reserves nothing large
        // and fails on the count.
        let doc = br#"{"id":["A","B"],"size":[1000000,1000000],"dimension":{"A":{"category":{"index":["a"]}},
          "B":{"category":{"index":["b"]}}},"value":[1]}"#;
        let err = Dataset::from_slice(doc).unwrap_err().to_string();
        assert!(err.contains("does not match the category counts [1, 1]"), "{err}");
        // Small sparse cubes are still filled in.
        let ds = Dataset::from_slice(sparse_cube(2, 30).as_bytes()).unwrap();
        assert_eq!((ds.len(), ds.values.null_count()), (900, 899));
    }
}
