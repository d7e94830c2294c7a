//! The municipal change graph: KLASS code versions and the changes between two years
//! ([`Borders`]), which borders a year's data is on, and the changes applied as a list.

use super::*;

// ---------------------------------------------------------------- borders

#[derive(Debug, Clone, Default)]
pub(super) struct Event {
    /// old code -> new codes
    pub(super) succ: BTreeMap<String, Vec<String>>,
    /// new code -> old codes (including the code itself when it continues without a
    /// listed change)
    pub(super) pred: BTreeMap<String, Vec<String>>,
    pub(super) old_names: HashMap<String, String>,
    pub(super) new_names: HashMap<String, String>,
}

/// A split that re-creates units merged away earlier.
#[derive(Debug, Clone)]
pub(super) struct Recreate {
    pub(super) merge_year: i32,
    pub(super) merge_preds: Vec<String>,
    pub(super) map: BTreeMap<String, String>,
    pub(super) continuation: String,
}

/// The municipal change graph: code versions and the changes between two years.
#[derive(Debug, Clone)]
pub struct Borders {
    pub(super) versions: VersionIndex,
    pub(super) changes: Vec<CodeChange>,
    pub(super) events: BTreeMap<i32, Event>,
    pub(super) first: i32,
    pub(super) last: i32,
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
    pub(super) fn events_in(&self, a: i32, b: i32) -> std::collections::btree_map::Range<'_, i32, Event> {
        if a > b {
            self.events.range(0..0)
        } else {
            self.events.range(a..=b)
        }
    }

    pub(super) fn recreate(&self, year: i32, unit: &str) -> Option<Recreate> {
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

/// The borders a year's rows are on: the data year itself when every non-zero code was
/// valid then, else the target year when they all are valid in it, else the nearest
/// year in which they all are.
pub(super) fn find_vintage(versions: &VersionIndex, codes: &BTreeSet<&str>, year: i32, target: i32) -> Result<i32> {
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

