use super::common::{chart_common, Common};
use super::data::{check_finite, check_len, num_column, strings, text_column};
use super::format::NumberFormat;
use super::scale::{draw_row_label, draw_x_axis, row_label_lines, Rect, Scale};
use super::scene::{Anchor, Scene};
use super::text::measure_text;
use super::theme::Color;
use super::{ChartError, Sort};
use polars::prelude::DataFrame;

/// Overlay bars ("dumbbell"): per row a wide grey bar for a total and a
/// narrower coloured bar for a part of it, points at both ends and a label
/// after the total, by default the part's share (`"58%"`).
///
/// ```
/// use statbank::chart::Dumbbell;
/// let chart = Dumbbell::new(&["Alta", "Karasjok - Kárášjohka"], &[21_000.0, 2_600.0], &[17_000.0, 1_900.0])?
///     .title("Share of residents living in urban settlements, 2022")
///     .legend("Residents", "In urban settlements");
/// assert!(chart.to_svg()?.contains("81%"));
/// # Ok::<(), statbank::chart::ChartError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Dumbbell {
    labels: Vec<String>,
    totals: Vec<f64>,
    parts: Vec<f64>,
    end_labels: Option<Vec<String>>,
    legend: Option<(String, String)>,
    sort: Sort,
    color: Option<Color>,
    format: NumberFormat,
    share_format: NumberFormat,
    row_height: f64,
    common: Common,
}

impl Dumbbell {
    /// From names, totals and parts (all the same length, finite).
    pub fn new<S: AsRef<str>>(labels: &[S], totals: &[f64], parts: &[f64]) -> Result<Self, ChartError> {
        check_len("totals", labels.len(), totals.len())?;
        check_len("parts", labels.len(), parts.len())?;
        check_finite("totals", totals)?;
        check_finite("parts", parts)?;
        if labels.is_empty() {
            return Err(ChartError::EmptyData(String::new()));
        }
        Ok(Dumbbell {
            labels: strings(labels),
            totals: totals.to_vec(),
            parts: parts.to_vec(),
            end_labels: None,
            legend: None,
            sort: Sort::Descending,
            color: None,
            format: NumberFormat::comma(),
            share_format: NumberFormat::percent().decimals(0),
            row_height: 26.0,
            common: Common::default(),
        })
    }

    /// From a DataFrame: name, total and part columns. Rows with nulls are skipped.
    pub fn from_frame(df: &DataFrame, label_col: &str, total_col: &str, part_col: &str) -> Result<Self, ChartError> {
        let l = text_column(df, label_col)?;
        let t = num_column(df, total_col)?;
        let p = num_column(df, part_col)?;
        let mut rows = (Vec::new(), Vec::new(), Vec::new());
        for ((l, t), p) in l.into_iter().zip(t).zip(p) {
            if let (Some(l), Some(t), Some(p)) = (l, t, p) {
                rows.0.push(l);
                rows.1.push(t);
                rows.2.push(p);
            }
        }
        if rows.0.is_empty() {
            return Err(ChartError::EmptyData(" (all rows have nulls)".into()));
        }
        Self::new(&rows.0, &rows.1, &rows.2)
    }

    /// Custom end labels instead of the share (same length as the rows).
    pub fn end_labels<S: AsRef<str>>(mut self, labels: &[S]) -> Self {
        match check_len("end_labels", self.labels.len(), labels.len()) {
            Ok(()) => self.end_labels = Some(strings(labels)),
            Err(e) => self.common.defer(e),
        }
        self
    }
    /// Format of the share label `part / total` (default `NumberFormat::percent()`, 0 decimals).
    pub fn share_format(mut self, f: NumberFormat) -> Self {
        self.share_format = f;
        self
    }
    /// Legend entries for the total and the part bars (shown at the top).
    pub fn legend(mut self, total: impl Into<String>, part: impl Into<String>) -> Self {
        self.legend = Some((total.into(), part.into()));
        self
    }
    /// Row order by total (default largest first).
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort = sort;
        self
    }
    /// Colour of the part bar (default theme accent).
    pub fn color(mut self, c: Color) -> Self {
        self.color = Some(c);
        self
    }
    /// Axis number format (default comma).
    pub fn format(mut self, f: NumberFormat) -> Self {
        self.format = f;
        self
    }

    fn build_scene(&self) -> Result<Scene, ChartError> {
        let th = &self.common.theme;
        let mut idx: Vec<usize> = (0..self.labels.len()).collect();
        match self.sort {
            Sort::Descending => idx.sort_by(|a, b| self.totals[*b].total_cmp(&self.totals[*a])),
            Sort::Ascending => idx.sort_by(|a, b| self.totals[*a].total_cmp(&self.totals[*b])),
            Sort::None => {}
        }
        let color = self.color.unwrap_or(th.accent);
        let grey = th.neutral;
        let grey_pt = Color::rgb(0x9a9a9a);
        let mut sc = self.common.new_scene();
        let mut top = self.common.place_header(&mut sc)?;
        if let Some((t, p)) = &self.legend {
            top = self.common.place_legend(&mut sc, top - 4.0, &[(t.clone(), grey), (p.clone(), color)], super::common::Key::Bar)?;
        }
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
        let radius = (row_h * 0.18).clamp(2.0, 4.5);
        let ends: Vec<String> = idx
            .iter()
            .map(|i| match &self.end_labels {
                Some(l) => l[*i].clone(),
                None if self.totals[*i] != 0.0 => self.share_format.format(100.0 * self.parts[*i] / self.totals[*i]),
                None => "–".to_string(),
            })
            .collect();
        let mut pad_r: f64 = radius + 4.0;
        for e in &ends {
            pad_r = pad_r.max(measure_text(e, th.value_size, true)? + radius + 10.0);
        }
        let all = self.totals.iter().chain(self.parts.iter()).copied();
        let lo = all.clone().fold(0.0, f64::min);
        let hi = all.fold(0.0, f64::max);
        let pad_l = if lo < 0.0 { radius + 4.0 } else { 0.0 };
        let scale = Scale::fit(lo, hi, plot.l, plot.r, pad_l, pad_r, false);
        draw_x_axis(&mut sc, th, &scale, &self.format, plot, true)?;
        let x0 = scale.map(0.0);
        for (k, i) in idx.iter().enumerate() {
            let cy = plot.t + (k as f64 + 0.5) * row_h;
            let (xt, xp) = (scale.map(self.totals[*i]), scale.map(self.parts[*i]));
            let (hw, hp) = (row_h * 0.34, row_h * 0.15);
            sc.rect(x0, cy - hw, xt, cy + hw, grey, 1.0);
            sc.rect(x0, cy - hp, xp, cy + hp, color, 1.0);
            sc.circle(xt, cy, radius, grey_pt, 1.0, None);
            sc.circle(xp, cy, radius, color, 1.0, Some(th.background));
            let right = xt.max(xp);
            sc.text(&ends[k], right + radius + 5.0, cy + 0.365 * th.value_size, th.value_size, true, th.text, Anchor::Start)?;
            draw_row_label(&mut sc, th, &lines[k], plot.l - 10.0, cy)?;
        }
        sc.line(vec![(x0, plot.t), (x0, plot.b)], th.axis, 1.0);
        let h = self.common.place_footer(&mut sc, plot.l, plot.r, plot.b, true, true)?;
        Ok(self.common.finish(sc, h))
    }
}

chart_common!(Dumbbell);
