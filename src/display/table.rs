//! Tidy display of polars DataFrames in notebooks: an HTML table (evcxr
//! `text/html`) with a plain-text fallback.
//!
//! Numbers are right-aligned with comma thousands separators (`141,854`),
//! except in columns whose name marks a year or a code (`year`, `år`, `tid`,
//! `code`, `kode`, `nr`, `id`). Floats get a sensible number of decimals per
//! column (override with [`HtmlTable::decimals`]), nulls show as `–`, and
//! long frames are cut at a row limit with "… N more rows".
//!
//! ```
//! use polars::prelude::*;
//! use statbank::display::table::TableExt;
//!
//! let df = df!("name" => ["Oslo", "Bergen"], "year" => [2026, 2026],
//!              "change" => [141_854i64, -3_700], "pct_change" => [24.17, -1.234])?;
//! let t = df.table().decimals("pct_change", 1).limit(20);
//! let html = t.to_html();
//! assert!(html.contains("141,854") && html.contains(">2026<") && html.contains("24.2"));
//! assert!(t.to_text().contains("\u{2212}3,700"));
//! # Ok::<(), PolarsError>(())
//! ```

use crate::chart::format_number;
use polars::prelude::{AnyValue, DataFrame, DataType};
use std::collections::HashMap;
use std::fmt;

/// A DataFrame view that renders as an HTML or text table.
#[derive(Clone, Debug)]
pub struct HtmlTable {
    df: DataFrame,
    limit: usize,
    decimals: HashMap<String, usize>,
    default_decimals: Option<usize>,
    separators: HashMap<String, bool>,
    caption: Option<String>,
}

/// Wrap a DataFrame for display (cheap: polars columns are shared).
pub fn show(df: &DataFrame) -> HtmlTable {
    HtmlTable::new(df)
}

/// `df.table()` / `df.show()` on a [`DataFrame`].
pub trait TableExt {
    /// Table view with the default limit (20 rows).
    fn table(&self) -> HtmlTable;
    /// Same as [`table`](TableExt::table); reads well as a cell's last line.
    fn show(&self) -> HtmlTable {
        self.table()
    }
}

impl TableExt for DataFrame {
    fn table(&self) -> HtmlTable {
        HtmlTable::new(self)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

impl HtmlTable {
    /// Table view of `df` with a 20-row limit.
    pub fn new(df: &DataFrame) -> HtmlTable {
        HtmlTable {
            df: df.clone(),
            limit: 20,
            decimals: HashMap::new(),
            default_decimals: None,
            separators: HashMap::new(),
            caption: None,
        }
    }
    /// Show at most `n` rows (then "… N more rows").
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = n;
        self
    }
    /// Fixed decimals for one float column.
    pub fn decimals(mut self, column: &str, n: usize) -> Self {
        self.decimals.insert(column.to_string(), n.min(12));
        self
    }
    /// Fixed decimals for every float column without its own setting.
    pub fn all_decimals(mut self, n: usize) -> Self {
        self.default_decimals = Some(n.min(12));
        self
    }
    /// Force thousands separators on or off for a numeric column.
    pub fn separators(mut self, column: &str, on: bool) -> Self {
        self.separators.insert(column.to_string(), on);
        self
    }
    /// A caption above the table.
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    fn cells(&self) -> (Vec<String>, Vec<String>, Vec<Align>, Vec<Vec<String>>) {
        let n = self.df.height().min(self.limit);
        let mut names = Vec::new();
        let mut dtypes = Vec::new();
        let mut aligns = Vec::new();
        let mut cols = Vec::new();
        for col in self.df.columns() {
            let name = col.name().to_string();
            let dt = col.dtype().clone();
            let numeric = dt.is_primitive_numeric();
            let sep = self.separators.get(&name).copied().unwrap_or(!is_code_like(&name));
            let decimals = if dt.is_float() {
                Some(self.decimals.get(&name).copied().or(self.default_decimals).unwrap_or_else(|| auto_decimals(col)))
            } else {
                None
            };
            let mut cells = Vec::with_capacity(n);
            for i in 0..n {
                let cell = match col.get(i) {
                    Ok(AnyValue::Null) | Err(_) => "–".to_string(),
                    Ok(v) if numeric => {
                        let f = match v.extract::<f64>() {
                            Some(f) => f,
                            None => {
                                cells.push(v.to_string());
                                continue;
                            }
                        };
                        if f.is_nan() {
                            "NaN".to_string()
                        } else if dt.is_integer() {
                            // exact for i64/u64 beyond 2^53
                            let s = v.to_string();
                            let (neg, digits) = match s.strip_prefix('-') {
                                Some(d) => (true, d.to_string()),
                                None => (false, s),
                            };
                            let body = if sep { crate::chart::group_digits(&digits) } else { digits };
                            if neg { format!("\u{2212}{body}") } else { body }
                        } else {
                            format_number(f, decimals.unwrap_or(2), sep)
                        }
                    }
                    Ok(v) => match v.get_str() {
                        Some(s) => s.to_string(),
                        None => v.to_string(),
                    },
                };
                cells.push(cell);
            }
            names.push(name);
            dtypes.push(short_dtype(&dt));
            aligns.push(if numeric { Align::Right } else { Align::Left });
            cols.push(cells);
        }
        (names, dtypes, aligns, cols)
    }

    fn footer(&self) -> String {
        let (h, w) = (self.df.height(), self.df.width());
        let more = h.saturating_sub(self.limit);
        let shape = format!("{} rows × {} columns", crate::chart::group_digits(&h.to_string()), w);
        if more > 0 {
            format!("… {} more rows ({shape})", crate::chart::group_digits(&more.to_string()))
        } else {
            shape
        }
    }

    /// HTML fragment (a styled `<table>`).
    pub fn to_html(&self) -> String {
        let (names, dtypes, aligns, cols) = self.cells();
        let n = cols.first().map_or(0, Vec::len);
        let mut s = String::from(
            "<div class=\"statbank-table\"><style>\
.statbank-table table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums;margin:4px 0}\
.statbank-table th,.statbank-table td{padding:3px 10px;border-bottom:1px solid #e4e4e4;white-space:nowrap}\
.statbank-table th{border-bottom:1px solid #8c8c8c;vertical-align:bottom}\
.statbank-table th small{color:#8c8c8c;font-weight:normal}\
.statbank-table .r{text-align:right}.statbank-table .l{text-align:left}\
.statbank-table .na{color:#9a9a9a}\
.statbank-table caption{caption-side:top;text-align:left;font-weight:bold;padding-bottom:4px}\
.statbank-table .foot{color:#5f5f5f;font-size:12px;text-align:left;border-bottom:none}\
</style><table>",
        );
        if let Some(c) = &self.caption {
            s += &format!("<caption>{}</caption>", esc(c));
        }
        s += "<thead><tr>";
        for ((name, dt), a) in names.iter().zip(&dtypes).zip(&aligns) {
            let class = if *a == Align::Right { "r" } else { "l" };
            s += &format!("<th class=\"{class}\">{}<br><small>{}</small></th>", esc(name), esc(dt));
        }
        s += "</tr></thead><tbody>";
        for i in 0..n {
            s += "<tr>";
            for (col, a) in cols.iter().zip(&aligns) {
                let class = if *a == Align::Right { "r" } else { "l" };
                let cell = &col[i];
                let na = if cell == "–" { " na" } else { "" };
                s += &format!("<td class=\"{class}{na}\">{}</td>", esc(cell));
            }
            s += "</tr>";
        }
        s += &format!(
            "</tbody><tfoot><tr><td class=\"foot\" colspan=\"{}\">{}</td></tr></tfoot></table></div>",
            names.len().max(1),
            esc(&self.footer())
        );
        s
    }

    /// Plain-text table with aligned columns.
    pub fn to_text(&self) -> String {
        let (names, _, aligns, cols) = self.cells();
        let n = cols.first().map_or(0, Vec::len);
        let widths: Vec<usize> = names
            .iter()
            .zip(&cols)
            .map(|(h, c)| c.iter().map(|s| s.chars().count()).chain([h.chars().count()]).max().unwrap_or(0))
            .collect();
        let pad = |s: &str, w: usize, a: Align| {
            let fill = " ".repeat(w.saturating_sub(s.chars().count()));
            if a == Align::Right { format!("{fill}{s}") } else { format!("{s}{fill}") }
        };
        let mut out = String::new();
        if let Some(c) = &self.caption {
            out += c;
            out.push('\n');
        }
        let line = |cells: Vec<String>| cells.join("  ").trim_end().to_string() + "\n";
        out += &line(names.iter().zip(&widths).zip(&aligns).map(|((h, w), a)| pad(h, *w, *a)).collect());
        out += &line(widths.iter().map(|w| "─".repeat(*w)).collect());
        for i in 0..n {
            out += &line(cols.iter().zip(&widths).zip(&aligns).map(|((c, w), a)| pad(&c[i], *w, *a)).collect());
        }
        out += &self.footer();
        out.push('\n');
        out
    }

    /// evcxr hook: one output bundle with `text/html` and `text/plain`.
    pub fn evcxr_display(&self) {
        let blocks = format!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT\n",
            self.to_html(),
            self.to_text().trim_end()
        );
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(blocks.as_bytes());
        let _ = out.flush();
    }
}

impl fmt::Display for HtmlTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

fn is_code_like(name: &str) -> bool {
    const TOKENS: [&str; 12] = ["year", "years", "år", "aar", "tid", "code", "kode", "nr", "id", "knr", "kommunenr", "tettstednr"];
    let lower = name.to_lowercase();
    lower.split(|c: char| !c.is_alphanumeric()).any(|t| TOKENS.contains(&t)) || lower.ends_with("year")
}

fn auto_decimals(col: &polars::prelude::Column) -> usize {
    let Ok(cast) = col.cast(&DataType::Float64) else { return 2 };
    let Ok(ca) = cast.f64() else { return 2 };
    let mut vals: Vec<f64> = ca.iter().flatten().filter(|v| v.is_finite()).map(f64::abs).collect();
    if vals.is_empty() || vals.iter().all(|v| v.fract() == 0.0) {
        return 0;
    }
    vals.sort_by(f64::total_cmp);
    let med = vals[vals.len() / 2];
    if med >= 100.0 {
        1
    } else if med >= 1.0 {
        2
    } else {
        3
    }
}

fn short_dtype(dt: &DataType) -> String {
    match dt {
        DataType::String => "str".into(),
        other => other.to_string(),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
