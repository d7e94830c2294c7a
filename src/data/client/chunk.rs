//! Splitting a large query into several requests, and stitching the answers.
//!
//! SSB answers at most 800 000 cells per request. The client counts a query's cells
//! from the table metadata (the resolved codes of each selected dimension; an
//! unselected dimension counts 1 when it can be eliminated, else all its codes), and
//! when there are too many it splits the largest selected non-time dimension into
//! pieces (then the next one, if a single code is still too much). The answers are
//! stitched back into one dataset in row-major order, equal to what one request would
//! have returned.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::data::jsonstat::{strides, Dataset, Dimension};
use crate::data::query::{Filter, Query};

/// What the client knows about one dimension of the table, for one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DimPlan {
    pub id: String,
    /// Whether the query selects this dimension.
    pub selected: bool,
    /// How many codes of it the answer will have.
    pub count: usize,
    /// The codes, where known explicitly (so the dimension can be split).
    pub codes: Option<Vec<String>>,
    /// A time dimension (split last).
    pub time: bool,
}

/// Cells the answer will have.
pub(crate) fn cells(dims: &[DimPlan]) -> usize {
    dims.iter().fold(1usize, |acc, d| acc.saturating_mul(d.count))
}

/// The queries to send, in order: `q` itself when it is small enough.
pub(crate) fn plan(q: &Query, dims: &[DimPlan], max_cells: usize) -> Vec<Query> {
    let mut out = Vec::new();
    split(q.clone(), dims.to_vec(), max_cells.max(1), &mut out);
    out
}

fn split(q: Query, dims: Vec<DimPlan>, max: usize, out: &mut Vec<Query>) {
    let total = cells(&dims);
    if total <= max {
        out.push(q);
        return;
    }
    let splittable = |d: &&DimPlan| d.selected && d.count > 1 && d.codes.is_some();
    let pick = dims
        .iter()
        .enumerate()
        .filter(|(_, d)| splittable(d) && !d.time)
        .max_by_key(|(i, d)| (d.count, std::cmp::Reverse(*i)))
        .or_else(|| dims.iter().enumerate().filter(|(_, d)| splittable(d)).max_by_key(|(i, d)| (d.count, std::cmp::Reverse(*i))))
        .map(|(i, _)| i);
    let Some(k) = pick else {
        // Nothing left to split: send it and let the server judge.
        out.push(q);
        return;
    };
    let codes = dims[k].codes.clone().expect("splittable");
    let others = (total / dims[k].count).max(1);
    let per = (max / others).max(1);
    let pieces = codes.len().div_ceil(per);
    let size = codes.len().div_ceil(pieces);
    for piece in codes.chunks(size) {
        let mut q2 = q.clone();
        if let Some(s) = q2.selections.iter_mut().find(|s| s.dimension == dims[k].id) {
            s.filter = Filter::Items(piece.to_vec());
        }
        let mut d2 = dims.clone();
        d2[k].count = piece.len();
        d2[k].codes = Some(piece.to_vec());
        split(q2, d2, max, out);
    }
}

/// One dataset from the answers to the pieces of a split query.
///
/// Every dimension's codes are the union of the pieces' codes in order of first
/// appearance; every cell must be answered exactly once.
pub(crate) fn stitch(parts: Vec<Dataset>) -> Result<Dataset> {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Err(Error::jsonstat("stitching", "no parts"));
    };
    let rest: Vec<Dataset> = parts.collect();
    if rest.is_empty() {
        return Ok(first);
    }
    let all: Vec<&Dataset> = std::iter::once(&first).chain(rest.iter()).collect();
    let ids: Vec<&str> = first.dimensions.iter().map(|d| d.id.as_str()).collect();
    for p in &all {
        let pid: Vec<&str> = p.dimensions.iter().map(|d| d.id.as_str()).collect();
        if pid != ids {
            return Err(Error::jsonstat(
                "stitching",
                format!("the parts have different dimensions: {ids:?} and {pid:?}"),
            ));
        }
    }
    // The full dimensions.
    let mut dims: Vec<Dimension> = Vec::with_capacity(ids.len());
    let mut index: Vec<HashMap<String, usize>> = Vec::with_capacity(ids.len());
    for k in 0..ids.len() {
        let d0 = &first.dimensions[k];
        let mut d = Dimension { id: d0.id.clone(), label: d0.label.clone(), codes: vec![], labels: vec![], role: d0.role };
        let mut pos = HashMap::new();
        for p in &all {
            let pd = &p.dimensions[k];
            for (c, l) in pd.codes.iter().zip(&pd.labels) {
                if !pos.contains_key(c) {
                    pos.insert(c.clone(), d.codes.len());
                    d.codes.push(c.clone());
                    d.labels.push(l.clone());
                }
            }
        }
        dims.push(d);
        index.push(pos);
    }
    let sizes: Vec<usize> = dims.iter().map(Dimension::len).collect();
    let n: usize = sizes.iter().product();
    let strides = strides(&sizes);
    let mut values = vec![None; n];
    // `(target cell, symbol)` in part order; sorted into a `Status` at the end.
    let mut status: Vec<(usize, &str)> = Vec::new();
    let mut filled = vec![false; n];
    for p in &all {
        // Per dimension: the full position of each of the part's codes, times the stride.
        let offsets: Vec<Vec<usize>> = p
            .dimensions
            .iter()
            .enumerate()
            .map(|(k, d)| d.codes.iter().map(|c| index[k][c] * strides[k]).collect())
            .collect();
        let psizes: Vec<usize> = p.dimensions.iter().map(Dimension::len).collect();
        if psizes.contains(&0) {
            continue;
        }
        let mut idx = vec![0usize; psizes.len()];
        // The part's statuses come in increasing cell order, as the cells do.
        let mut pstatus = p.status.iter().peekable();
        for cell in 0..p.len() {
            let target: usize = idx.iter().enumerate().map(|(k, &i)| offsets[k][i]).sum();
            if std::mem::replace(&mut filled[target], true) {
                return Err(Error::jsonstat("stitching", format!("cell {target} is answered by two parts")));
            }
            values[target] = p.values.get(cell);
            if let Some((_, symbol)) = pstatus.next_if(|&(c, _)| c == cell) {
                status.push((target, symbol));
            }
            // Next multi-index, row-major.
            for k in (0..idx.len()).rev() {
                idx[k] += 1;
                if idx[k] < psizes[k] {
                    break;
                }
                idx[k] = 0;
            }
        }
    }
    if let Some(hole) = filled.iter().position(|f| !f) {
        return Err(Error::jsonstat("stitching", format!("cell {hole} of {n} is in no part")));
    }
    Ok(Dataset {
        label: first.label.clone(),
        source: first.source.clone(),
        updated: first.updated.clone(),
        notes: first.notes.clone(),
        dimensions: dims,
        values: values.into(),
        status: status.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::jsonstat::Status;

    fn dp(id: &str, codes: &[&str], time: bool) -> DimPlan {
        DimPlan {
            id: id.into(),
            selected: true,
            count: codes.len(),
            codes: Some(codes.iter().map(|s| s.to_string()).collect()),
            time,
        }
    }

    fn cube(a: &[&str], b: &[&str], f: impl Fn(&str, &str) -> f64) -> Dataset {
        let dim = |id: &str, c: &[&str]| Dimension {
            id: id.into(),
            label: id.into(),
            codes: c.iter().map(|s| s.to_string()).collect(),
            labels: c.iter().map(|s| format!("L{s}")).collect(),
            role: None,
        };
        let mut values = vec![];
        // A status on some cells, so that stitching has symbols to move too.
        let mut status = Status::new();
        for x in a {
            for y in b {
                if x.len() == 2 || *y == "1" {
                    status.insert(values.len(), format!("s{x}{y}"));
                }
                values.push(Some(f(x, y)));
            }
        }
        Dataset {
            label: Some("t".into()),
            source: None,
            updated: None,
            notes: vec![],
            dimensions: vec![dim("A", a), dim("T", b)],
            values: values.into(),
            status,
        }
    }

    #[test]
    fn splits_the_largest_non_time_dimension() {
        let q = Query::new("t").select("A", Filter::All).select("T", Filter::All);
        let a: Vec<String> = (0..10).map(|i| format!("a{i}")).collect();
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let t = ["2020", "2021", "2022", "2023", "2024", "2025", "2026", "2027", "2028", "2029", "2030", "2031"];
        let dims = vec![dp("A", &a, false), dp("T", &t, true)];
        assert_eq!(plan(&q, &dims, 1000).len(), 1);
        let parts = plan(&q, &dims, 40);
        // 120 cells, at most 40 each: A split in 3 pieces of ≤3 codes... 12 cells per code → 3 codes per piece.
        assert!(parts.len() >= 3, "{parts:?}");
        for p in &parts {
            let n = match &p.selection("A").unwrap().filter {
                Filter::Items(v) => v.len(),
                f => panic!("{f:?}"),
            };
            assert!(n * 12 <= 40);
            assert_eq!(p.selection("T").unwrap().filter, Filter::All);
        }
        // A single code still too large: the time dimension is split too.
        let parts = plan(&q, &dims, 5);
        assert!(parts.iter().all(|p| matches!(&p.selection("T").unwrap().filter, Filter::Items(v) if v.len() <= 5)));
    }

    #[test]
    fn stitch_equals_whole() {
        let f = |x: &str, y: &str| (x.len() * 100) as f64 + y.parse::<f64>().unwrap();
        let whole = cube(&["a", "bb", "ccc"], &["1", "2"], f);
        assert_eq!(whole.status.iter().map(|(c, _)| c).collect::<Vec<_>>(), [0, 2, 3, 4]);
        let parts = vec![cube(&["a", "bb"], &["1", "2"], f), cube(&["ccc"], &["1", "2"], f)];
        assert_eq!(stitch(parts).unwrap(), whole);
        // Split along the last dimension too.
        let parts = vec![cube(&["a", "bb", "ccc"], &["1"], f), cube(&["a", "bb", "ccc"], &["2"], f)];
        assert_eq!(stitch(parts).unwrap(), whole);
        // Overlap is an error, not silently wrong numbers.
        let parts = vec![cube(&["a", "bb"], &["1", "2"], f), cube(&["bb", "ccc"], &["1", "2"], f)];
        assert!(stitch(parts).is_err());
    }
}
