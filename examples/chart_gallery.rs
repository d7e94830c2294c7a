//! Every chart type, drawn from the article's numbers, into `target/chart-gallery/` as
//! SVG and PNG to look at side by side: population change 2010–2026 per municipality on
//! the borders of 2026 ([`population_change`]), by county ([`Counties`]).
//!
//! ```sh
//! cargo run --example chart_gallery
//! ```

use std::path::{Path, PathBuf};

use statbank::chart::Sort;
use statbank::prelude::*;

const SOURCE: &str = "Source: Statistics Norway (SSB), table 07459";

fn floats(df: &DataFrame, column: &str) -> statbank::Result<Vec<f64>> {
    Ok(df.column(column)?.cast(&DataType::Float64)?.f64()?.into_no_null_iter().collect())
}

fn strings(df: &DataFrame, column: &str) -> statbank::Result<Vec<String>> {
    Ok(df.column(column)?.str()?.iter().map(|s| s.unwrap_or_default().to_string()).collect())
}

/// Save a chart as SVG and PNG under `out`.
fn save(out: &Path, name: &str, write: impl Fn(&Path) -> statbank::chart::Result<()>) -> statbank::Result<String> {
    for ext in ["svg", "png"] {
        write(&out.join(format!("{name}.{ext}")))?;
    }
    Ok(name.to_string())
}

fn main() -> statbank::Result<()> {
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/chart-gallery");
    let source = Source::from_env()?;
    let counties = Counties::builtin();
    let change = population_change(&source, 2026, 2010, 2026)?
        .lazy()
        .filter(col("pop_from").gt(lit(0.0)))
        .collect()?;
    let county: Vec<String> = strings(&change, "code")?
        .iter()
        .map(|c| counties.of(c, 2026).and_then(|(_, n)| n).unwrap_or("?").to_string())
        .collect();
    let change = change.hstack(&[Column::new("county".into(), county)])?;
    let mut saved = Vec::new();

    // Lollipop: the largest gains.
    let top = change.sort(["change"], SortMultipleOptions::default().with_order_descending(true))?.head(Some(15));
    let chart = Lollipop::from_frame(&top, "name", "change")?
        .title("Norway's population magnets: the 15 fastest-growing municipalities, 2010–2026")
        .subtitle("Change in residents, both years on the borders of 1 January 2026")
        .caption(SOURCE)
        .x_label("Population change (persons)")
        .format(NumberFormat::comma().signed());
    saved.push(save(&out, "lollipop", |p| chart.save(p))?);

    // Beeswarm: percent change per municipality, by county.
    let chart = Beeswarm::from_frame(&change, "county", "pct_change")?
        .sort(Sort::Descending)
        .format(NumberFormat::percent().signed())
        .title("Population change 2010–2026 per municipality, by county")
        .caption(SOURCE);
    saved.push(save(&out, "beeswarm", |p| chart.save(p))?);

    // Grouped bars, dumbbell and scatter for the largest.
    let largest = change.sort(["pop_to"], SortMultipleOptions::default().with_order_descending(true))?.head(Some(8));
    let names = strings(&largest, "name")?;
    let (from, to) = (floats(&largest, "pop_from")?, floats(&largest, "pop_to")?);
    let chart = GroupedBar::new(&names)
        .series("2010", &from)
        .series("2026", &to)
        .title("The largest municipalities, 2010 and 2026")
        .caption(SOURCE);
    saved.push(save(&out, "grouped_bar", |p| chart.save(p))?);
    let chart = Dumbbell::new(&names, &to, &from)?
        .legend("2026", "2010")
        .title("The largest municipalities grew: 2010 against 2026")
        .caption(SOURCE);
    saved.push(save(&out, "dumbbell", |p| chart.save(p))?);
    let labels = strings(&change, "name")?;
    let chart = Scatter::new(&floats(&change, "pop_to")?, &floats(&change, "pct_change")?)?
        .labels(&labels)
        .log_x()
        .y_format(NumberFormat::percent().signed())
        .title("Bigger municipalities grew faster, 2010–2026")
        .x_label("Residents 2026 (log scale)")
        .y_label("Change since 2010")
        .caption(SOURCE);
    saved.push(save(&out, "scatter", |p| chart.save(p))?);

    // Lines: five large municipalities, every year on the borders of 2026.
    let years = source.fetch(
        &Query::new("07459")
            .select("Region", Filter::All)
            .select("ContentsCode", Filter::items(["Personer1"]))
            .select("Tid", Filter::From("2010".into())),
    )?;
    let h = Harmoniser::new(&source).borders(2026).run(&years, "value", "year", "region_code")?;
    let mut lines = LineChart::new().title("Population 2010–2026, borders of 2026").caption(SOURCE);
    for code in strings(&largest, "code")?.iter().skip(1).take(5) {
        let one = h
            .data
            .clone()
            .lazy()
            .filter(col("region_code").eq(lit(code.as_str())))
            .sort(["year"], SortMultipleOptions::default())
            .collect()?;
        lines = lines.series(one.str_at("region", 0)?, &floats(&one, "year")?, &floats(&one, "value")?);
    }
    saved.push(save(&out, "line", |p| lines.save(p))?);

    println!("wrote {} charts (SVG and PNG) to target/chart-gallery: {}", saved.len(), saved.join(", "));
    Ok(())
}
