//! Continuous scales, nice ticks and axis drawing.

use super::format::NumberFormat;
use super::scene::{Anchor, Scene};
use super::text::measure_text;
use super::theme::Theme;
use super::ChartError;

/// Plot rectangle in canvas pixels.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rect {
    pub l: f64,
    pub t: f64,
    pub r: f64,
    pub b: f64,
}

/// Linear or log10 mapping from data to pixels.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
    pub log: bool,
    /// Only integer tick steps (years).
    pub integer: bool,
}

impl Scale {
    /// Restrict ticks to integer steps (years, counts).
    pub fn integer(mut self) -> Scale {
        self.integer = true;
        self
    }

    fn t(&self, v: f64) -> f64 {
        if self.log {
            v.max(f64::MIN_POSITIVE).log10()
        } else {
            v
        }
    }
    fn inv_t(&self, v: f64) -> f64 {
        if self.log {
            10f64.powf(v)
        } else {
            v
        }
    }
    pub fn map(&self, v: f64) -> f64 {
        let (a, b) = (self.t(self.d0), self.t(self.d1));
        if (b - a).abs() < f64::EPSILON {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (self.t(v) - a) / (b - a) * (self.r1 - self.r0)
    }

    /// Map `[lo, hi]` into `[r0 + pad_lo, r1 - pad_hi]`, then widen the domain
    /// to cover the full range `[r0, r1]` (ggplot-style expansion in pixels).
    pub fn fit(lo: f64, hi: f64, r0: f64, r1: f64, pad_lo: f64, pad_hi: f64, log: bool) -> Scale {
        let mut s = Scale { d0: lo, d1: hi, r0, r1, log, integer: false };
        let (mut a, mut b) = (s.t(lo), s.t(hi));
        if (b - a).abs() < 1e-12 {
            let w = if log { 0.5 } else if a == 0.0 { 1.0 } else { a.abs() * 0.1 };
            a -= w;
            b += w;
        }
        let inner = ((r1 - r0).abs() - pad_lo - pad_hi).max(10.0);
        let k = (b - a) / inner; // data units per pixel
        s.d0 = s.inv_t(a - pad_lo * k);
        s.d1 = s.inv_t(b + pad_hi * k);
        s
    }

    /// About `n` nice ticks inside the domain, and the step (for decimals).
    pub fn ticks(&self, n: usize) -> (Vec<f64>, f64) {
        let (lo, hi) = (self.d0.min(self.d1), self.d0.max(self.d1));
        if self.log {
            return (log_ticks(lo, hi, n), 0.0);
        }
        let span = hi - lo;
        if span.is_nan() || span <= 0.0 || !span.is_finite() {
            return (vec![lo], 1.0);
        }
        let raw = span / n.max(1) as f64;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * mag)
            .filter(|s| !self.integer || (*s >= 1.0 && s.fract() == 0.0))
            .find(|s| *s >= raw * 0.999)
            .unwrap_or(if self.integer { (10.0 * mag).max(1.0) } else { 10.0 * mag });
        let mut v = (lo / step - 1e-9).ceil() * step;
        let mut out = Vec::new();
        while v <= hi + step * 1e-9 && out.len() < 100 {
            out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
            v += step;
        }
        (out, step)
    }
}

fn log_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let lo = lo.max(f64::MIN_POSITIVE);
    let (e0, e1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let decades = (e1 - e0).max(1) as usize;
    let mults: &[f64] = if decades * 3 <= n { &[1.0, 2.0, 5.0] } else if decades * 2 <= n { &[1.0, 3.0] } else { &[1.0] };
    let every = decades.div_ceil(n.max(1)).max(1) as i32;
    let mut out = Vec::new();
    for e in e0..=e1 {
        if (e - e0) % every != 0 {
            continue;
        }
        for m in mults {
            let v = m * 10f64.powi(e);
            if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                out.push(v);
            }
        }
    }
    out
}

/// Tick values with their labels, thinned until labels do not collide.
pub(crate) fn tick_labels(
    scale: &Scale,
    fmt: &NumberFormat,
    size: f64,
    horizontal: bool,
) -> Result<Vec<(f64, String, f64)>, ChartError> {
    let len = (scale.r1 - scale.r0).abs();
    let max_n = if horizontal { 8 } else { ((len / (size * 2.6)).floor() as usize).clamp(2, 8) };
    let mut best = Vec::new();
    for n in (2..=max_n).rev() {
        let (ticks, step) = scale.ticks(n);
        let fmt = fmt.clone().with_signed(fmt.is_signed());
        let mut labels = Vec::new();
        for v in &ticks {
            let s = if scale.log { log_label(&fmt, *v) } else { fmt.format_tick(*v, step) };
            let w = measure_text(&s, size, false)?;
            labels.push((*v, s, w));
        }
        let ok = labels.windows(2).all(|p| {
            let gap = (scale.map(p[1].0) - scale.map(p[0].0)).abs();
            if horizontal {
                gap >= (p[0].2 + p[1].2) / 2.0 + size
            } else {
                gap >= size * 1.8
            }
        });
        best = labels;
        if ok {
            break;
        }
    }
    Ok(best)
}

fn log_label(fmt: &NumberFormat, v: f64) -> String {
    if fmt.has_decimals() {
        fmt.format(v)
    } else if v >= 1.0 {
        fmt.clone().decimals(0).format(v)
    } else {
        let d = (-v.log10().floor()).max(0.0) as usize;
        fmt.clone().decimals(d).format(v)
    }
}

/// Vertical grid lines + tick labels under a horizontal value axis.
pub(crate) fn draw_x_axis(
    sc: &mut Scene,
    theme: &Theme,
    scale: &Scale,
    fmt: &NumberFormat,
    plot: Rect,
    grid: bool,
) -> Result<(), ChartError> {
    let size = theme.label_size;
    let labels = tick_labels(scale, fmt, size, true)?;
    let w_canvas = sc.width();
    for (v, s, w) in labels {
        let x = scale.map(v);
        if grid {
            sc.line(vec![(x, plot.t), (x, plot.b)], theme.grid, 1.0);
        }
        let cx = x.clamp(w / 2.0 + 2.0, (w_canvas - w / 2.0 - 2.0).max(w / 2.0 + 2.0));
        sc.text(&s, cx, plot.b + 6.0 + size, size, false, theme.muted, Anchor::Middle)?;
    }
    Ok(())
}

/// Width needed left of the plot for vertical-axis tick labels.
pub(crate) fn y_axis_width(scale: &Scale, fmt: &NumberFormat, size: f64) -> Result<f64, ChartError> {
    Ok(tick_labels(scale, fmt, size, false)?.iter().map(|t| t.2).fold(0.0, f64::max))
}

/// Horizontal grid lines + tick labels left of a vertical value axis.
pub(crate) fn draw_y_axis(
    sc: &mut Scene,
    theme: &Theme,
    scale: &Scale,
    fmt: &NumberFormat,
    plot: Rect,
    grid: bool,
) -> Result<(), ChartError> {
    let size = theme.label_size;
    for (v, s, _) in tick_labels(scale, fmt, size, false)? {
        let y = scale.map(v);
        if grid {
            sc.line(vec![(plot.l, y), (plot.r, y)], theme.grid, 1.0);
        }
        sc.text(&s, plot.l - 8.0, y + 0.365 * size, size, false, theme.muted, Anchor::End)?;
    }
    Ok(())
}

/// Wrap row labels wider than `max_w`; returns lines per label and the
/// width of the widest line.
pub(crate) fn row_label_lines(labels: &[String], size: f64, max_w: f64) -> Result<(Vec<Vec<String>>, f64), ChartError> {
    let mut out = Vec::with_capacity(labels.len());
    let mut widest: f64 = 0.0;
    for l in labels {
        let lines = if measure_text(l, size, false)? > max_w { super::text::wrap(l, size, false, max_w)? } else { vec![l.clone()] };
        for line in &lines {
            widest = widest.max(measure_text(line, size, false)?);
        }
        out.push(lines);
    }
    Ok((out, widest))
}

/// Draw a (possibly multi-line) row label right-aligned at `x`, centred on `cy`.
pub(crate) fn draw_row_label(sc: &mut Scene, theme: &Theme, lines: &[String], x: f64, cy: f64) -> Result<(), ChartError> {
    let size = theme.label_size;
    let lh = size * 1.2;
    let n = lines.len() as f64;
    for (j, line) in lines.iter().enumerate() {
        let y = cy + (j as f64 - (n - 1.0) / 2.0) * lh + 0.365 * size;
        sc.text(line, x, y, size, false, theme.text, Anchor::End)?;
    }
    Ok(())
}
