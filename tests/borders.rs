//! Municipal borders against the real snapshot: KLASS, region levels, harmonisation.
//!
//! The data is the repository's `data/snapshot`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use statbank::borders::harmonise::{self, ChangeKind, Harmonised, Harmoniser, OtherRegions, Population};
use statbank::data::klass::{Klass, COUNTIES, MUNICIPALITIES};
use statbank::prelude::*;
use statbank::data::region::{self, annotate, county_code, kommsummer_code, level, parse_label};

fn source() -> Source {
    Source::snapshot().expect("data/snapshot exists")
}

/// Table 07459, every region and year.
fn pop_frame() -> &'static DataFrame {
    static DF: OnceLock<DataFrame> = OnceLock::new();
    DF.get_or_init(|| source().fetch(&Query::new("07459")).expect("07459 in the snapshot"))
}

fn population() -> Population {
    Population::from_frame(pop_frame(), "value", "year", "region_code").unwrap()
}

fn harmonise_pop(target: i32) -> Harmonised {
    let src = source();
    Harmoniser::new(&src).borders(target).population(population()).run(pop_frame(), "value", "year", "region_code").unwrap()
}

fn to_2024() -> &'static Harmonised {
    static H: OnceLock<Harmonised> = OnceLock::new();
    H.get_or_init(|| harmonise_pop(2024))
}

/// (code, year) → value, for frames with `region_code`, `year`, `value` and no other keys.
fn values(df: &DataFrame) -> BTreeMap<(String, i32), Option<f64>> {
    let codes = df.column("region_code").unwrap().str().unwrap().clone();
    let years = df.column("year").unwrap().i32().unwrap().clone();
    let vals = df.column("value").unwrap().f64().unwrap().clone();
    let mut out = BTreeMap::new();
    for i in 0..df.height() {
        let key = (codes.get(i).unwrap().to_string(), years.get(i).unwrap());
        assert!(out.insert(key.clone(), vals.get(i)).is_none(), "duplicate row {key:?}");
    }
    out
}

fn get(df: &DataFrame, code: &str, year: i32) -> f64 {
    values(df)[&(code.to_string(), year)].unwrap()
}

fn column_at<'a>(df: &'a DataFrame, name: &str, code: &str, year: i32) -> AnyValue<'a> {
    let codes = df.column("region_code").unwrap().str().unwrap();
    let years = df.column("year").unwrap().i32().unwrap();
    let i = (0..df.height()).find(|&i| codes.get(i) == Some(code) && years.get(i) == Some(year)).unwrap();
    df.column(name).unwrap().get(i).unwrap()
}

/// Sum of municipality values per year.
fn sums(df: &DataFrame) -> BTreeMap<i32, f64> {
    let mut out = BTreeMap::new();
    for ((code, y), v) in values(df) {
        if region::is_municipality(&code) {
            *out.entry(y).or_insert(0.0) += v.unwrap_or(0.0);
        }
    }
    out
}

fn national(df: &DataFrame) -> BTreeMap<i32, f64> {
    values(df).into_iter().filter(|((c, _), _)| c == "0").map(|((_, y), v)| (y, v.unwrap())).collect()
}

// ---------------------------------------------------------------- harmonise: headline numbers

#[test]
fn to_2024_borders_headline_numbers() {
    let h = to_2024();
    let df = &h.data;
    let s = sums(df);
    assert!((s[&2010] - 4_858_199.0).abs() < 1e-6, "2010 total {}", s[&2010]);
    assert_eq!(get(df, "0301", 2010), 586_860.0);
    assert_eq!(get(df, "3301", 2010), 91_719.0, "old Drammen, Svelvik and Nedre Eiker");
    assert_eq!(get(df, "1580", 2010), 8_739.0, "Haram re-created from 1534");
    assert_eq!(get(df, "1508", 2010), 50_384.0, "Ålesund: the rest of the old units");
    assert_eq!(get(df, "0301", 2026), 728_714.0);
    // 357 municipalities on 2024 borders, every year, no phantom rows.
    let mut per_year: BTreeMap<i32, usize> = BTreeMap::new();
    for (_, y) in values(df).keys() {
        *per_year.entry(*y).or_default() += 1;
    }
    assert_eq!(per_year.len(), 22);
    assert!(per_year.values().all(|&n| n == 357), "{per_year:?}");
    // Names are 2024's.
    assert_eq!(column_at(df, "region", "3301", 2010), AnyValue::String("Drammen"));
    // How each row was obtained.
    assert_eq!(column_at(df, "method", "0301", 2010), AnyValue::String("identity"));
    assert_eq!(column_at(df, "method", "3301", 2010), AnyValue::String("exact"));
    assert_eq!(column_at(df, "exact", "1580", 2010), AnyValue::Boolean(true));
    assert_eq!(column_at(df, "exact", "1580", 2021), AnyValue::Boolean(false), "1507 split by shares");
    assert_eq!(column_at(df, "exact", "1580", 2024), AnyValue::Boolean(true));
    assert_eq!(column_at(df, "exact", "3907", 2010), AnyValue::Boolean(false), "Stokke divided");
    assert_eq!(column_at(df, "exact", "1806", 2019), AnyValue::Boolean(false), "Tysfjord divided");
    assert_eq!(column_at(df, "exact", "5059", 2019), AnyValue::Boolean(false), "Snillfjord divided");
    assert_eq!(column_at(df, "method", "3907", 2017), AnyValue::String("exact"));
    // The output keeps the input's layout (status dropped) plus exact and method.
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    assert_eq!(
        names,
        ["region_code", "region", "contents_code", "contents", "tid_code", "tid", "year", "date", "value", "exact", "method"]
    );
}

#[test]
fn conservation_every_year_and_target() {
    let nat = national(pop_frame());
    assert_eq!(nat.len(), 22);
    assert_eq!(nat[&2010], 4_858_199.0);
    assert_eq!(nat[&2026], 5_627_400.0);
    for target in 2005..=2026 {
        let h = harmonise_pop(target);
        let s = sums(&h.data);
        assert_eq!(s.len(), 22, "target {target}");
        for (y, total) in &nat {
            assert!((s[y] - total).abs() < 1e-6, "target {target}, year {y}: {} vs {total}", s[y]);
        }
        // Every output code is a municipality of the target year, each once a year.
        let src = source();
        let expected: BTreeSet<String> = Klass::new(&src)
            .codes_at(MUNICIPALITIES, &format!("{target}-01-01"))
            .unwrap()
            .into_iter()
            .map(|c| c.code)
            .filter(|c| region::is_municipality(c))
            .collect();
        for y in 2005..=2026 {
            let got: BTreeSet<String> =
                values(&h.data).keys().filter(|(_, yy)| *yy == y).map(|(c, _)| c.clone()).collect();
            assert_eq!(got, expected, "target {target}, year {y}");
        }
    }
}

#[test]
fn harmonising_twice_changes_nothing() {
    for target in [2005, 2010, 2016, 2017, 2018, 2020, 2023, 2024, 2026] {
        let once = harmonise_pop(target);
        let src = source();
        let twice = Harmoniser::new(&src)
            .borders(target)
            .population(population())
            .run(&once.data, "value", "year", "region_code")
            .unwrap();
        assert_eq!(once.data.height(), twice.data.height(), "target {target}");
        let (a, b) = (values(&once.data), values(&twice.data));
        assert_eq!(a.len(), b.len());
        for (k, v) in &a {
            assert_eq!(v, &b[k], "target {target}, {k:?}");
        }
        // The flags survive too.
        assert!(once.data.column("exact").unwrap().equals(twice.data.column("exact").unwrap()));
        assert!(once.data.column("method").unwrap().equals(twice.data.column("method").unwrap()));
    }
}

#[test]
fn chaining_equals_direct() {
    let direct = values(&to_2024().data);
    for via in [2010, 2017, 2018, 2020, 2023, 2026] {
        let first = harmonise_pop(via);
        let src = source();
        let chained = Harmoniser::new(&src)
            .borders(2024)
            .population(population())
            .run(&first.data, "value", "year", "region_code")
            .unwrap();
        let chained = values(&chained.data);
        assert_eq!(chained.len(), direct.len(), "via {via}");
        for (k, v) in &direct {
            let (a, b) = (v.unwrap(), chained[k].unwrap());
            assert!((a - b).abs() < 1e-6, "via {via}, {k:?}: direct {a}, chained {b}");
        }
    }
}

#[test]
fn untouched_municipalities_equal_input() {
    let src = source();
    let klass = Klass::new(&src);
    let changes = klass.changes(MUNICIPALITIES, "2005-01-01", "2026-12-31").unwrap();
    let mut touched: BTreeSet<String> = BTreeSet::new();
    for c in &changes {
        if c.old_code != c.new_code {
            touched.insert(c.old_code.clone());
            touched.insert(c.new_code.clone());
        }
    }
    // Codes that absorbed others without changing code (2017 Tønsberg, 2005 Bodø, …).
    for c in &changes {
        if c.old_code != c.new_code {
            touched.insert(c.new_code.clone());
        }
    }
    let input = values(pop_frame());
    let mut checked = 0;
    for target in [2005, 2012, 2020, 2024, 2026] {
        let out = values(&harmonise_pop(target).data);
        for ((code, y), v) in &out {
            if touched.contains(code) || !region::is_municipality(code) {
                continue;
            }
            assert_eq!(v, &input[&(code.clone(), *y)], "{code} {y} (target {target})");
            checked += 1;
        }
    }
    assert!(checked > 5 * 22 * 50, "only {checked} untouched values checked");
    let methods = to_2024().data.column("method").unwrap().str().unwrap().clone();
    let codes = to_2024().data.column("region_code").unwrap().str().unwrap().clone();
    for i in 0..codes.len() {
        if codes.get(i) == Some("0301") {
            assert_eq!(methods.get(i), Some("identity"));
        }
    }
}

#[test]
fn back_to_2020_borders() {
    let h = harmonise_pop(2020);
    let df = &h.data;
    // 2026 data on 2020 borders: Ålesund 1507 = Ålesund 1508 + Haram 1580, exactly.
    let v = values(pop_frame());
    let a = v[&("1508".to_string(), 2026)].unwrap() + v[&("1580".to_string(), 2026)].unwrap();
    assert_eq!(get(df, "1507", 2026), a);
    assert_eq!(column_at(df, "exact", "1507", 2026), AnyValue::Boolean(true));
    assert_eq!(get(df, "3005", 2026), v[&("3301".to_string(), 2026)].unwrap());
    assert_eq!(get(df, "3005", 2010), 91_719.0);
}

// ---------------------------------------------------------------- other tables

#[test]
fn immigrants_09817_conserved() {
    let src = source();
    let df = src.fetch(&Query::new("09817")).unwrap();
    let h = Harmoniser::new(&src).borders(2024).population(population()).run(&df, "value", "year", "region_code").unwrap();
    let sum_by = |df: &DataFrame| -> BTreeMap<(String, i32), f64> {
        let codes = df.column("region_code").unwrap().str().unwrap().clone();
        let cats = df.column("innvandr_kat_code").unwrap().str().unwrap().clone();
        let years = df.column("year").unwrap().i32().unwrap().clone();
        let vals = df.column("value").unwrap().f64().unwrap().clone();
        let mut out = BTreeMap::new();
        for i in 0..df.height() {
            if region::is_municipality(codes.get(i).unwrap()) {
                *out.entry((cats.get(i).unwrap().to_string(), years.get(i).unwrap())).or_insert(0.0) +=
                    vals.get(i).unwrap_or(0.0);
            }
        }
        out
    };
    let (inp, out) = (sum_by(&df), sum_by(&h.data));
    // Two categories × 13 years (2010–2022); C has figures for 2010–2015 only.
    assert_eq!(inp.len(), 26);
    let with_figures: Vec<(String, i32)> = inp.iter().filter(|(_, v)| **v > 0.0).map(|(k, _)| k.clone()).collect();
    let expected: Vec<(String, i32)> = (2010..=2022)
        .map(|y| ("B".to_string(), y))
        .chain((2010..=2015).map(|y| ("C".to_string(), y)))
        .collect();
    assert_eq!(with_figures, expected);
    for (k, v) in &inp {
        assert!((out[k] - v).abs() < 1e-6, "{k:?}: {} vs {v}", out[k]);
    }
    // National totals equal SSB's.
    for (cat, year, total) in [("B", 2015, 669_380.0), ("C", 2015, 135_600.0), ("B", 2016, 698_550.0), ("B", 2022, 819_356.0)] {
        assert!((out[&(cat.to_string(), year)] - total).abs() < 1e-6, "{cat} {year}");
    }
    // 357 municipalities per category and year; the keys survive.
    assert_eq!(h.data.height(), 357 * 26);
    let names: Vec<String> = h.data.get_column_names().iter().map(|s| s.to_string()).collect();
    assert!(names.contains(&"innvandr_kat".to_string()) && names.contains(&"method".to_string()), "{names:?}");
    // Cells that are null in the input make the output partial, not zero.
    let methods: BTreeSet<String> = h.data.column("method").unwrap().str().unwrap().iter().flatten().map(String::from).collect();
    assert!(methods.contains("partial"), "{methods:?}");
}

#[test]
fn population_change_oslo() {
    let src = source();
    let df = statbank::analysis::population_change(&src, 2024, 2010, 2026).unwrap();
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    assert_eq!(&names[..6], ["code", "name", "pop_from", "pop_to", "change", "pct_change"]);
    assert_eq!(df.height(), 357);
    let codes: Vec<&str> = df.column("code").unwrap().str().unwrap().iter().flatten().collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
    let i = codes.iter().position(|c| *c == "0301").unwrap();
    assert_eq!(df.column("pop_from").unwrap().f64().unwrap().get(i), Some(586_860.0));
    assert_eq!(df.column("pop_to").unwrap().f64().unwrap().get(i), Some(728_714.0));
    assert_eq!(df.column("change").unwrap().f64().unwrap().get(i), Some(141_854.0));
    let pct = df.column("pct_change").unwrap().f64().unwrap().get(i).unwrap();
    assert!((pct - 100.0 * 141_854.0 / 586_860.0).abs() < 1e-9);
    let total: f64 = df.column("change").unwrap().f64().unwrap().iter().flatten().sum();
    assert!((total - (5_627_400.0 - 4_858_199.0)).abs() < 1e-6);
    assert!(matches!(statbank::analysis::population_change(&src, 2024, 1990, 2026), Err(Error::Borders(_))));
}

// ---------------------------------------------------------------- the changes applied

#[test]
fn applied_changes_2010_to_2024() {
    let src = source();
    let df = src.fetch(&Query::new("07459").select_str("Tid", "2010").unwrap()).unwrap();
    let h = Harmoniser::new(&src).borders(2024).run(&df, "value", "year", "region_code").unwrap();
    let count = |k: ChangeKind| h.applied.iter().filter(|a| a.kind == k).count();
    println!("{}", h.changes);
    println!(
        "renumber {}, merge {}, split {}, recreate {}",
        count(ChangeKind::Renumber),
        count(ChangeKind::Merge),
        count(ChangeKind::Split),
        count(ChangeKind::Recreate)
    );
    let splits: BTreeMap<(i32, String, String), f64> = h
        .applied
        .iter()
        .filter(|a| a.kind == ChangeKind::Split)
        .map(|a| ((a.year, a.from_code.clone(), a.to_code.clone()), a.share))
        .collect();
    for (k, v) in &splits {
        println!("split {k:?}: {v:.6}");
    }
    let split_units: BTreeSet<(i32, String)> = splits.keys().map(|(y, f, _)| (*y, f.clone())).collect();
    let expected: BTreeSet<(i32, String)> =
        [(2017, "0720"), (2020, "1850"), (2020, "5012"), (2024, "1507")].iter().map(|(y, c)| (*y, c.to_string())).collect();
    assert_eq!(split_units, expected);
    for (y, unit) in &split_units {
        let total: f64 = splits.iter().filter(|((yy, f, _), _)| yy == y && f == unit).map(|(_, s)| s).sum();
        assert!((total - 1.0).abs() < 1e-12, "{unit} {y}: shares sum to {total}");
    }
    // Stokke: most of it went to Sandefjord.
    assert!(splits[&(2017, "0720".into(), "0710".into())] > 0.5);
    // Re-creation: Haram 1534 → 1580, the other old units → Ålesund 1508.
    let rec: BTreeMap<String, String> = h
        .applied
        .iter()
        .filter(|a| a.kind == ChangeKind::Recreate)
        .map(|a| (a.from_code.clone(), a.to_code.clone()))
        .collect();
    assert_eq!(rec["1534"], "1580");
    for old in ["1504", "1523", "1529", "1546"] {
        assert_eq!(rec[old], "1508", "{old}");
    }
    assert!(h.applied.iter().any(|a| a.kind == ChangeKind::Merge && a.from_code == "0711" && a.to_code == "3005"));
    assert!(h.applied.iter().any(|a| a.kind == ChangeKind::Renumber && a.from_code == "3005" && a.to_code == "3301"));
    assert!(h.applied.iter().all(|a| (a.kind == ChangeKind::Split) != a.exact));
    let cols: Vec<String> = h.changes.get_column_names().iter().map(|s| s.to_string()).collect();
    assert_eq!(&cols[..8], ["year", "from_code", "from_name", "to_code", "to_name", "kind", "share", "exact"]);
    // The same table without data.
    let t = Harmoniser::new(&src).borders(2024).changes(2010, 2010).unwrap();
    assert_eq!(t.height(), h.changes.height());
}

#[test]
fn shares_follow_the_population_jump() {
    // Stokke 0720 split on 1 January 2017 into Tønsberg 0704 and Sandefjord 0710.
    let v = values(pop_frame());
    let p = |c: &str, y: i32| v[&(c.to_string(), y)].unwrap();
    let to_tonsberg = (p("0704", 2017) - p("0704", 2016)).max(0.0);
    let to_sandefjord = (p("0710", 2017) - p("0706", 2016) - p("0719", 2016)).max(0.0);
    let share = to_sandefjord / (to_tonsberg + to_sandefjord);
    let src = source();
    let t = Harmoniser::new(&src).borders(2024).population(population()).changes(2016, 2016).unwrap();
    let from = t.column("from_code").unwrap().str().unwrap();
    let to = t.column("to_code").unwrap().str().unwrap();
    let shares = t.column("share").unwrap().f64().unwrap();
    let i = (0..t.height()).find(|&i| from.get(i) == Some("0720") && to.get(i) == Some("0710")).unwrap();
    assert!((shares.get(i).unwrap() - share).abs() < 1e-12);
    // The single mapping agrees.
    let m = harmonise::map_code(&src, "0720", 2016, 2024).unwrap();
    assert_eq!(m.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["3905", "3907"]);
    assert!((m[1].1 - share).abs() < 1e-12 && !m[1].2);
    let h = harmonise::map_code(&src, "1534", 2010, 2024).unwrap();
    assert_eq!(h, vec![("1580".to_string(), 1.0, true)]);
    // And the 2016 value of Stokke is divided with it.
    let out = values(&to_2024().data);
    let sandefjord_2016 = p("0706", 2016) + p("0719", 2016) + share * p("0720", 2016);
    assert!((out[&("3907".to_string(), 2016)].unwrap() - sandefjord_2016).abs() < 1e-6);
}

// ---------------------------------------------------------------- SSB's own harmonisation

#[test]
fn kommsummer_codes_and_differences() {
    assert_eq!(kommsummer_code("K-3301"), Some("3301"));
    assert_eq!(kommsummer_code("K-21-22"), None);
    assert_eq!(kommsummer_code("3301"), None);
    let src = source();
    let ssb = harmonise::ssb_kommsummer(&src).unwrap();
    let ssb_v = values(&ssb);
    let ours = values(&to_2024().data);
    // SSB's series lines up with ours code for code.
    let ssb_codes: BTreeSet<&str> =
        ssb_v.keys().map(|(c, _)| c.as_str()).filter(|c| region::is_municipality(c)).collect();
    let our_codes: BTreeSet<&str> = ours.keys().map(|(c, _)| c.as_str()).collect();
    assert_eq!(ssb_codes, our_codes);
    // Where the two differ (2005–2026).
    let mut differ: BTreeMap<String, BTreeSet<i32>> = BTreeMap::new();
    for ((c, y), v) in &ours {
        let s = ssb_v[&(c.clone(), *y)].unwrap_or(0.0);
        if (v.unwrap() - s).abs() > 1e-6 {
            differ.entry(c.clone()).or_default().insert(*y);
        }
    }
    for (c, ys) in &differ {
        println!("{c}: {ys:?}");
    }
    let before = |y: i32| (2005..y).collect::<BTreeSet<i32>>();
    // Split units: SSB puts 0 where we divide Tysfjord and Snillfjord, and all of
    // Stokke in Sandefjord where we divide it.
    for c in ["1806", "1875", "5055", "5056", "5059"] {
        assert_eq!(differ.get(c), Some(&before(2020)), "{c}");
        for y in 2005..2020 {
            let s = ssb_v[&(c.to_string(), y)].unwrap_or(0.0);
            let o = ours[&(c.to_string(), y)].unwrap();
            // SSB: 0 for Heim, Hitra, Orkland, Narvik, Hamarøy before 2020.
            assert!(s == 0.0 && o > 0.0, "{c} {y}: ssb {s}, ours {o}");
        }
    }
    assert_eq!(differ.get("3905"), Some(&before(2017)));
    assert_eq!(differ.get("3907"), Some(&before(2017)));
    let stokke_2016 = values(pop_frame())[&("0720".to_string(), 2016)].unwrap();
    let d = ssb_v[&("3907".to_string(), 2016)].unwrap() - ours[&("3907".to_string(), 2016)].unwrap();
    assert!(d > 0.0 && d < stokke_2016, "SSB puts all of Stokke in Sandefjord");
    // Ålesund/Haram: SSB keeps all of 1507 on 1508 in 2020–2023; we divide it.
    let allowed: BTreeSet<&str> = ["1806", "1875", "5055", "5056", "5059", "3905", "3907", "1508", "1580"].into();
    for c in differ.keys() {
        assert!(allowed.contains(c.as_str()), "unexpected difference for {c}: {:?}", differ[c]);
    }
    if let Some(ys) = differ.get("1580") {
        assert!(ys.iter().all(|y| (2020..=2023).contains(y)), "1580 differs in {ys:?}");
    }
}

// ---------------------------------------------------------------- region levels

#[test]
fn region_levels_on_real_labels() {
    let df = annotate(pop_frame(), "region_code", "region").unwrap();
    let levels = df.column("level").unwrap().str().unwrap();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for l in levels.iter().flatten() {
        *count.entry(l).or_default() += 1;
    }
    assert_eq!(count["country"], 22);
    assert_eq!(count["municipality"], 848 * 22);
    let at = |code: &str, col: &str| column_at(&df, col, code, 2010).to_string();
    assert_eq!(at("0602", "name"), "\"Drammen\"");
    assert_eq!(at("0602", "valid_to"), "2019");
    assert_eq!(at("0602", "valid_from"), "null");
    assert_eq!(at("3005", "valid_from"), "2020");
    assert_eq!(at("3005", "valid_to"), "2023");
    assert_eq!(at("3301", "valid_to"), "null");
    assert_eq!(at("0602", "county_code"), "\"06\"");
    assert_eq!(at("0", "county_code"), "null");
    assert_eq!(at("0", "level"), "\"country\"");
    // Every label parses; no name keeps a year suffix.
    let names = df.column("name").unwrap().str().unwrap();
    for n in names.iter().flatten() {
        assert!(!n.ends_with("-2019)") && !n.ends_with("-2023)"), "{n}");
    }
    let l = parse_label("Divtasvuodna - Tysfjord (-2019)");
    assert_eq!((l.name.as_str(), l.valid_from, l.valid_to), ("Divtasvuodna - Tysfjord", None, Some(2019)));
    let l = parse_label("Tønsberg (1988-2019)");
    assert_eq!((l.valid_from, l.valid_to), (Some(1988), Some(2019)));
    assert_eq!(parse_label("Våler (Østfold)").name, "Våler (Østfold)");
    assert_eq!(parse_label("Oslo").valid_to, None);
    for (code, lv) in [
        ("0", Level::Country),
        ("03", Level::County),
        ("50", Level::County),
        ("21", Level::Territory),
        ("23", Level::Territory),
        ("2100", Level::Territory),
        ("2111", Level::Territory),
        ("2121", Level::Territory),
        ("2131", Level::Territory),
        ("2211", Level::Territory),
        ("2311", Level::Territory),
        ("0399", Level::Unknown),
        ("9999", Level::Unknown),
        ("99", Level::Unknown),
        ("4601", Level::Municipality),
        ("K-4601", Level::Municipality),
        ("K-21-22", Level::Territory),
        ("K-Rest", Level::Unknown),
        ("EAK", Level::Other),
    ] {
        assert_eq!(level(code), lv, "{code}");
    }
    assert_eq!(county_code("3301"), Some("33"));
    assert_eq!(county_code("2111"), Some("21"));
    assert_eq!(county_code("9999"), None);
    // The SSB KommSummer labels and codes classify too.
    let ks = source().fetch(&Query::new("07459").select_str("Region", "agg:KommSummer").unwrap()).unwrap();
    let ks = annotate(&ks, "region_code", "region").unwrap();
    let lv: BTreeSet<String> = ks.column("level").unwrap().str().unwrap().iter().flatten().map(String::from).collect();
    assert_eq!(lv, ["municipality", "territory", "unknown"].into_iter().map(String::from).collect());
}

#[test]
fn counties_for_any_year() {
    let src = source();
    let counties = statbank::borders::counties::Counties::load(&Klass::new(&src)).unwrap();
    assert_eq!(counties.of("0602", 2019), Some(("06", Some("Buskerud"))));
    assert_eq!(counties.of("3005", 2020), Some(("30", Some("Viken"))));
    assert_eq!(counties.of("3301", 2024), Some(("33", Some("Buskerud"))));
    assert_eq!(counties.of("5001", 2018).map(|c| c.1), Some(Some("Trøndelag")));
    assert_eq!(counties.of("1601", 2010).map(|c| c.1), Some(Some("Sør-Trøndelag")));
    // A 2024 code in a year before its county existed: the nearest name.
    assert_eq!(counties.of("3301", 2010).map(|c| c.1), Some(Some("Buskerud")));
    let h = to_2024();
    let df = statbank::borders::counties::annotate_county(&h.data, "region_code", "year", &counties).unwrap();
    let c = df.column("county").unwrap().str().unwrap();
    assert_eq!(c.null_count(), 0);
    let _ = COUNTIES;
}

// ---------------------------------------------------------------- KLASS

#[test]
fn klass_offline_changes_and_codes() {
    let src = source();
    let k = Klass::new(&src);
    let changes = k.changes(MUNICIPALITIES, "2005-01-01", "2026-12-31").unwrap();
    let derived: Vec<(String, String, String)> = changes
        .iter()
        .filter(|c| c.derived)
        .map(|c| (c.change_occurred.clone(), c.old_code.clone(), c.new_code.clone()))
        .collect();
    let d = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        derived,
        vec![
            d("2005-01-01", "1842", "1804"),
            d("2006-01-01", "1154", "1160"),
            d("2006-01-01", "1159", "1160"),
            d("2006-01-01", "1569", "1576"),
            d("2006-01-01", "1572", "1576"),
            d("2008-01-01", "1503", "1505"),
            d("2008-01-01", "1556", "1505"),
        ]
    );
    assert_eq!(changes.iter().filter(|c| !c.derived).count(), 516);
    let at = |date: &str| k.codes_at(MUNICIPALITIES, date).unwrap().into_iter().filter(|c| region::is_municipality(&c.code)).count();
    assert_eq!(at("2024-01-01"), 357);
    assert_eq!(at("2020-01-01"), 356);
    assert_eq!(at("2010-01-01"), 430);
    assert!(k.changes(MUNICIPALITIES, "2005-1-1", "2024-12-31").is_err());
    let f = k.changes_frame(MUNICIPALITIES, "2024-01-01", "2024-12-31").unwrap();
    assert_eq!(f.height(), 118);
}

// ---------------------------------------------------------------- options and errors

#[test]
fn other_regions_are_explicit() {
    let src = source();
    let df = src.fetch(&Query::new("07459").select_str("Tid", "2010,2026").unwrap()).unwrap();
    let dropped = Harmoniser::new(&src).run(&df, "value", "year", "region_code").unwrap();
    assert!(!values(&dropped.data).contains_key(&("0".to_string(), 2010)));
    let kept = Harmoniser::new(&src).other_regions(OtherRegions::Keep).run(&df, "value", "year", "region_code").unwrap();
    let v = values(&kept.data);
    assert_eq!(v[&("0".to_string(), 2010)], Some(4_858_199.0));
    assert_eq!(column_at(&kept.data, "method", "0", 2010), AnyValue::String("passthrough"));
    assert_eq!(kept.data.height(), 2 * 358);
    let s = sums(&kept.data);
    assert!((s[&2010] - 4_858_199.0).abs() < 1e-6, "the country row is not added into municipalities");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let src = source();
    let df = pop_frame();
    let h = Harmoniser::new(&src).population(population());
    assert!(matches!(h.run(df, "nope", "year", "region_code"), Err(Error::Column { .. })));
    assert!(matches!(h.run(df, "value", "nope", "region_code"), Err(Error::Column { .. })));
    assert!(matches!(h.run(df, "value", "tid_code", "region_code"), Err(Error::Column { .. })), "string year");
    assert!(matches!(h.run(df, "region", "year", "region_code"), Err(Error::Column { .. })), "string value");
    assert!(matches!(h.run(df, "value", "year", "year"), Err(Error::Column { .. })), "integer codes");
    assert!(matches!(h.clone().borders(1700).run(df, "value", "year", "region_code"), Err(Error::Borders(_))));
    let bad = df!("region_code" => ["0301", "7777"], "year" => [2010i32, 2010], "value" => [1.0, 2.0]).unwrap();
    let err = h.run(&bad, "value", "year", "region_code").unwrap_err();
    assert!(matches!(err, Error::Borders(_)) && err.to_string().contains("7777"), "{err}");
    // A year the population does not cover, where a split needs a share.
    let old = df!("region_code" => ["0720"], "year" => [2000i32], "value" => [1.0]).unwrap();
    let err = h.run(&old, "value", "year", "region_code").unwrap_err();
    assert!(matches!(err, Error::Borders(_)), "{err}");
    // Phantom rows (a code in a year it did not exist, value 0) vanish.
    let ph = df!("region_code" => ["0301", "3301"], "year" => [2010i32, 2010], "value" => [5.0, 0.0]).unwrap();
    let out = h.run(&ph, "value", "year", "region_code").unwrap();
    assert_eq!(out.data.height(), 1);
    // A frame without a label column gets a name column.
    assert_eq!(out.data.column("region").unwrap().str().unwrap().get(0), Some("Oslo"));
}
