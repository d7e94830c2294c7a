use super::common::{chart_common, Common, Key};
use super::data::{check_finite, check_len, num_column, text_column};
use super::format::NumberFormat;
use super::scale::{draw_x_axis, draw_y_axis, y_axis_width, Rect, Scale};
use super::scene::{Anchor, Scene};
use super::text::measure_text;
use super::ChartError;
use polars::prelude::DataFrame;

/// Line chart of one or more series over a numeric x (usually years), with
/// labels at the line ends (nudged apart) or a legend at the top.
///
/// ```
/// use statbank::chart::LineChart;
/// let years = [2010.0, 2015.0, 2020.0, 2026.0];
/// let chart = LineChart::new()
///     .series("Oslo", &years, &[586_860.0, 647_676.0, 693_494.0, 728_714.0])
///     .series("Bergen", &years, &[256_600.0, 275_112.0, 285_911.0, 296_720.0])
///     .title("Population 1 January")
///     .y_label("Persons");
/// let svg = chart.to_svg()?;
/// assert!(svg.contains("2020") && svg.contains("Bergen"));
/// # Ok::<(), statbank::chart::ChartError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct LineChart {
    series: Vec<(String, Vec<f64>, Vec<f64>)>,
    x_format: Option<NumberFormat>,
    y_format: Option<NumberFormat>,
    legend: bool,
    points: bool,
    y_zero: bool,
    common: Common,
}

impl LineChart {
    /// An empty chart; add lines with [`series`](Self::series).
    pub fn new() -> Self {
        LineChart::default()
    }

    /// Add a line: x and y of equal length, finite. Points are drawn in x order.
    pub fn series(mut self, name: impl Into<String>, x: &[f64], y: &[f64]) -> Self {
        let name = name.into();
        let check = check_len(&format!("y of `{name}`"), x.len(), y.len())
            .and_then(|_| check_finite(&format!("x of `{name}`"), x))
            .and_then(|_| check_finite(&format!("y of `{name}`"), y));
        match check {
            Ok(()) => {
                let mut pts: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                let (x, y) = pts.into_iter().unzip();
                self.series.push((name, x, y));
            }
            Err(e) => self.common.defer(e),
        }
        self
    }

    /// One line from two numeric columns (null rows skipped).
    pub fn from_frame(df: &DataFrame, x_col: &str, y_col: &str) -> Result<Self, ChartError> {
        let x = num_column(df, x_col)?;
        let y = num_column(df, y_col)?;
        let (x, y): (Vec<f64>, Vec<f64>) = x.into_iter().zip(y).filter_map(|(x, y)| Some((x?, y?))).unzip();
        if x.is_empty() {
            return Err(ChartError::EmptyData(format!(" (no non-null rows in `{x_col}`/`{y_col}`)")));
        }
        let chart = LineChart::new().series(y_col, &x, &y);
        chart.common.check()?;
        Ok(chart)
    }

    /// One line per value of `series_col` from a long DataFrame.
    pub fn from_frame_grouped(df: &DataFrame, x_col: &str, y_col: &str, series_col: &str) -> Result<Self, ChartError> {
        let x = num_column(df, x_col)?;
        let y = num_column(df, y_col)?;
        let s = text_column(df, series_col)?;
        let mut groups: Vec<(String, Vec<f64>, Vec<f64>)> = Vec::new();
        for ((x, y), s) in x.into_iter().zip(y).zip(s) {
            let (Some(x), Some(y), Some(s)) = (x, y, s) else { continue };
            match groups.iter_mut().find(|g| g.0 == s) {
                Some(g) => {
                    g.1.push(x);
                    g.2.push(y);
                }
                None => groups.push((s, vec![x], vec![y])),
            }
        }
        if groups.is_empty() {
            return Err(ChartError::EmptyData(" (all rows have nulls)".into()));
        }
        let mut chart = LineChart::new();
        for (name, x, y) in groups {
            chart = chart.series(name, &x, &y);
        }
        chart.common.check()?;
        Ok(chart)
    }

    /// x axis format (default: plain numbers without separators, for years).
    pub fn x_format(mut self, f: NumberFormat) -> Self {
        self.x_format = Some(f);
        self
    }
    /// y axis format (default comma).
    pub fn y_format(mut self, f: NumberFormat) -> Self {
        self.y_format = Some(f);
        self
    }
    /// Legend at the top instead of labels at the line ends.
    pub fn legend(mut self) -> Self {
        self.legend = true;
        self
    }
    /// Draw a point at every observation.
    pub fn points(mut self) -> Self {
        self.points = true;
        self
    }
    /// Start the y axis at zero.
    pub fn y_from_zero(mut self) -> Self {
        self.y_zero = true;
        self
    }

    fn build_scene(&self) -> Result<Scene, ChartError> {
        let th = &self.common.theme;
        let series: Vec<_> = self.series.iter().filter(|s| !s.1.is_empty()).collect();
        if series.is_empty() {
            return Err(ChartError::EmptyData(" (no series)".into()));
        }
        let xf = self.x_format.clone().unwrap_or_else(NumberFormat::plain);
        let yf = self.y_format.clone().unwrap_or_else(NumberFormat::comma);
        let mut sc = self.common.new_scene();
        let mut top = self.common.place_header(&mut sc)?;
        let end_labels = !self.legend && (series.len() != 1 || self.common.y_label.is_none());
        if !end_labels && series.len() > 1 {
            let items: Vec<_> = series.iter().enumerate().map(|(i, s)| (s.0.clone(), th.series_color(i))).collect();
            top = self.common.place_legend(&mut sc, top - 4.0, &items, Key::Line)?;
        }
        top = self.common.place_y_label(&mut sc, top - 4.0)?;
        let height = self.common.height.unwrap_or((self.common.width * 0.62).round());
        let footer = self.common.footer_height(true, true)?;
        let plot_t = top + th.label_size * 0.6;
        let plot_b = (height - footer).max(plot_t + 40.0);
        let xs = series.iter().flat_map(|s| s.1.iter().copied());
        let ys = series.iter().flat_map(|s| s.2.iter().copied());
        let (mut ylo, mut yhi) = (ys.clone().fold(f64::INFINITY, f64::min), ys.fold(f64::NEG_INFINITY, f64::max));
        if self.y_zero {
            ylo = ylo.min(0.0);
            yhi = yhi.max(0.0);
        }
        let (xlo, xhi) = (xs.clone().fold(f64::INFINITY, f64::min), xs.clone().fold(f64::NEG_INFINITY, f64::max));
        let integer_x = xs.clone().all(|x| x.fract() == 0.0);
        let ypad = (plot_b - plot_t) * 0.04;
        let yscale = Scale::fit(ylo, yhi, plot_b, plot_t, if self.y_zero { 0.0 } else { ypad }, ypad, false);
        let lsize = th.label_size;
        let mut label_w: f64 = 0.0;
        if end_labels {
            for s in &series {
                label_w = label_w.max(measure_text(&s.0, lsize, true)?);
            }
        }
        let l = th.margin + y_axis_width(&yscale, &yf, th.label_size)? + 8.0;
        let r = self.common.width - th.margin - if label_w > 0.0 { label_w + 8.0 } else { 0.0 };
        let plot = Rect { l, t: plot_t, r: r.max(l + 40.0), b: plot_b };
        let mut xscale = Scale::fit(xlo, xhi, plot.l, plot.r, 10.0, 10.0, false);
        if integer_x {
            xscale = xscale.integer();
        }
        draw_y_axis(&mut sc, th, &yscale, &yf, plot, true)?;
        draw_x_axis(&mut sc, th, &xscale, &xf, plot, false)?;
        if ylo <= 0.0 && yhi >= 0.0 {
            let y0 = yscale.map(0.0);
            sc.line(vec![(plot.l, y0), (plot.r, y0)], th.axis, 1.0);
        }
        let mut ends = Vec::new();
        for (i, s) in series.iter().enumerate() {
            let c = th.series_color(i);
            let pts: Vec<(f64, f64)> = s.1.iter().zip(&s.2).map(|(x, y)| (xscale.map(*x), yscale.map(*y))).collect();
            if pts.len() > 1 {
                sc.line(pts.clone(), c, 2.2);
            }
            if self.points || pts.len() == 1 {
                for (x, y) in &pts {
                    sc.circle(*x, *y, 2.8, c, 1.0, None);
                }
            }
            if let Some(last) = pts.last() {
                ends.push((last.1, i));
            }
        }
        if end_labels {
            // nudge end labels apart vertically, keep them inside the plot
            ends.sort_by(|a, b| a.0.total_cmp(&b.0));
            let gap = lsize * 1.25;
            let mut ys: Vec<f64> = ends.iter().map(|e| e.0).collect();
            let (lo, hi) = (plot.t + lsize * 0.4, plot.b - lsize * 0.4);
            for _ in 0..50 {
                for k in 1..ys.len() {
                    if ys[k] - ys[k - 1] < gap {
                        let mid = (ys[k] + ys[k - 1]) / 2.0;
                        ys[k - 1] = mid - gap / 2.0;
                        ys[k] = mid + gap / 2.0;
                    }
                }
                for y in ys.iter_mut() {
                    *y = y.clamp(lo, hi);
                }
            }
            for k in 1..ys.len() {
                ys[k] = ys[k].max(ys[k - 1] + gap);
            }
            for (k, (_, i)) in ends.iter().enumerate() {
                let name = &series[*i].0;
                let x = plot.r + 6.0;
                sc.text(name, x, ys[k] + 0.365 * lsize, lsize, true, th.series_color(*i), Anchor::Start)?;
            }
        }
        let h = self.common.place_footer(&mut sc, plot.l, plot.r, plot.b, true, true)?;
        let _ = h;
        Ok(self.common.finish(sc, height.max(h)))
    }
}

chart_common!(LineChart);
