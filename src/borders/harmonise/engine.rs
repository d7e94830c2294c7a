//! The weighting engine: where one code of one year's borders goes on another's, with
//! shares (exact, or by population for splits), cached.

use super::*;

// ---------------------------------------------------------------- population

/// Population per municipality and year (table 07459), the weights for split shares.
#[derive(Debug, Clone, Default)]
pub struct Population {
    pub(super) values: HashMap<(String, i32), f64>,
    pub(super) years: BTreeSet<i32>,
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
pub(super) struct Part {
    pub(super) code: String,
    pub(super) w: f64,
    pub(super) exact: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Piece {
    pub(super) code: String,
    pub(super) w: f64,
    pub(super) exact: bool,
    pub(super) hist: Vec<String>,
}

pub(super) type Recut = HashMap<String, Vec<(String, f64, bool)>>;
pub(super) type Shares = Rc<Vec<(String, f64)>>;
pub(super) type ShareCache = RefCell<HashMap<(i32, String), Shares>>;
pub(super) type MapCache = RefCell<HashMap<(String, i32, i32), Rc<Vec<Part>>>>;
pub(super) struct Engine<'a> {
    pub(super) borders: &'a Borders,
    pub(super) source: &'a Source,
    pub(super) pop: OnceCell<Population>,
    pub(super) shares: ShareCache,
    pub(super) maps: MapCache,
    pub(super) recuts: RefCell<HashMap<(i32, i32), Rc<Recut>>>,
}

impl<'a> Engine<'a> {
    pub(super) fn new(borders: &'a Borders, source: &'a Source, pop: Option<Population>) -> Engine<'a> {
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

    pub(super) fn pop(&self) -> Result<&Population> {
        if self.pop.get().is_none() {
            let p = Population::fetch(self.source)?;
            let _ = self.pop.set(p);
        }
        Ok(self.pop.get().expect("set above"))
    }

    /// Shares of the successors of `unit` split on 1 January `year`.
    pub(super) fn shares(&self, year: i32, unit: &str) -> Result<Shares> {
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

    pub(super) fn share_of(&self, year: i32, from: &str, to: &str) -> Result<f64> {
        let ev = &self.borders.events[&year];
        if ev.succ.get(from).map_or(1, Vec::len) <= 1 {
            return Ok(1.0);
        }
        Ok(self.shares(year, from)?.iter().find(|(s, _)| s == to).map_or(0.0, |s| s.1))
    }

    /// Backward weights of a new code's predecessors at `year`: `(pred, weight)`.
    pub(super) fn back_weights(&self, year: i32, code: &str) -> Result<Vec<(String, f64)>> {
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
    pub(super) fn map_code(&self, code: &str, from: i32, to: i32) -> Result<Rc<Vec<Part>>> {
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
    pub(super) fn recut(&self, year: i32, vintage: i32) -> Result<Rc<Recut>> {
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
    pub(super) fn weights(&self, code: &str, year: i32, vintage: i32, target: i32) -> Result<Rc<Vec<Part>>> {
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

pub(super) fn applied_changes(engine: &Engine, lo: i32, hi: i32, target: i32) -> Result<Vec<AppliedChange>> {
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

