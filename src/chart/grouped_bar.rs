use super::common::{chart_common, Common, Key};
use super::data::{check_finite, check_len, num_column, strings, text_column};
use super::format::NumberFormat;
use super::scale::{draw_row_label, draw_x_axis, row_label_lines, Rect, Scale};
use super::scene::{Anchor, Scene};
use super::text::measure_text;
use super::ChartError;
use polars::prelude::DataFrame;

/// Grouped horizontal bar chart: one row per category, one bar per series,
/// legend at the top, value labels at the bar ends.
///
/// Series are added with [`series`](Self::series); a length mismatch is
/// reported when the chart is drawn (the builder stays chainable).
///
/// ```
/// use statbank::chart::GroupedBar;
/// let chart = GroupedBar::new(&["Oslo", "Bergen"])
///     .series("2010", &[586_860.0, 256_600.0])
///     .series("2026", &[728_714.0, 296_720.0])
///     .title("Population 1 January");
/// assert!(chart.to_svg()?.contains("728,714"));
/// # Ok::<(), statbank::chart::ChartError>(())
/// ```
#[derive(Clone, Debug)]
pub struct GroupedBar {
    categories: Vec<String>,
    series: Vec<(String, Vec<f64>)>,
    format: NumberFormat,
    label_format: Option<NumberFormat>,
    show_values: bool,
    common: Common,
}

impl GroupedBar {
    /// Start with the row categories (top to bottom).
    pub fn new<S: AsRef<str>>(categories: &[S]) -> Self {
        GroupedBar {
            categories: strings(categories),
            series: Vec::new(),
            format: NumberFormat::comma(),
            label_format: None,
            show_values: true,
            common: Common::default(),
        }
    }

    /// Add a series: one value per category, in category order.
    pub fn series(mut self, name: impl Into<String>, values: &[f64]) -> Self {
        let name = name.into();
        let check = check_len(&format!("series `{name}`"), self.categories.len(), values.len())
            .and_then(|_| check_finite(&format!("series `{name}`"), values));
        match check {
            Ok(()) => self.series.push((name, values.to_vec())),
            Err(e) => self.common.defer(e),
        }
        self
    }

    /// From a long DataFrame: category, group (series) and value columns.
    /// Categories and groups keep their order of first appearance; missing
    /// combinations are 0; null rows are skipped.
    pub fn from_frame(df: &DataFrame, category_col: &str, group_col: &str, value_col: &str) -> Result<Self, ChartError> {
        let c = text_column(df, category_col)?;
        let g = text_column(df, group_col)?;
        let v = num_column(df, value_col)?;
        let mut cats: Vec<String> = Vec::new();
        let mut groups: Vec<(String, Vec<f64>)> = Vec::new();
        let mut cells = Vec::new();
        for ((c, g), v) in c.into_iter().zip(g).zip(v) {
            let (Some(c), Some(g), Some(v)) = (c, g, v) else { continue };
            let ci = cats.iter().position(|x| *x == c).unwrap_or_else(|| {
                cats.push(c);
                cats.len() - 1
            });
            let gi = groups.iter().position(|x| x.0 == g).unwrap_or_else(|| {
                groups.push((g, Vec::new()));
                groups.len() - 1
            });
            cells.push((ci, gi, v));
        }
        if cats.is_empty() {
            return Err(ChartError::EmptyData(" (all rows have nulls)".into()));
        }
        for g in &mut groups {
            g.1 = vec![0.0; cats.len()];
        }
        for (ci, gi, v) in cells {
            groups[gi].1[ci] += v;
        }
        let mut chart = GroupedBar::new(&cats);
        chart.series = groups;
        Ok(chart)
    }

    /// Axis number format (default comma); value labels use it too unless
    /// [`label_format`](Self::label_format) is set.
    pub fn format(mut self, f: NumberFormat) -> Self {
        self.format = f;
        self
    }
    /// Value label format.
    pub fn label_format(mut self, f: NumberFormat) -> Self {
        self.label_format = Some(f);
        self
    }
    /// Show or hide value labels (default shown).
    pub fn values(mut self, show: bool) -> Self {
        self.show_values = show;
        self
    }

    fn build_scene(&self) -> Result<Scene, ChartError> {
        let th = &self.common.theme;
        if self.categories.is_empty() || self.series.is_empty() {
            return Err(ChartError::EmptyData(" (no categories or no series)".into()));
        }
        let g = self.series.len();
        let lfmt = self
            .label_format
            .clone()
            .unwrap_or_else(|| self.format.clone())
            .consistent(self.series.iter().flat_map(|s| s.1.iter().copied()));
        let mut sc = self.common.new_scene();
        let mut top = self.common.place_header(&mut sc)?;
        let legend: Vec<_> = self.series.iter().enumerate().map(|(i, s)| (s.0.clone(), th.series_color(i))).collect();
        if g > 1 {
            top = self.common.place_legend(&mut sc, top - 4.0, &legend, Key::Bar)?;
        }
        let (lines, label_w) = row_label_lines(&self.categories, th.label_size, self.common.width * 0.42)?;
        let n = self.categories.len() as f64;
        let footer = self.common.footer_height(true, true)?;
        let max_lines = lines.iter().map(Vec::len).max().unwrap_or(1) as f64;
        let bar_default = if g > 3 { 10.0 } else { 13.0 };
        let row_h = match self.common.height {
            Some(h) => ((h - top - footer) / n).max(4.0),
            None => (g as f64 * bar_default + 10.0).max(max_lines * th.label_size * 1.2 + 6.0),
        };
        let bar_h = ((row_h - 8.0).max(row_h * 0.6)) / g as f64;
        let plot = Rect { l: th.margin + label_w + 12.0, t: top, r: self.common.width - th.margin, b: top + n * row_h };
        let vsize = th.value_size.min(bar_h * 0.95).max(6.0);
        let (mut pad_l, mut pad_r) = (0.0f64, 4.0f64);
        if self.show_values {
            for (_, vals) in &self.series {
                for v in vals {
                    let w = measure_text(&lfmt.format(*v), vsize, false)? + 8.0;
                    if *v < 0.0 {
                        pad_l = pad_l.max(w);
                    } else {
                        pad_r = pad_r.max(w);
                    }
                }
            }
        }
        let all = self.series.iter().flat_map(|s| s.1.iter().copied());
        let lo = all.clone().fold(0.0, f64::min);
        let hi = all.fold(0.0, f64::max);
        let scale = Scale::fit(lo, hi, plot.l, plot.r, pad_l, pad_r, false);
        draw_x_axis(&mut sc, th, &scale, &self.format, plot, true)?;
        let x0 = scale.map(0.0);
        for (k, lines) in lines.iter().enumerate() {
            let cy = plot.t + (k as f64 + 0.5) * row_h;
            let y_start = cy - bar_h * g as f64 / 2.0;
            for (j, (_, vals)) in self.series.iter().enumerate() {
                let v = vals[k];
                let (y0, y1) = (y_start + j as f64 * bar_h, y_start + (j + 1) as f64 * bar_h - 1.0);
                let x = scale.map(v);
                sc.rect(x0, y0, x, y1, th.series_color(j), 1.0);
                if self.show_values {
                    let yb = (y0 + y1) / 2.0 + 0.365 * vsize;
                    let (lx, a) = if v < 0.0 { (x - 4.0, Anchor::End) } else { (x + 4.0, Anchor::Start) };
                    sc.text(&lfmt.format(v), lx, yb, vsize, false, th.text, a)?;
                }
            }
            draw_row_label(&mut sc, th, lines, plot.l - 10.0, cy)?;
        }
        sc.line(vec![(x0, plot.t), (x0, plot.b)], th.axis, 1.0);
        let h = self.common.place_footer(&mut sc, plot.l, plot.r, plot.b, true, true)?;
        Ok(self.common.finish(sc, h))
    }
}

chart_common!(GroupedBar);
