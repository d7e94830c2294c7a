//! PxWeb time codes (`2010`, `2010K3`, `2010M07`, …) as years and dates.

/// Parse a PxWeb time code into `(year, days since 1970-01-01 of the period start)`.
///
/// `2010` (year), `2010K3`/`2010Q3` (quarter), `2010M07` (month), `2010H1` (half),
/// `2010U05`/`2010W05` (ISO week), `2010T2` (tertial). Anything else → `None`.
///
/// ```
/// use statbank::data::jsonstat::parse_period;
/// assert_eq!(parse_period("1970"), Some((1970, 0)));
/// assert_eq!(parse_period("1970M02"), Some((1970, 31)));
/// assert_eq!(parse_period("2010K3").map(|p| p.0), Some(2010));
/// assert_eq!(parse_period("2025-2026"), None);
/// assert!(parse_period("2020U53").is_some()); // 2020 had 53 ISO weeks
/// assert_eq!(parse_period("2021U53"), None); // 2021 had 52
/// ```
pub fn parse_period(code: &str) -> Option<(i32, i32)> {
    let code = code.trim();
    if code.len() < 4 || !code.is_char_boundary(4) {
        return None;
    }
    let (y, rest) = code.split_at(4);
    if !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    if rest.is_empty() {
        return Some((year, days_from_civil(year, 1, 1)));
    }
    let mut chars = rest.chars();
    let kind = chars.next()?.to_ascii_uppercase();
    let digits = chars.as_str();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None; // `2010M+7` is no month
    }
    let num: u32 = digits.parse().ok()?;
    let month = match kind {
        'K' | 'Q' if (1..=4).contains(&num) => 3 * (num - 1) + 1,
        'M' if (1..=12).contains(&num) => num,
        'H' if (1..=2).contains(&num) => 6 * (num - 1) + 1,
        'T' if (1..=3).contains(&num) => 4 * (num - 1) + 1,
        'U' | 'W' if (1..=53).contains(&num) => {
            // ISO week: the Monday of week 1 is the Monday on or before 4 January.
            let jan4 = days_from_civil(year, 1, 4);
            let weekday = (jan4 + 3).rem_euclid(7); // 0 = Monday (1970-01-01 was a Thursday)
            let monday = jan4 - weekday + 7 * (num as i32 - 1);
            // 28 December is always in the year's last week: a week 53 that starts after
            // it belongs to a 52-week year, where there is none.
            return (monday <= days_from_civil(year, 12, 28)).then_some((year, monday));
        }
        _ => return None,
    };
    Some((year, days_from_civil(year, month, 1)))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

