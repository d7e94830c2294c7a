//! Fetch a table into a polars frame: Oslo's population on 1 January, 2010 onwards
//! (StatBank table 07459), and one number out of it.
//!
//! ```sh
//! cargo run --example fetch_population                   # the repository's snapshot
//! STATBANK_LIVE=1 cargo run --example fetch_population   # SSB's live API
//! ```

use statbank::prelude::*;

fn main() -> statbank::Result<()> {
    let source = Source::from_env()?;
    println!("data: {}", source.describe());

    // Dimensions left out of a query (sex, age) are summed by SSB: totals.
    let query = Query::new("07459")
        .select("Region", Filter::items(["0301"]))
        .select("ContentsCode", Filter::items(["Personer1"]))
        .select("Tid", Filter::From("2010".into()));
    let pop = source.fetch(&query)?;
    println!("{}", pop.select(["region_code", "region", "year", "value"])?);

    // One value out of the frame: an error, not NaN, if the row is not there.
    let latest = pop.height() - 1;
    println!(
        "Oslo: {} residents in 2010, {} in {}",
        NumberFormat::comma().format(pop.f64_at("value", 0)?),
        NumberFormat::comma().format(pop.f64_at("value", latest)?),
        pop.str_at("tid", latest)?,
    );
    Ok(())
}
