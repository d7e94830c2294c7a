//! Embedded font registration and text measurement.

use super::ChartError;
use plotters::style::{FontDesc, FontFamily, FontStyle};
use std::sync::Once;

/// Font family written into SVG output. DejaVu Sans (embedded, registered with
/// plotters' `ab_glyph` support) renders PNGs and measures text; SVG viewers
/// use DejaVu Sans if installed, else Verdana (nearly identical metrics), and
/// only then narrower fallbacks, so measured widths are never too small.
pub const FONT_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

/// DejaVu Sans (ascent + descent) / units-per-em: plotters' ab_glyph backend
/// scales glyphs so that ascent+descent equals the requested size.
pub(crate) const ASCENT_DESCENT: f64 = (1901.0 + 483.0) / 2048.0;
/// Ascent and descent in em.
pub(crate) const ASCENT: f64 = 1901.0 / 2048.0;
pub(crate) const DESCENT: f64 = 483.0 / 2048.0;

static FONTS: Once = Once::new();

pub(crate) fn ensure_fonts() {
    FONTS.call_once(|| {
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Width in pixels of `text` set in DejaVu Sans at `size` px (em), bold or not.
///
/// This is the same measurement the layout uses for margins and collision
/// checks.
///
/// ```
/// let w = statbank::chart::measure_text("Porsanger - Porsáŋgu - Porsanki", 12.0, false).unwrap();
/// assert!(w > 150.0 && w < 260.0);
/// ```
pub fn measure_text(text: &str, size: f64, bold: bool) -> Result<f64, ChartError> {
    ensure_fonts();
    if text.is_empty() {
        return Ok(0.0);
    }
    const REF: f64 = 200.0;
    let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
    let font = FontDesc::new(FontFamily::Name(FONT_FAMILY), REF * ASCENT_DESCENT, style);
    let (w, _) = font.box_size(text).map_err(|e| ChartError::Font(format!("{e:?}")))?;
    Ok(w as f64 * size / REF)
}

/// Greedy word wrap to `max_width`. A single word longer than the width stays
/// on its own line (callers shrink the font if that matters).
pub(crate) fn wrap(text: &str, size: f64, bold: bool, max_width: f64) -> Result<Vec<String>, ChartError> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut cur = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let cand = if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
            if cur.is_empty() || measure_text(&cand, size, bold)? <= max_width {
                cur = cand;
            } else {
                lines.push(std::mem::take(&mut cur));
                cur = word.to_string();
            }
        }
        lines.push(cur);
    }
    Ok(lines)
}

/// Wrap, then shrink the font until every line fits (down to `min_size`).
pub(crate) fn fit(text: &str, size: f64, bold: bool, max_width: f64, min_size: f64) -> Result<(Vec<String>, f64), ChartError> {
    let mut s = size;
    loop {
        let lines = wrap(text, s, bold, max_width)?;
        let mut widest: f64 = 0.0;
        for l in &lines {
            widest = widest.max(measure_text(l, s, bold)?);
        }
        if widest <= max_width || s <= min_size {
            return Ok((lines, s));
        }
        s = (s * max_width / widest).max(min_size).min(s - 0.25);
    }
}
