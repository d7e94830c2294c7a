//! SSB's page on urban settlements for 1 January 2023, quoted, and our lists held
//! against it; [`UrbanReport`] gathers every table of the page that the data gives.

use std::fmt::Write as _;

use polars::prelude::*;

use super::tables::{
    by_county, by_municipality, by_size_class, county_population, largest, national_population, new_and_discontinued,
    summary, whole_settlements,
};
use super::{settlements, years};
use crate::analysis::years_of;
use crate::chart::format_number;
use crate::data::source::Source;
use crate::error::{Error, Result};
use crate::frame::FrameExt;

/// The year of SSB's page (figures for 1 January).
pub const PAGE_YEAR: i32 = 2023;

/// One figure of the page's first table, quoted with its change from the year before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageFigure {
    /// The page's label.
    pub figure: &'static str,
    /// The settlement number for the five largest settlements, `None` for national figures.
    pub settlement_code: Option<&'static str>,
    /// The page's figure for 1 January [`PAGE_YEAR`].
    pub value: f64,
    /// The page's change from the year before.
    pub change: f64,
    /// The decimals the page gives.
    pub decimals: usize,
}

const fn figure(figure: &'static str, code: Option<&'static str>, value: f64, change: f64, decimals: usize) -> PageFigure {
    PageFigure { figure, settlement_code: code, value, change, decimals }
}

/// The page's first table and its five largest settlements (1 January 2023, change from 2022).
pub const PAGE_FIGURES: [PageFigure; 10] = [
    figure("Residents in urban settlements", None, 4_554_562.0, 69_326.0, 0),
    figure("Residents in rural settlements", None, 928_566.0, -4_598.0, 0),
    figure("Area (km²)", None, 2_266.99, 16.05, 2),
    figure("Residents per km²", None, 2_009.0, 16.0, 0),
    figure("Share in urban settlements (%)", None, 82.98, 0.30, 2),
    figure("Oslo", Some("0801"), 1_082_575.0, 18_340.0, 0),
    figure("Bergen", Some("5001"), 269_548.0, 2_431.0, 0),
    figure("Stavanger/Sandnes", Some("4522"), 234_757.0, 3_064.0, 0),
    figure("Trondheim", Some("6501"), 196_948.0, 2_088.0, 0),
    figure("Drammen", Some("2003"), 122_955.0, 11_919.0, 0),
];

/// The "Unknown" column of the page's county table (residents without a known
/// address, 1 January 2023), in the page's order of the counties.
pub const PAGE_UNKNOWN_BY_COUNTY: [f64; 11] = [1298.0, 1489.0, 167.0, 311.0, 241.0, 527.0, 556.0, 241.0, 492.0, 185.0, 349.0];

/// The page's share in densely populated areas by county (1 January 2023), per county code.
pub const PAGE_COUNTY_SHARES: [(&str, f64); 11] = [
    ("30", 88.1),
    ("03", 99.6),
    ("34", 60.1),
    ("38", 83.0),
    ("42", 80.0),
    ("11", 88.7),
    ("46", 81.1),
    ("15", 74.4),
    ("50", 75.8),
    ("18", 72.2),
    ("54", 74.3),
];

/// Our list of the year before the page, held against the page's figures minus their change.
#[derive(Debug, Clone)]
pub struct PageCheck {
    /// `figure, page, list, difference, agrees`: one row per [`PAGE_FIGURES`] entry.
    /// The list's figures are rounded as the page rounds; two figures agree when they
    /// differ by less than half a unit of the page's last decimal.
    pub table: DataFrame,
    /// The number of settlements whose areas the list's total sums (each rounded to 0.01 km²).
    pub areas: usize,
    /// The national population on 1 January [`PAGE_YEAR`] (table 07459), when the source has it.
    pub population_page_year: Option<f64>,
    /// Our share in urban settlements the year before the page, unrounded (%).
    pub share_before: f64,
}

impl PageCheck {
    /// Hold the list of the year before the page (`list`, with `population` that year)
    /// against the page.
    pub fn compute(list: &DataFrame, population: f64, population_page_year: Option<f64>) -> Result<PageCheck> {
        let row = summary(list, PAGE_YEAR - 1, population)?;
        let whole = whole_settlements(list).collect()?;
        let mut ours = Vec::with_capacity(PAGE_FIGURES.len());
        for (i, f) in PAGE_FIGURES.iter().enumerate() {
            let v = match (i, f.settlement_code) {
                (_, Some(code)) => whole.f64_where("settlement_code", code, "residents")?,
                (0, None) => row.f64_at("urban", 0)?,
                (1, None) => row.f64_at("rural", 0)?,
                (2, None) => row.f64_at("area_km2", 0)?,
                (3, None) => row.f64_at("density", 0)?,
                (4, None) => row.f64_at("share_urban_pct", 0)?,
                _ => return Err(Error::NotCovered(format!("no rule for the page figure {:?}", f.figure))),
            };
            let scale = 10f64.powi(f.decimals as i32);
            ours.push((v * scale).round() / scale);
        }
        let half_unit: Vec<f64> = PAGE_FIGURES.iter().map(|f| 0.5 / 10f64.powi(f.decimals as i32)).collect();
        let table = DataFrame::new_infer_height(vec![
            Column::new("figure".into(), PAGE_FIGURES.iter().map(|f| f.figure).collect::<Vec<_>>()),
            Column::new("page".into(), PAGE_FIGURES.iter().map(|f| f.value - f.change).collect::<Vec<_>>()),
            Column::new("list".into(), ours),
            Column::new("half_unit".into(), half_unit),
        ])?
        .lazy()
        .with_column((col("list") - col("page")).alias("difference"))
        // Rounded figures can differ by float noise (2250.9399999): compare within half a unit.
        .with_column(col("difference").abs().lt(col("half_unit")).alias("agrees"))
        .select([col("figure"), col("page"), col("list"), col("difference"), col("agrees")])
        .collect()?;
        Ok(PageCheck { table, areas: whole.height(), population_page_year, share_before: row.f64_at("share_urban_pct", 0)? })
    }

    /// How many of the figures agree exactly.
    pub fn agreeing(&self) -> Result<usize> {
        Ok(self.table.column("agrees")?.bool()?.sum().unwrap_or(0) as usize)
    }

    /// The page's residents without a known address on 1 January [`PAGE_YEAR`]: its
    /// population (07459) minus its urban and rural residents.
    pub fn unknown_page_year(&self) -> Option<f64> {
        self.population_page_year.map(|p| p - PAGE_FIGURES[0].value - PAGE_FIGURES[1].value)
    }

    /// The page's share for [`PAGE_YEAR`] recomputed from its urban count and 07459, unrounded (%).
    pub fn share_page_year(&self) -> Option<f64> {
        self.population_page_year.map(|p| PAGE_FIGURES[0].value / p * 100.0)
    }

    /// One sentence per figure that does not agree, saying why.
    pub fn explanations(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for i in 0..self.table.height() {
            if self.table.column("agrees")?.bool()?.get(i) == Some(true) {
                continue;
            }
            let f = &PAGE_FIGURES[i];
            let d = self.table.f64_at("difference", i)?;
            let diff = format_number(d, f.decimals, true);
            out.push(match i {
                1 => {
                    let page_year = match self.unknown_page_year() {
                        Some(u) => format!(
                            " (on the page, 1 January {PAGE_YEAR}: population {} − urban {} − rural {} = {}; its county table's Unknown column sums to {})",
                            format_number(self.population_page_year.unwrap_or(f64::NAN), 0, true),
                            format_number(PAGE_FIGURES[0].value, 0, true),
                            format_number(PAGE_FIGURES[1].value, 0, true),
                            format_number(u, 0, true),
                            format_number(PAGE_UNKNOWN_BY_COUNTY.iter().sum(), 0, true),
                        ),
                        None => String::new(),
                    };
                    format!(
                        "**{}** differ by {diff}: the page counts the residents without a known address apart{page_year}; the lists have no such count, so our rural figure (population − urban) includes them.",
                        f.figure
                    )
                }
                2 => format!(
                    "**{}** differs by {diff} km²: the list gives each of its {} areas rounded to 0.01 km², so their sum can be off by up to {} km²; the page sums the unrounded areas.",
                    f.figure,
                    self.areas,
                    format_number(self.areas as f64 * 0.005, 2, true)
                ),
                4 => match self.share_page_year() {
                    Some(s) => format!(
                        "**{}** differs by {diff} points: both page figures are rounded to two decimals. Unrounded, the page's {PAGE_YEAR} share (its urban count over 07459's population) is {:.3}% and ours for {} {:.3}%, a change of {:.3} points, which the page rounds to {:.2}.",
                        f.figure,
                        s,
                        PAGE_YEAR - 1,
                        self.share_before,
                        s - self.share_before,
                        f.change
                    ),
                    None => format!("**{}** differs by {diff} points: both page figures are rounded to two decimals.", f.figure),
                },
                _ => format!("**{}** differs by {diff}: not explained.", f.figure),
            });
        }
        Ok(out)
    }
}

/// Every table of SSB's urban-settlement page that the data gives, for the last two
/// years of settlement lists the source has, and the check against the page.
///
/// ```
/// use statbank::prelude::*;
/// use statbank::analysis::urban::UrbanReport;
/// let r = UrbanReport::compute(&Source::snapshot()?)?;
/// assert_eq!(r.years, (2021, 2022));
/// assert_eq!(r.summary.f64_at("urban", 1)?, 4_485_236.0);
/// assert_eq!(r.page_check.as_ref().map(|c| c.agreeing()).transpose()?, Some(7));
/// # Ok::<(), statbank::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct UrbanReport {
    /// The two years compared (1 January), earlier first.
    pub years: (i32, i32),
    /// [`summary`] of both years, earlier first.
    pub summary: DataFrame,
    /// The 15 largest settlements of the later year ([`largest`]).
    pub largest: DataFrame,
    /// Settlements over 50 000 residents by municipality ([`by_municipality`]).
    pub by_municipality: DataFrame,
    /// Densely and sparsely populated by county, with the national row ([`by_county`]),
    /// and the page's share for [`PAGE_YEAR`] beside it (`page_share_pct`).
    pub counties: DataFrame,
    /// New and discontinued settlements between the two years ([`new_and_discontinued`]).
    pub new_and_discontinued: DataFrame,
    /// Settlements by size class, both years ([`by_size_class`]).
    pub size_classes: DataFrame,
    /// The list of the year before the page held against the page, where the source
    /// has that year.
    pub page_check: Option<PageCheck>,
}

/// Residents in settlements over this size get the page's by-municipality table.
pub const BY_MUNICIPALITY_THRESHOLD: i64 = 50_000;

impl UrbanReport {
    /// Build every table from `source`.
    pub fn compute(source: &Source) -> Result<UrbanReport> {
        let ys = years(source)?;
        let &[.., y0, y1] = &ys[..] else {
            return Err(Error::NotCovered(format!(
                "the urban-settlement tables compare two years; the source has settlement lists for {ys:?}"
            )));
        };
        let s0 = settlements(source, y0)?;
        let s1 = settlements(source, y1)?;
        let mut older = Vec::new();
        for y in ys.iter().filter(|y| **y < y0) {
            older.push((*y, settlements(source, *y)?));
        }
        let older_refs: Vec<(i32, &DataFrame)> = older.iter().map(|(y, s)| (*y, s)).collect();
        let (p0, p1) = (national_population(source, y0)?, national_population(source, y1)?);
        let summary_both = summary(&s0, y0, p0)?.vstack(&summary(&s1, y1, p1)?)?;
        let page_shares = DataFrame::new_infer_height(vec![
            Column::new("county_code".into(), PAGE_COUNTY_SHARES.iter().map(|c| c.0).collect::<Vec<_>>()),
            Column::new("page_share_pct".into(), PAGE_COUNTY_SHARES.iter().map(|c| c.1).collect::<Vec<_>>()),
        ])?;
        let counties = by_county(&s1, &county_population(source, y1)?, y1)?
            .lazy()
            .join(page_shares.lazy(), [col("county_code")], [col("county_code")], JoinArgs::new(JoinType::Left))
            .collect()?;
        let page_check = if ys.contains(&(PAGE_YEAR - 1)) {
            let list = if y1 == PAGE_YEAR - 1 { s1.clone() } else { settlements(source, PAGE_YEAR - 1)? };
            let population = national_population(source, PAGE_YEAR - 1)?;
            let page_year = if years_of(source, "07459")?.contains(&PAGE_YEAR) {
                Some(national_population(source, PAGE_YEAR)?)
            } else {
                None
            };
            Some(PageCheck::compute(&list, population, page_year)?)
        } else {
            None
        };
        Ok(UrbanReport {
            years: (y0, y1),
            summary: summary_both,
            largest: largest(&s1, &s0, 15)?,
            by_municipality: by_municipality(&s1, BY_MUNICIPALITY_THRESHOLD)?,
            counties,
            new_and_discontinued: new_and_discontinued(&s0, &s1, &older_refs)?,
            size_classes: by_size_class(&s0, y0)?.vstack(&by_size_class(&s1, y1)?)?,
            page_check,
        })
    }

    /// The report's Markdown: the first table for both years, the check against the
    /// page with a sentence for every difference, and the counts of the other tables.
    pub fn to_markdown(&self) -> Result<String> {
        let (y0, y1) = self.years;
        let n = |v: f64, d: usize| format_number(v, d, true);
        let mut s = String::new();
        let _ = writeln!(s, "# Urban settlements, 1 January {y0} and {y1}\n");
        let _ = writeln!(
            s,
            "Rebuilt from SSB's settlement lists (tettsteder) and table 07459. SSB's page for 1 January {PAGE_YEAR} is quoted, not computed.\n"
        );
        let _ = writeln!(s, "| | {y0} | {y1} | change |\n|---|---:|---:|---:|");
        for (label, c, d) in [
            ("Residents in urban settlements", "urban", 0),
            ("Residents outside urban settlements (incl. unknown address)", "rural", 0),
            ("Area of urban settlements (km²)", "area_km2", 2),
            ("Residents per km²", "density", 0),
            ("Share in urban settlements (%)", "share_urban_pct", 2),
            ("Settlements", "settlements", 0),
        ] {
            let (a, b) = (self.summary.f64_at(c, 0)?, self.summary.f64_at(c, 1)?);
            let change = crate::chart::NumberFormat::comma().decimals(d).signed().format(b - a);
            let _ = writeln!(s, "| {label} | {} | {} | {change} |", n(a, d), n(b, d));
        }
        match &self.page_check {
            Some(check) => {
                let _ = writeln!(s, "\n## Against SSB's page\n");
                let _ = writeln!(
                    s,
                    "The page's figures for 1 January {PAGE_YEAR} minus their change are its own figures for {}; ours are rounded as the page rounds.\n",
                    PAGE_YEAR - 1
                );
                let _ = writeln!(s, "| figure | page, {0} | list, {0} | difference | agrees |\n|---|---:|---:|---:|---|", PAGE_YEAR - 1);
                for (i, f) in PAGE_FIGURES.iter().enumerate() {
                    let agrees = check.table.column("agrees")?.bool()?.get(i) == Some(true);
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {} | {} |",
                        f.figure,
                        n(check.table.f64_at("page", i)?, f.decimals),
                        n(check.table.f64_at("list", i)?, f.decimals),
                        n(check.table.f64_at("difference", i)?, f.decimals),
                        if agrees { "yes" } else { "no" }
                    );
                }
                let _ = writeln!(s, "\n{} of {} figures agree exactly.\n", check.agreeing()?, PAGE_FIGURES.len());
                for e in check.explanations()? {
                    let _ = writeln!(s, "- {e}");
                }
            }
            None => {
                let _ = writeln!(
                    s,
                    "\nThe source has no settlement list for 1 January {}, so the page ({PAGE_YEAR} minus the change) cannot be checked.",
                    PAGE_YEAR - 1
                );
            }
        }
        let status = self.new_and_discontinued.column("status")?.str()?;
        let new = status.iter().filter(|s| *s == Some("new")).count();
        // The head rows of the by-municipality table are the ones without shares.
        let big = self.by_municipality.column("residents_share_pct")?.null_count();
        let _ = writeln!(s, "\n## The page's other tables (CSV files beside this one)\n");
        let _ = writeln!(s, "- `urban/by_municipality.csv`: the {big} settlements with more than {} residents in {y1}, by municipality ({} rows);", n(BY_MUNICIPALITY_THRESHOLD as f64, 0), self.by_municipality.height());
        let _ = writeln!(s, "- `urban/counties.csv`: densely and sparsely populated by county in {y1}, with the national row and the page's {PAGE_YEAR} share;");
        let _ = writeln!(
            s,
            "- `urban/new_and_discontinued.csv`: {new} rows new on the {y1} list and {} discontinued since {y0} (one row per settlement and municipality), each with the page's comment;",
            self.new_and_discontinued.height() - new
        );
        let _ = writeln!(s, "- `urban/size_classes.csv`: settlements and residents per size class, {y0} and {y1};");
        let _ = writeln!(s, "- `urban/largest.csv` and `urban/summary.csv`: the 15 largest settlements of {y1} and the table above.");
        Ok(s)
    }
}
