//! The notebooks' analysis as a report, without Jupyter (`statbank report --out DIR`).
//!
//! Writes, under `DIR`:
//!
//! * `population_change.csv`: `code,name,pop_from,pop_to,change,pct_change` for every
//!   municipality on the latest borders, 2010 → latest year of table 07459;
//! * `immigrant_change.csv`: immigrants (B) and Norwegian-born to immigrant parents (C)
//!   per municipality on the same borders, each over the years from 2010 that table
//!   09817 has figures for (in the repository's snapshot B 2010–2022, C 2010–2015);
//! * `findings.md`: the article's five key findings tested against the data
//!   ([`Findings`], the same code as notebook 05);
//! * `charts/*.svg` and `charts/*.png`: every chart of the notebooks.

use std::path::Path;

use polars::prelude::*;

use crate::analysis::{immigrant_change, population_change, size_class, years_with_figures, Findings};
use crate::chart::{Beeswarm, Dumbbell, Lollipop, NumberFormat, HOKUSAI1};
use crate::error::Result;
use crate::output::{write_atomic, write_frame, Format};
use crate::data::source::Source;

const SOURCE_07459: &str = "Source: Statistics Norway (SSB), table 07459";

fn save_both(dir: &Path, name: &str, svg: impl Fn(&Path) -> crate::chart::Result<()>) -> Result<()> {
    for ext in ["svg", "png"] {
        let path = dir.join(format!("{name}.{ext}"));
        svg(&path)?;
    }
    Ok(())
}

/// Run the analysis and write the report under `out`. Returns a short summary.
pub fn write_report(source: &Source, out: &Path) -> Result<String> {
    let f = Findings::compute(source)?;
    let latest = f.latest;
    let (if0, if1) = f.imm_years;
    // B over the years both tables cover; C over the years from 2010 it has figures for.
    let mut imm = immigrant_change(source, latest, "B", if0, if1)?;
    let c_years: Vec<i32> = years_with_figures(source, "C")?.into_iter().filter(|y| *y >= 2010).collect();
    if let (Some(c0), Some(c1)) = (c_years.first(), c_years.last()) {
        imm.vstack_mut(&immigrant_change(source, latest, "C", *c0, *c1)?)?;
    }
    let mut change = f.change.clone();
    let mut pop_csv = change
        .select(["code", "name", "pop_from", "pop_to", "change", "pct_change"])?
        .sort(["code"], SortMultipleOptions::default())?;
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
            size_class("pop_from").alias("size_class"),
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
