//! The tables of SSB's urban-settlement page, each built from one year's list (or two).
//!
//! Every function takes frames as [`settlements`](super::settlements) returns them and
//! gives a frame in a total order, so the same data always gives the same table.

use polars::prelude::*;

use crate::borders::counties::Counties;
use crate::data::query::{Filter, Query};
use crate::data::source::Source;
use crate::error::{Error, Result};
use super::needs_municipalities;

/// SSB's standard order of the counties, as the page's county table runs (the
/// counties of 2020–2023 and of 2024 in one list; a list uses the ones of its year).
pub const COUNTY_ORDER: [&str; 18] =
    ["31", "32", "30", "03", "34", "33", "39", "40", "38", "42", "11", "46", "15", "50", "18", "55", "56", "54"];

/// The size classes SSB uses for settlements, with the lower bound of each class
/// (residents); the page's classes 500–999 and 1 000–1 999 are taken as one.
pub const SIZE_CLASSES: [(&str, i64); 5] = [
    ("200–499", 200),
    ("500–1,999", 500),
    ("2,000–19,999", 2_000),
    ("20,000–99,999", 20_000),
    ("100,000 or more", 100_000),
];

/// One row per settlement (the whole settlement, not its parts per municipality):
/// `settlement_code, settlement, municipality, residents, area_km2`. `municipality` is
/// null for a settlement that spans several.
pub fn whole_settlements(s: &DataFrame) -> LazyFrame {
    s.clone()
        .lazy()
        .filter(col("row_type").neq(lit("split_part")))
        .select([col("settlement_code"), col("settlement"), col("municipality"), col("residents"), col("area_km2")])
}

/// One row per settlement and municipality (each person once):
/// `settlement_code, settlement, municipality_code, municipality, residents, area_km2`.
pub fn parts(s: &DataFrame) -> LazyFrame {
    s.clone().lazy().filter(col("row_type").neq(lit("total_split"))).select([
        col("settlement_code"),
        col("settlement"),
        col("municipality_code"),
        col("municipality"),
        col("residents"),
        col("area_km2"),
    ])
}

/// The national population (table 07459, region `0`) on 1 January of `year`.
pub fn national_population(source: &Source, year: i32) -> Result<f64> {
    let df = source.fetch(
        &Query::new("07459")
            .select("Region", Filter::items(["0"]))
            .select("ContentsCode", Filter::items(["Personer1"]))
            .select("Tid", Filter::items([year.to_string()])),
    )?;
    crate::frame::FrameExt::f64_at(&df, "value", 0)
}

/// The page's first table for one year's list: `year, urban, area_km2, settlements,
/// population, rural, density, share_urban_pct`, where `rural` is `population − urban`
/// (it includes the residents without a known address, see the module docs).
///
/// ```
/// use statbank::prelude::*;
/// use statbank::analysis::urban;
/// let source = Source::snapshot()?;
/// let s = urban::settlements(&source, 2022)?;
/// let row = urban::summary(&s, 2022, urban::national_population(&source, 2022)?)?;
/// assert_eq!(row.f64_at("urban", 0)?, 4_485_236.0);
/// assert_eq!(row.f64_at("settlements", 0)?, 986.0);
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn summary(s: &DataFrame, year: i32, population: f64) -> Result<DataFrame> {
    let urban = col("urban").cast(DataType::Float64);
    Ok(s.clone()
        .lazy()
        .filter(col("row_type").neq(lit("split_part")))
        .select([
            col("residents").sum().alias("urban"),
            col("area_km2").sum().alias("area_km2"),
            len().cast(DataType::Int64).alias("settlements"),
        ])
        .select([
            lit(year).alias("year"),
            col("urban"),
            col("area_km2"),
            col("settlements"),
            lit(population).alias("population"),
            (lit(population) - urban.clone()).alias("rural"),
            (urban.clone() / col("area_km2")).alias("density"),
            (urban / lit(population) * lit(100.0)).alias("share_urban_pct"),
        ])
        .collect()?)
}

/// The `n` largest settlements of `later` as a whole, with their residents in `earlier`
/// (null for a settlement new on the list), the change and the change in percent:
/// `settlement_code, settlement, residents, area_km2, residents_before, change, pct_change`.
pub fn largest(later: &DataFrame, earlier: &DataFrame, n: usize) -> Result<DataFrame> {
    let change = col("residents") - col("residents_before");
    Ok(whole_settlements(later)
        .join(
            whole_settlements(earlier).select([col("settlement_code"), col("residents").alias("residents_before")]),
            [col("settlement_code")],
            [col("settlement_code")],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col("settlement_code"),
            col("settlement"),
            col("residents"),
            col("area_km2"),
            col("residents_before"),
            change.clone().alias("change"),
            (change.cast(DataType::Float64) / col("residents_before").cast(DataType::Float64) * lit(100.0))
                .alias("pct_change"),
        ])
        .sort(["residents", "settlement_code"], SortMultipleOptions::default().with_order_descending_multi([true, false]))
        .limit(n as IdxSize)
        .collect()?)
}

/// The page's table of settlements with more than `threshold` residents, by
/// municipality, in the page's layout: a settlement inside one municipality is one row;
/// one that spans several gets a `Total` row followed by its parts, largest first, each
/// with its share of the settlement's residents and area. Columns: `settlement_code,
/// settlement, municipality_code, municipality, residents, residents_share_pct,
/// area_km2, area_share_pct` (shares null on the head rows).
pub fn by_municipality(s: &DataFrame, threshold: i64) -> Result<DataFrame> {
    needs_municipalities(s, "the table of settlements by municipality")?;
    let columns = [
        col("settlement_code"),
        col("settlement"),
        col("municipality_code"),
        col("municipality"),
        col("part"),
        col("settlement_residents"),
        col("residents"),
        col("residents_share_pct"),
        col("area_km2"),
        col("area_share_pct"),
    ];
    let big = s
        .clone()
        .lazy()
        .filter(col("row_type").neq(lit("split_part")).and(col("residents").gt(lit(threshold))));
    let heads = big
        .clone()
        .with_columns([
            when(col("row_type").eq(lit("total_split")))
                .then(lit("Total"))
                .otherwise(col("municipality"))
                .alias("municipality"),
            col("municipality_code").fill_null(lit("")),
            lit(0).alias("part"),
            col("residents").alias("settlement_residents"),
            lit(NULL).cast(DataType::Float64).alias("residents_share_pct"),
            lit(NULL).cast(DataType::Float64).alias("area_share_pct"),
        ])
        .select(columns.clone())
        .collect()?;
    let split_parts = s
        .clone()
        .lazy()
        .filter(col("row_type").eq(lit("split_part")))
        .join(
            big.select([
                col("settlement_code"),
                col("residents").alias("settlement_residents"),
                col("area_km2").alias("settlement_area"),
            ]),
            [col("settlement_code")],
            [col("settlement_code")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_columns([
            lit(1).alias("part"),
            (col("residents").cast(DataType::Float64) / col("settlement_residents").cast(DataType::Float64)
                * lit(100.0))
            .alias("residents_share_pct"),
            (col("area_km2") / col("settlement_area") * lit(100.0)).alias("area_share_pct"),
        ])
        .select(columns)
        .collect()?;
    Ok(heads
        .vstack(&split_parts)?
        .sort(
            ["settlement_residents", "part", "residents", "municipality_code"],
            SortMultipleOptions::default().with_order_descending_multi([true, false, true, false]),
        )?
        .drop_many(["part", "settlement_residents"]))
}

/// The population of each county on 1 January of `year` (table 07459, summed over the
/// municipality codes of that year): `county_code, population`.
pub fn county_population(source: &Source, year: i32) -> Result<DataFrame> {
    Ok(source
        .fetch(
            &Query::new("07459")
                .select("Region", Filter::All)
                .select("ContentsCode", Filter::items(["Personer1"]))
                .select("Tid", Filter::items([year.to_string()])),
        )?
        .lazy()
        .filter(col("region_code").str().len_chars().eq(lit(4)).and(col("value").gt(lit(0.0))))
        .with_column(col("region_code").str().slice(lit(0), lit(2)).alias("county_code"))
        .group_by([col("county_code")])
        .agg([col("value").sum().alias("population")])
        .sort(["county_code"], SortMultipleOptions::default())
        .collect()?)
}

/// The page's county table: residents in densely populated areas (urban settlements)
/// per county, the rest of the population (`sparsely_incl_unknown`: the snapshot has no
/// separate count of residents without a known address), the total and the share,
/// counties in [`COUNTY_ORDER`] and a national row `Norway` at the bottom. Columns:
/// `county_code, county, densely, sparsely_incl_unknown, total, share_dense_pct`.
/// `population` is [`county_population`] of the list's year.
///
/// ```
/// use statbank::prelude::*;
/// use statbank::analysis::urban;
/// let source = Source::snapshot()?;
/// let s = urban::settlements(&source, 2022)?;
/// let t = urban::by_county(&s, &urban::county_population(&source, 2022)?, 2022)?;
/// assert_eq!(t.str_at("county", 1)?, "Oslo");
/// assert_eq!(t.f64_where("county_code", "03", "densely")?, 696_712.0);
/// assert_eq!(t.f64_where("county_code", "0", "densely")?, 4_485_236.0);
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn by_county(s: &DataFrame, population: &DataFrame, year: i32) -> Result<DataFrame> {
    needs_municipalities(s, "the table by county")?;
    let order = DataFrame::new_infer_height(vec![
        Column::new("county_code".into(), COUNTY_ORDER.to_vec()),
        Column::new("page_order".into(), (1..=COUNTY_ORDER.len() as i32).collect::<Vec<i32>>()),
    ])?;
    let counties = s
        .clone()
        .lazy()
        .filter(col("row_type").neq(lit("total_split")))
        .with_column(col("municipality_code").str().slice(lit(0), lit(2)).alias("county_code"))
        .group_by([col("county_code")])
        .agg([col("residents").sum().cast(DataType::Float64).alias("densely")])
        .join(population.clone().lazy(), [col("county_code")], [col("county_code")], JoinArgs::new(JoinType::Full)
            .with_coalesce(JoinCoalesce::CoalesceColumns))
        .join(order.lazy(), [col("county_code")], [col("county_code")], JoinArgs::new(JoinType::Left))
        .select([
            col("page_order"),
            col("county_code"),
            col("densely").fill_null(lit(0.0)),
            col("population").alias("total"),
        ])
        .sort(["page_order", "county_code"], SortMultipleOptions::default().with_nulls_last(true))
        .collect()?;
    if let Some(i) = counties.column("total")?.f64()?.iter().position(|t| t.is_none()) {
        let code = counties.column("county_code")?.str()?.get(i).unwrap_or("?").to_string();
        return Err(Error::NotCovered(format!(
            "the settlement list of {year} has residents in county {code}, which table 07459 has no population for in {year}"
        )));
    }
    let names = Counties::builtin();
    let county: Vec<String> = counties
        .column("county_code")?
        .str()?
        .iter()
        .map(|c| c.and_then(|c| names.name(c, year)).unwrap_or("?").to_string())
        .collect();
    let counties = counties.hstack(&[Column::new("county".into(), county)])?;
    let national = counties
        .clone()
        .lazy()
        .select([lit("0").alias("county_code"), lit("Norway").alias("county"), col("densely").sum(), col("total").sum()]);
    let share = col("densely") / col("total") * lit(100.0);
    Ok(concat(
        [counties.lazy().select([col("county_code"), col("county"), col("densely"), col("total")]), national],
        UnionArgs::default(),
    )?
    .select([
        col("county_code"),
        col("county"),
        col("densely"),
        (col("total") - col("densely")).alias("sparsely_incl_unknown"),
        col("total"),
        share.alias("share_dense_pct"),
    ])
    .collect()?)
}

/// Settlements on `list` that are not on `other`, one row per municipality part, with
/// the neighbour in the same municipality that changed by at least four fifths of their
/// residents and area in the direction `sign` (`1.0`: grew, so they merged; `-1.0`:
/// shrank, so they split off): `partner_code` and `partner`, null where there is none.
fn unmatched(list: &DataFrame, other: &DataFrame, changes: &LazyFrame, sign: f64) -> LazyFrame {
    let only = parts(list).join(
        parts(other).select([col("settlement_code")]),
        [col("settlement_code")],
        [col("settlement_code")],
        JoinArgs::new(JoinType::Anti),
    );
    // Biggest change first; the code breaks ties, so the choice is the same on every run.
    let biggest_first = SortMultipleOptions::default().with_order_descending_multi([true, false]);
    let neighbours = only
        .clone()
        .join(changes.clone(), [col("municipality_code")], [col("municipality_code")], JoinArgs::new(JoinType::Inner))
        .filter(
            col("partner_code")
                .neq(col("settlement_code"))
                .and((lit(sign) * col("change").cast(DataType::Float64)).gt_eq(lit(0.8) * col("residents").cast(DataType::Float64)))
                .and((lit(sign) * col("area_change")).gt_eq(lit(0.8) * col("area_km2"))),
        )
        .group_by([col("settlement_code"), col("municipality_code")])
        .agg([
            col("partner_code").sort_by([col("change").abs(), col("partner_code")], biggest_first.clone()).first(),
            col("partner").sort_by([col("change").abs(), col("partner_code")], biggest_first).first(),
        ]);
    only.join(
        neighbours,
        [col("settlement_code"), col("municipality_code")],
        [col("settlement_code"), col("municipality_code")],
        JoinArgs::new(JoinType::Left),
    )
}

/// The page's table of new and discontinued settlements between two lists, one row per
/// settlement and municipality, new first: `status` (`new` or `discontinued`),
/// `settlement_code, settlement, residents, area_km2, municipality_code, municipality,
/// partner_code, partner, comment`.
///
/// A settlement is new if its number is not on `earlier`, discontinued if it is not on
/// `later`. The comment follows the page: "New urban settlement", "New urban
/// settlement. Split from X" (a neighbour in the same municipality shrank by at least
/// four fifths of its residents and area), "Back on the list. Last listed in YEAR"
/// (the number is on one of the `older` lists, given as `(year, list)`),
/// "Discontinued urban settlement" and "… Merged with X" (a neighbour grew by as much).
///
/// ```
/// use statbank::prelude::*;
/// use statbank::analysis::urban;
/// let source = Source::snapshot()?;
/// let t = urban::new_and_discontinued(&urban::settlements(&source, 2021)?, &urban::settlements(&source, 2022)?, &[])?;
/// assert_eq!(t.height(), 29);
/// let lommedalen = t.clone().lazy().filter(col("settlement").eq(lit("Lommedalen"))).collect()?;
/// assert_eq!(lommedalen.str_at("comment", 0)?, "Discontinued urban settlement. Merged with Oslo");
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn new_and_discontinued(earlier: &DataFrame, later: &DataFrame, older: &[(i32, &DataFrame)]) -> Result<DataFrame> {
    needs_municipalities(earlier, "the list of new and discontinued settlements")?;
    needs_municipalities(later, "the list of new and discontinued settlements")?;
    let changes = parts(earlier)
        .join(
            parts(later),
            [col("settlement_code"), col("municipality_code")],
            [col("settlement_code"), col("municipality_code")],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .select([
            col("settlement_code").alias("partner_code"),
            when(col("settlement_right").is_null())
                .then(col("settlement"))
                .otherwise(col("settlement_right"))
                .alias("partner"),
            col("municipality_code"),
            (col("residents_right").fill_null(lit(0)) - col("residents").fill_null(lit(0))).alias("change"),
            (col("area_km2_right").fill_null(lit(0.0)) - col("area_km2").fill_null(lit(0.0))).alias("area_change"),
        ]);
    let mut listed = vec![DataFrame::new_infer_height(vec![
        Column::new("settlement_code".into(), Vec::<String>::new()),
        Column::new("last_listed".into(), Vec::<i32>::new()),
    ])?
    .lazy()];
    for (year, list) in older {
        listed.push(whole_settlements(list).select([col("settlement_code"), lit(*year).alias("last_listed")]));
    }
    let last_listed = concat(listed, UnionArgs::default())?
        .group_by([col("settlement_code")])
        .agg([col("last_listed").max()]);
    let new = unmatched(later, earlier, &changes, -1.0)
        .join(last_listed, [col("settlement_code")], [col("settlement_code")], JoinArgs::new(JoinType::Left))
        .with_columns([
            lit("new").alias("status"),
            when(col("partner").is_not_null())
                .then(concat_str([lit("New urban settlement. Split from "), col("partner")], "", true))
                .when(col("last_listed").is_not_null())
                .then(concat_str(
                    [lit("Back on the list. Last listed in "), col("last_listed").cast(DataType::String)],
                    "",
                    true,
                ))
                .otherwise(lit("New urban settlement"))
                .alias("comment"),
        ]);
    let gone = unmatched(earlier, later, &changes, 1.0).with_columns([
        lit("discontinued").alias("status"),
        when(col("partner").is_not_null())
            .then(concat_str([lit("Discontinued urban settlement. Merged with "), col("partner")], "", true))
            .otherwise(lit("Discontinued urban settlement"))
            .alias("comment"),
    ]);
    let columns = [
        col("status"),
        col("settlement_code"),
        col("settlement"),
        col("residents"),
        col("area_km2"),
        col("municipality_code"),
        col("municipality"),
        col("partner_code"),
        col("partner"),
        col("comment"),
    ];
    let new = new.select(columns.clone()).sort(["settlement_code", "municipality_code"], Default::default());
    let gone = gone.select(columns).sort(["settlement_code", "municipality_code"], Default::default());
    Ok(concat([new, gone], UnionArgs { maintain_order: true, ..Default::default() })?.collect()?)
}

/// Settlements and their residents per size class ([`SIZE_CLASSES`]) in one year's
/// list: `class_order` (1 = smallest), `class, year, settlements, residents`. Every
/// class has a row, with zeros where no settlement falls in it.
///
/// ```
/// use statbank::prelude::*;
/// use statbank::analysis::urban;
/// let t = urban::by_size_class(&urban::settlements(&Source::snapshot()?, 2022)?, 2022)?;
/// assert_eq!(t.f64_at("settlements", 0)?, 334.0);
/// assert_eq!(t.f64_at("residents", 4)?, 1_987_933.0);
/// # Ok::<(), statbank::Error>(())
/// ```
pub fn by_size_class(s: &DataFrame, year: i32) -> Result<DataFrame> {
    let labels = DataFrame::new_infer_height(vec![
        Column::new("class_order".into(), (1..=SIZE_CLASSES.len() as i32).collect::<Vec<i32>>()),
        Column::new("class".into(), SIZE_CLASSES.iter().map(|c| c.0).collect::<Vec<&str>>()),
    ])?;
    // The classes from the top down: the first lower bound a settlement reaches.
    let mut class = lit(NULL).cast(DataType::Int32);
    for (i, (_, lower)) in SIZE_CLASSES.iter().enumerate() {
        class = when(col("residents").gt_eq(lit(*lower))).then(lit(i as i32 + 1)).otherwise(class);
    }
    let counts = whole_settlements(s)
        .with_column(class.alias("class_order"))
        .group_by([col("class_order")])
        .agg([len().cast(DataType::Int64).alias("settlements"), col("residents").sum().alias("residents")]);
    Ok(labels
        .lazy()
        .join(counts, [col("class_order")], [col("class_order")], JoinArgs::new(JoinType::Left))
        .select([
            col("class_order"),
            col("class"),
            lit(year).alias("year"),
            col("settlements").fill_null(lit(0i64)),
            col("residents").fill_null(lit(0i64)),
        ])
        .sort(["class_order"], SortMultipleOptions::default())
        .collect()?)
}

/// SSB's name for the merger of two settlements (its rule from 2013), given the name
/// and residents of each: below 10 000 residents together, or where the larger has
/// more than twice the residents of the smaller, the larger's name; otherwise both,
/// `Larger/Smaller`.
///
/// ```
/// use statbank::analysis::urban::merged_name;
/// assert_eq!(merged_name(("Lommedalen", 11_225.0), ("Oslo", 1_043_168.0)), "Oslo");
/// assert_eq!(merged_name(("Sandnes", 40_000.0), ("Stavanger", 70_000.0)), "Stavanger/Sandnes");
/// assert_eq!(merged_name(("A", 4_000.0), ("B", 5_000.0)), "B");
/// ```
pub fn merged_name(a: (&str, f64), b: (&str, f64)) -> String {
    let (large, small) = if a.1 >= b.1 { (a, b) } else { (b, a) };
    if large.1 + small.1 < 10_000.0 || large.1 > 2.0 * small.1 {
        large.0.to_string()
    } else {
        format!("{}/{}", large.0, small.0)
    }
}
