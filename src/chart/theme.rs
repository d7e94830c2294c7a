//! Colours and the chart theme.

/// An RGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    /// Parse `"#rrggbb"` (or `"rrggbb"`). Returns `None` on bad input.
    ///
    /// ```
    /// use statbank::chart::Color;
    /// assert_eq!(Color::hex("#224b5e"), Some(Color(0x22, 0x4b, 0x5e)));
    /// assert_eq!(Color::hex("nope"), None);
    /// ```
    pub fn hex(s: &str) -> Option<Color> {
        let s = s.strip_prefix('#').unwrap_or(s);
        if s.len() != 6 || !s.is_ascii() {
            return None;
        }
        let p = |i: usize| u8::from_str_radix(&s[i..i + 2], 16).ok();
        Some(Color(p(0)?, p(2)?, p(4)?))
    }

    /// `"#rrggbb"`.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    pub(crate) const fn rgb(hex: u32) -> Color {
        Color((hex >> 16) as u8, (hex >> 8) as u8, hex as u8)
    }
}

/// MetBrewer's *Hokusai1* palette, in MetBrewer's order.
pub const HOKUSAI1: [Color; 7] = [
    Color::rgb(0x6d2f20),
    Color::rgb(0xb75347),
    Color::rgb(0xdf7e66),
    Color::rgb(0xe09351),
    Color::rgb(0xedc775),
    Color::rgb(0x94b594),
    Color::rgb(0x224b5e),
];

/// Visual settings shared by all charts: a `theme_minimal`-like look.
///
/// Sizes are CSS pixels (font sizes are the em size, like CSS `font-size`).
///
/// ```
/// use statbank::chart::{Color, Theme};
/// let dark_points = Theme { accent: Color::hex("#6d2f20").unwrap(), ..Theme::default() };
/// assert_eq!(dark_points.palette.len(), 7);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Canvas background.
    pub background: Color,
    /// Main text (titles, labels).
    pub text: Color,
    /// Secondary text (subtitle, caption, tick labels).
    pub muted: Color,
    /// Major grid lines on the value axis.
    pub grid: Color,
    /// The zero line / reference lines.
    pub axis: Color,
    /// Colour of single-series marks (positive values).
    pub accent: Color,
    /// Colour of negative values in single-series charts.
    pub negative: Color,
    /// Background bars (e.g. the total in a [`Dumbbell`](super::Dumbbell)).
    pub neutral: Color,
    /// Colours for groups/series, used in [`Theme::series_color`] order.
    pub palette: Vec<Color>,
    /// Title font size.
    pub title_size: f64,
    /// Subtitle font size.
    pub subtitle_size: f64,
    /// Caption font size.
    pub caption_size: f64,
    /// Category and tick label size.
    pub label_size: f64,
    /// Value label size (numbers next to marks).
    pub value_size: f64,
    /// Axis title size.
    pub axis_title_size: f64,
    /// Outer margin around everything.
    pub margin: f64,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::minimal()
    }
}

impl Theme {
    /// White background, light grid, Hokusai1 colours.
    pub fn minimal() -> Theme {
        Theme {
            background: Color(255, 255, 255),
            text: Color::rgb(0x222222),
            muted: Color::rgb(0x5f5f5f),
            grid: Color::rgb(0xe4e4e4),
            axis: Color::rgb(0x8c8c8c),
            accent: HOKUSAI1[6],
            negative: HOKUSAI1[1],
            neutral: Color::rgb(0xdcdcdc),
            palette: vec![
                HOKUSAI1[6],
                HOKUSAI1[1],
                HOKUSAI1[5],
                HOKUSAI1[3],
                HOKUSAI1[0],
                HOKUSAI1[2],
                HOKUSAI1[4],
            ],
            title_size: 18.0,
            subtitle_size: 13.0,
            caption_size: 10.5,
            label_size: 11.5,
            value_size: 10.5,
            axis_title_size: 11.5,
            margin: 16.0,
        }
    }

    /// Colour of the `i`-th series/group (cycles through the palette).
    pub fn series_color(&self, i: usize) -> Color {
        if self.palette.is_empty() {
            return self.accent;
        }
        self.palette[i % self.palette.len()]
    }
}
