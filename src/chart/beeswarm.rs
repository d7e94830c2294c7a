use super::common::{chart_common, Common, Key};
use super::data::{check_finite, check_len, num_column, strings, text_column};
use super::format::NumberFormat;
use super::scale::{draw_row_label, draw_x_axis, row_label_lines, Rect, Scale};
use super::scene::{Anchor, Scene};
use super::text::{fit, measure_text};
use super::{ChartError, Sort};
use polars::prelude::DataFrame;

/// Quasirandom beeswarm (like ggbeeswarm's `geom_quasirandom`): values on a
/// horizontal axis, one band per category, points spread across the band by a
/// van der Corput sequence scaled by the local density of the values.
/// Optional colour groups (legend at the top) and a dashed reference line.
///
/// ```
/// use statbank::chart::Beeswarm;
/// let counties = ["Troms", "Troms", "Troms", "Finnmark", "Finnmark"];
/// let change = [4.2, -3.1, -8.0, 1.5, -12.3];
/// let chart = Beeswarm::new(&counties, &change)?
///     .groups(&["growth", "decline", "decline", "growth", "decline"])
///     .reference_line(15.8, "Norway +15.8%")
///     .format(statbank::chart::NumberFormat::percent().signed())
///     .title("Population change 2010–2026 by municipality");
/// assert_eq!(chart.scene()?.point_count(), 5 + 2); // points + legend keys
/// # Ok::<(), statbank::chart::ChartError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Beeswarm {
    categories: Vec<String>,
    values: Vec<f64>,
    groups: Option<Vec<String>>,
    reference: Option<(f64, String)>,
    format: NumberFormat,
    sort: Sort,
    log: bool,
    row_height: f64,
    point_radius: f64,
    spread: f64,
    common: Common,
}

/// Van der Corput low-discrepancy sequence in base 2 (k ≥ 1): 0.5, 0.25, 0.75, …
pub(crate) fn van_der_corput(mut k: usize) -> f64 {
    let (mut q, mut b) = (0.0, 0.5);
    while k > 0 {
        if k & 1 == 1 {
            q += b;
        }
        k >>= 1;
        b /= 2.0;
    }
    q
}

/// Quasirandom offsets in [-1, 1] for one group of values (vipor's
/// `offsetSingleGroup`, method "quasirandom"): van der Corput by rank,
/// scaled by the Gaussian kernel density (bandwidth nrd0) relative to its max.
pub(crate) fn quasirandom_offsets(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n < 2 {
        return vec![0.0; n];
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = values.iter().sum::<f64>() / n as f64;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let q = |p: f64| {
        let h = p * (n - 1) as f64;
        let (i, f) = (h.floor() as usize, h - h.floor());
        sorted[i] + f * (sorted[(i + 1).min(n - 1)] - sorted[i])
    };
    let iqr = q(0.75) - q(0.25);
    let mut lo = sd.min(iqr / 1.34);
    if lo.is_nan() || lo <= 0.0 {
        lo = if sd > 0.0 { sd } else if sorted[0] != 0.0 { sorted[0].abs() } else { 1.0 };
    }
    let bw = 0.9 * lo * (n as f64).powf(-0.2);
    let dens: Vec<f64> = values
        .iter()
        .map(|x| values.iter().map(|y| (-0.5 * ((x - y) / bw).powi(2)).exp()).sum::<f64>())
        .collect();
    let max = dens.iter().copied().fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]).then(a.cmp(b)));
    let mut out = vec![0.0; n];
    for (rank, i) in order.into_iter().enumerate() {
        out[i] = (van_der_corput(rank + 1) - 0.5) * 2.0 * dens[i] / max;
    }
    out
}

impl Beeswarm {
    /// From one category and one value per point.
    pub fn new<S: AsRef<str>>(categories: &[S], values: &[f64]) -> Result<Self, ChartError> {
        check_len("values", categories.len(), values.len())?;
        check_finite("values", values)?;
        if values.is_empty() {
            return Err(ChartError::EmptyData(String::new()));
        }
        Ok(Beeswarm {
            categories: strings(categories),
            values: values.to_vec(),
            groups: None,
            reference: None,
            format: NumberFormat::comma(),
            sort: Sort::None,
            log: false,
            row_height: 56.0,
            point_radius: 3.0,
            spread: 0.9,
            common: Common::default(),
        })
    }

    /// From a DataFrame: category and value columns (null rows skipped).
    pub fn from_frame(df: &DataFrame, category_col: &str, value_col: &str) -> Result<Self, ChartError> {
        let c = text_column(df, category_col)?;
        let v = num_column(df, value_col)?;
        let (c, v): (Vec<String>, Vec<f64>) = c.into_iter().zip(v).filter_map(|(c, v)| Some((c?, v?))).unzip();
        Self::new(&c, &v)
    }

    /// Like [`from_frame`](Self::from_frame), colouring points by `group_col`
    /// (null groups become "NA").
    pub fn from_frame_grouped(df: &DataFrame, category_col: &str, value_col: &str, group_col: &str) -> Result<Self, ChartError> {
        let c = text_column(df, category_col)?;
        let v = num_column(df, value_col)?;
        let g = text_column(df, group_col)?;
        let mut rows = (Vec::new(), Vec::new(), Vec::new());
        for ((c, v), g) in c.into_iter().zip(v).zip(g) {
            if let (Some(c), Some(v)) = (c, v) {
                rows.0.push(c);
                rows.1.push(v);
                rows.2.push(g.unwrap_or_else(|| "NA".into()));
            }
        }
        Ok(Self::new(&rows.0, &rows.1)?.groups(&rows.2))
    }

    /// Colour groups, one per point (legend at the top, first-appearance order).
    pub fn groups<S: AsRef<str>>(mut self, groups: &[S]) -> Self {
        match check_len("groups", self.values.len(), groups.len()) {
            Ok(()) => self.groups = Some(strings(groups)),
            Err(e) => self.common.defer(e),
        }
        self
    }
    /// Dashed vertical reference line at `x`, labelled above the plot (label may be empty).
    pub fn reference_line(mut self, x: f64, label: impl Into<String>) -> Self {
        if x.is_finite() {
            self.reference = Some((x, label.into()));
        } else {
            self.common.defer(ChartError::InvalidValue(format!("reference line at {x}")));
        }
        self
    }
    /// Value axis format (default comma).
    pub fn format(mut self, f: NumberFormat) -> Self {
        self.format = f;
        self
    }
    /// Category order by median (default [`Sort::None`]: first appearance, top to bottom).
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort = sort;
        self
    }
    /// Log10 value axis (all values must be positive).
    pub fn log_x(mut self) -> Self {
        self.log = true;
        self
    }
    /// Band height per category (default 56 px).
    pub fn row_height(mut self, px: f64) -> Self {
        if px.is_finite() && px >= 8.0 {
            self.row_height = px;
        } else {
            self.common.defer(ChartError::InvalidOption(format!("row height {px}")));
        }
        self
    }
    /// Point radius in pixels (default 3).
    pub fn point_size(mut self, r: f64) -> Self {
        if r.is_finite() && r > 0.0 {
            self.point_radius = r;
        } else {
            self.common.defer(ChartError::InvalidOption(format!("point size {r}")));
        }
        self
    }

    fn build_scene(&self) -> Result<Scene, ChartError> {
        let th = &self.common.theme;
        if self.log {
            if let Some(v) = self.values.iter().find(|v| **v <= 0.0) {
                return Err(ChartError::InvalidValue(format!("{v} on a log axis")));
            }
        }
        // categories in first-appearance order, then optionally by median
        let mut cats: Vec<String> = Vec::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (i, c) in self.categories.iter().enumerate() {
            match cats.iter().position(|x| x == c) {
                Some(k) => members[k].push(i),
                None => {
                    cats.push(c.clone());
                    members.push(vec![i]);
                }
            }
        }
        let mut order: Vec<usize> = (0..cats.len()).collect();
        let median = |k: usize| {
            let mut v: Vec<f64> = members[k].iter().map(|i| self.values[*i]).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        match self.sort {
            Sort::Descending => order.sort_by(|a, b| median(*b).total_cmp(&median(*a))),
            Sort::Ascending => order.sort_by(|a, b| median(*a).total_cmp(&median(*b))),
            Sort::None => {}
        }
        let mut groups: Vec<String> = Vec::new();
        let group_of: Option<Vec<usize>> = self.groups.as_ref().map(|gs| {
            gs.iter()
                .map(|g| match groups.iter().position(|x| x == g) {
                    Some(k) => k,
                    None => {
                        groups.push(g.clone());
                        groups.len() - 1
                    }
                })
                .collect()
        });

        let mut sc = self.common.new_scene();
        let mut top = self.common.place_header(&mut sc)?;
        if !groups.is_empty() {
            let items: Vec<_> = groups.iter().enumerate().map(|(i, g)| (g.clone(), th.series_color(i))).collect();
            top = self.common.place_legend(&mut sc, top - 4.0, &items, Key::Point)?;
        }
        let ref_label = self.reference.as_ref().filter(|r| !r.1.trim().is_empty());
        let ref_size = th.value_size;
        if ref_label.is_some() {
            top += ref_size * 1.5;
        }
        let labels: Vec<String> = order.iter().map(|k| cats[*k].clone()).collect();
        let (lines, label_w) = row_label_lines(&labels, th.label_size, self.common.width * 0.42)?;
        let n = labels.len() as f64;
        let footer = self.common.footer_height(true, true)?;
        let row_h = match self.common.height {
            Some(h) => ((h - top - footer) / n).max(4.0),
            None => self.row_height,
        };
        let plot = Rect { l: th.margin + label_w + 12.0, t: top, r: self.common.width - th.margin, b: top + n * row_h };
        let r = self.point_radius;
        let mut lo = self.values.iter().copied().fold(f64::INFINITY, f64::min);
        let mut hi = self.values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if let Some((x, _)) = &self.reference {
            if !self.log || *x > 0.0 {
                lo = lo.min(*x);
                hi = hi.max(*x);
            }
        }
        let scale = Scale::fit(lo, hi, plot.l, plot.r, r + 6.0, r + 6.0, self.log);
        draw_x_axis(&mut sc, th, &scale, &self.format, plot, true)?;
        let half = (row_h / 2.0 - r - 1.0).max(0.0) * self.spread;
        for (row, k) in order.iter().enumerate() {
            let cy = plot.t + (row as f64 + 0.5) * row_h;
            if row > 0 {
                sc.line(vec![(plot.l, cy - row_h / 2.0), (plot.r, cy - row_h / 2.0)], th.grid, 0.6);
            }
            let vals: Vec<f64> = members[*k].iter().map(|i| if self.log { self.values[*i].log10() } else { self.values[*i] }).collect();
            let offs = quasirandom_offsets(&vals);
            for (j, i) in members[*k].iter().enumerate() {
                let c = match &group_of {
                    Some(g) => th.series_color(g[*i]),
                    None => th.accent,
                };
                sc.circle(scale.map(self.values[*i]), cy + offs[j] * half, r, c, 0.85, None);
            }
            draw_row_label(&mut sc, th, &lines[row], plot.l - 10.0, cy)?;
        }
        if let Some((x, label)) = &self.reference {
            if !self.log || *x > 0.0 {
                let px = scale.map(*x);
                sc.dashed(vec![(px, plot.t - 2.0), (px, plot.b)], th.text, 1.0, 5.0, 4.0);
                if !label.trim().is_empty() {
                    let (l, s) = fit(label, ref_size, false, self.common.width - 2.0 * th.margin, 6.0)?;
                    let l = l.join(" ");
                    let w = measure_text(&l, s, false)?;
                    let cx = px.clamp(th.margin + w / 2.0, self.common.width - th.margin - w / 2.0);
                    sc.text(&l, cx, plot.t - 0.5 * s - 2.0, s, false, th.text, Anchor::Middle)?;
                }
            }
        }
        let h = self.common.place_footer(&mut sc, plot.l, plot.r, plot.b, true, true)?;
        Ok(self.common.finish(sc, h))
    }
}

chart_common!(Beeswarm);
