//! A resolution-independent display list, rendered through plotters backends.

use super::text::{ensure_fonts, measure_text, ASCENT, ASCENT_DESCENT, DESCENT, FONT_FAMILY};
use super::theme::Color;
use super::ChartError;
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, RGBAColor, RGBColor, ShapeStyle};

/// Horizontal alignment of a text item relative to its `x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// `x` is the left edge.
    Start,
    /// `x` is the centre.
    Middle,
    /// `x` is the right edge.
    End,
}

/// One piece of text of a laid-out chart (see [`Scene::texts`]).
#[derive(Clone, Debug, PartialEq)]
pub struct TextItem {
    /// The text.
    pub text: String,
    /// Anchor position, pixels from the left.
    pub x: f64,
    /// Baseline, pixels from the top.
    pub y: f64,
    /// Font size (em) in pixels.
    pub size: f64,
    /// Bold face.
    pub bold: bool,
    /// Alignment.
    pub anchor: Anchor,
    /// Measured advance width in pixels.
    pub width: f64,
    pub(crate) color: Color,
}

impl TextItem {
    /// Bounding box `(left, top, right, bottom)` from the font's ascent and
    /// descent and the measured width.
    pub fn bbox(&self) -> (f64, f64, f64, f64) {
        let x0 = match self.anchor {
            Anchor::Start => self.x,
            Anchor::Middle => self.x - self.width / 2.0,
            Anchor::End => self.x - self.width,
        };
        (x0, self.y - ASCENT * self.size, x0 + self.width, self.y + DESCENT * self.size)
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Item {
    Rect { x0: f64, y0: f64, x1: f64, y1: f64, color: Color, alpha: f64 },
    Line { pts: Vec<(f64, f64)>, color: Color, width: f64, dash: Option<(f64, f64)> },
    Circle { cx: f64, cy: f64, r: f64, color: Color, alpha: f64, stroke: Option<Color> },
    Text(TextItem),
}

/// A laid-out chart: canvas size plus shapes and text in CSS pixels.
///
/// Charts build a `Scene` (`chart.scene()`), which is then rendered to SVG or
/// PNG. Tests use it to check that text stays on the canvas.
#[derive(Clone, Debug)]
pub struct Scene {
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) background: Color,
    pub(crate) items: Vec<Item>,
}

impl Scene {
    pub(crate) fn new(width: f64, height: f64, background: Color) -> Scene {
        Scene { width, height, background, items: Vec::new() }
    }
    /// Canvas width in pixels.
    pub fn width(&self) -> f64 {
        self.width
    }
    /// Canvas height in pixels.
    pub fn height(&self) -> f64 {
        self.height
    }
    /// All text items in drawing order.
    pub fn texts(&self) -> impl Iterator<Item = &TextItem> {
        self.items.iter().filter_map(|i| match i {
            Item::Text(t) => Some(t),
            _ => None,
        })
    }
    /// Number of circles (points) drawn.
    pub fn point_count(&self) -> usize {
        self.items.iter().filter(|i| matches!(i, Item::Circle { .. })).count()
    }

    pub(crate) fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, color: Color, alpha: f64) {
        self.items.push(Item::Rect { x0: x0.min(x1), y0: y0.min(y1), x1: x0.max(x1), y1: y0.max(y1), color, alpha });
    }
    pub(crate) fn line(&mut self, pts: Vec<(f64, f64)>, color: Color, width: f64) {
        self.items.push(Item::Line { pts, color, width, dash: None });
    }
    pub(crate) fn dashed(&mut self, pts: Vec<(f64, f64)>, color: Color, width: f64, on: f64, off: f64) {
        self.items.push(Item::Line { pts, color, width, dash: Some((on, off)) });
    }
    pub(crate) fn circle(&mut self, cx: f64, cy: f64, r: f64, color: Color, alpha: f64, stroke: Option<Color>) {
        self.items.push(Item::Circle { cx, cy, r, color, alpha, stroke });
    }
    /// Add a text; returns its measured width.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        text: &str,
        x: f64,
        y: f64,
        size: f64,
        bold: bool,
        color: Color,
        anchor: Anchor,
    ) -> Result<f64, ChartError> {
        let width = measure_text(text, size, bold)?;
        if !text.is_empty() {
            self.items.push(Item::Text(TextItem { text: text.to_string(), x, y, size, bold, anchor, width, color }));
        }
        Ok(width)
    }

    /// Draw onto a plotters backend at `scale` pixels per CSS pixel.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        db: &mut DB,
        scale: f64,
        svg: bool,
    ) -> Result<(), ChartError> {
        ensure_fonts();
        self.draw_inner(db, scale, svg).map_err(ChartError::Render)?;
        db.present().map_err(|e| ChartError::Render(e.to_string()))
    }

    fn draw_inner<DB: DrawingBackend>(
        &self,
        db: &mut DB,
        s: f64,
        svg: bool,
    ) -> Result<(), String> {
        let p = |x: f64, y: f64| ((x * s).round() as i32, (y * s).round() as i32);
        let bg = self.background;
        db.draw_rect((0, 0), p(self.width, self.height), &rgba(bg, 1.0, 1), true).map_err(err)?;
        for item in &self.items {
            match item {
                Item::Rect { x0, y0, x1, y1, color, alpha } => {
                    // Backends fill the bottom-right pixel inclusively.
                    let (a, mut b) = (p(*x0, *y0), p(*x1, *y1));
                    if !svg {
                        b = (b.0 - 1, b.1 - 1);
                    }
                    if b.0 >= a.0 && b.1 >= a.1 {
                        db.draw_rect(a, b, &rgba(*color, *alpha, 1), true).map_err(err)?;
                    }
                }
                Item::Line { pts, color, width, dash } => {
                    let w = ((width * s).round() as u32).max(1);
                    let style = rgba(*color, 1.0, w);
                    let segments = match dash {
                        None => vec![pts.clone()],
                        Some((on, off)) => dash_path(pts, *on, *off),
                    };
                    for seg in segments {
                        db.draw_path(seg.into_iter().map(|(x, y)| p(x, y)), &style).map_err(err)?;
                    }
                }
                Item::Circle { cx, cy, r, color, alpha, stroke } => {
                    let rr = ((r * s).round() as u32).max(1);
                    db.draw_circle(p(*cx, *cy), rr, &rgba(*color, *alpha, 1), true).map_err(err)?;
                    if let Some(sc) = stroke {
                        db.draw_circle(p(*cx, *cy), rr, &rgba(*sc, 1.0, (s.round() as u32).max(1)), false).map_err(err)?;
                    }
                }
                Item::Text(t) => {
                    // plotters places Top-anchored text with its baseline at
                    // 0.76 em (SVG, font-size = size/1.24) or size/2 (ab_glyph,
                    // which scales ascent+descent to `size`): compensate so the
                    // baseline lands exactly on `t.y` in both.
                    let em = t.size * s;
                    let (size, base) = if svg { (em * 1.24, 0.76 * em) } else { (em * ASCENT_DESCENT, 0.5 * em * ASCENT_DESCENT) };
                    let style = if t.bold { FontStyle::Bold } else { FontStyle::Normal };
                    let h = match t.anchor {
                        Anchor::Start => HPos::Left,
                        Anchor::Middle => HPos::Center,
                        Anchor::End => HPos::Right,
                    };
                    let ts = FontDesc::new(FontFamily::Name(FONT_FAMILY), size, style)
                        .color(&RGBColor(t.color.0, t.color.1, t.color.2))
                        .pos(Pos::new(h, VPos::Top));
                    let pos = ((t.x * s).round() as i32, (t.y * s - base).round() as i32);
                    db.draw_text(&t.text, &ts, pos).map_err(err)?;
                }
            }
        }
        Ok(())
    }
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn rgba(c: Color, alpha: f64, stroke_width: u32) -> ShapeStyle {
    ShapeStyle { color: RGBAColor(c.0, c.1, c.2, alpha), filled: true, stroke_width }
}

/// Split a polyline into dash segments.
fn dash_path(pts: &[(f64, f64)], on: f64, off: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let period = (on + off).max(0.5);
    let mut t0 = 0.0; // distance along the path at segment start
    for w in pts.windows(2) {
        let ((ax, ay), (bx, by)) = (w[0], w[1]);
        let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
        if len <= 0.0 {
            continue;
        }
        let mut d = 0.0;
        while d < len {
            let phase = (t0 + d) % period;
            let (drawing, rest) = if phase < on { (true, on - phase) } else { (false, period - phase) };
            let e = (d + rest).min(len);
            if drawing && e > d {
                let f = |t: f64| (ax + (bx - ax) * t / len, ay + (by - ay) * t / len);
                out.push(vec![f(d), f(e)]);
            }
            d = e.max(d + 1e-6);
        }
        t0 += len;
    }
    out
}
