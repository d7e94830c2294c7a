//! Options shared by every chart, page layout (header, legend, footer) and
//! the macro that gives each chart its builder and output methods.

use super::data::Deferred;
use super::scene::{Anchor, Scene};
use super::text::{fit, measure_text};
use super::theme::{Color, Theme};
use super::ChartError;

pub(crate) const DEFAULT_WIDTH: f64 = 860.0;

#[derive(Clone, Debug)]
pub(crate) struct Common {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub caption: Option<String>,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    pub width: f64,
    pub height: Option<f64>,
    pub dpi: f64,
    pub theme: Theme,
    pub deferred: Option<Deferred>,
}

impl Default for Common {
    fn default() -> Self {
        Common {
            title: None,
            subtitle: None,
            caption: None,
            x_label: None,
            y_label: None,
            width: DEFAULT_WIDTH,
            height: None,
            dpi: 96.0,
            theme: Theme::default(),
            deferred: None,
        }
    }
}

/// Legend key shape.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Key {
    Point,
    Bar,
    Line,
}

impl Common {
    pub fn defer(&mut self, e: impl Into<Deferred>) {
        if self.deferred.is_none() {
            self.deferred = Some(e.into());
        }
    }

    pub fn check(&self) -> Result<(), ChartError> {
        if let Some(d) = &self.deferred {
            return Err(d.clone().into());
        }
        if !(self.width.is_finite() && (200.0..=10_000.0).contains(&self.width)) {
            return Err(ChartError::InvalidOption(format!("width {} must be between 200 and 10000 px", self.width)));
        }
        if let Some(h) = self.height {
            if !(h.is_finite() && (150.0..=20_000.0).contains(&h)) {
                return Err(ChartError::InvalidOption(format!("height {h} must be between 150 and 20000 px")));
            }
        }
        if !(self.dpi.is_finite() && (24.0..=1200.0).contains(&self.dpi)) {
            return Err(ChartError::InvalidOption(format!("dpi {} must be between 24 and 1200", self.dpi)));
        }
        Ok(())
    }

    pub fn new_scene(&self) -> Scene {
        Scene::new(self.width, self.height.unwrap_or(0.0), self.theme.background)
    }

    /// Title and subtitle (wrapped; the title shrinks if one word is too wide).
    /// Returns the y where content may start.
    pub fn place_header(&self, sc: &mut Scene) -> Result<f64, ChartError> {
        let th = &self.theme;
        let x = th.margin;
        let max_w = self.width - 2.0 * th.margin;
        let mut y = th.margin * 0.75;
        if let Some(t) = self.title.as_deref().filter(|t| !t.trim().is_empty()) {
            let (lines, size) = fit(t, th.title_size, true, max_w, 9.0)?;
            for line in lines {
                y += size * 1.22;
                sc.text(&line, x, y, size, true, th.text, Anchor::Start)?;
            }
            y += size * 0.35;
        }
        if let Some(t) = self.subtitle.as_deref().filter(|t| !t.trim().is_empty()) {
            let (lines, size) = fit(t, th.subtitle_size, false, max_w, 8.0)?;
            y += 2.0;
            for line in lines {
                y += size * 1.3;
                sc.text(&line, x, y, size, false, th.muted, Anchor::Start)?;
            }
            y += size * 0.35;
        }
        Ok(y + 10.0)
    }

    /// Axis title drawn above the plot on the left (used for vertical value axes).
    pub fn place_y_label(&self, sc: &mut Scene, y: f64) -> Result<f64, ChartError> {
        let th = &self.theme;
        if let Some(t) = self.y_label.as_deref().filter(|t| !t.trim().is_empty()) {
            let (lines, size) = fit(t, th.axis_title_size, false, self.width - 2.0 * th.margin, 7.0)?;
            let mut y = y;
            for line in lines {
                y += size * 1.2;
                sc.text(&line, th.margin, y, size, false, th.muted, Anchor::Start)?;
            }
            return Ok(y + 8.0);
        }
        Ok(y)
    }

    /// Legend as a flowing row of keys starting at the left margin.
    pub fn place_legend(&self, sc: &mut Scene, y: f64, items: &[(String, Color)], key: Key) -> Result<f64, ChartError> {
        if items.is_empty() {
            return Ok(y);
        }
        let th = &self.theme;
        let size = th.label_size;
        let lh = size * 1.6;
        let (x0, x1) = (th.margin, self.width - th.margin);
        let mut x = x0;
        let mut cy = y + lh / 2.0;
        for (label, color) in items {
            let (label_lines, s) = fit(label, size, false, x1 - x0 - 22.0, 7.0)?;
            let label = label_lines.join(" ");
            let w = 18.0 + measure_text(&label, s, false)?;
            if x > x0 && x + w > x1 {
                x = x0;
                cy += lh;
            }
            match key {
                Key::Point => sc.circle(x + 6.0, cy, 5.0, *color, 1.0, None),
                Key::Bar => sc.rect(x + 1.0, cy - 5.5, x + 12.0, cy + 5.5, *color, 1.0),
                Key::Line => sc.line(vec![(x - 1.0, cy), (x + 13.0, cy)], *color, 2.5),
            }
            sc.text(&label, x + 18.0, cy + 0.365 * s, s, false, th.text, Anchor::Start)?;
            x += w + 18.0;
        }
        Ok(cy + lh / 2.0 + 6.0)
    }

    fn caption_lines(&self) -> Result<(Vec<String>, f64), ChartError> {
        let th = &self.theme;
        match self.caption.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(c) => fit(c, th.caption_size, false, self.width - 2.0 * th.margin, 6.0),
            None => Ok((Vec::new(), th.caption_size)),
        }
    }

    /// Height below the plot: tick labels, axis title, caption, margin.
    pub fn footer_height(&self, ticks: bool, axis_title: bool) -> Result<f64, ChartError> {
        let th = &self.theme;
        let mut h = 4.0;
        if ticks {
            h += 6.0 + th.label_size * 1.25;
        }
        if axis_title && self.x_label.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            h += 8.0 + th.axis_title_size * 1.25;
        }
        let (lines, size) = self.caption_lines()?;
        if !lines.is_empty() {
            h += 10.0 + lines.len() as f64 * size * 1.3;
        }
        Ok(h + th.margin * 0.75)
    }

    /// Draw x-axis title (centred under `[l, r]`) and caption below `bottom`;
    /// returns the canvas height needed.
    pub fn place_footer(&self, sc: &mut Scene, l: f64, r: f64, bottom: f64, ticks: bool, axis_title: bool) -> Result<f64, ChartError> {
        let th = &self.theme;
        let mut y = bottom + 4.0;
        if ticks {
            y += 6.0 + th.label_size * 1.25;
        }
        if axis_title {
            if let Some(t) = self.x_label.as_deref().filter(|t| !t.trim().is_empty()) {
                let (lines, size) = fit(t, th.axis_title_size, false, self.width - 2.0 * th.margin, 7.0)?;
                let line = lines.join(" ");
                let w = measure_text(&line, size, false)?;
                let cx = ((l + r) / 2.0).clamp(th.margin + w / 2.0, (self.width - th.margin - w / 2.0).max(th.margin + w / 2.0));
                y += 8.0 + size * 1.25;
                sc.text(&line, cx, y - size * 0.25, size, false, th.text, Anchor::Middle)?;
            }
        }
        let (lines, size) = self.caption_lines()?;
        if !lines.is_empty() {
            y += 10.0;
            for line in lines {
                y += size * 1.3;
                sc.text(&line, self.width - th.margin, y - size * 0.3, size, false, th.muted, Anchor::End)?;
            }
        }
        Ok(y + th.margin * 0.75)
    }

    /// Final canvas height: the fixed height if set, else the content height.
    pub fn finish(&self, mut sc: Scene, content_height: f64) -> Scene {
        sc.height = self.height.unwrap_or(content_height.ceil());
        sc
    }
}

/// Builder setters and outputs shared by all chart types (inherent methods,
/// so evcxr finds `evcxr_display` without any trait import).
macro_rules! chart_common {
    ($t:ty) => {
        impl $t {
            /// Set the title (bold, top left; wraps or shrinks to fit).
            pub fn title(mut self, title: impl Into<String>) -> Self {
                self.common.title = Some(title.into());
                self
            }
            /// Set the subtitle (grey, under the title).
            pub fn subtitle(mut self, subtitle: impl Into<String>) -> Self {
                self.common.subtitle = Some(subtitle.into());
                self
            }
            /// Set the source caption (bottom right), e.g.
            /// `"Source: Statistics Norway (SSB), table 07459"`.
            pub fn caption(mut self, caption: impl Into<String>) -> Self {
                self.common.caption = Some(caption.into());
                self
            }
            /// Title of the horizontal axis.
            pub fn x_label(mut self, label: impl Into<String>) -> Self {
                self.common.x_label = Some(label.into());
                self
            }
            /// Title of the vertical axis (drawn above the plot, unrotated).
            pub fn y_label(mut self, label: impl Into<String>) -> Self {
                self.common.y_label = Some(label.into());
                self
            }
            /// Fixed canvas size in CSS pixels (default: 860 wide, height
            /// from the content).
            pub fn size(mut self, width: u32, height: u32) -> Self {
                self.common.width = width as f64;
                self.common.height = Some(height as f64);
                self
            }
            /// Canvas width in CSS pixels; the height stays automatic.
            pub fn width(mut self, width: u32) -> Self {
                self.common.width = width as f64;
                self
            }
            /// Resolution of PNG output from [`save`](Self::save) and
            /// [`png`](Self::png): 96 = one pixel per CSS pixel, 192 = double.
            pub fn dpi(mut self, dpi: u32) -> Self {
                self.common.dpi = dpi as f64;
                self
            }
            /// Replace the [`Theme`](crate::chart::Theme).
            pub fn theme(mut self, theme: $crate::chart::Theme) -> Self {
                self.common.theme = theme;
                self
            }
            /// Lay the chart out without rendering (sizes, text positions).
            /// Errors from builder methods surface here.
            pub fn scene(&self) -> $crate::chart::Result<$crate::chart::Scene> {
                self.common.check()?;
                self.build_scene()
            }
            /// Render to an SVG document.
            pub fn to_svg(&self) -> $crate::chart::Result<String> {
                self.scene()?.to_svg()
            }
            /// Render to PNG bytes; `scale` is output pixels per CSS pixel
            /// (1.0 = 96 dpi, 2.0 = 192 dpi).
            pub fn to_png(&self, scale: f64) -> $crate::chart::Result<Vec<u8>> {
                self.scene()?.to_png(scale)
            }
            /// PNG at the chart's [`dpi`](Self::dpi), displayable inline in
            /// evcxr as a plain image.
            pub fn png(&self) -> $crate::chart::Result<$crate::chart::PngImage> {
                Ok($crate::chart::PngImage::new(self.to_png(self.common.dpi / 96.0)?))
            }
            /// Write to `path`; the format follows the extension (`.svg` or
            /// `.png` at the chart's dpi). Parent directories are created and
            /// the file is replaced atomically.
            pub fn save(&self, path: impl AsRef<std::path::Path>) -> $crate::chart::Result<()> {
                let path = path.as_ref();
                let kind = $crate::chart::display::file_kind(path)?;
                let bytes = match kind {
                    $crate::chart::display::FileKind::Svg => self.to_svg()?.into_bytes(),
                    $crate::chart::display::FileKind::Png => self.to_png(self.common.dpi / 96.0)?,
                };
                $crate::chart::display::write_atomic(path, &bytes)
            }
            /// evcxr hook: shows the chart inline (SVG plus a PNG fallback in
            /// the same output) when it is the last expression of a cell.
            pub fn evcxr_display(&self) {
                $crate::chart::display::display_scene(self.scene(), 1.0);
            }
        }
    };
}
pub(crate) use chart_common;
