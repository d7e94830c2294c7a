use super::common::{chart_common, Common};
use super::data::{check_finite, check_len, num_column, strings, text_column};
use super::format::NumberFormat;
use super::scale::{draw_x_axis, draw_y_axis, y_axis_width, Rect, Scale};
use super::scene::{Anchor, Scene};
use super::text::{measure_text, ASCENT, DESCENT};
use super::theme::Color;
use super::ChartError;
use polars::prelude::DataFrame;

/// Scatter plot with point labels that never overlap: labels are placed
/// greedily (highlighted names first, then the points farthest from the
/// bulk), each at the first free spot around its point; a label with no
/// free spot is skipped.
///
/// ```
/// use statbank::chart::Scatter;
/// let chart = Scatter::new(&[14.3, 0.4, 1.6], &[25_916.0, 538.0, 861.0])?
///     .labels(&["Halden", "Sponvika", "Isebakke"])
///     .log_x()
///     .log_y()
///     .x_label("Area (km²)")
///     .y_label("Residents");
/// assert!(chart.scene()?.texts().any(|t| t.text == "Halden"));
/// # Ok::<(), statbank::chart::ChartError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Scatter {
    x: Vec<f64>,
    y: Vec<f64>,
    labels: Option<Vec<String>>,
    highlight: Vec<String>,
    max_labels: usize,
    log_x: bool,
    log_y: bool,
    x_format: NumberFormat,
    y_format: NumberFormat,
    color: Option<Color>,
    common: Common,
}

impl Scatter {
    /// From x and y values (equal length, finite).
    pub fn new(x: &[f64], y: &[f64]) -> Result<Self, ChartError> {
        check_len("y", x.len(), y.len())?;
        check_finite("x", x)?;
        check_finite("y", y)?;
        if x.is_empty() {
            return Err(ChartError::EmptyData(String::new()));
        }
        Ok(Scatter {
            x: x.to_vec(),
            y: y.to_vec(),
            labels: None,
            highlight: Vec::new(),
            max_labels: 25,
            log_x: false,
            log_y: false,
            x_format: NumberFormat::comma(),
            y_format: NumberFormat::comma(),
            color: None,
            common: Common::default(),
        })
    }

    /// From a DataFrame: x and y columns, optional label column (null rows skipped).
    pub fn from_frame(df: &DataFrame, x_col: &str, y_col: &str, label_col: Option<&str>) -> Result<Self, ChartError> {
        let x = num_column(df, x_col)?;
        let y = num_column(df, y_col)?;
        let l = match label_col {
            Some(c) => text_column(df, c)?,
            None => vec![None; x.len()],
        };
        let mut rows = (Vec::new(), Vec::new(), Vec::new());
        for ((x, y), l) in x.into_iter().zip(y).zip(l) {
            if let (Some(x), Some(y)) = (x, y) {
                rows.0.push(x);
                rows.1.push(y);
                rows.2.push(l.unwrap_or_default());
            }
        }
        let chart = Self::new(&rows.0, &rows.1)?;
        Ok(if label_col.is_some() { chart.labels(&rows.2) } else { chart })
    }

    /// One label per point (empty strings are never shown).
    pub fn labels<S: AsRef<str>>(mut self, labels: &[S]) -> Self {
        match check_len("labels", self.x.len(), labels.len()) {
            Ok(()) => self.labels = Some(strings(labels)),
            Err(e) => self.common.defer(e),
        }
        self
    }
    /// Labels to place first (and draw emphasised), e.g. `&["Oslo", "Tromsø"]`.
    pub fn highlight<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.highlight = strings(names);
        self
    }
    /// At most this many labels (default 25), highlighted ones included.
    pub fn max_labels(mut self, n: usize) -> Self {
        self.max_labels = n;
        self
    }
    /// Log10 x axis (values must be positive).
    pub fn log_x(mut self) -> Self {
        self.log_x = true;
        self
    }
    /// Log10 y axis (values must be positive).
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }
    /// x axis format (default comma).
    pub fn x_format(mut self, f: NumberFormat) -> Self {
        self.x_format = f;
        self
    }
    /// y axis format (default comma).
    pub fn y_format(mut self, f: NumberFormat) -> Self {
        self.y_format = f;
        self
    }
    /// Point colour (default theme accent).
    pub fn color(mut self, c: Color) -> Self {
        self.color = Some(c);
        self
    }

    fn build_scene(&self) -> Result<Scene, ChartError> {
        let th = &self.common.theme;
        for (log, vals, axis) in [(self.log_x, &self.x, "x"), (self.log_y, &self.y, "y")] {
            if log {
                if let Some(v) = vals.iter().find(|v| **v <= 0.0) {
                    return Err(ChartError::InvalidValue(format!("{axis} = {v} on a log axis")));
                }
            }
        }
        let mut sc = self.common.new_scene();
        let mut top = self.common.place_header(&mut sc)?;
        top = self.common.place_y_label(&mut sc, top - 4.0)?;
        let height = self.common.height.unwrap_or((self.common.width * 0.7).round());
        let footer = self.common.footer_height(true, true)?;
        let plot_t = top + th.label_size * 0.6;
        let plot_b = (height - footer).max(plot_t + 40.0);
        let r = 3.2;
        let mm = |v: &[f64]| (v.iter().copied().fold(f64::INFINITY, f64::min), v.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        let ((xlo, xhi), (ylo, yhi)) = (mm(&self.x), mm(&self.y));
        let yscale = Scale::fit(ylo, yhi, plot_b, plot_t, r + 6.0, r + 6.0, self.log_y);
        let l = th.margin + y_axis_width(&yscale, &self.y_format, th.label_size)? + 8.0;
        let plot = Rect { l, t: plot_t, r: self.common.width - th.margin, b: plot_b };
        let xscale = Scale::fit(xlo, xhi, plot.l, plot.r, r + 6.0, r + 6.0, self.log_x);
        draw_y_axis(&mut sc, th, &yscale, &self.y_format, plot, true)?;
        draw_x_axis(&mut sc, th, &xscale, &self.x_format, plot, true)?;

        let pts: Vec<(f64, f64)> = self.x.iter().zip(&self.y).map(|(x, y)| (xscale.map(*x), yscale.map(*y))).collect();
        let color = self.color.unwrap_or(th.accent);

        // label placement
        let mut chosen: Vec<usize> = Vec::new();
        let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
        let mut texts = Vec::new();
        let mut leaders = Vec::new();
        if let Some(labels) = &self.labels {
            let mut prio: Vec<usize> = (0..pts.len()).filter(|i| !labels[*i].trim().is_empty()).collect();
            let med = |v: Vec<f64>| {
                let mut v = v;
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            let (cx, cy) = (med(pts.iter().map(|p| p.0).collect()), med(pts.iter().map(|p| p.1).collect()));
            let hl = |i: usize| self.highlight.iter().position(|h| *h == labels[i]).unwrap_or(usize::MAX);
            let dist = |i: usize| (pts[i].0 - cx).powi(2) + (pts[i].1 - cy).powi(2);
            prio.sort_by(|a, b| hl(*a).cmp(&hl(*b)).then(dist(*b).total_cmp(&dist(*a))));
            let s = th.value_size;
            let (asc, desc) = (ASCENT * s, DESCENT * s);
            for i in prio {
                if chosen.len() >= self.max_labels {
                    break;
                }
                let w = measure_text(&labels[i], s, false)?;
                let (px, py) = pts[i];
                let d = r + 3.0;
                // candidate boxes (left, top) around the point, nearest first
                let mut cands = Vec::new();
                for k in [1.0, 2.4] {
                    let dd = d * k;
                    cands.push((px + dd, py - (asc + desc) / 2.0));
                    cands.push((px - dd - w, py - (asc + desc) / 2.0));
                    cands.push((px - w / 2.0, py - dd - asc - desc));
                    cands.push((px - w / 2.0, py + dd));
                    cands.push((px + dd * 0.7, py - dd * 0.7 - asc - desc));
                    cands.push((px - dd * 0.7 - w, py - dd * 0.7 - asc - desc));
                    cands.push((px + dd * 0.7, py + dd * 0.7));
                    cands.push((px - dd * 0.7 - w, py + dd * 0.7));
                }
                let h = asc + desc;
                let free = |bx: f64, by: f64| {
                    let b = (bx - 1.0, by - 1.0, bx + w + 1.0, by + h + 1.0);
                    b.0 >= plot.l
                        && b.2 <= plot.r
                        && b.1 >= plot.t
                        && b.3 <= plot.b
                        && placed.iter().all(|p| b.2 <= p.0 || b.0 >= p.2 || b.3 <= p.1 || b.1 >= p.3)
                        && pts.iter().all(|(qx, qy)| {
                            let nx = qx.clamp(b.0, b.2);
                            let ny = qy.clamp(b.1, b.3);
                            (nx - qx).powi(2) + (ny - qy).powi(2) > r * r
                        })
                };
                if let Some((n, (bx, by))) = cands.into_iter().enumerate().find(|(_, (bx, by))| free(*bx, *by)) {
                    placed.push((bx - 1.0, by - 1.0, bx + w + 1.0, by + h + 1.0));
                    if n >= 8 {
                        // far placement: leader line from the point to the label box
                        let (qx, qy) = (px.clamp(bx, bx + w), py.clamp(by, by + h));
                        let len = ((qx - px).powi(2) + (qy - py).powi(2)).sqrt();
                        if len > r + 2.0 {
                            let f = (r + 1.0) / len;
                            leaders.push(vec![(px + (qx - px) * f, py + (qy - py) * f), (qx - (qx - px) * 1.5 / len, qy - (qy - py) * 1.5 / len)]);
                        }
                    }
                    texts.push((labels[i].clone(), bx, by + asc, s));
                    chosen.push(i);
                }
            }
        }
        for (i, (x, y)) in pts.iter().enumerate() {
            if !chosen.contains(&i) {
                sc.circle(*x, *y, r, color, 0.45, None);
            }
        }
        for i in &chosen {
            sc.circle(pts[*i].0, pts[*i].1, r, th.negative, 1.0, Some(th.background));
        }
        for l in leaders {
            sc.line(l, th.muted, 0.7);
        }
        for (t, x, y, s) in texts {
            sc.text(&t, x, y, s, false, th.text, Anchor::Start)?;
        }
        let h = self.common.place_footer(&mut sc, plot.l, plot.r, plot.b, true, true)?;
        Ok(self.common.finish(sc, height.max(h)))
    }
}

chart_common!(Scatter);
