//! SSB's urban-settlement page rebuilt from the snapshot (`analysis::urban`, notebook 06
//! and `statbank report`): the key numbers, the check against the page, the tables.

use polars::prelude::*;
use statbank::analysis::urban::{self, UrbanReport, PAGE_FIGURES};
use statbank::prelude::*;

fn report() -> UrbanReport {
    UrbanReport::compute(&Source::snapshot().unwrap()).unwrap()
}

#[test]
fn summary_of_both_years() {
    let r = report();
    assert_eq!(r.years, (2021, 2022));
    let s = &r.summary;
    assert_eq!(s.f64_at("urban", 0).unwrap(), 4_443_243.0);
    assert_eq!(s.f64_at("urban", 1).unwrap(), 4_485_236.0);
    assert_eq!(s.f64_at("settlements", 0).unwrap(), 983.0);
    assert_eq!(s.f64_at("settlements", 1).unwrap(), 986.0);
    assert_eq!(s.f64_at("population", 1).unwrap(), 5_425_270.0);
    assert_eq!(s.f64_at("rural", 1).unwrap(), 940_034.0);
    assert!((s.f64_at("share_urban_pct", 1).unwrap() - 82.673).abs() < 0.001);
}

#[test]
fn seven_of_ten_page_figures_agree_and_the_rest_are_explained() {
    let r = report();
    let c = r.page_check.as_ref().expect("the snapshot has the 2022 list");
    assert_eq!(c.agreeing().unwrap(), 7);
    let agrees: Vec<bool> = c.table.column("agrees").unwrap().bool().unwrap().iter().map(|a| a.unwrap()).collect();
    assert_eq!(agrees, [true, false, false, true, false, true, true, true, true, true]);
    let diff = |i| c.table.f64_at("difference", i).unwrap();
    assert_eq!(diff(1), 6_870.0, "rural: the residents without a known address");
    assert!((diff(2) - 0.04).abs() < 1e-9, "area {}", diff(2));
    assert!((diff(4) + 0.01).abs() < 1e-9, "share {}", diff(4));
    assert_eq!(c.areas, 986);
    assert_eq!(c.unknown_page_year(), Some(5_856.0));
    assert_eq!(urban::PAGE_UNKNOWN_BY_COUNTY.iter().sum::<f64>(), 5_856.0);
    let e = c.explanations().unwrap();
    assert_eq!(e.len(), 3);
    assert!(e[0].contains("5,488,984") && e[0].contains("= 5,856"), "{}", e[0]);
    assert!(e[1].contains("986 areas") && e[1].contains("4.93 km²"), "{}", e[1]);
    assert!(e[2].contains("82.976%") && e[2].contains("82.673%") && e[2].contains("0.303"), "{}", e[2]);
    assert_eq!(PAGE_FIGURES[0].value - PAGE_FIGURES[0].change, 4_485_236.0);
}

#[test]
fn largest_settlements_and_their_municipal_parts() {
    let r = report();
    let names: Vec<String> = (0..5).map(|i| r.largest.str_at("settlement", i).unwrap()).collect();
    assert_eq!(names, ["Oslo", "Bergen", "Stavanger/Sandnes", "Trondheim", "Fredrikstad/Sarpsborg"]);
    assert_eq!(r.largest.f64_at("change", 0).unwrap(), 21_067.0);
    assert_eq!(r.largest.height(), 15);
    let m = &r.by_municipality;
    assert_eq!(m.column("residents_share_pct").unwrap().null_count(), 10, "ten settlements over 50,000");
    assert_eq!(m.height(), 37);
    assert_eq!(m.str_at("municipality", 0).unwrap(), "Total");
    assert_eq!(m.str_at("municipality", 1).unwrap(), "Oslo");
    assert_eq!(m.f64_at("residents", 1).unwrap(), 696_400.0);
    assert!((m.f64_at("residents_share_pct", 1).unwrap() - 65.436).abs() < 0.001);
}

#[test]
fn counties_in_the_page_order_with_the_national_row() {
    let r = report();
    let t = &r.counties;
    let order: Vec<String> = (0..t.height()).map(|i| t.str_at("county_code", i).unwrap()).collect();
    assert_eq!(order, ["30", "03", "34", "38", "42", "11", "46", "15", "50", "18", "54", "0"]);
    assert_eq!(t.f64_where("county_code", "0", "densely").unwrap(), 4_485_236.0);
    assert_eq!(t.f64_where("county_code", "0", "total").unwrap(), 5_425_270.0);
    assert_eq!(t.f64_where("county_code", "34", "densely").unwrap(), 220_785.0);
    assert_eq!(t.f64_where("county_code", "34", "page_share_pct").unwrap(), 60.1);
    assert_eq!(t.str_at("county", 2).unwrap(), "Innlandet");
}

#[test]
fn new_and_discontinued_with_comments() {
    let r = report();
    let t = &r.new_and_discontinued;
    assert_eq!(t.height(), 29);
    let comment = |name: &str| {
        let row = t.clone().lazy().filter(col("settlement").eq(lit(name))).collect().unwrap();
        assert_eq!(row.height(), 1, "{name}");
        row.str_at("comment", 0).unwrap()
    };
    assert_eq!(comment("Hakadal"), "New urban settlement. Split from Løstad");
    assert_eq!(comment("Flåm"), "New urban settlement");
    assert_eq!(comment("Fevik"), "Discontinued urban settlement. Merged with Arendal");
    assert_eq!(comment("Heradsbygd"), "Discontinued urban settlement");
    let status = t.column("status").unwrap().str().unwrap();
    assert_eq!(status.iter().filter(|s| *s == Some("new")).count(), 16);
    assert_eq!(status.get(0), Some("new"));
    assert_eq!(status.get(28), Some("discontinued"));
}

#[test]
fn back_on_the_list_needs_an_older_list() {
    // Taking 2022 as the "older" list and comparing 2021 with 2021 minus Fevik: Fevik,
    // "new" on the later list, was last listed in 2022.
    let source = Source::snapshot().unwrap();
    let s21 = urban::settlements(&source, 2021).unwrap();
    let s22 = urban::settlements(&source, 2022).unwrap();
    let without = s21.clone().lazy().filter(col("settlement").neq(lit("Fevik"))).collect().unwrap();
    let t = urban::new_and_discontinued(&without, &s21, &[(2019, &s22), (2020, &s21)]).unwrap();
    assert_eq!(t.height(), 1);
    assert_eq!(t.str_at("comment", 0).unwrap(), "Back on the list. Last listed in 2020");
}

#[test]
fn size_classes_and_the_naming_rule() {
    let r = report();
    let t = &r.size_classes;
    assert_eq!(t.height(), 10);
    let per_year = t.clone().lazy().filter(col("year").eq(lit(2022))).collect().unwrap();
    let counts: Vec<f64> = (0..5).map(|i| per_year.f64_at("settlements", i).unwrap()).collect();
    assert_eq!(counts, [334.0, 407.0, 217.0, 22.0, 6.0]);
    assert_eq!(counts.iter().sum::<f64>(), 986.0);
    assert_eq!(per_year.f64_at("residents", 4).unwrap(), 1_987_933.0);
    assert_eq!(urban::merged_name(("Fevik", 6_037.0), ("Arendal", 37_861.0)), "Arendal");
    assert_eq!(urban::merged_name(("Skien", 55_000.0), ("Porsgrunn", 36_000.0)), "Skien/Porsgrunn");
}

#[test]
fn markdown_states_the_check() {
    let md = report().to_markdown().unwrap();
    assert!(md.contains("| Residents in urban settlements | 4,485,236 | 4,485,236 | 0 | yes |"), "{md}");
    assert!(md.contains("| Residents in rural settlements | 933,164 | 940,034 | 6,870 | no |"), "{md}");
    assert!(md.contains("7 of 10 figures agree exactly."), "{md}");
    assert!(md.contains("the 10 settlements with more than 50,000 residents in 2022"), "{md}");
}
