//! The on-disk response cache (`data/cache/` by default; git-ignored).
//!
//! Every cached response is one file named after what was asked, with a readable
//! prefix and a stable hash of the full key, e.g.
//! `v2_07459_no_Region-0301-4601_Tid-top-3_5f1c0a3e9b2d7c41.json`.
//!
//! A file starts with one JSON header line, then the response body byte for byte:
//!
//! ```text
//! {"statbank_cache":1,"fetched":1767225600,"fetched_utc":"2026-01-01T00:00:00Z","method":"POST","url":"…","request":"…","len":14431,"fnv1a64":"…"}
//! {"version":"2.0","class":"dataset",…
//! ```
//!
//! The header records when and how the response was fetched, and the body's length and
//! FNV-1a 64 checksum: a truncated or corrupted file is detected (and refetched), never
//! parsed into wrong numbers. Files are written to a temporary file in the same
//! directory and renamed into place, so a crash never leaves a partial entry.
//!
//! ```
//! use statbank::data::cache::{Cache, CacheKey};
//! let dir = std::env::temp_dir().join(format!("statbank-cache-doc-{}", std::process::id()));
//! let cache = Cache::new(&dir, None);
//! let key = CacheKey::new("v2", "07459", "no", "07459?lang=no&Tid=top(1)", "https://example");
//! cache.put(&key, "GET", "https://example/…", "", b"{\"ok\":true}")?;
//! assert_eq!(cache.get(&key).as_deref(), Some(&b"{\"ok\":true}"[..]));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), statbank::Error>(())
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// FNV-1a, 64 bit: a small, stable (across Rust versions and platforms) hash.
///
/// ```
/// assert_eq!(statbank::data::cache::fnv1a64(b""), 0xcbf29ce484222325);
/// assert_eq!(statbank::data::cache::fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
/// ```
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What a cache entry is keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The kind of response: `v0`, `v2` (data), `meta-v0`, `meta-v2`, `codelist`, `search`, `klass`.
    pub kind: String,
    /// Table id (or the codelist / KLASS resource).
    pub table: String,
    /// Language code (`no`, `en`), empty where it does not apply.
    pub lang: String,
    /// The normalised query ([`Query::normalised`](crate::data::query::Query::normalised)) or path.
    pub query: String,
    /// The base URL asked (so a mirror or a test server never answers for SSB).
    pub base: String,
}

impl CacheKey {
    /// A key from its parts.
    pub fn new(kind: &str, table: &str, lang: &str, query: &str, base: &str) -> CacheKey {
        CacheKey {
            kind: kind.to_string(),
            table: table.to_string(),
            lang: lang.to_string(),
            query: query.to_string(),
            base: base.to_string(),
        }
    }

    /// The stable 64-bit hash of every part of the key.
    pub fn hash(&self) -> u64 {
        let joined = [&self.kind, &self.table, &self.lang, &self.query, &self.base].map(String::as_str).join("\u{0}");
        fnv1a64(joined.as_bytes())
    }

    /// The file name: a readable prefix and the hash.
    pub fn file_name(&self) -> String {
        let mut readable = String::new();
        for part in [&self.kind, &self.table, &self.lang] {
            if !part.is_empty() {
                readable.push_str(&slug(part, 24));
                readable.push('_');
            }
        }
        // The query without its `table?lang=xx&` head, which is already in the name.
        let q = self.query.split_once('&').map(|(_, rest)| rest).unwrap_or(&self.query);
        let q = slug(q, 48);
        if !q.is_empty() {
            readable.push_str(&q);
            readable.push('_');
        }
        format!("{readable}{:016x}.json", self.hash())
    }
}

/// Keep `[A-Za-z0-9.-]`, turn runs of anything else into one `-`, cut at `max` bytes.
fn slug(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    for c in s.chars() {
        if out.len() >= max {
            break;
        }
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The header line of a cache file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CacheHeader {
    /// Format version (1).
    pub statbank_cache: u32,
    /// Fetch time, seconds since the Unix epoch.
    pub fetched: u64,
    /// Fetch time, readable (UTC).
    pub fetched_utc: String,
    /// HTTP method.
    pub method: String,
    /// The URL requested.
    pub url: String,
    /// The request body (empty for GET).
    pub request: String,
    /// Body length in bytes.
    pub len: u64,
    /// FNV-1a 64 of the body, 16 hex digits.
    pub fnv1a64: String,
}

/// The outcome of a cache lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A valid, fresh entry.
    Hit {
        /// The entry's header (query, time written, checksum).
        header: CacheHeader,
        /// The cached answer.
        body: Vec<u8>,
    },
    /// A valid entry older than the max age.
    Stale {
        /// How old the entry is.
        age: Duration,
    },
    /// An entry that failed its checks (truncated, corrupted, unreadable header).
    Corrupt {
        /// What failed.
        reason: String,
    },
    /// No entry.
    Missing,
}

/// A cache directory with a max-age policy.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    max_age: Option<Duration>,
}


impl Cache {
    /// A cache in `dir` (created on first write). `max_age = None` keeps entries forever.
    pub fn new(dir: impl Into<PathBuf>, max_age: Option<Duration>) -> Cache {
        Cache { dir: dir.into(), max_age }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the entry for a key.
    pub fn path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(key.file_name())
    }

    /// Look an entry up, checking its length, checksum and age.
    pub fn lookup(&self, key: &CacheKey) -> Lookup {
        let path = self.path(key);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::Missing,
            Err(e) => return Lookup::Corrupt { reason: format!("unreadable: {e}") },
        };
        let (header, body) = match decode(&bytes) {
            Ok(x) => x,
            Err(reason) => return Lookup::Corrupt { reason },
        };
        if let Some(max) = self.max_age {
            let age = now_secs().saturating_sub(header.fetched);
            if Duration::from_secs(age) > max {
                return Lookup::Stale { age: Duration::from_secs(age) };
            }
        }
        Lookup::Hit { header, body: body.to_vec() }
    }

    /// The body of a valid, fresh entry.
    pub fn get(&self, key: &CacheKey) -> Option<Vec<u8>> {
        match self.lookup(key) {
            Lookup::Hit { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Store a response atomically (temporary file in the cache directory, then rename).
    pub fn put(&self, key: &CacheKey, method: &str, url: &str, request: &str, body: &[u8]) -> Result<PathBuf> {
        fs::create_dir_all(&self.dir).map_err(|e| Error::io("creating the cache directory", &self.dir, e))?;
        let fetched = now_secs();
        let header = CacheHeader {
            statbank_cache: 1,
            fetched,
            fetched_utc: utc_string(fetched),
            method: method.to_string(),
            url: url.to_string(),
            request: request.to_string(),
            len: body.len() as u64,
            fnv1a64: format!("{:016x}", fnv1a64(body)),
        };
        let path = self.path(key);
        let mut bytes = serde_json::to_vec(&header).map_err(|e| Error::serialize("a cache header", e))?;
        bytes.push(b'\n');
        bytes.extend_from_slice(body);
        crate::output::write_atomic_io(&path, &bytes).map_err(|e| Error::io("writing the cache entry", &path, e))?;
        Ok(path)
    }

    /// Remove an entry (no error if there is none).
    pub fn remove(&self, key: &CacheKey) {
        let _ = fs::remove_file(self.path(key));
    }
}

/// Split a cache file into its header and body, checking length and checksum.
fn decode(bytes: &[u8]) -> std::result::Result<(CacheHeader, &[u8]), String> {
    let nl = bytes.iter().position(|&b| b == b'\n').ok_or("no header line")?;
    let header: CacheHeader =
        serde_json::from_slice(&bytes[..nl]).map_err(|e| format!("unreadable header: {e}"))?;
    if header.statbank_cache != 1 {
        return Err(format!("unknown cache format {}", header.statbank_cache));
    }
    let body = &bytes[nl + 1..];
    if body.len() as u64 != header.len {
        return Err(format!("body is {} bytes, header says {} (truncated?)", body.len(), header.len));
    }
    let sum = format!("{:016x}", fnv1a64(body));
    if sum != header.fnv1a64 {
        return Err(format!("checksum {sum} ≠ {} (corrupted)", header.fnv1a64));
    }
    Ok((header, body))
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `2026-01-01T00:00:00Z` from Unix seconds (Howard Hinnant's civil-from-days).
fn utc_string(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("statbank-cache-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn fnv_reference_values() {
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn utc() {
        assert_eq!(utc_string(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_string(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(utc_string(951_782_400 + 3661), "2000-02-29T01:01:01Z");
    }

    #[test]
    fn file_name_is_readable_and_stable() {
        let k = CacheKey::new("v2", "07459", "no", "07459?lang=no&Region=0301,4601&Tid=top(3)", "http://x");
        let name = k.file_name();
        assert!(name.starts_with("v2_07459_no_Region-0301-4601-Tid-top-3_"), "{name}");
        assert_eq!(name, k.file_name());
        let other = CacheKey { base: "http://y".into(), ..k.clone() };
        assert_ne!(name, other.file_name());
    }

    #[test]
    fn roundtrip_corruption_and_age() {
        let dir = tmpdir("rt");
        let cache = Cache::new(&dir, Some(Duration::from_secs(3600)));
        let key = CacheKey::new("v0", "07459", "no", "q", "b");
        assert_eq!(cache.lookup(&key), Lookup::Missing);
        let path = cache.put(&key, "POST", "http://b/x", "{}", b"[1,2,3]").unwrap();
        assert_eq!(cache.get(&key).unwrap(), b"[1,2,3]");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        // Flip one byte: detected.
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] = b'9';
        fs::write(&path, &bytes).unwrap();
        assert!(matches!(cache.lookup(&key), Lookup::Corrupt { .. }));
        // Truncate: detected.
        cache.put(&key, "POST", "http://b/x", "{}", b"[1,2,3]").unwrap();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        match cache.lookup(&key) {
            Lookup::Corrupt { reason } => assert!(reason.contains("truncated"), "{reason}"),
            other => panic!("{other:?}"),
        }
        // Old entries are stale under a max age, fine without one.
        cache.put(&key, "POST", "http://b/x", "{}", b"[1]").unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let (head, body) = text.split_once('\n').unwrap();
        let mut h: CacheHeader = serde_json::from_str(head).unwrap();
        h.fetched -= 7200;
        fs::write(&path, format!("{}\n{body}", serde_json::to_string(&h).unwrap())).unwrap();
        assert!(matches!(cache.lookup(&key), Lookup::Stale { .. }));
        assert!(Cache::new(&dir, None).get(&key).is_some());
        fs::remove_dir_all(&dir).ok();
    }
}
