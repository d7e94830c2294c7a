//! Retries with exponential backoff, and SSB's error messages.
//!
//! 429 (too many requests), 502/503/504 (SSB or its gateway busy), timeouts and dropped
//! connections are retried, waiting `base_delay · 2^(attempt-1)` (capped at `max_delay`)
//! or, when SSB sends `Retry-After: <seconds>`, exactly that long. Every other HTTP
//! error is surfaced at once with SSB's own message.

use std::time::Duration;

use serde_json::Value;

/// How failed requests are retried. See [`ClientBuilder::retry`](super::ClientBuilder::retry).
///
/// ```
/// use std::time::Duration;
/// use statbank::data::client::RetryPolicy;
/// let p = RetryPolicy { max_attempts: 5, base_delay: Duration::from_secs(1), max_delay: Duration::from_secs(8) };
/// assert_eq!(p.delay(1, None), Duration::from_secs(1));
/// assert_eq!(p.delay(3, None), Duration::from_secs(4));
/// assert_eq!(p.delay(6, None), Duration::from_secs(8));
/// // Retry-After wins over the backoff.
/// assert_eq!(p.delay(1, Some(Duration::from_secs(30))), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (at least 1).
    pub max_attempts: u32,
    /// The wait after the first failure; doubled after each further one.
    pub base_delay: Duration,
    /// The longest backoff wait (a `Retry-After` from SSB is honoured even when longer,
    /// up to [`RetryPolicy::MAX_RETRY_AFTER`]).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts, waiting 1 s, 2 s, 4 s, 8 s (at most 60 s).
    fn default() -> Self {
        RetryPolicy { max_attempts: 5, base_delay: Duration::from_secs(1), max_delay: Duration::from_secs(60) }
    }
}

impl RetryPolicy {
    /// The longest `Retry-After` honoured.
    pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

    /// How long to wait after failed attempt number `attempt` (1-based).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(ra) = retry_after {
            return ra.min(Self::MAX_RETRY_AFTER);
        }
        let factor = 1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Statuses worth another try.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// `Retry-After` in seconds (the HTTP-date form is ignored: the backoff applies).
pub(crate) fn parse_retry_after(v: &str) -> Option<Duration> {
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// SSB's own words from an error body.
///
/// v0 answers plain text (sometimes HTML) or `{"error": "..."}`; v2 answers problem
/// JSON `{"type","title","status","detail"}` (ASP.NET validation problems add `errors`).
pub(crate) fn ssb_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim().trim_start_matches('\u{feff}');
    if text.is_empty() {
        return String::new();
    }
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        if let Some(m) = json_message(&v) {
            return truncate(&m, 800);
        }
        return truncate(&v.to_string(), 800);
    }
    let plain = if text.starts_with('<') || text.contains("<html") || text.contains("<body") { strip_tags(text) } else { text.to_string() };
    truncate(&plain.split_whitespace().collect::<Vec<_>>().join(" "), 800)
}

fn json_message(v: &Value) -> Option<String> {
    let obj = v.as_object()?;
    let s = |k: &str| obj.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let mut parts: Vec<String> = Vec::new();
    // v0: {"error": "..."} (or {"error": {"message": ...}})
    match obj.get("error") {
        Some(Value::String(e)) => parts.push(e.trim().to_string()),
        Some(Value::Object(e)) => {
            if let Some(m) = e.get("message").and_then(Value::as_str) {
                parts.push(m.trim().to_string());
            }
        }
        _ => {}
    }
    if let Some(m) = s("message") {
        parts.push(m.to_string());
    }
    // v2: problem JSON.
    match (s("title"), s("detail")) {
        (Some(t), Some(d)) if d.contains(t) => parts.push(d.to_string()),
        (Some(t), Some(d)) => parts.push(format!("{t}: {d}")),
        (Some(t), None) => parts.push(t.to_string()),
        (None, Some(d)) => parts.push(d.to_string()),
        (None, None) => {}
    }
    if let Some(Value::Object(errors)) = obj.get("errors") {
        for (field, msgs) in errors {
            let msgs: Vec<String> = match msgs {
                Value::Array(a) => a.iter().map(|m| m.as_str().map(str::to_string).unwrap_or_else(|| m.to_string())).collect(),
                other => vec![other.as_str().map(str::to_string).unwrap_or_else(|| other.to_string())],
            };
            parts.push(format!("{field}: {}", msgs.join("; ")));
        }
    } else if let Some(Value::Array(errors)) = obj.get("errors") {
        for e in errors {
            parts.push(e.as_str().map(str::to_string).or_else(|| json_message(e)).unwrap_or_else(|| e.to_string()));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" — "))
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

/// A readable description of a transport error, with its causes.
pub(crate) fn describe_transport(e: &reqwest::Error) -> String {
    let mut msg = if e.is_timeout() { format!("timed out ({e})") } else { e.to_string() };
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !msg.contains(&t) {
            msg.push_str(": ");
            msg.push_str(&t);
        }
        src = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        assert_eq!(ssb_message(br#"{"error":"Parameter error: Tid"}"#), "Parameter error: Tid");
        let problem = br#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"Bad Request","status":400,"detail":"Non-existent value 9999 for variable Region"}"#;
        assert_eq!(ssb_message(problem), "Bad Request: Non-existent value 9999 for variable Region");
        let validation = br#"{"title":"One or more validation errors occurred.","status":400,"errors":{"valueCodes[Tid]":["bad code 3000"]}}"#;
        assert!(ssb_message(validation).contains("valueCodes[Tid]: bad code 3000"));
        assert_eq!(ssb_message(b"  Bad Request \r\n"), "Bad Request");
        assert_eq!(ssb_message(b"<html><body><h1>400</h1> Bad   query</body></html>"), "400 Bad query");
        assert_eq!(ssb_message(b""), "");
    }

    #[test]
    fn retry_after() {
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert!(retryable_status(429) && retryable_status(503) && !retryable_status(500) && !retryable_status(400));
    }
}
