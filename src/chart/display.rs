//! Output: SVG/PNG encoding, atomic file writes, evcxr inline display.

use super::scene::Scene;
use super::ChartError;
use plotters::prelude::{BitMapBackend, SVGBackend};
use std::io::Write;
use std::path::Path;

/// Supersampling factor for PNG output (the bitmap backend does not
/// anti-alias shapes, so we render larger and average down).
const SUPERSAMPLE: u32 = 3;

impl Scene {
    /// Render as an SVG document.
    pub fn to_svg(&self) -> Result<String, ChartError> {
        let mut out = String::new();
        {
            let size = (self.width.round().max(1.0) as u32, self.height.round().max(1.0) as u32);
            let mut db = SVGBackend::with_string(&mut out, size);
            self.draw(&mut db, 1.0, true)?;
        }
        Ok(out)
    }

    /// Render to PNG bytes; `scale` = output pixels per CSS pixel (1.0 = 96 dpi).
    pub fn to_png(&self, scale: f64) -> Result<Vec<u8>, ChartError> {
        if !(scale.is_finite() && scale > 0.0 && scale <= 16.0) {
            return Err(ChartError::InvalidOption(format!("PNG scale {scale} must be in (0, 16]")));
        }
        let w = (self.width * scale).round().max(1.0) as u32;
        let h = (self.height * scale).round().max(1.0) as u32;
        let (sw, sh) = (w * SUPERSAMPLE, h * SUPERSAMPLE);
        let mut big = vec![255u8; sw as usize * sh as usize * 3];
        {
            let mut db = BitMapBackend::with_buffer(&mut big, (sw, sh));
            self.draw(&mut db, scale * SUPERSAMPLE as f64, false)?;
        }
        let small = downsample(&big, w, h, SUPERSAMPLE);
        encode_png(&small, w, h, 96.0 * scale)
    }
}

fn downsample(big: &[u8], w: u32, h: u32, k: u32) -> Vec<u8> {
    let (w, h, k) = (w as usize, h as usize, k as usize);
    let bw = w * k;
    let mut out = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let mut sum = 0u32;
                for dy in 0..k {
                    let row = (y * k + dy) * bw;
                    for dx in 0..k {
                        sum += big[(row + x * k + dx) * 3 + c] as u32;
                    }
                }
                out[(y * w + x) * 3 + c] = ((sum + (k * k) as u32 / 2) / (k * k) as u32) as u8;
            }
        }
    }
    out
}

fn encode_png(rgb: &[u8], w: u32, h: u32, dpi: f64) -> Result<Vec<u8>, ChartError> {
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let ppm = (dpi / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
        let mut wr = enc.write_header().map_err(|e| ChartError::Render(e.to_string()))?;
        wr.write_image_data(rgb).map_err(|e| ChartError::Render(e.to_string()))?;
    }
    Ok(bytes)
}

/// Write `bytes` to `path` atomically (the crate's one atomic writer).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ChartError> {
    Ok(crate::output::write_atomic_io(path, bytes)?)
}

/// File format chosen from a path's extension.
pub(crate) enum FileKind {
    Svg,
    Png,
}

pub(crate) fn file_kind(path: &Path) -> Result<FileKind, ChartError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "svg" => Ok(FileKind::Svg),
        "png" => Ok(FileKind::Png),
        _ => Err(ChartError::UnsupportedExtension(if ext.is_empty() { "(none)".into() } else { format!(".{ext}") })),
    }
}

/// Standard base64 (RFC 4648) without line breaks.
pub(crate) fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 { T[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if c.len() > 2 { T[n as usize & 63] as char } else { '=' });
    }
    out
}

/// One evcxr content block. evcxr collects every block printed while a cell
/// runs into one `content_by_mime_type` map, sent as a single Jupyter
/// `execute_result`, so several blocks become one multi-MIME bundle.
pub(crate) fn evcxr_block(mime: &str, content: &str) -> String {
    format!("EVCXR_BEGIN_CONTENT {mime}\n{}\nEVCXR_END_CONTENT\n", content.trim_end_matches('\n'))
}

pub(crate) fn print_display(blocks: &str) {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let _ = lock.write_all(blocks.as_bytes());
    let _ = lock.flush();
}

/// Inline SVG + PNG bundle for evcxr: JupyterLab shows the SVG, viewers that
/// drop SVG show the PNG.
pub(crate) fn display_scene(scene: Result<Scene, ChartError>, png_scale: f64) {
    let blocks = scene.and_then(|s| {
        let svg = s.to_svg()?;
        let png = s.to_png(png_scale)?;
        Ok(evcxr_block("image/svg+xml", &svg) + &evcxr_block("image/png", &base64(&png)))
    });
    match blocks {
        Ok(b) => print_display(&b),
        Err(e) => print_display(&evcxr_block("text/plain", &format!("chart error: {e}"))),
    }
}

/// Encoded PNG image that displays itself inline in evcxr (PNG only).
///
/// Returned by the charts' `png()` method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PngImage {
    bytes: Vec<u8>,
}

impl PngImage {
    pub(crate) fn new(bytes: Vec<u8>) -> PngImage {
        PngImage { bytes }
    }
    /// The PNG file bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// Consume into the PNG file bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
    /// evcxr hook: prints an `image/png` content block.
    pub fn evcxr_display(&self) {
        print_display(&evcxr_block("image/png", &base64(&self.bytes)));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_rfc4648() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
    }
}
