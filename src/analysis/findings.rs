//! The article's five key findings, each judged by a stated rule.

use std::fmt::Write as _;

use polars::prelude::*;

use super::{immigrant_change, population_change, years_of, years_with_figures};
use crate::chart::NumberFormat;
use crate::error::{Error, Result};
use crate::frame::FrameExt;
use crate::borders::harmonise::Harmoniser;
use crate::data::query::{Filter, Query};
use crate::data::source::Source;

/// Claim 2 counts municipalities that "lost more than 1,000 residents": `change < -1000`.
pub const LOSS_THRESHOLD: f64 = -1_000.0;

/// Claim 3's municipalities: more than 500 and fewer than 5 000 residents in 2010 (the
/// article's beeswarm keeps `y2010 > 500`; its smallest class is `y2010 < 5000`).
pub const SMALL_RANGE: (f64, f64) = (500.0, 5_000.0);

/// Claim 5's cities: municipalities (on the latest borders) with at least 50 000
/// residents in 2010, the article's largest size class.
pub const BIG_MUNICIPALITY: f64 = 50_000.0;

/// Claim 5's rate test compares the mean yearly change of the cities' share before and
/// after this year (the middle of 2010–2026).
pub const ACCELERATION_SPLIT: i32 = 2018;

/// How a claim fares against the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every part of the claim holds under its rule.
    Supported,
    /// Some parts hold and some do not (the data says which).
    PartlySupported,
    /// No part holds.
    NotSupported,
    /// The data does not cover what the claim is about (its years, say).
    CannotBeChecked,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Supported => "supported",
            Verdict::PartlySupported => "partly supported",
            Verdict::NotSupported => "not supported",
            Verdict::CannotBeChecked => "cannot be checked with this data",
        })
    }
}

impl Verdict {
    /// Supported when all parts hold, not supported when none does, partly otherwise.
    fn of(parts: &[bool]) -> Verdict {
        match parts.iter().filter(|p| **p).count() {
            n if n == parts.len() => Verdict::Supported,
            0 => Verdict::NotSupported,
            _ => Verdict::PartlySupported,
        }
    }
}

/// One claim of the article, the rule that judges it, what the data says, the verdict.
#[derive(Debug, Clone)]
pub struct Claim {
    /// 1–5, in the article's order.
    pub number: usize,
    /// The article's words.
    pub article: &'static str,
    /// How the claim is judged, and why that rule.
    pub rule: &'static str,
    /// The numbers, in a sentence.
    pub data: String,
    /// The verdict under the rule.
    pub verdict: Verdict,
}

/// The numbers behind the article's key findings, on the latest borders.
#[derive(Debug, Clone)]
pub struct Findings {
    /// Latest year of 07459; also the borders everything is carried to.
    pub latest: i32,
    /// [`population_change`] 2010 → `latest` on the borders of `latest`.
    pub change: DataFrame,
    /// Oslo's change 2010 → latest.
    pub oslo: f64,
    /// The second-largest gain: name and change.
    pub runner_up: (String, f64),
    /// Bergen's change.
    pub bergen: f64,
    /// Municipalities with `change < LOSS_THRESHOLD`.
    pub lost_1000: usize,
    /// Porsgrunn's change (the article: "leading the decline").
    pub porsgrunn: f64,
    /// Drammen's change (named by the article among the losers).
    pub drammen: f64,
    /// The largest loss: name and change.
    pub largest_loss: (String, f64),
    /// Claim 3: number of municipalities in [`SMALL_RANGE`] and their lowest and highest
    /// percent change.
    pub small: (usize, f64, f64),
    /// Years of the immigrant comparison: the longest period from 2010 in which both
    /// 07459 and 09817 (immigrants, B) have figures.
    pub imm_years: (i32, i32),
    /// Immigrant share of growth over `imm_years`, percent: `(code, name, share)` for
    /// Oslo, Bergen, Trondheim and Stavanger.
    pub imm_shares: Vec<(String, String, f64)>,
    /// Share of the population in the [`BIG_MUNICIPALITY`] municipalities, per year:
    /// `year, big, all, share_pct`.
    pub big_share_by_year: DataFrame,
    /// That share in 2010 and in `latest`, percent.
    pub big_share: (f64, f64),
    /// Mean yearly change of the share in percentage points, 2010 → split and split →
    /// latest (see [`ACCELERATION_SPLIT`]).
    pub big_share_rate: (f64, f64),
    /// Municipalities that grew 2010 → latest.
    pub growing: usize,
    /// All municipalities on the latest borders.
    pub municipalities: usize,
}

const CITIES: [&str; 4] = ["0301", "4601", "5001", "1103"];

impl Findings {
    /// Compute every number from `source`.
    pub fn compute(source: &Source) -> Result<Findings> {
        let pop_years = years_of(source, "07459")?;
        let latest = *pop_years.last().ok_or_else(|| Error::NotCovered("table 07459 has no years".into()))?;
        let change = population_change(source, latest, 2010, latest)?
            .sort(["change"], SortMultipleOptions::default().with_order_descending(true))?;
        let ascending = change.sort(["change"], SortMultipleOptions::default())?;

        let count = |e: Expr| -> Result<usize> { Ok(change.clone().lazy().filter(e).collect()?.height()) };
        let small = change
            .clone()
            .lazy()
            .filter(col("pop_from").gt(lit(SMALL_RANGE.0)).and(col("pop_from").lt(lit(SMALL_RANGE.1))))
            .select([len().cast(DataType::Float64).alias("n"), col("pct_change").min().alias("min"), col("pct_change").max().alias("max")])
            .collect()?;

        let b_years = years_with_figures(source, "B")?;
        let imm_to = b_years.iter().copied().filter(|y| pop_years.contains(y)).max();
        let (Some(imm_from), Some(imm_to)) = (b_years.iter().copied().find(|y| *y >= 2010), imm_to) else {
            return Err(Error::NotCovered("tables 07459 and 09817 share no year from 2010".into()));
        };
        let imm = immigrant_change(source, latest, "B", imm_from, imm_to)?;
        let pop_short = population_change(source, latest, imm_from, imm_to)?;
        let mut imm_shares = Vec::new();
        for code in CITIES {
            let share = 100.0 * imm.f64_where("code", code, "imm_change")? / pop_short.f64_where("code", code, "change")?;
            let name = pop_short.clone().lazy().filter(col("code").eq(lit(code))).collect()?.str_at("name", 0)?;
            imm_shares.push((code.to_string(), name, share));
        }

        let big_share_by_year = big_share_by_year(source, latest, &change)?;
        let share_in = |y: i32| -> Result<f64> {
            let row = big_share_by_year.clone().lazy().filter(col("year").eq(lit(y))).collect()?;
            row.f64_at("share_pct", 0)
        };
        let (s0, sm, s1) = (share_in(2010)?, share_in(ACCELERATION_SPLIT)?, share_in(latest)?);

        Ok(Findings {
            latest,
            oslo: change.f64_where("code", "0301", "change")?,
            runner_up: (change.str_at("name", 1)?, change.f64_at("change", 1)?),
            bergen: change.f64_where("code", "4601", "change")?,
            lost_1000: count(col("change").lt(lit(LOSS_THRESHOLD)))?,
            porsgrunn: change.f64_where("name", "Porsgrunn", "change")?,
            drammen: change.f64_where("name", "Drammen", "change")?,
            largest_loss: (ascending.str_at("name", 0)?, ascending.f64_at("change", 0)?),
            small: (small.f64_at("n", 0)? as usize, small.f64_at("min", 0)?, small.f64_at("max", 0)?),
            imm_years: (imm_from, imm_to),
            imm_shares,
            big_share: (s0, s1),
            big_share_rate: (
                (sm - s0) / f64::from(ACCELERATION_SPLIT - 2010),
                (s1 - sm) / f64::from(latest - ACCELERATION_SPLIT),
            ),
            big_share_by_year,
            growing: count(col("change").gt(lit(0.0)))?,
            municipalities: change.height(),
            change,
        })
    }

    /// The five claims, in the article's order, each with its rule and verdict.
    pub fn claims(&self) -> Vec<Claim> {
        let n = NumberFormat::comma().signed();
        let (runner, runner_change) = &self.runner_up;
        let (loser, loss) = &self.largest_loss;
        let (n_small, smin, smax) = self.small;
        let (if0, if1) = self.imm_years;
        let (b0, b1) = self.big_share;
        let (r0, r1) = self.big_share_rate;
        let share = |code: &str| self.imm_shares.iter().find(|s| s.0 == code).map(|s| s.2).unwrap_or(f64::NAN);
        let shares = self.imm_shares.iter().map(|(_, name, s)| format!("{name} {s:.0}%")).collect::<Vec<_>>().join(", ");

        let oslo_as_stated = (self.oslo - 163_000.0).abs() < 500.0;
        let doubles_bergen = runner == "Bergen" && self.oslo > 2.0 * self.bergen;
        let fifteen = self.lost_1000 == 15;
        let porsgrunn_led = loser == "Porsgrunn" && (loss - -3_700.0).abs() < 50.0;
        let small_as_stated = (smin - -30.0).abs() <= 5.0 && (smax - 50.0).abs() <= 5.0;
        let cities_hold = (share("0301") - 60.0).abs() <= 5.0 && ["4601", "5001", "1103"].iter().all(|c| share(c) > 50.0);
        vec![
            Claim {
                number: 1,
                article: "Oslo dominates growth: the capital added 163,000 residents from 2010-2026, more than twice the growth of Bergen.",
                rule: "The article rounds to thousands, so Oslo's change must round to 163,000 (be within 500 of it); \
                       \"more than twice Bergen\" needs Bergen in second place and Oslo's gain above twice Bergen's.",
                data: format!(
                    "Oslo {}; second {runner} {}; Bergen {} ({:.1}× Bergen)",
                    n.format(self.oslo), n.format(*runner_change), n.format(self.bergen), self.oslo / self.bergen
                ),
                verdict: Verdict::of(&[oslo_as_stated, doubles_bergen]),
            },
            Claim {
                number: 2,
                article: "Fifteen municipalities lost more than 1,000 residents each. Porsgrunn led losses at -3,700.",
                rule: "\"Lost more than 1,000\" is a change below −1,000; the count must be fifteen. Porsgrunn must be the \
                       largest loss and, as the article rounds to hundreds, within 50 of −3,700.",
                data: format!(
                    "{} lost more than 1,000; the largest loss is {loser} ({}); Porsgrunn {}, Drammen {}",
                    self.lost_1000, n.format(*loss), n.format(self.porsgrunn), n.format(self.drammen)
                ),
                verdict: Verdict::of(&[fifteen, porsgrunn_led]),
            },
            Claim {
                number: 3,
                article: "Municipalities under 5,000 residents showed growth or decline rates ranging from -30% to +50%.",
                rule: "The article's chart keeps municipalities of more than 500 residents in 2010; its figures are round, \
                       so the lowest and highest change must each lie within 5 percentage points of −30% and +50%.",
                data: format!("{n_small} municipalities with 500–5,000 residents in 2010: {smin:.1}% to {smax:+.1}%"),
                verdict: Verdict::of(&[small_as_stated]),
            },
            Claim {
                number: 4,
                article: "In Oslo, immigrants accounted for 60% of population growth. Bergen, Trondheim, and Stavanger all saw immigrant shares above 50%.",
                rule: "The share is the change in immigrants (09817, category B) over the change in population, both over \
                       the same years on the same borders. The article's period is 2010–2026; where the immigrant figures \
                       end earlier the claim cannot be checked, and the shares over the years they cover are shown instead \
                       (Oslo within 5 points of 60%, the others above 50%).",
                data: format!(
                    "{if0}–{if1}: {shares} ({} for those years)",
                    if cities_hold { "as stated" } else { "not as stated" }
                ),
                verdict: if if1 < 2026 { Verdict::CannotBeChecked } else { Verdict::of(&[cities_hold]) },
            },
            Claim {
                number: 5,
                article: "Concentration accelerates: the gap between thriving cities and declining periphery widened dramatically over 16 years.",
                rule: "Measured by the share of the population living in the municipalities that had 50,000 residents or \
                       more in 2010. Concentration: the share rose. Acceleration is a rate: the share's mean yearly change \
                       after 2018 must exceed that of 2010–2018.",
                data: format!(
                    "share {b0:.1}% (2010) → {b1:.1}% ({}); {r0:+.3} points a year in 2010–{ACCELERATION_SPLIT}, {r1:+.3} in {ACCELERATION_SPLIT}–{}",
                    self.latest, self.latest
                ),
                verdict: Verdict::of(&[b1 > b0, r1 > r0]),
            },
        ]
    }

    /// The claims as a frame: `claim, article, data, verdict` (for a notebook table).
    pub fn claims_frame(&self) -> Result<DataFrame> {
        let claims = self.claims();
        Ok(df!(
            "claim" => claims.iter().map(|c| c.number as u32).collect::<Vec<_>>(),
            "article" => claims.iter().map(|c| c.article).collect::<Vec<_>>(),
            "data" => claims.iter().map(|c| c.data.as_str()).collect::<Vec<_>>(),
            "verdict" => claims.iter().map(|c| c.verdict.to_string()).collect::<Vec<_>>(),
        )?)
    }

    /// The findings as the data supports them, as Markdown bullets.
    pub fn corrected(&self) -> String {
        let n = NumberFormat::comma().signed();
        let (runner, runner_change) = &self.runner_up;
        let (loser, loss) = &self.largest_loss;
        let (_, smin, smax) = self.small;
        let (if0, if1) = self.imm_years;
        let (b0, b1) = self.big_share;
        let (r0, r1) = self.big_share_rate;
        let oslo_share = self.imm_shares.first().map(|s| s.2).unwrap_or(f64::NAN);
        let latest = self.latest;
        let mut s = String::new();
        let _ = writeln!(s, "* **Oslo leads growth**: {} residents from 2010 to {latest} on the borders of {latest}, {:.1} times second-placed {runner} ({}).",
            n.format(self.oslo), self.oslo / runner_change, n.format(*runner_change));
        let _ = writeln!(s, "* **Few municipalities lost many residents**: {} lost more than 1,000; the largest loss was {loser} ({}). Porsgrunn grew ({}).",
            self.lost_1000, n.format(*loss), n.format(self.porsgrunn));
        let _ = writeln!(s, "* **Small municipalities vary most**: with 500–5,000 residents in 2010, change ranged from {smin:.1}% to {smax:+.1}%.");
        let _ = writeln!(s, "* **Immigration mattered for the cities**: from {if0} to {if1}, immigrants made up {oslo_share:.0}% of Oslo's growth.");
        let _ = writeln!(s, "* **Concentration rose{}**: the municipalities with 50,000+ residents in 2010 held {b0:.1}% of the population then and {b1:.1}% in {latest} ({r0:+.3} points a year before {ACCELERATION_SPLIT}, {r1:+.3} after); {} of {} municipalities grew.",
            if r1 > r0 { " and accelerated" } else { ", but did not accelerate" }, self.growing, self.municipalities);
        s
    }

    /// `findings.md`: the claims with their rules and verdicts, then the corrected findings.
    pub fn to_markdown(&self) -> String {
        let (if0, if1) = self.imm_years;
        let mut s = String::new();
        let _ = writeln!(s, "# Key findings, tested against SSB's data\n");
        let _ = writeln!(s, "Population 2010–{0} on the borders of 1 January {0} (table 07459); immigrants {if0}–{if1} (table 09817).\n", self.latest);
        let _ = writeln!(s, "| # | claim in the article | what the data says | verdict |\n|---|---|---|---|");
        for c in self.claims() {
            let _ = writeln!(s, "| {} | {} | {} | {} |", c.number, c.article, c.data, c.verdict);
        }
        let _ = writeln!(s, "\n## The rules\n");
        for c in self.claims() {
            let _ = writeln!(s, "{}. {}", c.number, c.rule);
        }
        let _ = writeln!(s, "\n## The findings, corrected\n");
        s.push_str(&self.corrected());
        s
    }
}

/// `year, big, all, share_pct`: the population of the municipalities with at least
/// [`BIG_MUNICIPALITY`] residents in 2010 (per `change`), every year 2010 → `latest`,
/// on the borders of `latest`.
fn big_share_by_year(source: &Source, latest: i32, change: &DataFrame) -> Result<DataFrame> {
    let pop = source.fetch(
        &Query::new("07459")
            .select("Region", Filter::All)
            .select("ContentsCode", Filter::items(["Personer1"]))
            .select("Tid", Filter::From("2010".into())),
    )?;
    let h = Harmoniser::new(source).borders(latest).run(&pop, "value", "year", "region_code")?;
    let big = change
        .clone()
        .lazy()
        .filter(col("pop_from").gt_eq(lit(BIG_MUNICIPALITY)))
        .select([col("code"), lit(true).alias("big")]);
    Ok(h.data
        .lazy()
        .join(big, [col("region_code")], [col("code")], JoinArgs::new(JoinType::Left))
        .group_by([col("year")])
        .agg([
            col("value").filter(col("big").eq(lit(true))).sum().alias("big"),
            col("value").sum().alias("all"),
        ])
        .with_column((col("big") / col("all") * lit(100.0)).alias("share_pct"))
        .sort(["year"], SortMultipleOptions::default())
        .collect()?)
}
