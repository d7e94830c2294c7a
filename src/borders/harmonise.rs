//! Carry municipal series to one year's borders.
//!
//! Norway merged 428 municipalities into 356 in 2020, split some again in 2024 and
//! renumbered almost all of them twice (`0602 Drammen (-2019)` → `3005 Drammen
//! (2020-2023)` → `3301 Drammen`). A [`Harmoniser`] rewrites a frame so that every year
//! is on the codes and names valid on 1 January of a target year (default 2024):
//!
//! * **renumbering and merges** carry values exactly (sums);
//! * **a split that re-creates a unit merged away earlier** is exact: when 1507 Ålesund
//!   (2020–2023) was split in 2024, Haram 1580 re-created Haram 1534 (-2019). For years
//!   before the 2020 merge, 1580 gets exactly 1534's values and Ålesund 1508 the rest of
//!   the old units (1504, 1523, 1529, 1546). A successor re-creates a predecessor when
//!   their names agree and the other successor keeps the split unit's name;
//! * **any other split** (Stokke 0720 in 2017, Tysfjord 1850 and Snillfjord 5012 in
//!   2020, and 1507 Ålesund for 2020–2023) divides the value by shares measured from the
//!   population jump at the split: for each successor, its population on the split date
//!   minus that of its other predecessors a year earlier (at least 0), normalised to sum
//!   to 1. Shares come from table 07459 through the same [`Source`], and the same shares
//!   divide any other table's counts;
//! * going **back** to earlier borders (data years after the target) reverses the
//!   changes: a renumbering or a split part is exact, a merged unit is divided in
//!   proportion to its predecessors' population the year before the merge.
//!
//! Totals are conserved for every year (the parts of a divided value add up to it), and
//! a municipality untouched by any change comes out equal to its input. Every output
//! row says how it was obtained (`exact`, `method`), and [`Harmonised::changes`] lists
//! the changes and shares applied, for a notebook to show its assumptions.
//!
//! # Rows and columns
//!
//! The region column holds codes (`region_code` from
//! [`Dataset::to_frame`](crate::data::jsonstat::Dataset::to_frame)); its label column
//! (`region`) is replaced by the name valid in the target year. Rows that are not
//! municipalities (the country `0`, counties, `xx99`/`9999`, Svalbard …) are dropped
//! unless [`Harmoniser::other_regions`] says [`OtherRegions::Keep`]; they are never added
//! into municipalities. A municipality code in a year where it did not exist with value
//! 0 or null (07459 has such cells) is a phantom and is dropped. `status` is dropped;
//! every other column (year, `tid`, `contents_code`, `innvandr_kat_code`, …) is a key:
//! values are summed within equal keys. Null values are skipped in sums; an output made
//! of nulls only is null, one with some null input has `method = "partial"`.
//!
//! A frame that is already on some other year's borders (for instance the output of an
//! earlier harmonisation) is recognised by its codes: its rows are spread back over the
//! units of the data year in proportion to their population and carried from there, so
//! harmonising twice changes nothing and 2010 → 2020 borders → 2024 equals 2010 → 2024
//! for population counts.
//!
//! ```
//! use statbank::prelude::*;
//! use statbank::borders::harmonise::Harmoniser;
//! let source = Source::snapshot()?;
//! let pop = source.fetch(&Query::new("07459").select_str("Tid", "2010")?)?;
//! let h = Harmoniser::new(&source).borders(2024).run(&pop, "value", "year", "region_code")?;
//! let drammen = h.data.clone().lazy().filter(col("region_code").eq(lit("3301"))).collect()?;
//! assert_eq!(drammen.column("value")?.f64()?.get(0), Some(91_719.0));
//! assert_eq!(h.data.height(), 357);
//! println!("{}", h.changes);
//! # Ok::<(), statbank::Error>(())
//! ```

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::rc::Rc;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::data::klass::{same_name, CodeChange, CodeVersion, Klass, VersionIndex, MUNICIPALITIES};
use crate::data::query::Query;
use crate::data::region;
use crate::data::source::Source;
use crate::frame::{find_column, float_values, string_values, string_values_cast, year_values};

/// The kind of a change applied by the harmoniser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// A code replaced by another for the same territory (or the part of a split unit
    /// that a successor takes whole, going back).
    Renumber,
    /// Several units (or one unit's part) became one.
    Merge,
    /// One unit divided among several, by population shares (estimated).
    Split,
    /// A successor of a split that re-creates a unit merged away earlier (exact).
    Recreate,
}

impl ChangeKind {
    /// `renumber`, `merge`, `split` or `recreate`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Renumber => "renumber",
            ChangeKind::Merge => "merge",
            ChangeKind::Split => "split",
            ChangeKind::Recreate => "recreate",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do with rows that are not municipalities (country, counties, unknown,
/// Svalbard …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OtherRegions {
    /// Leave them out of the result (the default).
    #[default]
    Drop,
    /// Pass them through unchanged, with `method = "passthrough"`.
    Keep,
}

/// One change the harmoniser applied: `share` of `from_code`'s value went to `to_code`.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedChange {
    /// The year the change took effect (1 January).
    pub year: i32,
    /// The code values come from.
    pub from_code: String,
    /// Its name.
    pub from_name: String,
    /// The code values go to.
    pub to_code: String,
    /// Its name.
    pub to_name: String,
    /// What kind of change.
    pub kind: ChangeKind,
    /// The share of `from_code`'s value that goes to `to_code`.
    pub share: f64,
    /// Whether the share is exact (1 for renumbering, merges and re-creations) or an
    /// estimate from population.
    pub exact: bool,
    /// Which data the row applies to, in words.
    pub note: String,
}

/// The result of a harmonisation.
#[derive(Debug, Clone)]
pub struct Harmonised {
    /// The data on the target borders: the input's columns (minus `status`) with the
    /// region code and name replaced, plus `exact` (bool) and `method` (`identity`,
    /// `exact`, `estimated`, `partial`, `passthrough`).
    pub data: DataFrame,
    /// The changes and shares applied: `year, from_code, from_name, to_code, to_name,
    /// kind, share, exact, note` (see [`AppliedChange`]).
    pub changes: DataFrame,
    /// The same changes as structs.
    pub applied: Vec<AppliedChange>,
    /// The target year.
    pub borders: i32,
}

// ---------------------------------------------------------------- borders

#[derive(Debug, Clone, Default)]
struct Event {
    /// old code -> new codes
    succ: BTreeMap<String, Vec<String>>,
    /// new code -> old codes (including the code itself when it continues without a
    /// listed change)
    pred: BTreeMap<String, Vec<String>>,
    old_names: HashMap<String, String>,
    new_names: HashMap<String, String>,
}

/// A split that re-creates units merged away earlier.
#[derive(Debug, Clone)]
struct Recreate {
    merge_year: i32,
    merge_preds: Vec<String>,
    map: BTreeMap<String, String>,
    continuation: String,
}

/// The municipal change graph: code versions and the changes between two years.
#[derive(Debug, Clone)]
pub struct Borders {
    versions: VersionIndex,
    changes: Vec<CodeChange>,
    events: BTreeMap<i32, Event>,
    first: i32,
    last: i32,
}

impl Borders {
    /// Load versions and changes of classification 131 for changes taking effect in
    /// `first..=last` (see [`Klass::changes`] for how years without KLASS changes are
    /// completed).
    pub fn load(klass: &Klass, first: i32, last: i32) -> Result<Borders> {
        check_year(first)?;
        check_year(last)?;
        let versions = klass.versions(MUNICIPALITIES)?;
        let changes = if first <= last {
            klass.changes(MUNICIPALITIES, &format!("{first:04}-01-01"), &format!("{last:04}-12-31"))?
        } else {
            Vec::new()
        };
        Ok(Borders::from_parts(&versions, changes, first, last))
    }

    /// Build from versions and changes already read (changes outside `first..=last` are ignored).
    pub fn from_parts(versions: &[CodeVersion], changes: Vec<CodeChange>, first: i32, last: i32) -> Borders {
        let versions = VersionIndex::new(versions);
        let changes: Vec<CodeChange> =
            changes.into_iter().filter(|c| c.year().is_some_and(|y| y >= first && y <= last)).collect();
        let mut events: BTreeMap<i32, Event> = BTreeMap::new();
        for c in &changes {
            let Some(y) = c.year() else { continue };
            let ev = events.entry(y).or_default();
            let s = ev.succ.entry(c.old_code.clone()).or_default();
            if !s.contains(&c.new_code) {
                s.push(c.new_code.clone());
            }
            let p = ev.pred.entry(c.new_code.clone()).or_default();
            if !p.contains(&c.old_code) {
                p.push(c.old_code.clone());
            }
            ev.old_names.insert(c.old_code.clone(), c.old_name.clone());
            ev.new_names.insert(c.new_code.clone(), c.new_name.clone());
        }
        for (&y, ev) in events.iter_mut() {
            let succ_keys: BTreeSet<String> = ev.succ.keys().cloned().collect();
            for (n, preds) in ev.pred.iter_mut() {
                if !succ_keys.contains(n) && versions.valid_in(n, y - 1) && !preds.contains(n) {
                    preds.push(n.clone());
                    let name = versions.name_in(n, y - 1).unwrap_or_default().to_string();
                    ev.old_names.entry(n.clone()).or_insert(name);
                }
                preds.sort();
            }
            for s in ev.succ.values_mut() {
                s.sort();
            }
        }
        Borders { versions, changes, events, first, last }
    }

    /// Whether changes of every year in `first..=last` are loaded.
    pub fn covers(&self, first: i32, last: i32) -> bool {
        first > last || (self.first <= first && last <= self.last)
    }

    /// The code versions.
    pub fn versions(&self) -> &VersionIndex {
        &self.versions
    }

    /// The changes loaded (KLASS's and derived ones).
    pub fn changes(&self) -> &[CodeChange] {
        &self.changes
    }

    /// Municipality codes valid on 1 January of `year`, sorted.
    pub fn municipalities(&self, year: i32) -> Vec<&str> {
        self.versions.codes_in(year).into_iter().filter(|c| region::is_municipality(c)).collect()
    }

    /// The name of `code` on 1 January of `year` (or of its latest version).
    pub fn name(&self, code: &str, year: i32) -> String {
        self.versions
            .name_in(code, year)
            .or_else(|| self.versions.versions(code).last().map(|v| v.name.as_str()))
            .unwrap_or_default()
            .to_string()
    }

    /// Events of the years `a..=b` (none when `a > b`).
    fn events_in(&self, a: i32, b: i32) -> std::collections::btree_map::Range<'_, i32, Event> {
        if a > b {
            self.events.range(0..0)
        } else {
            self.events.range(a..=b)
        }
    }

    fn recreate(&self, year: i32, unit: &str) -> Option<Recreate> {
        let ev = self.events.get(&year)?;
        let succs = ev.succ.get(unit)?;
        if succs.len() < 2 {
            return None;
        }
        let unit_name = ev.old_names.get(unit)?;
        let (merge_year, merge_preds, ev1) = self.events.range(..year).rev().find_map(|(&y1, ev1)| {
            let preds = ev1.pred.get(unit)?;
            let others: Vec<String> = preds.iter().filter(|p| p.as_str() != unit).cloned().collect();
            (preds.len() >= 2 && !others.is_empty()).then_some((y1, others, ev1))
        })?;
        let new_name = |s: &str| ev.new_names.get(s).map(String::as_str).unwrap_or_default();
        let cont: Vec<&String> = succs.iter().filter(|s| same_name(new_name(s), unit_name)).collect();
        let [continuation] = cont.as_slice() else { return None };
        let mut map = BTreeMap::new();
        for s in succs.iter().filter(|s| s != continuation) {
            let p = merge_preds.iter().find(|p| {
                let pn = ev1.old_names.get(p.as_str()).map(String::as_str).unwrap_or_default();
                same_name(pn, new_name(s))
            })?;
            map.insert(p.clone(), s.clone());
        }
        Some(Recreate { merge_year, merge_preds, map, continuation: (*continuation).clone() })
    }
}

// ---------------------------------------------------------------- population

/// Population per municipality and year (table 07459), the weights for split shares.
#[derive(Debug, Clone, Default)]
pub struct Population {
    values: HashMap<(String, i32), f64>,
    years: BTreeSet<i32>,
}

impl Population {
    /// Table 07459 (population 1 January, all municipality codes, all years) from `source`.
    pub fn fetch(source: &Source) -> Result<Population> {
        let q = Query::new("07459")
            .select_str("Region", "*")?
            .select_str("ContentsCode", "Personer1")?
            .select_str("Tid", "*")?;
        let df = source.fetch(&q)?;
        Population::from_frame(&df, "value", "year", "region_code")
    }

    /// From any frame with a region code, a year and a value column (non-municipality
    /// rows are ignored).
    pub fn from_frame(df: &DataFrame, value_col: &str, year_col: &str, region_col: &str) -> Result<Population> {
        let codes = string_values(df, region_col)?;
        let years = year_values(df, year_col)?;
        let values = float_values(df, value_col)?;
        let mut p = Population::default();
        for ((c, y), v) in codes.into_iter().zip(years).zip(values) {
            let (Some(c), Some(y)) = (c, y) else { continue };
            if !region::is_municipality(&c) {
                continue;
            }
            p.years.insert(y);
            *p.values.entry((c, y)).or_insert(0.0) += v.unwrap_or(0.0);
        }
        Ok(p)
    }

    /// The years covered.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Population of `code` on 1 January of `year`; 0 for a code without a value, an
    /// error for a year the table does not cover.
    pub fn get(&self, code: &str, year: i32) -> Result<f64> {
        if !self.years.contains(&year) {
            return Err(Error::Borders(format!(
                "no population (table 07459) for {year}, needed to divide a split municipality ({code}); \
                 the population covers {}",
                describe_years(&self.years)
            )));
        }
        Ok(self.values.get(&(code.to_string(), year)).copied().unwrap_or(0.0))
    }
}

pub(crate) fn describe_years(years: &BTreeSet<i32>) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => "no year".into(),
    }
}

// ---------------------------------------------------------------- engine

#[derive(Debug, Clone)]
struct Part {
    code: String,
    w: f64,
    exact: bool,
}

#[derive(Debug, Clone)]
struct Piece {
    code: String,
    w: f64,
    exact: bool,
    hist: Vec<String>,
}

type Recut = HashMap<String, Vec<(String, f64, bool)>>;
type Shares = Rc<Vec<(String, f64)>>;
type ShareCache = RefCell<HashMap<(i32, String), Shares>>;
type MapCache = RefCell<HashMap<(String, i32, i32), Rc<Vec<Part>>>>;
/// An output row: group, code, name, value, exact, method, first input row of the group.
type OutRow = (usize, String, Option<String>, Option<f64>, bool, String, IdxSize);

struct Engine<'a> {
    borders: &'a Borders,
    source: &'a Source,
    pop: OnceCell<Population>,
    shares: ShareCache,
    maps: MapCache,
    recuts: RefCell<HashMap<(i32, i32), Rc<Recut>>>,
}

impl<'a> Engine<'a> {
    fn new(borders: &'a Borders, source: &'a Source, pop: Option<Population>) -> Engine<'a> {
        let cell = OnceCell::new();
        if let Some(p) = pop {
            let _ = cell.set(p);
        }
        Engine {
            borders,
            source,
            pop: cell,
            shares: RefCell::default(),
            maps: RefCell::default(),
            recuts: RefCell::default(),
        }
    }

    fn pop(&self) -> Result<&Population> {
        if self.pop.get().is_none() {
            let p = Population::fetch(self.source)?;
            let _ = self.pop.set(p);
        }
        Ok(self.pop.get().expect("set above"))
    }

    /// Shares of the successors of `unit` split on 1 January `year`.
    fn shares(&self, year: i32, unit: &str) -> Result<Shares> {
        let key = (year, unit.to_string());
        if let Some(s) = self.shares.borrow().get(&key) {
            return Ok(s.clone());
        }
        let ev = self.borders.events.get(&year).ok_or_else(|| Error::Borders(format!("no changes in {year}")))?;
        let succs = ev.succ.get(unit).ok_or_else(|| Error::Borders(format!("{unit} is not split in {year}")))?;
        let pop = self.pop()?;
        let mut raw = Vec::with_capacity(succs.len());
        for s in succs {
            let mut others = 0.0;
            let mut splitters = 1.0;
            for p in ev.pred.get(s).into_iter().flatten() {
                if p == unit {
                    continue;
                }
                if ev.succ.get(p).map_or(1, Vec::len) <= 1 {
                    others += pop.get(p, year - 1)?;
                } else {
                    splitters += 1.0;
                }
            }
            let jump = (pop.get(s, year)? - others).max(0.0) / splitters;
            raw.push((s.clone(), jump));
        }
        let total: f64 = raw.iter().map(|r| r.1).sum();
        let n = raw.len() as f64;
        let shares: Vec<(String, f64)> =
            raw.into_iter().map(|(s, j)| (s, if total > 0.0 { j / total } else { 1.0 / n })).collect();
        let shares = Rc::new(shares);
        self.shares.borrow_mut().insert(key, shares.clone());
        Ok(shares)
    }

    fn share_of(&self, year: i32, from: &str, to: &str) -> Result<f64> {
        let ev = &self.borders.events[&year];
        if ev.succ.get(from).map_or(1, Vec::len) <= 1 {
            return Ok(1.0);
        }
        Ok(self.shares(year, from)?.iter().find(|(s, _)| s == to).map_or(0.0, |s| s.1))
    }

    /// Backward weights of a new code's predecessors at `year`: `(pred, weight)`.
    fn back_weights(&self, year: i32, code: &str) -> Result<Vec<(String, f64)>> {
        let ev = &self.borders.events[&year];
        let preds = &ev.pred[code];
        if preds.len() == 1 {
            return Ok(vec![(preds[0].clone(), 1.0)]);
        }
        let pop = self.pop()?;
        let mut flows = Vec::with_capacity(preds.len());
        for p in preds {
            flows.push((p.clone(), pop.get(p, year - 1)? * self.share_of(year, p, code)?));
        }
        let total: f64 = flows.iter().map(|f| f.1).sum();
        let n = flows.len() as f64;
        Ok(flows.into_iter().map(|(p, f)| (p, if total > 0.0 { f / total } else { 1.0 / n })).collect())
    }

    /// Where the value of `code` on `from`'s borders goes on `to`'s borders.
    fn map_code(&self, code: &str, from: i32, to: i32) -> Result<Rc<Vec<Part>>> {
        let key = (code.to_string(), from, to);
        if let Some(m) = self.maps.borrow().get(&key) {
            return Ok(m.clone());
        }
        let mut pieces =
            vec![Piece { code: code.to_string(), w: 1.0, exact: true, hist: vec![code.to_string()] }];
        if to > from {
            for (&y, ev) in self.borders.events.range(from + 1..=to) {
                let mut next = Vec::with_capacity(pieces.len());
                for mut p in pieces {
                    match ev.succ.get(&p.code) {
                        None => next.push(p),
                        Some(list) if list.len() == 1 => {
                            if list[0] != p.code {
                                p.code = list[0].clone();
                                p.hist.push(p.code.clone());
                            }
                            next.push(p);
                        }
                        Some(list) => {
                            let rc = self.borders.recreate(y, &p.code);
                            let earlier = &p.hist[..p.hist.len() - 1];
                            let via = rc.as_ref().and_then(|rc| {
                                earlier.iter().rev().find(|h| rc.merge_preds.contains(h)).map(|h| {
                                    rc.map.get(h).cloned().unwrap_or_else(|| rc.continuation.clone())
                                })
                            });
                            match via {
                                Some(target) => {
                                    p.code = target;
                                    p.hist.push(p.code.clone());
                                    next.push(p);
                                }
                                None => {
                                    let shares = self.shares(y, &p.code)?;
                                    for s in list {
                                        let share =
                                            shares.iter().find(|(c, _)| c == s).map_or(0.0, |x| x.1);
                                        let mut hist = p.hist.clone();
                                        hist.push(s.clone());
                                        next.push(Piece { code: s.clone(), w: p.w * share, exact: false, hist });
                                    }
                                }
                            }
                        }
                    }
                }
                pieces = next;
            }
        } else if to < from {
            for (&y, ev) in self.borders.events.range(to + 1..=from).rev() {
                let mut next = Vec::with_capacity(pieces.len());
                for p in pieces {
                    match ev.pred.get(&p.code) {
                        Some(preds) if !(preds.len() == 1 && preds[0] == p.code) => {
                            let single = preds.len() == 1;
                            for (q, w) in self.back_weights(y, &p.code)? {
                                next.push(Piece { code: q, w: p.w * w, exact: p.exact && single, hist: vec![] });
                            }
                        }
                        _ => next.push(p),
                    }
                }
                pieces = next;
            }
        }
        let mut merged: BTreeMap<String, Part> = BTreeMap::new();
        for p in pieces {
            let e = merged.entry(p.code.clone()).or_insert(Part { code: p.code, w: 0.0, exact: true });
            e.w += p.w;
            e.exact &= p.exact;
        }
        for part in merged.values() {
            if !self.borders.versions.valid_in(&part.code, to) {
                return Err(Error::Borders(format!(
                    "municipality {code} ({from} borders) leads to {} on {to} borders, where that code is \
                     not valid: the change list is incomplete",
                    part.code
                )));
            }
        }
        let out = Rc::new(merged.into_values().collect::<Vec<_>>());
        self.maps.borrow_mut().insert(key, out.clone());
        Ok(out)
    }

    /// The units of `year` that make up each unit on `vintage`'s borders, with their
    /// population weights: `unit -> [(code of year, weight, exactly and wholly inside)]`.
    fn recut(&self, year: i32, vintage: i32) -> Result<Rc<Recut>> {
        if let Some(r) = self.recuts.borrow().get(&(year, vintage)) {
            return Ok(r.clone());
        }
        let pop = self.pop()?;
        let mut inv: HashMap<String, Vec<(String, f64, f64, bool)>> = HashMap::new();
        for u in self.borders.municipalities(year) {
            let pu = pop.get(u, year)?;
            for part in self.map_code(u, year, vintage)?.iter() {
                inv.entry(part.code.clone()).or_default().push((
                    u.to_string(),
                    part.w,
                    part.w * pu,
                    part.exact && part.w == 1.0,
                ));
            }
        }
        let mut out = Recut::new();
        for (unit, list) in inv {
            let tot: f64 = list.iter().map(|l| l.2).sum();
            let totw: f64 = list.iter().map(|l| l.1).sum();
            let v = list
                .into_iter()
                .map(|(u, w, wp, ex)| (u, if tot > 0.0 { wp / tot } else { w / totw }, ex))
                .collect();
            out.insert(unit, v);
        }
        let out = Rc::new(out);
        self.recuts.borrow_mut().insert((year, vintage), out.clone());
        Ok(out)
    }

    /// Where a value of `code` in data year `year`, on `vintage`'s borders, goes on
    /// `target`'s borders.
    fn weights(&self, code: &str, year: i32, vintage: i32, target: i32) -> Result<Rc<Vec<Part>>> {
        if vintage == year {
            return self.map_code(code, year, target);
        }
        let recut = self.recut(year, vintage)?;
        let list = recut.get(code).ok_or_else(|| {
            Error::Borders(format!(
                "{code} (on {vintage} borders) has no territory among the municipalities of {year}"
            ))
        })?;
        let mut acc: BTreeMap<String, f64> = BTreeMap::new();
        let mut exact = true;
        for (u, d, inside) in list {
            let parts = self.map_code(u, year, target)?;
            exact &= *inside && parts.len() == 1 && parts[0].exact;
            for p in parts.iter() {
                *acc.entry(p.code.clone()).or_insert(0.0) += d * p.w;
            }
        }
        exact &= acc.len() == 1;
        Ok(Rc::new(acc.into_iter().map(|(code, w)| Part { code, w, exact }).collect()))
    }
}

// ---------------------------------------------------------------- harmoniser

/// Carries a frame to one year's municipal borders (see the [module docs](self)).
///
/// ```no_run
/// use statbank::prelude::*;
/// use statbank::borders::harmonise::{Harmoniser, OtherRegions};
/// let source = Source::from_env()?;
/// let df = source.fetch(&Query::new("07459").select_str("Tid", "from(2010)")?)?;
/// let h = Harmoniser::new(&source)
///     .borders(2024)
///     .other_regions(OtherRegions::Keep)
///     .run(&df, "value", "year", "region_code")?;
/// println!("{}\n{}", h.data, h.changes);
/// # Ok::<(), statbank::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Harmoniser<'a> {
    source: &'a Source,
    borders: i32,
    other: OtherRegions,
    population: Option<Population>,
}

impl<'a> Harmoniser<'a> {
    /// A harmoniser reading KLASS and table 07459 through `source`; target borders 2024.
    pub fn new(source: &'a Source) -> Harmoniser<'a> {
        Harmoniser { source, borders: 2024, other: OtherRegions::Drop, population: None }
    }

    /// The target year: codes and names valid on 1 January of `year`.
    pub fn borders(mut self, year: i32) -> Self {
        self.borders = year;
        self
    }

    /// Drop (default) or pass through rows that are not municipalities.
    pub fn other_regions(mut self, other: OtherRegions) -> Self {
        self.other = other;
        self
    }

    /// Use this population for shares instead of fetching table 07459.
    pub fn population(mut self, population: Population) -> Self {
        self.population = Some(population);
        self
    }

    /// The changes and shares that carrying data years `first..=last` to the target
    /// borders applies, as [`Harmonised::changes`] lists them.
    pub fn changes(&self, first: i32, last: i32) -> Result<DataFrame> {
        check_year(first)?;
        check_year(last)?;
        let t = self.borders;
        check_year(t)?;
        let lo = first.min(t);
        let hi = last.max(t);
        let borders = Borders::load(&Klass::new(self.source), lo + 1, hi)?;
        let engine = Engine::new(&borders, self.source, self.population.clone());
        applied_to_frame(&applied_changes(&engine, lo, hi, t)?)
    }

    /// Harmonise `df`: `value_col` (numeric), `year_col` (integer), `region_col` (codes).
    pub fn run(&self, df: &DataFrame, value_col: &str, year_col: &str, region_col: &str) -> Result<Harmonised> {
        let target = self.borders;
        check_year(target)?;
        let codes = string_values(df, region_col)?;
        let years = year_values(df, year_col)?;
        let values = float_values(df, value_col)?;
        let label_col = region_col
            .strip_suffix("_code")
            .filter(|b| region::find_column(df, b).is_ok())
            .map(str::to_string);
        let out_label = label_col.clone().unwrap_or_else(|| match region_col.strip_suffix("_code") {
            Some(b) => b.to_string(),
            None => format!("{region_col}_name"),
        });
        if out_label == value_col || out_label == year_col {
            return Err(Error::column(&out_label, "the name column would overwrite the value or year column"));
        }
        let in_labels = match &label_col {
            Some(l) => Some(string_values(df, l)?),
            None => None,
        };
        let carried_exact = match region::find_column(df, "exact") {
            Ok(c) => Some(
                c.bool()
                    .map_err(|_| Error::column("exact", format!("expected a boolean column, found {}", c.dtype())))?
                    .iter()
                    .collect::<Vec<_>>(),
            ),
            Err(_) => None,
        };
        let carried_method = match region::find_column(df, "method") {
            Ok(_) => Some(string_values(df, "method")?),
            Err(_) => None,
        };
        let skip: BTreeSet<&str> = [value_col, region_col, "status", "exact", "method"]
            .into_iter()
            .chain(label_col.as_deref())
            .collect();
        let key_cols: Vec<String> = region::column_names(df).into_iter().filter(|c| !skip.contains(c.as_str())).collect();
        if !key_cols.iter().any(|c| c == year_col) {
            return Err(Error::column(year_col, "the year column cannot also be the value or region column"));
        }
        // Group ids: equal key columns (year included).
        let key_strings: Vec<Vec<Option<String>>> =
            key_cols.iter().map(|c| string_values_cast(df, c)).collect::<Result<_>>()?;
        let mut group_of_key: HashMap<Vec<Option<&str>>, usize> = HashMap::new();
        let mut group_first: Vec<IdxSize> = Vec::new();
        let mut group_year: Vec<i32> = Vec::new();
        let mut row_group = Vec::with_capacity(df.height());
        for row in 0..df.height() {
            let y = years[row].ok_or_else(|| {
                Error::column(year_col, format!("row {row} has no year; drop or fill null years first"))
            })?;
            check_year(y).map_err(|_| Error::column(year_col, format!("row {row}: year {y} is out of range")))?;
            let key: Vec<Option<&str>> = key_strings.iter().map(|k| k[row].as_deref()).collect();
            let next = group_first.len();
            let g = *group_of_key.entry(key).or_insert(next);
            if g == next {
                group_first.push(row as IdxSize);
                group_year.push(y);
            }
            row_group.push(g);
        }

        // Vintage (the borders a year's rows are on), from the non-zero municipality rows.
        let klass = Klass::new(self.source);
        let versions = VersionIndex::new(&klass.versions(MUNICIPALITIES)?);
        if !versions.codes_in(target).iter().any(|c| region::is_municipality(c)) {
            return Err(Error::Borders(format!("KLASS has no municipalities on 1 January {target}")));
        }
        let mut nonzero: BTreeMap<i32, BTreeSet<&str>> = BTreeMap::new();
        for row in 0..df.height() {
            let (Some(c), Some(y)) = (codes[row].as_deref(), years[row]) else { continue };
            if region::is_municipality(c) && values[row].is_some_and(|v| v != 0.0) {
                nonzero.entry(y).or_default().insert(c);
            }
        }
        let mut vintage: BTreeMap<i32, i32> = BTreeMap::new();
        for &y in &group_year {
            if vintage.contains_key(&y) {
                continue;
            }
            let set = nonzero.get(&y).cloned().unwrap_or_default();
            vintage.insert(y, find_vintage(&versions, &set, y, target)?);
        }
        let lo = vintage.iter().flat_map(|(&y, &b)| [y, b]).chain([target]).min().unwrap_or(target);
        let hi = vintage.iter().flat_map(|(&y, &b)| [y, b]).chain([target]).max().unwrap_or(target);
        let borders = Borders::load(&klass, lo + 1, hi)?;
        let engine = Engine::new(&borders, self.source, self.population.clone());

        // Accumulate.
        #[derive(Default)]
        struct Acc {
            sum: f64,
            has_value: bool,
            any_null: bool,
            exact: bool,
            n: usize,
            identity: bool,
            carried: Option<(Option<bool>, Option<String>)>,
        }
        let mut acc: BTreeMap<(usize, String), Acc> = BTreeMap::new();
        let mut passthrough: BTreeMap<(usize, String), (usize, Option<f64>)> = BTreeMap::new();
        for row in 0..df.height() {
            let g = row_group[row];
            let y = group_year[g];
            let code = match codes[row].as_deref() {
                Some(c) if region::is_municipality(c) => c,
                other => {
                    if self.other == OtherRegions::Keep {
                        let code = other.unwrap_or_default().to_string();
                        let e = passthrough.entry((g, code)).or_insert((row, None));
                        if let Some(v) = values[row] {
                            e.1 = Some(e.1.unwrap_or(0.0) + v);
                        }
                    }
                    continue;
                }
            };
            let b = vintage[&y];
            let value = values[row];
            if !versions.valid_in(code, b) {
                if value.is_none_or_zero() {
                    continue; // a phantom: the code did not exist that year
                }
                return Err(Error::Borders(format!("{code} has a value in {y} but is not valid on {b} borders")));
            }
            let parts: Rc<Vec<Part>> = if b == target {
                Rc::new(vec![Part { code: code.to_string(), w: 1.0, exact: true }])
            } else {
                engine.weights(code, y, b, target)?
            };
            let last = parts.len().saturating_sub(1);
            let mut given = 0.0;
            for (i, p) in parts.iter().enumerate() {
                let a = acc.entry((g, p.code.clone())).or_insert_with(|| Acc { exact: true, ..Default::default() });
                a.n += 1;
                a.exact &= p.exact;
                a.identity = p.code == code && p.w == 1.0 && p.exact;
                if b == target {
                    a.carried = Some((
                        carried_exact.as_ref().and_then(|e| e[row]),
                        carried_method.as_ref().and_then(|m| m[row].clone()),
                    ));
                }
                match value {
                    Some(v) => {
                        let part = if i == last { v - given } else { v * p.w };
                        given += part;
                        a.sum += part;
                        a.has_value = true;
                    }
                    None => a.any_null = true,
                }
            }
        }

        // Build the output rows: per group, passthrough and municipalities sorted by code.
        let mut rows: Vec<OutRow> = Vec::new();
        let mut keys: BTreeSet<(usize, String)> = acc.keys().cloned().collect();
        keys.extend(passthrough.keys().cloned());
        for (g, code) in keys {
            if let Some(&(row, v)) = passthrough.get(&(g, code.clone())) {
                let name = in_labels.as_ref().and_then(|l| l[row].as_deref()).map(|l| region::parse_label(l).name);
                rows.push((g, code, name, v, true, "passthrough".into(), group_first[g]));
                continue;
            }
            let a = &acc[&(g, code.clone())];
            let value = a.has_value.then_some(a.sum);
            let (exact, method) = if a.any_null {
                (false, "partial".to_string())
            } else if a.n == 1 && a.carried.is_some() {
                let (e, m) = a.carried.clone().unwrap_or_default();
                (e.unwrap_or(true), m.unwrap_or_else(|| "identity".into()))
            } else if a.n == 1 && a.identity {
                (true, "identity".into())
            } else if a.exact {
                (true, "exact".into())
            } else {
                (false, "estimated".into())
            };
            let name = borders.name(&code, target);
            rows.push((g, code, Some(name), value, exact, method, group_first[g]));
        }

        let idx: IdxCa = rows.iter().map(|r| r.6).collect_ca(PlSmallStr::EMPTY);
        let n = rows.len();
        let mut columns: Vec<Column> = Vec::new();
        let mut label_done = false;
        for name in region::column_names(df) {
            if name == region_col {
                columns.push(Column::new(name.into(), rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>()));
                if label_col.is_none() {
                    columns.push(Column::new(
                        out_label.as_str().into(),
                        rows.iter().map(|r| r.2.as_deref()).collect::<Vec<_>>(),
                    ));
                    label_done = true;
                }
            } else if Some(&name) == label_col.as_ref() {
                columns.push(Column::new(name.into(), rows.iter().map(|r| r.2.as_deref()).collect::<Vec<_>>()));
                label_done = true;
            } else if name == value_col {
                columns.push(Column::new(name.into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()));
            } else if skip.contains(name.as_str()) {
                continue;
            } else {
                columns.push(find_column(df, &name)?.take(&idx)?);
            }
        }
        if !label_done {
            columns.push(Column::new(out_label.as_str().into(), rows.iter().map(|r| r.2.as_deref()).collect::<Vec<_>>()));
        }
        columns.push(Column::new("exact".into(), rows.iter().map(|r| r.4).collect::<Vec<_>>()));
        columns.push(Column::new("method".into(), rows.iter().map(|r| r.5.as_str()).collect::<Vec<_>>()));
        let data = DataFrame::new(n, columns)?;

        let applied = applied_changes(&engine, lo, hi, target)?;
        Ok(Harmonised { changes: applied_to_frame(&applied)?, applied, data, borders: target })
    }
}

trait NoneOrZero {
    fn is_none_or_zero(&self) -> bool;
}
impl NoneOrZero for Option<f64> {
    fn is_none_or_zero(&self) -> bool {
        self.map_or(true, |v| v == 0.0)
    }
}

/// The borders a year's rows are on: the data year itself when every non-zero code was
/// valid then, else the target year when they all are valid in it, else the nearest
/// year in which they all are.
fn find_vintage(versions: &VersionIndex, codes: &BTreeSet<&str>, year: i32, target: i32) -> Result<i32> {
    for c in codes {
        if !versions.contains(c) {
            return Err(Error::Borders(format!("{c} (year {year}) is not a municipality code KLASS knows")));
        }
    }
    let all_valid = |b: i32| codes.iter().all(|c| versions.valid_in(c, b));
    if all_valid(year) {
        return Ok(year);
    }
    if all_valid(target) {
        return Ok(target);
    }
    for d in 1..=300 {
        let (a, b) = if target >= year { (year + d, year - d) } else { (year - d, year + d) };
        for cand in [a, b] {
            if (1838..=2100).contains(&cand) && all_valid(cand) {
                return Ok(cand);
            }
        }
    }
    let invalid: Vec<&str> = codes.iter().filter(|c| !versions.valid_in(c, year)).copied().take(10).collect();
    Err(Error::Borders(format!(
        "the municipality codes of {year} are not all valid on any one year's borders \
         (e.g. {invalid:?} did not exist in {year}); harmonise frames whose years are each on one set of borders"
    )))
}

fn applied_changes(engine: &Engine, lo: i32, hi: i32, target: i32) -> Result<Vec<AppliedChange>> {
    let borders = engine.borders;
    let mut out = Vec::new();
    let name_old = |ev: &Event, c: &str, y: i32| {
        ev.old_names.get(c).cloned().unwrap_or_else(|| borders.name(c, y - 1))
    };
    let name_new = |ev: &Event, c: &str, y: i32| ev.new_names.get(c).cloned().unwrap_or_else(|| borders.name(c, y));
    for (&y, ev) in borders.events_in(lo + 1, target) {
        for (old, succs) in &ev.succ {
            if !region::is_municipality(old) {
                continue;
            }
            if succs.len() == 1 {
                let new = &succs[0];
                let preds = ev.pred.get(new).map_or(1, Vec::len);
                if new == old && preds == 1 {
                    continue; // a name change
                }
                let kind = if preds > 1 { ChangeKind::Merge } else { ChangeKind::Renumber };
                out.push(AppliedChange {
                    year: y,
                    from_code: old.clone(),
                    from_name: name_old(ev, old, y),
                    to_code: new.clone(),
                    to_name: name_new(ev, new, y),
                    kind,
                    share: 1.0,
                    exact: true,
                    note: String::new(),
                });
                continue;
            }
            let rc = borders.recreate(y, old);
            if let Some(rc) = &rc {
                let ev1 = &borders.events[&rc.merge_year];
                for p in &rc.merge_preds {
                    let to = rc.map.get(p).unwrap_or(&rc.continuation);
                    out.push(AppliedChange {
                        year: y,
                        from_code: p.clone(),
                        from_name: name_old(ev1, p, rc.merge_year),
                        to_code: to.clone(),
                        to_name: name_new(ev, to, y),
                        kind: ChangeKind::Recreate,
                        share: 1.0,
                        exact: true,
                        note: format!("data before {}: {p} went into {old} in {}", rc.merge_year, rc.merge_year),
                    });
                }
            }
            let shares = engine.shares(y, old)?;
            for (s, share) in shares.iter() {
                out.push(AppliedChange {
                    year: y,
                    from_code: old.clone(),
                    from_name: name_old(ev, old, y),
                    to_code: s.clone(),
                    to_name: name_new(ev, s, y),
                    kind: ChangeKind::Split,
                    share: *share,
                    exact: false,
                    note: match &rc {
                        Some(rc) => format!("data {}–{} on {old}'s borders: population-jump share", rc.merge_year, y - 1),
                        None => "population-jump share".into(),
                    },
                });
            }
        }
    }
    // Going back to earlier borders: data years after the target.
    for (&y, ev) in borders.events_in(target + 1, hi).rev() {
        for (new, preds) in &ev.pred {
            if !region::is_municipality(new) || (preds.len() == 1 && &preds[0] == new) {
                continue;
            }
            let weights = engine.back_weights(y, new)?;
            for (p, w) in weights {
                let from_split = ev.succ.get(&p).map_or(1, Vec::len) > 1;
                let kind = if preds.len() > 1 {
                    ChangeKind::Split
                } else if from_split {
                    ChangeKind::Merge
                } else {
                    ChangeKind::Renumber
                };
                out.push(AppliedChange {
                    year: y,
                    from_code: new.clone(),
                    from_name: name_new(ev, new, y),
                    to_code: p.clone(),
                    to_name: name_old(ev, &p, y),
                    kind,
                    share: w,
                    exact: preds.len() == 1,
                    note: format!("back to borders before {y}"),
                });
            }
        }
    }
    Ok(out)
}

/// Applied changes as a frame: `year, from_code, from_name, to_code, to_name, kind,
/// share, exact, note`.
pub fn applied_to_frame(applied: &[AppliedChange]) -> Result<DataFrame> {
    let n = applied.len();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new("year".into(), applied.iter().map(|a| a.year).collect::<Vec<_>>()),
            Column::new("from_code".into(), applied.iter().map(|a| a.from_code.as_str()).collect::<Vec<_>>()),
            Column::new("from_name".into(), applied.iter().map(|a| a.from_name.as_str()).collect::<Vec<_>>()),
            Column::new("to_code".into(), applied.iter().map(|a| a.to_code.as_str()).collect::<Vec<_>>()),
            Column::new("to_name".into(), applied.iter().map(|a| a.to_name.as_str()).collect::<Vec<_>>()),
            Column::new("kind".into(), applied.iter().map(|a| a.kind.as_str()).collect::<Vec<_>>()),
            Column::new("share".into(), applied.iter().map(|a| a.share).collect::<Vec<_>>()),
            Column::new("exact".into(), applied.iter().map(|a| a.exact).collect::<Vec<_>>()),
            Column::new("note".into(), applied.iter().map(|a| a.note.as_str()).collect::<Vec<_>>()),
        ],
    )?)
}

/// Harmonise with default options: `Harmoniser::new(source).borders(borders).run(…)`.
pub fn harmonise(
    source: &Source,
    df: &DataFrame,
    value_col: &str,
    year_col: &str,
    region_col: &str,
    borders: i32,
) -> Result<Harmonised> {
    Harmoniser::new(source).borders(borders).run(df, value_col, year_col, region_col)
}


/// SSB's own harmonised series: table 07459 with `agg:KommSummer` (municipalities on
/// 2024 borders, computed by SSB), with `K-3301` codes turned into `3301` and labels
/// stripped of suffixes. `K-21-22`, `K-23` and `K-Rest` keep their codes.
///
/// SSB does not divide split municipalities: Heim, Hitra, Orkland, Narvik and Hamarøy
/// are 0 before 2020 and all of Stokke is in Sandefjord, where [`Harmoniser`] divides
/// them by population shares (see the `borders` tests for the comparison).
pub fn ssb_kommsummer(source: &Source) -> Result<DataFrame> {
    let q = Query::new("07459").select_str("Region", "agg:KommSummer")?;
    let df = source.fetch(&q)?;
    region::strip_kommsummer(&df, "region_code")
}

// ---------------------------------------------------------------- column helpers

fn check_year(y: i32) -> Result<()> {
    if (1838..=2100).contains(&y) {
        Ok(())
    } else {
        Err(Error::Borders(format!("year {y} is outside the municipal classification (1838–2100)")))
    }
}

/// Where `code` on `from`'s borders goes on `to`'s borders: `(code, weight, exact)`
/// (for inspecting single mappings in a notebook).
pub fn map_code(source: &Source, code: &str, from: i32, to: i32) -> Result<Vec<(String, f64, bool)>> {
    let borders = Borders::load(&Klass::new(source), from.min(to) + 1, from.max(to))?;
    let engine = Engine::new(&borders, source, None);
    Ok(engine.map_code(code, from, to)?.iter().map(|p| (p.code.clone(), p.w, p.exact)).collect())
}
