//! The notebooks' analysis as a report, without Jupyter (`statbank report --out DIR`).
//!
//! Writes, under `DIR`:
//!
//! * `population_change.csv`: `code,name,pop_from,pop_to,change,pct_change` for every
//!   municipality on the latest borders, 2010 → latest year of table 07459;
//! * `immigrant_change.csv`: immigrants (B) and Norwegian-born to immigrant parents (C)
//!   per municipality on the same borders, first → last year of table 09817;
//! * `findings.md`: the article's five key findings tested against the data;
//! * `charts/*.svg` and `charts/*.png`: every chart of the notebooks.

use std::fmt::Write as _;
use std::path::Path;

use polars::prelude::*;

use crate::chart::{Beeswarm, Dumbbell, Lollipop, NumberFormat, HOKUSAI1};
use crate::error::{Error, Result};
use crate::harmonise::{population_change, Harmoniser};
use crate::output::{write_atomic, write_frame, Format};
use crate::query::{Filter, Query};
use crate::source::Source;

const SOURCE_07459: &str = "Source: Statistics Norway (SSB), table 07459";

/// The numbers behind the findings.
#[derive(Debug, Clone)]
pub struct Findings {
    /// Latest year of 07459 (and the borders used).
    pub latest: i32,
    /// Change 2010 → latest for Oslo and Bergen.
    pub oslo: f64,
    pub bergen: f64,
    /// Municipalities that lost more than 1 000 residents.
    pub lost_1000: usize,
    /// Porsgrunn's change.
    pub porsgrunn: f64,
    /// The largest loss: name and change.
    pub largest_loss: (String, f64),
    /// Range of percent change among municipalities with 500–5 000 residents in 2010.
    pub small_range: (f64, f64),
    /// Years of the immigrant comparison.
    pub imm_years: (i32, i32),
    /// Immigrant share of Oslo's growth over `imm_years`, percent.
    pub oslo_imm_share: f64,
    /// Share of the population in municipalities with 50 000+ residents in 2010: (2010, latest), percent.
    pub big_share: (f64, f64),
    /// Growing and all municipalities.
    pub growing: usize,
    pub municipalities: usize,
}

fn f64_at(df: &DataFrame, column: &str, row: usize) -> Result<f64> {
    Ok(df.column(column)?.cast(&DataType::Float64)?.f64()?.get(row).unwrap_or(f64::NAN))
}

fn row_value(df: &DataFrame, code_col: &str, code: &str, column: &str) -> Result<f64> {
    let row = df.clone().lazy().filter(col(code_col).eq(lit(code))).collect()?;
    if row.height() == 0 {
        return Ok(f64::NAN);
    }
    f64_at(&row, column, 0)
}

fn years_of(source: &Source, table: &str) -> Result<Vec<i32>> {
    let meta = source.metadata(table)?;
    let tid = meta
        .dimension("Tid")
        .ok_or_else(|| Error::Query(format!("table {table} has no Tid dimension")))?;
    Ok(tid.codes.iter().filter_map(|c| c.parse().ok()).collect())
}

/// Immigrant change per municipality and category between two years, on `borders`.
pub fn immigrant_change(source: &Source, borders: i32, from: i32, to: i32) -> Result<DataFrame> {
    let imm = source.fetch(
        &Query::new("09817")
            .select("Region", Filter::All)
            .select("InnvandrKat", Filter::items(["B", "C"]))
            .select("ContentsCode", Filter::items(["Personer1"]))
            .select("Tid", Filter::items([from.to_string(), to.to_string()])),
    )?;
    let h = Harmoniser::new(source).borders(borders).run(&imm, "value", "year", "region_code")?;
    Ok(h.data
        .lazy()
        .filter(col("method").neq(lit("partial")))
        .group_by([col("region_code"), col("region"), col("innvandr_kat_code")])
        .agg([
            col("value").filter(col("year").eq(lit(from))).first().alias("imm_from"),
            col("value").filter(col("year").eq(lit(to))).first().alias("imm_to"),
        ])
        .filter(col("imm_from").is_not_null().and(col("imm_to").is_not_null()))
        .with_columns([
            (col("imm_to") - col("imm_from")).alias("imm_change"),
            ((col("imm_to") - col("imm_from")) / col("imm_from") * lit(100.0)).alias("imm_pct_change"),
            lit(from).alias("year_from"),
            lit(to).alias("year_to"),
        ])
        .sort(["innvandr_kat_code", "region_code"], SortMultipleOptions::default())
        .select([
            col("region_code").alias("code"),
            col("region").alias("name"),
            col("innvandr_kat_code").alias("category"),
            col("year_from"),
            col("year_to"),
            col("imm_from"),
            col("imm_to"),
            col("imm_change"),
            col("imm_pct_change"),
        ])
        .collect()?)
}

impl Findings {
    /// Compute the findings from the source.
    pub fn compute(source: &Source) -> Result<(Findings, DataFrame, DataFrame)> {
        let pop_years = years_of(source, "07459")?;
        let imm_years = years_of(source, "09817")?;
        let latest = *pop_years.last().ok_or_else(|| Error::Query("07459 has no years".into()))?;
        let change = population_change(source, latest, 2010, latest)?;
        let imm_from = imm_years.iter().copied().filter(|y| *y >= 2010).min();
        let imm_to = imm_years.iter().copied().filter(|y| pop_years.contains(y)).max();
        let (Some(imm_from), Some(imm_to)) = (imm_from, imm_to) else {
            return Err(Error::Query("tables 07459 and 09817 share no year from 2010".into()));
        };
        let imm = immigrant_change(source, latest, imm_from, imm_to)?;
        let pop_short = population_change(source, latest, imm_from, imm_to)?;

        let count = |e: Expr| -> Result<usize> { Ok(change.clone().lazy().filter(e).collect()?.height()) };
        let loser = change.clone().lazy().sort(["change"], SortMultipleOptions::default()).limit(1).collect()?;
        let small = change
            .clone()
            .lazy()
            .filter(col("pop_from").gt(lit(500)).and(col("pop_from").lt(lit(5000))))
            .select([col("pct_change").min().alias("min"), col("pct_change").max().alias("max")])
            .collect()?;
        let big = change
            .clone()
            .lazy()
            .select([
                col("pop_from").filter(col("pop_from").gt_eq(lit(50_000.0))).sum().alias("big_from"),
                col("pop_to").filter(col("pop_from").gt_eq(lit(50_000.0))).sum().alias("big_to"),
                col("pop_from").sum().alias("all_from"),
                col("pop_to").sum().alias("all_to"),
            ])
            .collect()?;
        let oslo_imm = imm.clone().lazy().filter(col("category").eq(lit("B"))).collect()?;
        let f = Findings {
            latest,
            oslo: row_value(&change, "code", "0301", "change")?,
            bergen: row_value(&change, "code", "4601", "change")?,
            lost_1000: count(col("change").lt(lit(-1000.0)))?,
            porsgrunn: row_value(&change, "name", "Porsgrunn", "change")?,
            largest_loss: (
                loser.column("name")?.str()?.get(0).unwrap_or("?").to_string(),
                f64_at(&loser, "change", 0)?,
            ),
            small_range: (f64_at(&small, "min", 0)?, f64_at(&small, "max", 0)?),
            imm_years: (imm_from, imm_to),
            oslo_imm_share: 100.0 * row_value(&oslo_imm, "code", "0301", "imm_change")?
                / row_value(&pop_short, "code", "0301", "change")?,
            big_share: (
                100.0 * f64_at(&big, "big_from", 0)? / f64_at(&big, "all_from", 0)?,
                100.0 * f64_at(&big, "big_to", 0)? / f64_at(&big, "all_to", 0)?,
            ),
            growing: count(col("change").gt(lit(0.0)))?,
            municipalities: change.height(),
        };
        Ok((f, change, imm))
    }

    /// The findings as Markdown: the claim table and the corrected findings.
    pub fn to_markdown(&self) -> String {
        let n = NumberFormat::comma().signed();
        let Findings { latest, oslo, bergen, lost_1000, porsgrunn, .. } = self.clone();
        let (loser, loss) = &self.largest_loss;
        let (smin, smax) = self.small_range;
        let (if0, if1) = self.imm_years;
        let (b0, b1) = self.big_share;
        let verdict = |ok: bool| if ok { "supported" } else { "not supported" };
        let mut s = String::new();
        let _ = writeln!(s, "# Key findings, tested against SSB's data\n");
        let _ = writeln!(s, "Population 2010–{latest} on the borders of 1 January {latest} (table 07459); immigrants {if0}–{if1} (table 09817).\n");
        let _ = writeln!(s, "| claim in the article | what the data says | verdict |\n|---|---|---|");
        let _ = writeln!(s, "| Oslo added 163,000 residents, more than twice Bergen | Oslo {}, Bergen {} ({:.1}×) | {} |",
            n.format(oslo), n.format(bergen), oslo / bergen,
            if (oslo - 163_000.0).abs() < 5_000.0 { "supported" } else if oslo > 2.0 * bergen { "direction right, number wrong" } else { "not supported" });
        let _ = writeln!(s, "| Fifteen municipalities lost over 1,000; Porsgrunn led at −3,700 | {lost_1000} lost over 1,000; Porsgrunn {}; largest loss {loser} {} | {} |",
            n.format(porsgrunn), n.format(*loss), verdict(lost_1000 == 15 && porsgrunn < -3000.0));
        let _ = writeln!(s, "| Under 5,000 residents: −30% to +50% | {smin:.1}% to {smax:+.1}% | {} |",
            if smin <= -25.0 && smax >= 40.0 { "roughly supported" } else { "not supported" });
        let _ = writeln!(s, "| Immigrants were 60% of Oslo's growth | {:.0}% over {if0}–{if1} | {} |", self.oslo_imm_share,
            if if1 < 2026 { "cannot be checked for 2010–2026 with this source" } else { verdict((self.oslo_imm_share - 60.0).abs() < 5.0) });
        let _ = writeln!(s, "| Concentration accelerates | 50,000+ municipalities: {b0:.1}% → {b1:.1}% of the population | {} |\n",
            if b1 > b0 { "supported (concentration rose)" } else { "not supported" });
        let _ = writeln!(s, "## The findings, corrected\n");
        let _ = writeln!(s, "* **Oslo leads growth**: {} residents from 2010 to {latest} on today's borders, {:.1} times Bergen's {}.", n.format(oslo), oslo / bergen, n.format(bergen));
        let _ = writeln!(s, "* **Few municipalities emptied out**: {lost_1000} lost more than 1,000 residents; the largest loss was {loser} ({}). Porsgrunn did not shrink: {}.", n.format(*loss), n.format(porsgrunn));
        let _ = writeln!(s, "* **Small municipalities vary most**: under 5,000 residents, change ranged from {smin:.1}% to {smax:+.1}%.");
        let _ = writeln!(s, "* **Immigration mattered for the cities**: from {if0} to {if1}, immigrants made up {:.0}% of Oslo's growth.", self.oslo_imm_share);
        let _ = writeln!(s, "* **Concentration**: the municipalities with 50,000+ residents in 2010 held {b0:.1}% of the population then and {b1:.1}% in {latest}; {} of {} municipalities grew.", self.growing, self.municipalities);
        s
    }
}

fn save_both(dir: &Path, name: &str, svg: impl Fn(&Path) -> crate::chart::Result<()>) -> Result<()> {
    for ext in ["svg", "png"] {
        let path = dir.join(format!("{name}.{ext}"));
        svg(&path).map_err(|e| Error::Query(format!("chart {}: {e}", path.display())))?;
    }
    Ok(())
}

/// Run the analysis and write the report under `out`. Returns a short summary.
pub fn write_report(source: &Source, out: &Path) -> Result<String> {
    let (f, mut change, imm) = Findings::compute(source)?;
    let latest = f.latest;
    let mut pop_csv = change.select(["code", "name", "pop_from", "pop_to", "change", "pct_change"])?;
    write_frame(&mut pop_csv, Format::Csv, &out.join("population_change.csv"))?;
    write_frame(&mut imm.clone(), Format::Csv, &out.join("immigrant_change.csv"))?;
    write_atomic(&out.join("findings.md"), f.to_markdown().as_bytes())?;

    let charts = out.join("charts");
    let signed = NumberFormat::comma().signed();
    change = change.sort(["change"], SortMultipleOptions::default().with_order_descending(true))?;
    let gainers = change.head(Some(15));
    let losers = change.sort(["change"], SortMultipleOptions::default())?.head(Some(15));
    save_both(&charts, "top_gainers", |p| {
        Lollipop::from_frame(&gainers, "name", "change")?
            .format(signed.clone())
            .title(format!("Norway's population magnets: the 15 fastest-growing municipalities, 2010–{latest}"))
            .subtitle(format!("Change in residents, both years on the borders of 1 January {latest}"))
            .caption(SOURCE_07459)
            .x_label("Population change (persons)")
            .save(p)
    })?;
    save_both(&charts, "top_losers", |p| {
        Lollipop::from_frame(&losers, "name", "change")?
            .format(signed.clone())
            .title(format!("Norway's shrinking municipalities: the 15 largest losses, 2010–{latest}"))
            .subtitle(format!("Change in residents on the borders of 1 January {latest}"))
            .caption(SOURCE_07459)
            .x_label("Population change (persons)")
            .save(p)
    })?;
    let by_size = change
        .clone()
        .lazy()
        .filter(col("pop_from").gt(lit(500)))
        // In order of 2010 size, so the classes run from small (top) to large.
        .sort(["pop_from"], SortMultipleOptions::default())
        .with_columns([
            when(col("pop_from").lt(lit(5_000)))
                .then(lit("< 5,000"))
                .when(col("pop_from").lt(lit(20_000)))
                .then(lit("5,000–20,000"))
                .when(col("pop_from").lt(lit(50_000)))
                .then(lit("20,000–50,000"))
                .otherwise(lit("50,000+"))
                .alias("size_class"),
            when(col("change").gt(lit(0))).then(lit("Growing")).otherwise(lit("Shrinking")).alias("direction"),
        ])
        .collect()?;
    save_both(&charts, "growth_by_size", |p| {
        Beeswarm::from_frame_grouped(&by_size, "size_class", "pct_change", "direction")?
            .reference_line(0.0, "no change")
            .format(NumberFormat::percent())
            .title(format!("Population change by municipality size, 2010–{latest}"))
            .subtitle(format!("Percent change on the borders of {latest}, by population in 2010; each point is one municipality"))
            .caption(SOURCE_07459)
            .x_label("Percent change in population")
            .y_label("2010 population")
            .save(p)
    })?;
    let (if0, if1) = f.imm_years;
    let top_imm = imm
        .clone()
        .lazy()
        .filter(col("category").eq(lit("B")))
        .sort(["imm_change"], SortMultipleOptions::default().with_order_descending(true))
        .limit(15)
        .collect()?;
    save_both(&charts, "top_immigrant_gains", |p| {
        Lollipop::from_frame(&top_imm, "name", "imm_change")?
            .format(signed.clone())
            .color(HOKUSAI1[2])
            .title(format!("Where immigrants settled: the 15 largest immigrant gains, {if0}–{if1}"))
            .subtitle(format!("Change in immigrants on the borders of 1 January {latest}"))
            .caption("Source: Statistics Norway (SSB), tables 09817 and 07459")
            .x_label("Change in immigrant population (persons)")
            .save(p)
    })?;
    let pop_short = population_change(source, latest, if0, if1)?;
    let combined = pop_short
        .lazy()
        .join(
            imm.clone().lazy().filter(col("category").eq(lit("B"))).select([col("code"), col("imm_change")]),
            [col("code")],
            [col("code")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("change").gt(lit(0)))
        .with_column((col("imm_change") / col("change") * lit(100.0)).alias("imm_share"))
        .sort(["change"], SortMultipleOptions::default().with_order_descending(true))
        .limit(20)
        .collect()?;
    let shares: Vec<String> = combined
        .column("imm_share")?
        .f64()?
        .iter()
        .map(|s| s.map(|s| format!("{s:.0}%")).unwrap_or_else(|| "–".into()))
        .collect();
    save_both(&charts, "immigration_share_of_growth", |p| {
        Dumbbell::from_frame(&combined, "name", "change", "imm_change")?
            .end_labels(&shares)
            .legend("Total growth", "Immigrant growth")
            .title(format!("Immigration's contribution to growth: the 20 fastest-growing municipalities, {if0}–{if1}"))
            .subtitle(format!("Grey: total growth; colour: immigrant growth; label: immigrant share. Borders of {latest}"))
            .caption("Source: Statistics Norway (SSB), tables 07459 and 09817")
            .x_label(format!("Population change, {if0}–{if1} (persons)"))
            .save(p)
    })?;
    Ok(format!(
        "wrote {} municipalities (2010–{latest}), {} immigrant rows ({if0}–{if1}), findings.md and 5 charts (SVG and PNG) to {}",
        change.height(),
        imm.height(),
        out.display()
    ))
}
