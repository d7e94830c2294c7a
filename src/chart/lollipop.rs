use super::common::{chart_common, Common};
use super::data::{check_finite, check_len, num_column, strings, text_column};
use super::format::NumberFormat;
use super::scale::{draw_row_label, draw_x_axis, row_label_lines, Rect, Scale};
use super::scene::{Anchor, Scene};
use super::text::measure_text;
use super::theme::Color;
use super::{ChartError, Sort};
use polars::prelude::DataFrame;

/// Horizontal lollipop chart: one row per name, a segment from 0 to the value,
/// a point and the value label (left of the point for negative values).
///
/// Rows are sorted largest first by default; value labels are signed
/// (`+141,854`, `−3,700`) when the data contain negative values.
///
/// ```
/// use statbank::chart::Lollipop;
/// let names = ["Oslo", "Bergen", "Storfjord - Omasvuotna - Omasvuono"];
/// let chart = Lollipop::new(&names, &[141_854.0, 40_120.0, -163.0])?
///     .title("Population change 2010–2026")
///     .x_label("Population change (persons)")
///     .caption("Source: Statistics Norway (SSB), table 07459");
/// let svg = chart.to_svg()?;
/// assert!(svg.contains("Storfjord - Omasvuotna - Omasvuono") && svg.contains("\u{2212}163"));
/// # Ok::<(), statbank::chart::ChartError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Lollipop {
    labels: Vec<String>,
    values: Vec<f64>,
    sort: Sort,
    color: Option<Color>,
    negative_color: Option<Color>,
    axis_format: NumberFormat,
    label_format: Option<NumberFormat>,
    show_values: bool,
    row_height: f64,
    common: Common,
}

impl Lollipop {
    /// From names and values (same length, finite values).
    pub fn new<S: AsRef<str>>(labels: &[S], values: &[f64]) -> Result<Self, ChartError> {
        check_len("values", labels.len(), values.len())?;
        check_finite("values", values)?;
        if labels.is_empty() {
            return Err(ChartError::EmptyData(String::new()));
        }
        Ok(Lollipop {
            labels: strings(labels),
            values: values.to_vec(),
            sort: Sort::Descending,
            color: None,
            negative_color: None,
            axis_format: NumberFormat::comma(),
            label_format: None,
            show_values: true,
            row_height: 24.0,
            common: Common::default(),
        })
    }

    /// From a DataFrame: a name column (any dtype) and a numeric value
    /// column. Rows with a null name or value are skipped.
    pub fn from_frame(df: &DataFrame, label_col: &str, value_col: &str) -> Result<Self, ChartError> {
        let labels = text_column(df, label_col)?;
        let values = num_column(df, value_col)?;
        let (l, v): (Vec<String>, Vec<f64>) =
            labels.into_iter().zip(values).filter_map(|(l, v)| Some((l?, v?))).unzip();
        if l.is_empty() {
            return Err(ChartError::EmptyData(format!(" (no non-null rows in `{label_col}`/`{value_col}`)")));
        }
        Self::new(&l, &v)
    }

    /// Row order (default [`Sort::Descending`]: largest at the top).
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort = sort;
        self
    }
    /// Colour of positive values (default: theme accent).
    pub fn color(mut self, c: Color) -> Self {
        self.color = Some(c);
        self
    }
    /// Colour of negative values (default: theme negative).
    pub fn negative_color(mut self, c: Color) -> Self {
        self.negative_color = Some(c);
        self
    }
    /// Axis tick format (default comma); also the label format unless
    /// [`label_format`](Self::label_format) is set.
    pub fn format(mut self, f: NumberFormat) -> Self {
        self.axis_format = f;
        self
    }
    /// Format of the value labels (default: axis format, signed if any value is negative).
    pub fn label_format(mut self, f: NumberFormat) -> Self {
        self.label_format = Some(f);
        self
    }
    /// Show or hide value labels (default shown).
    pub fn values(mut self, show: bool) -> Self {
        self.show_values = show;
        self
    }
    /// Height of one row in pixels (default 24; ignored with a fixed [`size`](Self::size)).
    pub fn row_height(mut self, px: f64) -> Self {
        if px.is_finite() && px >= 8.0 {
            self.row_height = px;
        } else {
            self.common.defer(ChartError::InvalidOption(format!("row height {px}")));
        }
        self
    }

    fn build_scene(&self) -> Result<Scene, ChartError> {
        let th = &self.common.theme;
        let mut idx: Vec<usize> = (0..self.values.len()).collect();
        match self.sort {
            Sort::Descending => idx.sort_by(|a, b| self.values[*b].total_cmp(&self.values[*a])),
            Sort::Ascending => idx.sort_by(|a, b| self.values[*a].total_cmp(&self.values[*b])),
            Sort::None => {}
        }
        let any_neg = self.values.iter().any(|v| *v < 0.0);
        let lfmt = self
            .label_format
            .clone()
            .unwrap_or_else(|| self.axis_format.clone().with_signed(any_neg || self.axis_format.is_signed()))
            .consistent(self.values.iter().copied());

        let mut sc = self.common.new_scene();
        let top = self.common.place_header(&mut sc)?;
        let labels: Vec<String> = idx.iter().map(|i| self.labels[*i].clone()).collect();
        let (lines, label_w) = row_label_lines(&labels, th.label_size, self.common.width * 0.42)?;
        let n = labels.len() as f64;
        let footer = self.common.footer_height(true, true)?;
        let max_lines = lines.iter().map(Vec::len).max().unwrap_or(1) as f64;
        let row_h = match self.common.height {
            Some(h) => ((h - top - footer) / n).max(4.0),
            None => self.row_height.max(max_lines * th.label_size * 1.2 + 6.0),
        };
        let plot = Rect { l: th.margin + label_w + 12.0, t: top, r: self.common.width - th.margin, b: top + n * row_h };

        let radius = (row_h * 0.22).clamp(2.0, 5.5);
        let (mut pad_l, mut pad_r) = (radius + 4.0, radius + 4.0);
        let texts: Vec<String> = idx.iter().map(|i| lfmt.format(self.values[*i])).collect();
        if self.show_values {
            for (k, i) in idx.iter().enumerate() {
                let w = measure_text(&texts[k], th.value_size, false)? + radius + 10.0;
                if self.values[*i] < 0.0 {
                    pad_l = pad_l.max(w);
                } else {
                    pad_r = pad_r.max(w);
                }
            }
        }
        let lo = self.values.iter().copied().fold(0.0, f64::min);
        let hi = self.values.iter().copied().fold(0.0, f64::max);
        let scale = Scale::fit(lo, hi, plot.l, plot.r, pad_l, pad_r, false);

        draw_x_axis(&mut sc, th, &scale, &self.axis_format, plot, true)?;
        let x0 = scale.map(0.0);
        sc.line(vec![(x0, plot.t), (x0, plot.b)], th.axis, 1.0);
        let pos = self.color.unwrap_or(th.accent);
        let neg = self.negative_color.unwrap_or(th.negative);
        for (k, i) in idx.iter().enumerate() {
            let v = self.values[*i];
            let cy = plot.t + (k as f64 + 0.5) * row_h;
            let x = scale.map(v);
            let c = if v < 0.0 { neg } else { pos };
            sc.line(vec![(x0, cy), (x, cy)], c, 2.0);
            sc.circle(x, cy, radius, c, 1.0, None);
            if self.show_values {
                let (lx, anchor) = if v < 0.0 { (x - radius - 5.0, Anchor::End) } else { (x + radius + 5.0, Anchor::Start) };
                sc.text(&texts[k], lx, cy + 0.365 * th.value_size, th.value_size, false, th.text, anchor)?;
            }
            draw_row_label(&mut sc, th, &lines[k], plot.l - 10.0, cy)?;
        }
        let h = self.common.place_footer(&mut sc, plot.l, plot.r, plot.b, true, true)?;
        Ok(self.common.finish(sc, h))
    }
}

chart_common!(Lollipop);
