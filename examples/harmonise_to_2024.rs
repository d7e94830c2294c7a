//! Carry population to one year's municipal borders, and see what that took: every
//! municipality of 1 January 2024, 2010 and 2026 on the same borders, with the KLASS
//! changes applied on the way (renumberings and merges exact, splits by population share).
//!
//! ```sh
//! cargo run --example harmonise_to_2024
//! ```

use statbank::prelude::*;

fn main() -> statbank::Result<()> {
    let source = Source::from_env()?;
    let pop = source.fetch(
        &Query::new("07459")
            .select("Region", Filter::All)
            .select("ContentsCode", Filter::items(["Personer1"]))
            .select("Tid", Filter::items(["2010", "2026"])),
    )?;
    let h = Harmoniser::new(&source).borders(2024).run(&pop, "value", "year", "region_code")?;
    println!(
        "{} region codes in 07459 → {} municipalities on the borders of 2024",
        pop.column("region_code")?.n_unique()?,
        h.data.column("region_code")?.n_unique()?
    );

    let kinds = h
        .changes
        .clone()
        .lazy()
        .group_by([col("kind"), col("exact")])
        .agg([len().alias("changes")])
        .sort(["kind", "exact"], SortMultipleOptions::default())
        .collect()?;
    println!("changes applied:\n{kinds}");

    // Drammen took in Svelvik and Nedre Eiker in 2020: the 2010 figure is the three together.
    let drammen = h
        .data
        .clone()
        .lazy()
        .filter(col("region_code").eq(lit("3301")))
        .select([col("region_code"), col("region"), col("year"), col("value"), col("exact")])
        .sort(["year"], SortMultipleOptions::default())
        .collect()?;
    println!("{drammen}");
    Ok(())
}
