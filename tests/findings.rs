//! The article's analysis exists once, in `statbank::analysis`; this pins its numbers on
//! the repository's snapshot and proves that what the notebooks print agrees with it.
//!
//! Notebooks 01–04 compute the headline numbers step by step with polars, for teaching,
//! and each checks its result against `statbank::analysis` in a cell (CI executes the
//! notebooks and compares their outputs with the committed ones). Here the committed
//! outputs are held against [`Findings`] directly, so neither copy can drift from the
//! other without a test failing.

mod common;

use std::collections::BTreeSet;

use common::notebook::{cells, notebook, numbers, output_text, text};
use statbank::analysis::{Findings, Verdict};
use statbank::prelude::*;

fn findings() -> Findings {
    Findings::compute(&Source::snapshot().expect("data/snapshot")).expect("the findings compute")
}

#[test]
fn the_findings_on_the_snapshot() {
    let f = findings();
    assert_eq!(f.latest, 2026);
    assert_eq!(f.municipalities, 357);
    assert_eq!(f.oslo, 141_854.0);
    assert_eq!(f.runner_up, ("Trondheim - Tråante".to_string(), 41_723.0));
    assert_eq!(f.bergen, 38_260.0);
    assert_eq!(f.lost_1000, 0);
    assert_eq!(f.porsgrunn, 2_812.0);
    assert_eq!(f.drammen, 14_294.0);
    assert_eq!(f.largest_loss, ("Grue".to_string(), -615.0));
    assert_eq!(f.small.0, 176);
    assert!((f.small.1 - -23.04).abs() < 0.01 && (f.small.2 - 39.29).abs() < 0.01, "{:?}", f.small);
    assert_eq!(f.imm_years, (2010, 2022));
    let oslo_share = f.imm_shares.iter().find(|s| s.0 == "0301").expect("Oslo's share").2;
    assert!((oslo_share - 49.15).abs() < 0.01, "{oslo_share}");
    assert_eq!(f.growing, 231);
    assert!(f.big_share.1 > f.big_share.0, "{:?}", f.big_share);
    assert!(f.big_share_rate.1 < f.big_share_rate.0, "the share grew more slowly after 2018: {:?}", f.big_share_rate);
}

#[test]
fn the_verdicts_follow_the_rules() {
    let verdicts: Vec<Verdict> = findings().claims().into_iter().map(|c| c.verdict).collect();
    assert_eq!(
        verdicts,
        [Verdict::NotSupported, Verdict::NotSupported, Verdict::NotSupported, Verdict::CannotBeChecked, Verdict::PartlySupported]
    );
}

#[test]
fn every_claim_states_its_rule_and_its_numbers() {
    for c in findings().claims() {
        assert!(c.rule.len() > 60, "claim {}: the rule says why, in a sentence: {:?}", c.number, c.rule);
        assert!(!numbers(&c.data).is_empty(), "claim {}: the data has numbers: {:?}", c.number, c.data);
    }
}

/// The code cells of a notebook, and the numbers its outputs show.
fn code_and_shown(prefix: &str) -> (String, BTreeSet<String>) {
    let nb = notebook(prefix);
    let code: String = cells(&nb)
        .iter()
        .filter(|c| c["cell_type"] == "code")
        .map(|c| text(&c["source"]) + "\n")
        .collect();
    (code, numbers(&output_text(&nb)).into_iter().collect())
}

fn digits(x: f64) -> String {
    numbers(&format!("{x}"))[0].clone()
}

#[test]
fn notebook_05_shows_every_claims_numbers_from_the_crate() {
    let (code, shown) = code_and_shown("05");
    assert!(code.contains("Findings::compute"), "05 builds on statbank::analysis::Findings");
    for c in findings().claims() {
        for n in numbers(&c.data) {
            assert!(shown.contains(&n), "claim {}: 05's outputs do not show {n} ({:?})", c.number, c.data);
        }
    }
}

/// A notebook that computes numbers step by step checks them against the crate in a
/// cell (`assert_eq!` against `statbank::analysis`), and its outputs show the crate's
/// numbers: both copies agree, and CI re-executes the notebook.
fn assert_notebook_agrees(prefix: &str, expected: &[String]) {
    let (code, shown) = code_and_shown(prefix);
    assert!(code.contains("statbank::analysis"), "{prefix}: no cell checks against statbank::analysis");
    assert!(code.contains("assert"), "{prefix}: the check against statbank::analysis asserts nothing");
    for n in expected {
        assert!(shown.contains(n), "{prefix}: the outputs do not show {n}, which statbank::analysis computes");
    }
}

#[test]
fn notebook_01_reaches_the_crates_population_change() {
    let f = findings();
    let expected: Vec<String> =
        [f.oslo, f.runner_up.1, f.bergen, f.porsgrunn, f.drammen, f.largest_loss.1, f.growing as f64]
            .into_iter()
            .map(digits)
            .collect();
    assert_notebook_agrees("01", &expected);
}

#[test]
fn notebook_02_reaches_the_crates_small_municipalities() {
    let (n, lo, hi) = findings().small;
    assert_notebook_agrees("02", &[n.to_string(), format!("{:.1}", lo.abs()), format!("{hi:.1}")]);
}

#[test]
fn notebook_03_reaches_the_crates_immigrant_change() {
    let source = Source::snapshot().unwrap();
    let (from, to) = findings().imm_years;
    let b = statbank::analysis::immigrant_change(&source, 2026, "B", from, to).unwrap();
    let oslo = b.f64_where("code", "0301", "imm_change").unwrap();
    assert_eq!(oslo, 55_525.0);
    assert_notebook_agrees("03", &[b.height().to_string(), digits(oslo)]);
}

#[test]
fn notebook_04_reaches_the_crates_immigrant_shares() {
    let shares: Vec<String> = findings().imm_shares.iter().map(|(_, _, s)| format!("{s:.1}")).collect();
    assert_eq!(shares, ["49.2", "62.4", "42.6", "73.0"]);
    assert_notebook_agrees("04", &shares);
}
