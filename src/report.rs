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
//!   ([`Findings`], the same code as notebook 05), then SSB's urban-settlement page
//!   rebuilt and held against the page ([`UrbanReport`], the same code as notebook 06);
//! * `urban/*.csv`: the page's tables (`summary`, `page_check`, `largest`,
//!   `by_municipality`, `counties`, `new_and_discontinued`, `size_classes`);
//! * `charts/*.svg` and `charts/*.png`: the article's five charts and the page's three
//!   (`urban_largest`, `urban_county_share`, `urban_size_classes`).

use std::path::Path;

use polars::prelude::*;

use crate::analysis::urban::UrbanReport;
use crate::analysis::{immigrant_change, population_change, size_class, years_with_figures, Findings};
use crate::chart::{Beeswarm, Dumbbell, GroupedBar, Lollipop, NumberFormat, HOKUSAI1};
use crate::error::Result;
use crate::output::{write_atomic, write_frame, Format};
use crate::data::source::Source;

const SOURCE_07459: &str = "Source: Statistics Norway (SSB), table 07459";
const SOURCE_URBAN: &str = "Source: Statistics Norway (SSB), urban settlements (tettsteder)";

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
    let urban = UrbanReport::compute(source)?;
    write_atomic(&out.join("findings.md"), findings_markdown(&f, &urban)?.as_bytes())?;
    write_urban(&urban, out)?;

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
        "wrote {} municipalities (2010–{latest}), {} immigrant rows ({if0}–{if1}), the urban-settlement tables of {} and {}, findings.md and 8 charts (SVG and PNG) to {}",
        change.height(),
        imm.height(),
        urban.years.0,
        urban.years.1,
        out.display()
    ))
}

/// `findings.md`: the article's findings, then the urban-settlement page and its check.
pub fn findings_markdown(findings: &Findings, urban: &UrbanReport) -> Result<String> {
    Ok(format!("{}
{}", findings.to_markdown(), urban.to_markdown()?))
}

/// The urban-settlement page's tables (`urban/*.csv`) and charts (`charts/urban_*`).
fn write_urban(r: &UrbanReport, out: &Path) -> Result<()> {
    let dir = out.join("urban");
    let (y0, y1) = r.years;
    let mut tables: Vec<(&str, DataFrame)> = vec![
        ("summary", r.summary.clone()),
        ("largest", r.largest.clone()),
        ("by_municipality", r.by_municipality.clone()),
        ("counties", r.counties.clone()),
        ("new_and_discontinued", r.new_and_discontinued.clone()),
        ("size_classes", r.size_classes.clone()),
    ];
    if let Some(c) = &r.page_check {
        tables.push(("page_check", c.table.clone()));
    }
    for (name, mut df) in tables {
        write_frame(&mut df, Format::Csv, &dir.join(format!("{name}.csv")))?;
    }
    let charts = out.join("charts");
    let largest = r.largest.clone().lazy().with_column(lit(y1.to_string()).alias("year")).collect()?;
    save_both(&charts, "urban_largest", |p| {
        GroupedBar::from_frame(&largest, "settlement", "year", "residents")?
            .title(format!("Norway's 15 largest urban settlements, 1 January {y1}"))
            .subtitle("Residents of the whole settlement, across municipal borders")
            .caption(SOURCE_URBAN)
            .x_label("Residents")
            .save(p)
    })?;
    let counties = r
        .counties
        .clone()
        .lazy()
        .filter(col("county_code").neq(lit("0")))
        .sort(["share_dense_pct", "county_code"], SortMultipleOptions::default().with_order_descending_multi([true, false]))
        .collect()?;
    save_both(&charts, "urban_county_share", |p| {
        Lollipop::from_frame(&counties, "county", "share_dense_pct")?
            .format(NumberFormat::percent().decimals(1))
            .title(format!("Share of residents in densely populated areas, by county, 1 January {y1}"))
            .subtitle("Residents of urban settlements as a share of the county's population")
            .caption("Source: Statistics Norway (SSB), urban settlements (tettsteder) and table 07459")
            .x_label("Share in urban settlements")
            .save(p)
    })?;
    let sizes = r.size_classes.clone().lazy().with_column(col("year").cast(DataType::String)).collect()?;
    save_both(&charts, "urban_size_classes", |p| {
        GroupedBar::from_frame(&sizes, "class", "year", "settlements")?
            .title(format!("Urban settlements by size, 1 January {y0} and {y1}"))
            .subtitle("Number of settlements in each class of residents")
            .caption(SOURCE_URBAN)
            .x_label("Number of settlements")
            .y_label("Residents of the settlement")
            .save(p)
    })?;
    Ok(())
}
