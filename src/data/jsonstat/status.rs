//! [`Status`]: the cells' status symbols, stored sparsely.



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
    pub(super) entries: Vec<(usize, String)>,
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
    pub(super) fn from_pairs(mut entries: Vec<(usize, String)>) -> Status {
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
    pub(super) fn last_cell(&self) -> Option<usize> {
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

