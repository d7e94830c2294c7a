//! Chart and table tests on real SSB data from the shared snapshot
//! (the repository's `data/snapshot`).
//!
//! Every chart is rendered to SVG and PNG and checked: expected texts present,
//! every text box inside the canvas and not overlapping another, PNG decodes
//! at the requested size and is not blank, and it matches its golden image in
//! `tests/golden/` (mean absolute difference; `UPDATE_GOLDEN=1` rewrites them).

use polars::prelude::*;
use statbank::chart::{
    Beeswarm, ChartError, Dumbbell, GroupedBar, LineChart, Lollipop, NumberFormat, Scatter, Scene, Sort,
};
use statbank::data::jsonstat::Dataset;
use statbank::display::table::{show, TableExt};
use std::collections::HashMap;
use std::path::PathBuf;

// ---------------------------------------------------------------- data ----

fn snapshot() -> PathBuf {
    statbank::data::source::snapshot_dir().to_path_buf()
}

/// A Region × ContentsCode(1) × Tid table of the snapshot, read with the crate's own
/// JSON-stat parser and kept as vectors for the chart constructors.
struct Table {
    regions: Vec<(String, String)>,
    years: Vec<String>,
    values: Vec<Option<f64>>,
}

impl Table {
    fn load(rel: &str) -> Table {
        let path = snapshot().join(rel);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let ds = Dataset::from_slice_named(&bytes, rel).unwrap();
        let ids: Vec<&str> = ds.dimensions.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["Region", "ContentsCode", "Tid"]);
        let region = ds.dimension("Region").unwrap();
        let regions = region.codes.iter().cloned().zip(region.labels.iter().cloned()).collect();
        let years = ds.dimension("Tid").unwrap().codes.clone();
        Table { regions, years, values: ds.values.to_vec() }
    }
    fn get(&self, region: usize, year: &str) -> Option<f64> {
        let t = self.years.iter().position(|y| y == year)?;
        self.values[region * self.years.len() + t]
    }
}

/// Population on 2024 borders (SSB's own harmonised series).
fn harmonised() -> Table {
    Table::load("pxweb/07459.agg_KommSummer.json")
}

fn municipalities(t: &Table) -> impl Iterator<Item = (usize, &str, &str)> {
    t.regions.iter().enumerate().filter(|(_, (c, _))| c.len() == 6 && c.starts_with("K-")).map(|(i, (c, l))| (i, &c[2..], l.as_str()))
}

fn county(code: &str) -> &'static str {
    match &code[..2] {
        "03" => "Oslo",
        "11" => "Rogaland",
        "15" => "Møre og Romsdal",
        "18" => "Nordland",
        "31" => "Østfold",
        "32" => "Akershus",
        "33" => "Buskerud",
        "34" => "Innlandet",
        "39" => "Vestfold",
        "40" => "Telemark",
        "42" => "Agder",
        "46" => "Vestland",
        "50" => "Trøndelag",
        "55" => "Troms",
        "56" => "Finnmark",
        _ => "Other",
    }
}

fn tettsteder() -> DataFrame {
    let path = snapshot().join("tettsteder/tettsteder-2022.csv");
    CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path))
        .unwrap()
        .finish()
        .unwrap()
}

// ------------------------------------------------------------ checking ----

fn out_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/chart-tests");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(png);
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size()];
    let info = r.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\'', "&apos;").replace('"', "&quot;")
}

/// Layout, SVG, PNG and golden checks shared by all chart tests.
fn check(name: &str, scene: Scene, svg: String, png: Vec<u8>, expect: &[&str]) {
    std::fs::write(out_dir().join(format!("{name}.svg")), &svg).unwrap();
    std::fs::write(out_dir().join(format!("{name}.png")), &png).unwrap();
    let (w, h) = (scene.width(), scene.height());
    // texts: inside the canvas and pairwise disjoint
    let boxes: Vec<_> = scene.texts().map(|t| (t.text.clone(), t.bbox())).collect();
    assert!(!boxes.is_empty());
    for (t, (l, tp, r, b)) in &boxes {
        assert!(*l >= 0.0 && *r <= w && *tp >= 0.0 && *b <= h, "{name}: text {t:?} box {:?} outside {w}×{h}", (l, tp, r, b));
    }
    for i in 0..boxes.len() {
        for j in i + 1..boxes.len() {
            let (a, b) = (boxes[i].1, boxes[j].1);
            let overlap = a.0 < b.2 - 0.5 && b.0 < a.2 - 0.5 && a.1 < b.3 - 0.5 && b.1 < a.3 - 0.5;
            assert!(!overlap, "{name}: texts {:?} and {:?} overlap", boxes[i].0, boxes[j].0);
        }
    }
    // SVG: one <text> per scene text, expected strings present
    assert!(svg.starts_with("<svg") || svg.contains("<svg"));
    assert_eq!(svg.matches("<text").count(), boxes.len(), "{name}: text count");
    // expected texts: "=x" must be a whole text item, "x" part of one
    for e in expect {
        let found = match e.strip_prefix('=') {
            Some(exact) => boxes.iter().any(|b| b.0 == exact),
            None => boxes.iter().any(|b| b.0.contains(e)),
        };
        assert!(found, "{name}: no text {e:?}");
        assert!(svg.contains(&xml_escape(e.trim_start_matches('='))), "{name}: SVG lacks {e:?}");
    }
    // PNG: requested size, not blank
    let (pw, ph, px) = decode(&png);
    assert_eq!((pw, ph), (w.round() as u32, h.round() as u32), "{name}: PNG size");
    let ink = px.chunks(3).filter(|p| p.iter().any(|c| *c < 200)).count();
    assert!(ink as f64 > 0.01 * (pw * ph) as f64, "{name}: PNG nearly blank ({ink} dark pixels)");
    golden(name, &png);
}

fn golden(name: &str, png: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.png"));
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, png).unwrap();
        eprintln!("wrote golden {}", path.display());
        return;
    }
    let (gw, gh, g) = decode(&std::fs::read(&path).unwrap());
    let (w, h, p) = decode(png);
    assert_eq!((w, h), (gw, gh), "{name}: size differs from golden (UPDATE_GOLDEN=1 to accept)");
    let diff: u64 = g.iter().zip(&p).map(|(a, b)| (*a as i32 - *b as i32).unsigned_abs() as u64).sum();
    let mean = diff as f64 / g.len() as f64;
    assert!(mean < 1.5, "{name}: mean abs pixel diff {mean:.3} vs golden (UPDATE_GOLDEN=1 to accept)");
}

fn render<F: Fn() -> statbank::chart::Result<Scene>>(f: F) -> (Scene, String, Vec<u8>) {
    let s = f().unwrap();
    let svg = s.to_svg().unwrap();
    let png = s.to_png(1.0).unwrap();
    (s, svg, png)
}

// --------------------------------------------------------------- charts ----

fn change_2010_2026() -> Vec<(String, String, f64, f64)> {
    let t = harmonised();
    municipalities(&t)
        .filter_map(|(i, code, label)| Some((code.to_string(), label.to_string(), t.get(i, "2010")?, t.get(i, "2026")?)))
        .filter(|r| r.2 > 0.0 && r.3 > 0.0)
        .collect()
}

#[test]
fn lollipop_top_gainers_from_frame() {
    let mut rows = change_2010_2026();
    rows.sort_by(|a, b| (b.3 - b.2).total_cmp(&(a.3 - a.2)));
    let top: Vec<_> = rows.iter().take(15).collect();
    let oslo = rows.iter().find(|r| r.0 == "0301").unwrap();
    let df = df!(
        "name" => top.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        "change" => top.iter().map(|r| (r.3 - r.2) as i64).collect::<Vec<_>>(),
    )
    .unwrap();
    let oslo_change = NumberFormat::comma().signed().format(oslo.3 - oslo.2);
    let chart = Lollipop::from_frame(&df, "name", "change")
        .unwrap()
        .title("Norway's population magnets: 15 fastest-growing municipalities, 2010–2026")
        .subtitle(format!("Oslo grew by {oslo_change} residents on 2024 borders"))
        .caption("Source: Statistics Norway (SSB), table 07459")
        .x_label("Population change (persons)")
        .label_format(NumberFormat::comma().signed());
    let (s, svg, png) = render(|| chart.scene());
    check("lollipop", s, svg, png, &["Norway's population magnets", "Oslo - Oslove", &oslo_change, "Source: Statistics Norway (SSB), table 07459"]);
}

#[test]
fn lollipop_north_percent_with_negatives_and_sami_names() {
    let rows: Vec<_> = change_2010_2026().into_iter().filter(|r| r.0.starts_with("55") || r.0.starts_with("56")).collect();
    let names: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let pct: Vec<f64> = rows.iter().map(|r| 100.0 * (r.3 / r.2 - 1.0)).collect();
    assert!(pct.iter().any(|v| *v < 0.0) && pct.iter().any(|v| *v > 0.0));
    let chart = Lollipop::new(&names, &pct)
        .unwrap()
        .format(NumberFormat::percent().signed())
        .title("Troms and Finnmark: population change 2010–2026 by municipality, on 2024 borders — many shrink while the regional centres grow")
        .caption("Source: Statistics Norway (SSB), table 07459")
        .x_label("Change in residents");
    let (s, svg, png) = render(|| chart.scene());
    // negative labels sit left of their points
    let neg = s.texts().find(|t| t.text.starts_with('\u{2212}') && t.size < 11.0).unwrap();
    assert_eq!(neg.anchor, statbank::chart::Anchor::End);
    check(
        "lollipop_north",
        s,
        svg,
        png,
        &["=Storfjord - Omasvuotna - Omasvuono", "=Porsanger - Porsángu - Porsanki", "Tromsø", "%"],
    );
}

#[test]
fn beeswarm_change_by_county() {
    let all = Table::load("pxweb/07459.json");
    let norway = all.regions.iter().position(|r| r.0 == "0").unwrap();
    let rows = change_2010_2026();
    let cats: Vec<&str> = rows.iter().map(|r| county(&r.0)).collect();
    let pct: Vec<f64> = rows.iter().map(|r| 100.0 * (r.3 / r.2 - 1.0)).collect();
    let size: Vec<&str> = rows
        .iter()
        .map(|r| if r.3 < 5_000.0 { "Under 5,000" } else if r.3 < 20_000.0 { "5,000–20,000" } else { "Over 20,000" })
        .collect();
    let (p10, p26) = (all.get(norway, "2010").unwrap(), all.get(norway, "2026").unwrap());
    assert_eq!((p10, p26), (4_858_199.0, 5_627_400.0));
    let national = 100.0 * (p26 / p10 - 1.0);
    let chart = Beeswarm::new(&cats, &pct)
        .unwrap()
        .groups(&size)
        .sort(Sort::Descending)
        .reference_line(national, format!("Norway {}", NumberFormat::percent().signed().decimals(1).format(national)))
        .format(NumberFormat::percent().signed())
        .title("Growth concentrates in the south: population change 2010–2026 per municipality")
        .subtitle("Each dot is a municipality on 2024 borders, coloured by its 2026 population")
        .caption("Source: Statistics Norway (SSB), table 07459")
        .x_label("Population change 2010–2026");
    let (s, svg, png) = render(|| chart.scene());
    assert_eq!(s.point_count(), rows.len() + 3);
    check("beeswarm", s, svg, png, &["=Finnmark", "=Akershus", "=Over 20,000", "=Norway +15.8%"]);
}

#[test]
fn dumbbell_urban_share_finnmark_2022() {
    // population 2022 (07459, 2020–2023 codes) vs residents in urban settlements
    let t = Table::load("pxweb/07459.json");
    let df = tettsteder();
    let knr = df.column("kommunenr").unwrap().cast(&DataType::Int64).unwrap();
    let kind = df.column("row_type").unwrap().str().unwrap().clone();
    let bos = df.column("bosatte").unwrap().cast(&DataType::Float64).unwrap();
    let mut urban: HashMap<i64, f64> = HashMap::new();
    for ((k, r), b) in knr.i64().unwrap().iter().zip(kind.iter()).zip(bos.f64().unwrap().iter()) {
        if let (Some(k), Some(r), Some(b)) = (k, r, b) {
            if r != "total_split" {
                *urban.entry(k).or_default() += b;
            }
        }
    }
    let mut names = Vec::new();
    let mut totals = Vec::new();
    let mut parts = Vec::new();
    for (i, (code, label)) in t.regions.iter().enumerate() {
        if code.len() == 4 && code.starts_with("54") {
            if let Some(p) = t.get(i, "2022").filter(|p| *p > 0.0) {
                names.push(label.replace(" (2020-2023)", ""));
                totals.push(p);
                parts.push(urban.get(&code.parse::<i64>().unwrap()).copied().unwrap_or(0.0));
            }
        }
    }
    assert!(names.len() >= 35, "Troms og Finnmark 2020–2023 has 39 municipalities, got {}", names.len());
    let chart = Dumbbell::new(&names, &totals, &parts)
        .unwrap()
        .legend("All residents", "Living in an urban settlement")
        .title("How urban is Troms og Finnmark? Residents in urban settlements (tettsteder), 1 January 2022")
        .caption("Source: Statistics Norway (SSB), tables 07459 and 04859")
        .x_label("Residents");
    let (s, svg, png) = render(|| chart.scene());
    let tromso = names.iter().position(|n| n.starts_with("Tromsø")).unwrap();
    let share = format!("{:.0}%", 100.0 * parts[tromso] / totals[tromso]);
    check("dumbbell", s, svg, png, &["=Porsanger - Porsángu - Porsanki", "=Storfjord - Omasvuotna - Omasvuono", "Tromsø", &share, "=All residents"]);
}

#[test]
fn grouped_bar_largest_municipalities() {
    let t = harmonised();
    let mut rows: Vec<_> = municipalities(&t).filter_map(|(i, _, l)| Some((l.to_string(), t.get(i, "2026")?, i))).collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    rows.truncate(10);
    let mut long = (Vec::new(), Vec::new(), Vec::new());
    for year in ["2010", "2018", "2026"] {
        for (name, _, i) in &rows {
            long.0.push(name.clone());
            long.1.push(year.to_string());
            long.2.push(t.get(*i, year).unwrap());
        }
    }
    let df = df!("name" => long.0, "year" => long.1, "population" => long.2).unwrap();
    let chart = GroupedBar::from_frame(&df, "name", "year", "population")
        .unwrap()
        .title("The ten largest municipalities, 2010, 2018 and 2026")
        .caption("Source: Statistics Norway (SSB), table 07459")
        .x_label("Residents 1 January (2024 borders)");
    let (s, svg, png) = render(|| chart.scene());
    check("grouped_bar", s, svg, png, &["Oslo - Oslove", "2018", "Bergen"]);
}

#[test]
fn line_chart_city_growth() {
    let t = harmonised();
    let years: Vec<String> = t.years.iter().filter(|y| y.as_str() >= "1990").cloned().collect();
    let mut chart = LineChart::new();
    for code in ["K-4601", "K-5001", "K-1103", "K-3201", "K-5501", "K-4204"] {
        let i = t.regions.iter().position(|r| r.0 == code).unwrap();
        let (x, y): (Vec<f64>, Vec<f64>) = years.iter().filter_map(|yr| Some((yr.parse::<f64>().ok()?, t.get(i, yr)?))).unzip();
        chart = chart.series(t.regions[i].1.clone(), &x, &y);
    }
    let chart = chart
        .title("Population of the largest cities after Oslo, 1990–2026")
        .y_label("Residents 1 January (2024 borders)")
        .caption("Source: Statistics Norway (SSB), table 07459");
    let (s, svg, png) = render(|| chart.scene());
    check("line", s, svg, png, &["Bergen", "=Trondheim - Tråante", "Tromsø", "=2000", "=300,000"]);
}

#[test]
fn scatter_urban_settlements_2022() {
    let df = tettsteder();
    let keep = df.column("row_type").unwrap().str().unwrap().iter().map(|r| r != Some("split_part")).collect::<BooleanChunked>();
    let df = df.filter(&keep).unwrap();
    assert_eq!(df.height(), 986);
    let chart = Scatter::from_frame(&df, "areal_km2", "bosatte", Some("tettstednavn"))
        .unwrap()
        .log_x()
        .log_y()
        .highlight(&["Oslo", "Bergen", "Tromsø", "Hammerfest"])
        .max_labels(30)
        .title("Urban settlements 2022: area and residents")
        .subtitle("986 tettsteder, log scales")
        .x_label("Area (km²)")
        .y_label("Residents")
        .caption("Source: Statistics Norway (SSB), table 04859");
    let (s, svg, png) = render(|| chart.scene());
    let labelled = s.texts().filter(|t| (t.size - 10.5).abs() < 1e-9).count();
    assert!(labelled >= 15, "only {labelled} labels placed");
    check("scatter", s, svg, png, &["=Oslo", "=Bergen", "=Tromsø", "=100,000"]);
}

// ---------------------------------------------------------- outputs ----

#[test]
fn save_svg_and_png_with_size_and_dpi() {
    let dir = out_dir().join("save/nested/dir");
    let _ = std::fs::remove_dir_all(out_dir().join("save"));
    let chart = Lollipop::new(&["a", "b"], &[1.0, -2.0]).unwrap().size(400, 300).dpi(192).title("t");
    chart.save(dir.join("x.svg")).unwrap();
    chart.save(dir.join("x.PNG")).unwrap();
    let svg = std::fs::read_to_string(dir.join("x.svg")).unwrap();
    assert!(svg.contains("width=\"400\"") && svg.contains("height=\"300\""));
    let (w, h, _) = decode(&std::fs::read(dir.join("x.PNG")).unwrap());
    assert_eq!((w, h), (800, 600));
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files.len(), 2, "temp files left: {files:?}");
    assert!(matches!(chart.save(dir.join("x.jpg")), Err(ChartError::UnsupportedExtension(e)) if e == ".jpg"));
    assert!(matches!(chart.save(dir.join("noext")), Err(ChartError::UnsupportedExtension(_))));
    assert_eq!(chart.png().unwrap().bytes()[..8], [137, 80, 78, 71, 13, 10, 26, 10]);
    let (w, _, _) = decode(&chart.to_png(1.5).unwrap());
    assert_eq!(w, 600);
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let df = df!("name" => ["a", "b"], "v" => [1.0, 2.0], "s" => ["x", "y"]).unwrap();
    assert!(matches!(Lollipop::from_frame(&df, "nope", "v"), Err(ChartError::MissingColumn { .. })));
    assert!(matches!(Lollipop::from_frame(&df, "name", "s"), Err(ChartError::WrongDtype { .. })));
    assert!(matches!(Lollipop::new(&["a"], &[1.0, 2.0]), Err(ChartError::LengthMismatch { .. })));
    assert!(matches!(Lollipop::new::<&str>(&[], &[]), Err(ChartError::EmptyData(_))));
    assert!(matches!(Lollipop::new(&["a"], &[f64::NAN]), Err(ChartError::InvalidValue(_))));
    assert!(matches!(GroupedBar::new(&["a"]).series("s", &[1.0, 2.0]).to_svg(), Err(ChartError::LengthMismatch { .. })));
    assert!(matches!(GroupedBar::new(&["a"]).to_svg(), Err(ChartError::EmptyData(_))));
    assert!(matches!(LineChart::new().to_svg(), Err(ChartError::EmptyData(_))));
    assert!(matches!(Scatter::new(&[0.0, 1.0], &[1.0, 2.0]).unwrap().log_x().to_svg(), Err(ChartError::InvalidValue(_))));
    assert!(matches!(Beeswarm::new(&["a"], &[1.0]).unwrap().groups(&["g", "h"]).to_svg(), Err(ChartError::LengthMismatch { .. })));
    assert!(matches!(Lollipop::new(&["a"], &[1.0]).unwrap().size(0, 0).to_svg(), Err(ChartError::InvalidOption(_))));
    assert!(matches!(Lollipop::new(&["a"], &[1.0]).unwrap().to_png(0.0), Err(ChartError::InvalidOption(_))));
    // degenerate but valid data renders
    Lollipop::new(&["zero"], &[0.0]).unwrap().to_png(1.0).unwrap();
    Beeswarm::new(&["a", "a"], &[5.0, 5.0]).unwrap().to_svg().unwrap();
    LineChart::new().series("one point", &[2020.0], &[1.0]).to_svg().unwrap();
    let empty = df.clear();
    assert!(matches!(Lollipop::from_frame(&empty, "name", "v"), Err(ChartError::EmptyData(_))));
}

#[test]
fn long_title_wraps_and_tiny_width_stays_on_canvas() {
    let long = "Storfjord - Omasvuotna - Omasvuono ".repeat(6);
    let chart = Lollipop::new(&[long.trim(), "Porsanger - Porsáŋgu - Porsanki"], &[-163.0, 12_000.0])
        .unwrap()
        .width(320)
        .title(format!("A very long title that cannot fit on one line: {long}"))
        .subtitle("Supercalifragilisticexpialidocious-municipality-name-without-spaces-at-all")
        .caption("Source: Statistics Norway (SSB), table 07459");
    let (s, svg, png) = render(|| chart.scene());
    for t in s.texts() {
        let (l, _, r, _) = t.bbox();
        assert!(l >= 0.0 && r <= s.width(), "{:?} off canvas", t.text);
    }
    assert!(s.texts().filter(|t| t.bold && t.size > 12.0).count() >= 3, "title should wrap");
    let _ = (svg, png);
}

// ---------------------------------------------------------------- table ----

#[test]
fn html_table_of_real_data() {
    let df = tettsteder();
    let t = df.table().limit(5).decimals("areal_km2", 1);
    let html = t.to_html();
    assert!(html.contains("<table") && html.contains("25,916"), "{html}");
    assert!(html.contains(">14.3<"));
    assert!(html.contains("… 1,017 more rows") || html.contains("more rows"));
    assert!(html.contains("class=\"r\"") && html.contains("kommunenr"));
    // codes and years keep no separators
    assert!(html.contains(">3001<"));
    let text = show(&df).limit(3).to_text();
    assert!(text.lines().count() >= 6 && text.contains("Halden") && text.contains("more rows"), "{text}");

    let with_null = df!("name" => [Some("a"), None], "year" => [2010i32, 2026], "pct_change" => [Some(1.2345), None]).unwrap();
    let html = with_null.show().to_html();
    assert!(html.contains(">–<") && html.contains(">2026<") && html.contains("1.23"));
    assert!(!html.contains("more rows") && html.contains("2 rows × 3 columns"));
    let esc = df!("x" => ["<b>&"]).unwrap().show().to_html();
    assert!(esc.contains("&lt;b&gt;&amp;"));
}
