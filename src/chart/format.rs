//! Number formatting: thousands separators, signs, percents.

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Comma,
    Plain,
    Percent,
    FractionPercent,
}

/// How numbers on axes and labels are written.
///
/// One style everywhere: comma thousands separators (`141,854`), a real minus
/// sign (`−3,700`), optional explicit plus sign for changes (`+141,854`).
///
/// ```
/// use statbank::chart::NumberFormat;
/// assert_eq!(NumberFormat::comma().format(141854.0), "141,854");
/// assert_eq!(NumberFormat::comma().signed().format(141854.0), "+141,854");
/// assert_eq!(NumberFormat::comma().signed().format(-3700.0), "\u{2212}3,700");
/// assert_eq!(NumberFormat::percent().format(58.0), "58%");
/// assert_eq!(NumberFormat::fraction_percent().format(0.104), "10%");
/// assert_eq!(NumberFormat::comma().decimals(1).format(1234.56), "1,234.6");
/// assert_eq!(NumberFormat::plain().format(2026.0), "2026");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NumberFormat {
    kind: Kind,
    decimals: Option<usize>,
    signed: bool,
    suffix: String,
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat::comma()
    }
}

impl NumberFormat {
    /// Thousands separated by commas: `141,854`.
    pub fn comma() -> Self {
        NumberFormat { kind: Kind::Comma, decimals: None, signed: false, suffix: String::new() }
    }
    /// No separators (years, codes): `2026`.
    pub fn plain() -> Self {
        NumberFormat { kind: Kind::Plain, ..Self::comma() }
    }
    /// Values already in percent: `58.0` → `58%`.
    pub fn percent() -> Self {
        NumberFormat { kind: Kind::Percent, ..Self::comma() }
    }
    /// Values as fractions, like ggplot's `scales::percent`: `0.58` → `58%`.
    pub fn fraction_percent() -> Self {
        NumberFormat { kind: Kind::FractionPercent, ..Self::comma() }
    }
    /// Fixed number of decimals (default: automatic).
    pub fn decimals(mut self, n: usize) -> Self {
        self.decimals = Some(n.min(10));
        self
    }
    /// Always write the sign: `+12%`, `−3,700`, `0`.
    pub fn signed(mut self) -> Self {
        self.signed = true;
        self
    }
    /// Append a unit, e.g. `" km²"`.
    pub fn suffix(mut self, s: impl Into<String>) -> Self {
        self.suffix = s.into();
        self
    }
    pub(crate) fn is_signed(&self) -> bool {
        self.signed
    }
    pub(crate) fn with_signed(mut self, signed: bool) -> Self {
        self.signed = signed;
        self
    }
    /// Same decimals for all `values` (the most any of them needs), unless fixed.
    pub(crate) fn consistent(&self, values: impl IntoIterator<Item = f64>) -> NumberFormat {
        if self.decimals.is_some() {
            return self.clone();
        }
        let d = values.into_iter().filter(|v| v.is_finite()).map(|v| auto_decimals(self.scaled(v), self.kind)).max().unwrap_or(0);
        self.clone().decimals(d)
    }
    pub(crate) fn has_decimals(&self) -> bool {
        self.decimals.is_some()
    }

    fn scaled(&self, v: f64) -> f64 {
        match self.kind {
            Kind::FractionPercent => v * 100.0,
            _ => v,
        }
    }

    /// Format one value.
    pub fn format(&self, v: f64) -> String {
        let d = self.decimals.unwrap_or_else(|| auto_decimals(self.scaled(v), self.kind));
        self.format_with(v, d)
    }

    /// Format axis ticks with a step-derived number of decimals.
    pub(crate) fn format_tick(&self, v: f64, step: f64) -> String {
        let d = self.decimals.unwrap_or_else(|| {
            let s = self.scaled(step).abs();
            if s <= 0.0 || !s.is_finite() {
                0
            } else {
                let mut d = 0;
                while d < 6 && ((s * 10f64.powi(d as i32)).round() - s * 10f64.powi(d as i32)).abs() > 1e-6 {
                    d += 1;
                }
                d
            }
        });
        self.format_with(v, d)
    }

    fn format_with(&self, v: f64, decimals: usize) -> String {
        if !v.is_finite() {
            return "–".to_string();
        }
        let x = self.scaled(v);
        let body = match self.kind {
            Kind::Plain => format!("{:.*}", decimals, x.abs()),
            _ => group_thousands(&format!("{:.*}", decimals, x.abs())),
        };
        let zero = body.chars().all(|c| c == '0' || c == '.' || c == ',');
        let sign = if zero {
            ""
        } else if x < 0.0 {
            "\u{2212}"
        } else if self.signed {
            "+"
        } else {
            ""
        };
        let pct = matches!(self.kind, Kind::Percent | Kind::FractionPercent);
        format!("{sign}{body}{}{}", if pct { "%" } else { "" }, self.suffix)
    }
}

fn auto_decimals(x: f64, kind: Kind) -> usize {
    let a = x.abs();
    match kind {
        Kind::Percent | Kind::FractionPercent => {
            if a >= 10.0 || a == 0.0 {
                0
            } else {
                1
            }
        }
        _ => {
            if (x - x.round()).abs() < 1e-9 || a >= 100.0 {
                0
            } else if a >= 10.0 {
                1
            } else {
                2
            }
        }
    }
}

/// Insert commas into the integer part of an unsigned decimal string.
pub(crate) fn group_thousands(s: &str) -> String {
    let (int, frac) = match s.find('.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    let n = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}


/// Format `v` with `decimals` decimals, comma thousands separators (if
/// `separators`) and a U+2212 minus: the number style shared by charts and
/// tables.
///
/// ```
/// assert_eq!(statbank::chart::format_number(-3700.0, 0, true), "\u{2212}3,700");
/// assert_eq!(statbank::chart::format_number(2026.0, 0, false), "2026");
/// ```
pub fn format_number(v: f64, decimals: usize, separators: bool) -> String {
    let f = if separators { NumberFormat::comma() } else { NumberFormat::plain() };
    f.decimals(decimals).format(v)
}

/// Insert comma thousands separators into a string of digits (with an
/// optional fractional part): `"1234567.5"` → `"1,234,567.5"`.
pub fn group_digits(digits: &str) -> String {
    group_thousands(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn formats() {
        assert_eq!(NumberFormat::comma().format(0.0), "0");
        assert_eq!(NumberFormat::comma().signed().format(0.0), "0");
        assert_eq!(NumberFormat::comma().format(-1234567.0), "\u{2212}1,234,567");
        assert_eq!(NumberFormat::comma().format(999.0), "999");
        assert_eq!(NumberFormat::percent().signed().format(-4.26), "\u{2212}4.3%");
        assert_eq!(NumberFormat::comma().format_tick(2500.0, 2500.0), "2,500");
        assert_eq!(NumberFormat::comma().format_tick(0.5, 0.25), "0.50");
        assert_eq!(NumberFormat::fraction_percent().format_tick(0.1, 0.05), "10%");
    }
}
