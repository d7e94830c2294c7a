//! Render every chart type from the SSB snapshot into `target/chart-gallery/`
//! (SVG and PNG), to look at them side by side:
//!
//! ```sh
//! cargo run --example charts
//! ```
//!
//! Reads the repository's `data/snapshot`.

use statbank::chart::{Beeswarm, Dumbbell, GroupedBar, LineChart, Lollipop, NumberFormat, Scatter, Sort};
use std::path::PathBuf;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

struct Table {
    regions: Vec<(String, String)>,
    years: Vec<String>,
    values: Vec<Option<f64>>,
}

fn load(rel: &str) -> Res<Table> {
    let dir = statbank::data::source::snapshot_dir();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join(rel))?)?;
    let cat = |dim: &str| -> Vec<(String, String)> {
        let c = &v["dimension"][dim]["category"];
        let mut idx: Vec<(String, u64)> = c["index"]
            .as_object()
            .map(|m| m.iter().map(|(k, i)| (k.clone(), i.as_u64().unwrap_or(0))).collect())
            .unwrap_or_default();
        idx.sort_by_key(|x| x.1);
        idx.into_iter().map(|(k, _)| (k.clone(), c["label"][&k].as_str().unwrap_or(&k).to_string())).collect()
    };
    Ok(Table {
        regions: cat("Region"),
        years: cat("Tid").into_iter().map(|x| x.0).collect(),
        values: v["value"].as_array().map(|a| a.iter().map(|x| x.as_f64()).collect()).unwrap_or_default(),
    })
}

impl Table {
    fn get(&self, r: usize, year: &str) -> Option<f64> {
        let t = self.years.iter().position(|y| y == year)?;
        self.values.get(r * self.years.len() + t).copied().flatten()
    }
}

fn main() -> Res<()> {
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/chart-gallery");
    macro_rules! save {
        ($chart:expr, $name:literal) => {{
            $chart.save(out.join(concat!($name, ".svg")))?;
            $chart.save(out.join(concat!($name, ".png")))?;
        }};
    }
    let t = load("pxweb/07459.agg_KommSummer.json")?;
    let source = "Source: Statistics Norway (SSB), table 07459";
    let rows: Vec<(String, String, f64, f64)> = t
        .regions
        .iter()
        .enumerate()
        .filter(|(_, (c, _))| c.len() == 6 && c.starts_with("K-"))
        .filter_map(|(i, (c, l))| Some((c[2..].to_string(), l.clone(), t.get(i, "2010")?, t.get(i, "2026")?)))
        .filter(|r| r.2 > 0.0 && r.3 > 0.0)
        .collect();

    // lollipop: biggest absolute gains
    let mut by_change = rows.clone();
    by_change.sort_by(|a, b| (b.3 - b.2).total_cmp(&(a.3 - a.2)));
    let top: Vec<_> = by_change.iter().take(15).collect();
    let names: Vec<&str> = top.iter().map(|r| r.1.as_str()).collect();
    let change: Vec<f64> = top.iter().map(|r| r.3 - r.2).collect();
    let chart = Lollipop::new(&names, &change)?
        .title("Norway's population magnets: 15 fastest-growing municipalities, 2010–2026")
        .subtitle(format!("Oslo grew by {} residents on 2024 borders", NumberFormat::comma().signed().format(change[0])))
        .caption(source)
        .x_label("Population change (persons)")
        .label_format(NumberFormat::comma().signed());
    save!(chart, "lollipop");

    // lollipop: percent change in the north, with negatives
    let north: Vec<_> = rows.iter().filter(|r| r.0.starts_with("55") || r.0.starts_with("56")).collect();
    let names: Vec<&str> = north.iter().map(|r| r.1.as_str()).collect();
    let pct: Vec<f64> = north.iter().map(|r| 100.0 * (r.3 / r.2 - 1.0)).collect();
    let chart = Lollipop::new(&names, &pct)?
        .format(NumberFormat::percent().signed())
        .title("Troms and Finnmark: population change 2010–2026")
        .caption(source);
    save!(chart, "lollipop_north");

    // beeswarm of percent change by county
    let county = |c: &str| match &c[..2] {
        "03" => "Oslo", "11" => "Rogaland", "15" => "Møre og Romsdal", "18" => "Nordland", "31" => "Østfold",
        "32" => "Akershus", "33" => "Buskerud", "34" => "Innlandet", "39" => "Vestfold", "40" => "Telemark",
        "42" => "Agder", "46" => "Vestland", "50" => "Trøndelag", "55" => "Troms", "56" => "Finnmark", _ => "Other",
    };
    let cats: Vec<&str> = rows.iter().map(|r| county(&r.0)).collect();
    let pct: Vec<f64> = rows.iter().map(|r| 100.0 * (r.3 / r.2 - 1.0)).collect();
    let sizes: Vec<&str> = rows.iter().map(|r| if r.3 < 5e3 { "Under 5,000" } else if r.3 < 2e4 { "5,000–20,000" } else { "Over 20,000" }).collect();
    let national = 100.0 * (rows.iter().map(|r| r.3).sum::<f64>() / rows.iter().map(|r| r.2).sum::<f64>() - 1.0);
    let chart = Beeswarm::new(&cats, &pct)?
        .groups(&sizes)
        .sort(Sort::Descending)
        .reference_line(national, format!("Norway {}", NumberFormat::percent().signed().decimals(1).format(national)))
        .format(NumberFormat::percent().signed())
        .title("Population change 2010–2026 per municipality")
        .caption(source);
    save!(chart, "beeswarm");

    // grouped bars and lines for the largest municipalities
    let mut largest = rows.clone();
    largest.sort_by(|a, b| b.3.total_cmp(&a.3));
    largest.truncate(8);
    let names: Vec<&str> = largest.iter().map(|r| r.1.as_str()).collect();
    let chart = GroupedBar::new(&names)
        .series("2010", &largest.iter().map(|r| r.2).collect::<Vec<_>>())
        .series("2026", &largest.iter().map(|r| r.3).collect::<Vec<_>>())
        .title("Largest municipalities, 2010 and 2026")
        .caption(source);
    save!(chart, "grouped_bar");
    let mut lines = LineChart::new().title("Population 1990–2026").caption(source);
    for r in largest.iter().skip(1).take(5) {
        let i = t.regions.iter().position(|x| x.0 == format!("K-{}", r.0)).ok_or("region")?;
        let (x, y): (Vec<f64>, Vec<f64>) =
            t.years.iter().filter(|y| y.as_str() >= "1990").filter_map(|y| Some((y.parse::<f64>().ok()?, t.get(i, y)?))).unzip();
        lines = lines.series(r.1.clone(), &x, &y);
    }
    save!(lines, "line");

    // dumbbell: 2010 population inside 2026 population (growth as a share)
    let names: Vec<&str> = largest.iter().map(|r| r.1.as_str()).collect();
    let chart = Dumbbell::new(&names, &largest.iter().map(|r| r.3).collect::<Vec<_>>(), &largest.iter().map(|r| r.2).collect::<Vec<_>>())?
        .legend("2026", "2010")
        .title("2010 population as a share of 2026")
        .caption(source);
    save!(chart, "dumbbell");

    // scatter: population vs change
    let x: Vec<f64> = rows.iter().map(|r| r.3).collect();
    let y: Vec<f64> = rows.iter().map(|r| 100.0 * (r.3 / r.2 - 1.0)).collect();
    let labels: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let chart = Scatter::new(&x, &y)?
        .labels(&labels)
        .log_x()
        .y_format(NumberFormat::percent().signed())
        .title("Bigger municipalities grew faster, 2010–2026")
        .x_label("Residents 2026 (log scale)")
        .y_label("Change since 2010")
        .caption(source);
    save!(chart, "scatter");

    println!("wrote charts to {}", out.display());
    Ok(())
}
