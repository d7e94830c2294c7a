//! Typed StatBank queries, for PxWebApi v0/v1 and v2.
//!
//! A [`Query`] names a table and, per dimension, a [`Filter`] (which codes) and
//! optionally a codelist (an aggregation such as `agg_KommSummer` or a value set).
//! The same query serialises to a v0 POST body ([`Query::v0_body`]), a v2 GET URL
//! ([`Query::v2_url`]) or a v2 POST body ([`Query::v2_body`]), and is answered by
//! the offline snapshot the same way (see [`Filter::resolve`]).
//!
//! ```
//! use statbank::data::query::{Filter, Query};
//! let q = Query::new("07459")
//!     .select("Region", Filter::items(["0301", "4601"]))
//!     .select("Tid", Filter::Top(3));
//! assert_eq!(
//!     q.v2_url("https://data.ssb.no/api/pxwebapi/v2"),
//!     "https://data.ssb.no/api/pxwebapi/v2/tables/07459/data?lang=no&outputFormat=json-stat2\
//!      &valueCodes[Region]=0301,4601&valueCodes[Tid]=top(3)"
//! );
//! // The R-like string form, as in the CLI's `--select Tid=top(3)`:
//! let same = Query::new("07459").select_str("Region", "0301,4601")?.select_str("Tid", "top(3)")?;
//! assert_eq!(q, same);
//! # Ok::<(), statbank::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::data::jsonstat::Dimension;

/// Which PxWebApi to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Api {
    /// PxWebApi v0/v1: `POST /api/v0/{lang}/table/{id}`.
    V0,
    /// PxWebApi 2: `/api/pxwebapi/v2/tables/{id}/data`.
    #[default]
    V2,
}

impl FromStr for Api {
    type Err = Error;
    fn from_str(s: &str) -> Result<Api> {
        match s.to_ascii_lowercase().as_str() {
            "v0" | "v1" | "0" | "1" => Ok(Api::V0),
            "v2" | "2" => Ok(Api::V2),
            _ => Err(Error::Query(format!("unknown API {s:?}: use v0 or v2"))),
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Api::V0 => "v0",
            Api::V2 => "v2",
        })
    }
}

/// Language of labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Norwegian (bokmål), SSB's default.
    #[default]
    No,
    /// English.
    En,
}

impl Lang {
    /// The code in URLs: `no` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::No => "no",
            Lang::En => "en",
        }
    }
}

impl FromStr for Lang {
    type Err = Error;
    fn from_str(s: &str) -> Result<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "no" | "nb" => Ok(Lang::No),
            "en" => Ok(Lang::En),
            _ => Err(Error::Query(format!("unknown language {s:?}: use no or en"))),
        }
    }
}

/// Which codes of a dimension to select.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Filter {
    /// Every code (`*`).
    All,
    /// These codes, in this order.
    Items(Vec<String>),
    /// Codes matching any of these `*` patterns, e.g. `03*` (v0 filter `all`).
    Wildcard(Vec<String>),
    /// The last `n` codes (the latest periods for time).
    Top(usize),
    /// From this code to the last, inclusive.
    From(String),
    /// From the first code to this one, inclusive.
    To(String),
    /// From the first to the second code, inclusive.
    Range(String, String),
}

impl Filter {
    /// `Filter::Items` from anything that yields strings.
    pub fn items<I, S>(codes: I) -> Filter
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Filter::Items(codes.into_iter().map(Into::into).collect())
    }

    /// The positions in `dim` this filter selects, in output order.
    ///
    /// Codes that do not exist are an error naming them ([`Error::MissingCodes`]).
    pub fn resolve(&self, table: &str, dim: &Dimension) -> Result<Vec<usize>> {
        let missing = |codes: Vec<String>| Error::MissingCodes {
            table: table.to_string(),
            dimension: dim.id.clone(),
            codes,
            hint: hint_codes(dim),
        };
        let pos = |c: &String| dim.position(c).ok_or_else(|| missing(vec![c.clone()]));
        Ok(match self {
            Filter::All => (0..dim.len()).collect(),
            Filter::Items(codes) => {
                let absent: Vec<String> = codes.iter().filter(|c| dim.position(c).is_none()).cloned().collect();
                if !absent.is_empty() {
                    return Err(missing(absent));
                }
                codes.iter().map(|c| dim.position(c).expect("checked")).collect()
            }
            Filter::Wildcard(patterns) => {
                let v: Vec<usize> = (0..dim.len())
                    .filter(|&i| patterns.iter().any(|p| glob_match(p, &dim.codes[i])))
                    .collect();
                if v.is_empty() {
                    return Err(missing(patterns.clone()));
                }
                v
            }
            Filter::Top(n) => (dim.len().saturating_sub(*n)..dim.len()).collect(),
            Filter::From(a) => (pos(a)?..dim.len()).collect(),
            Filter::To(b) => (0..=pos(b)?).collect(),
            Filter::Range(a, b) => {
                let (a, b) = (pos(a)?, pos(b)?);
                if a > b {
                    return Err(Error::Query(format!(
                        "range({}, {}) on {}: the first code comes after the second",
                        dim.codes[a], dim.codes[b], dim.id
                    )));
                }
                (a..=b).collect()
            }
        })
    }

    /// The v2 `valueCodes` expression(s) for this filter.
    pub(crate) fn v2_codes(&self) -> Vec<String> {
        match self {
            Filter::All => vec!["*".into()],
            Filter::Items(v) | Filter::Wildcard(v) => v.clone(),
            Filter::Top(n) => vec![format!("top({n})")],
            Filter::From(a) => vec![format!("from({a})")],
            Filter::To(b) => vec![format!("to({b})")],
            Filter::Range(a, b) => vec![format!("range({a},{b})")],
        }
    }
}

fn hint_codes(dim: &Dimension) -> String {
    let n = dim.codes.len();
    let shown: Vec<&str> = dim.codes.iter().take(8).map(String::as_str).collect();
    format!(
        "; it has {n} codes ({}{}). Run `statbank meta` for the full list",
        shown.join(", "),
        if n > 8 { ", …" } else { "" }
    )
}

/// `*` matches any run of characters, `?` one character.
///
/// The classic two-pointer match: on a mismatch, go back to the last `*` and let it
/// take one more character. At most `pattern × code` steps, so a pattern such as
/// `*a*a*a*a*b` cannot take exponential time.
pub(crate) fn glob_match(pattern: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pattern.chars().collect(), s.chars().collect());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None; // (pattern position after `*`, code position it took up to)
    while j < s.len() {
        if i < p.len() && p[i] == '*' {
            i += 1;
            star = Some((i, j));
        } else if i < p.len() && (p[i] == '?' || p[i] == s[j]) {
            i += 1;
            j += 1;
        } else if let Some((pi, sj)) = star {
            i = pi;
            j = sj + 1;
            star = Some((pi, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

impl FromStr for Filter {
    type Err = Error;
    /// `*`, `top(3)`, `from(2018)`, `to(2020)`, `range(2018,2023)` (optionally in
    /// brackets), `03*` patterns, or a comma-separated list of codes.
    fn from_str(s: &str) -> Result<Filter> {
        let s = s.trim();
        let inner = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(s);
        let call = |name: &str| -> Option<&str> {
            let rest = inner.get(..name.len())?;
            if !rest.eq_ignore_ascii_case(name) {
                return None;
            }
            inner[name.len()..].trim().strip_prefix('(')?.strip_suffix(')').map(str::trim)
        };
        if inner.is_empty() {
            return Err(Error::Query("an empty selection: give codes, `*` or an expression such as top(3)".into()));
        }
        if inner == "*" {
            return Ok(Filter::All);
        }
        if let Some(n) = call("top") {
            return n
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .map(Filter::Top)
                .ok_or_else(|| Error::Query(format!("{s:?}: the count in top(n) must be a whole number above 0")));
        }
        if let Some(a) = call("from") {
            return Ok(Filter::From(a.to_string()));
        }
        if let Some(b) = call("to") {
            return Ok(Filter::To(b.to_string()));
        }
        if let Some(args) = call("range") {
            let parts: Vec<&str> = args.split(',').map(str::trim).collect();
            return match parts.as_slice() {
                [a, b] if !a.is_empty() && !b.is_empty() => Ok(Filter::Range(a.to_string(), b.to_string())),
                _ => Err(Error::Query(format!("{s:?}: range takes two codes, e.g. range(2018,2023)"))),
            };
        }
        let codes: Vec<String> = inner.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
        if codes.is_empty() {
            // `,` or `[ , ]`: commas and no code (found by fuzzing)
            return Err(Error::Query(format!("{s:?} names no code: give codes (0301,4601), `*` or top(n)")));
        }
        if codes.iter().any(|c| c.contains(['(', ')', '[', ']'])) {
            // `[2010,2026],`: brackets only around the whole list (found by fuzzing)
            return Err(Error::Query(format!(
                "cannot read the selection {s:?}: use codes (0301,4601), `*`, top(n), from(x), to(x) or range(x,y)"
            )));
        }
        if codes.iter().any(|c| c == "*") {
            // `0301,*`: one pattern takes every code (found by fuzzing: it read back as `*`)
            return Ok(Filter::All);
        }
        if codes.iter().any(|c| c.contains('*') || c.contains('?')) {
            Ok(Filter::Wildcard(codes))
        } else {
            Ok(Filter::Items(codes))
        }
    }
}

/// Whether a codelist's values come out aggregated (`agg:`) or as single values (`agg_single:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Output {
    /// `agg:`: values summed over the codelist's groups.
    #[default]
    Aggregated,
    /// `agg_single:`: the groups' single values.
    Single,
}

/// The selection of one dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selection {
    /// Dimension id, e.g. `Region` (case-sensitive).
    pub dimension: String,
    /// Which codes.
    pub filter: Filter,
    /// A codelist in v2 spelling (`agg_KommSummer`, `vs_Fylker`), case-sensitive.
    pub codelist: Option<String>,
    /// With a codelist: aggregated or single values.
    pub output: Output,
}

impl Selection {
    /// Parse `agg:KommSummer`, `agg_single:KommSummer=K-3101,K-4601`,
    /// `vs:Fylker=*`, `agg_KommSummer=top(3)` or a plain filter string.
    pub fn parse(dimension: &str, s: &str) -> Result<Selection> {
        let s = s.trim();
        let mut sel = Selection { dimension: dimension.to_string(), filter: Filter::All, codelist: None, output: Output::Aggregated };
        let (head, values) = match s.split_once('=') {
            Some((h, v)) => (h.trim(), Some(v)),
            None => (s, None),
        };
        let codelist = if let Some(x) = head.strip_prefix("agg_single:") {
            sel.output = Output::Single;
            Some(format!("agg_{x}"))
        } else if let Some(x) = head.strip_prefix("agg:") {
            Some(format!("agg_{x}"))
        } else if let Some(x) = head.strip_prefix("vs:") {
            Some(format!("vs_{x}"))
        } else if (head.starts_with("agg_") || head.starts_with("vs_")) && !head.contains(',') {
            Some(head.to_string())
        } else {
            None
        };
        match codelist {
            Some(c) => {
                if c.len() <= 4 || c.ends_with('_') {
                    return Err(Error::Query(format!("{dimension}={s:?}: the codelist has no name, e.g. agg:KommSummer")));
                }
                sel.codelist = Some(c);
                sel.filter = match values {
                    Some(v) => v.parse()?,
                    None => Filter::All,
                };
            }
            None => sel.filter = s.parse()?,
        }
        Ok(sel)
    }

    /// The v0 filter name: `item`, `all`, `top`, `agg:X`, `agg_single:X` or `vs:X`.
    fn v0_filter(&self) -> Result<(String, Vec<String>)> {
        if let Some(cl) = &self.codelist {
            let name = if let Some(x) = cl.strip_prefix("agg_") {
                match self.output {
                    Output::Aggregated => format!("agg:{x}"),
                    Output::Single => format!("agg_single:{x}"),
                }
            } else if let Some(x) = cl.strip_prefix("vs_") {
                format!("vs:{x}")
            } else {
                return Err(Error::Query(format!("codelist {cl:?}: expected agg_… or vs_…")));
            };
            let values = match &self.filter {
                Filter::Items(v) => v.clone(),
                Filter::All => vec!["*".into()],
                other => {
                    return Err(Error::Query(format!(
                        "{}: v0 takes a codelist with explicit codes or *, not {other:?}; \
                         resolve it against the metadata first",
                        self.dimension
                    )))
                }
            };
            return Ok((name, values));
        }
        Ok(match &self.filter {
            Filter::All => ("all".into(), vec!["*".into()]),
            Filter::Wildcard(v) => ("all".into(), v.clone()),
            Filter::Items(v) => ("item".into(), v.clone()),
            Filter::Top(n) => ("top".into(), vec![n.to_string()]),
            other => {
                return Err(Error::Query(format!(
                    "{}: v0 has no {other:?} filter; resolve it to codes against the metadata first",
                    self.dimension
                )))
            }
        })
    }
}

/// A query on one StatBank table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    /// Table id, e.g. `07459`.
    pub table: String,
    /// Per-dimension selections; dimensions not named are eliminated (totals) where
    /// the table allows it.
    pub selections: Vec<Selection>,
    /// Label language.
    pub lang: Lang,
}

impl Query {
    /// A query on `table` with no selection yet.
    pub fn new(table: impl Into<String>) -> Query {
        Query { table: table.into(), selections: Vec::new(), lang: Lang::No }
    }

    /// Select codes of a dimension (replacing an earlier selection of it).
    pub fn select(mut self, dimension: &str, filter: Filter) -> Query {
        self.upsert(Selection { dimension: dimension.to_string(), filter, codelist: None, output: Output::Aggregated });
        self
    }

    /// Select by a string as the CLI takes it: `0301,4601`, `*`, `top(3)`,
    /// `range(2018,2023)`, `agg:KommSummer`, `vs:Fylker=*`.
    pub fn select_str(mut self, dimension: &str, selection: &str) -> Result<Query> {
        self.upsert(Selection::parse(dimension, selection)?);
        Ok(self)
    }

    /// Use a codelist (v2 spelling, e.g. `agg_KommSummer`) for a dimension.
    pub fn codelist(mut self, dimension: &str, codelist: &str, output: Output) -> Query {
        if let Some(s) = self.selections.iter_mut().find(|s| s.dimension == dimension) {
            s.codelist = Some(codelist.to_string());
            s.output = output;
        } else {
            self.selections.push(Selection {
                dimension: dimension.to_string(),
                filter: Filter::All,
                codelist: Some(codelist.to_string()),
                output,
            });
        }
        self
    }

    /// Set the label language.
    pub fn lang(mut self, lang: Lang) -> Query {
        self.lang = lang;
        self
    }

    fn upsert(&mut self, sel: Selection) {
        match self.selections.iter_mut().find(|s| s.dimension == sel.dimension) {
            Some(s) => *s = sel,
            None => self.selections.push(sel),
        }
    }

    /// The selection of a dimension, if any.
    pub fn selection(&self, dimension: &str) -> Option<&Selection> {
        self.selections.iter().find(|s| s.dimension == dimension)
    }

    /// The v0/v1 POST body (`/api/v0/{lang}/table/{id}`), asking for JSON-stat2.
    pub fn v0_body(&self) -> Result<Value> {
        let query: Result<Vec<Value>> = self
            .selections
            .iter()
            .map(|s| {
                let (filter, values) = s.v0_filter()?;
                Ok(json!({"code": s.dimension, "selection": {"filter": filter, "values": values}}))
            })
            .collect();
        Ok(json!({"query": query?, "response": {"format": "json-stat2"}}))
    }

    /// The v2 GET URL for `base` (e.g. `https://data.ssb.no/api/pxwebapi/v2`).
    ///
    /// Expressions with a comma are bracketed (`[range(2018,2023)]`) as v2 requires in a GET.
    pub fn v2_url(&self, base: &str) -> String {
        let mut url = format!(
            "{}/tables/{}/data?lang={}&outputFormat=json-stat2",
            base.trim_end_matches('/'),
            self.table,
            self.lang.code()
        );
        for s in &self.selections {
            let codes: Vec<String> = s
                .filter
                .v2_codes()
                .into_iter()
                .map(|c| if c.contains(',') { format!("[{c}]") } else { c })
                .collect();
            url.push_str(&format!("&valueCodes[{}]={}", s.dimension, encode(&codes.join(","))));
            if let Some(cl) = &s.codelist {
                url.push_str(&format!("&codelist[{}]={}", s.dimension, encode(cl)));
                if s.output == Output::Single {
                    url.push_str(&format!("&outputValues[{}]=single", s.dimension));
                }
            }
        }
        url
    }

    /// The v2 POST URL (without selections) for `base`.
    pub fn v2_post_url(&self, base: &str) -> String {
        format!(
            "{}/tables/{}/data?lang={}&outputFormat=json-stat2",
            base.trim_end_matches('/'),
            self.table,
            self.lang.code()
        )
    }

    /// The v2 POST body, for selections too long for a GET URL.
    pub fn v2_body(&self) -> Value {
        let selection: Vec<Value> = self
            .selections
            .iter()
            .map(|s| {
                let mut v = json!({"variableCode": s.dimension, "valueCodes": s.filter.v2_codes()});
                if let Some(cl) = &s.codelist {
                    v["codelist"] = json!(cl);
                    if s.output == Output::Single {
                        v["outputValues"] = json!("single");
                    }
                }
                v
            })
            .collect();
        json!({ "selection": selection })
    }

    /// A canonical text form of the query: the same data asked in a different
    /// dimension order gives the same key. Used for cache keys.
    pub fn normalised(&self) -> String {
        let mut parts: Vec<String> = self
            .selections
            .iter()
            .map(|s| {
                let mut p = format!("{}={}", s.dimension, s.filter.v2_codes().join(","));
                if let Some(cl) = &s.codelist {
                    p.push_str(&format!("|{cl}|{:?}", s.output));
                }
                p
            })
            .collect();
        parts.sort();
        format!("{}?lang={}&{}", self.table, self.lang.code(), parts.join("&"))
    }
}

/// Percent-encode what a URL query value must not carry raw.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'*' | b',' | b'(' | b')' | b'[' | b']' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dim(codes: &[&str]) -> Dimension {
        Dimension {
            id: "Tid".into(),
            label: "år".into(),
            codes: codes.iter().map(|s| s.to_string()).collect(),
            labels: codes.iter().map(|s| s.to_string()).collect(),
            role: None,
        }
    }

    #[test]
    fn glob_patterns() {
        assert!(glob_match("03*", "0301"));
        assert!(glob_match("0?01", "0301"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(!glob_match("?", ""));
        assert!(glob_match("Æ?Å", "ÆØÅ"));
        // The recursive matcher this replaced took exponential time on this (seen in review).
        let code = "a".repeat(60);
        assert!(!glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", &code));
        assert!(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*", &code));
    }

    #[test]
    fn parse_filters() {
        assert_eq!("*".parse::<Filter>().unwrap(), Filter::All);
        assert_eq!("top(17)".parse::<Filter>().unwrap(), Filter::Top(17));
        assert_eq!("[range(2018,2023)]".parse::<Filter>().unwrap(), Filter::Range("2018".into(), "2023".into()));
        assert_eq!("03*,46*".parse::<Filter>().unwrap(), Filter::Wildcard(vec!["03*".into(), "46*".into()]));
        assert!("top(x)".parse::<Filter>().unwrap_err().to_string().contains("top(x)"));
        assert!("range(1)".parse::<Filter>().is_err());
        assert!("".parse::<Filter>().is_err());
    }

    #[test]
    fn resolve_against_codes() {
        let d = dim(&["2020", "2021", "2022", "2023"]);
        assert_eq!(Filter::Top(2).resolve("t", &d).unwrap(), vec![2, 3]);
        assert_eq!(Filter::From("2022".into()).resolve("t", &d).unwrap(), vec![2, 3]);
        assert_eq!(Filter::To("2021".into()).resolve("t", &d).unwrap(), vec![0, 1]);
        assert_eq!(Filter::Wildcard(vec!["202?".into()]).resolve("t", &d).unwrap(), vec![0, 1, 2, 3]);
        let err = Filter::items(["2021", "1999"]).resolve("07459", &d).unwrap_err().to_string();
        assert!(err.contains("1999") && err.contains("07459") && err.contains("Tid"), "{err}");
    }

    #[test]
    fn v0_spellings() {
        let q = Query::new("07459").select_str("Region", "agg:KommSummer=K-3101,K-4601").unwrap().select_str("Tid", "top(2)").unwrap();
        let body = q.v0_body().unwrap();
        assert_eq!(body["query"][0]["selection"]["filter"], "agg:KommSummer");
        assert_eq!(body["query"][1]["selection"]["filter"], "top");
        assert_eq!(body["query"][1]["selection"]["values"][0], "2");
        assert_eq!(body["response"]["format"], "json-stat2");
        let url = q.v2_url("http://x/v2");
        assert!(url.contains("codelist[Region]=agg_KommSummer"), "{url}");
        let single = Selection::parse("Region", "agg_single:KommSummer").unwrap();
        assert_eq!(single.v0_filter().unwrap().0, "agg_single:KommSummer");
        assert_eq!(Selection::parse("Region", "vs:Fylker").unwrap().v0_filter().unwrap().0, "vs:Fylker");
    }

    #[test]
    fn normalised_ignores_dimension_order() {
        let a = Query::new("07459").select("Region", Filter::All).select("Tid", Filter::Top(1));
        let b = Query::new("07459").select("Tid", Filter::Top(1)).select("Region", Filter::All);
        assert_eq!(a.normalised(), b.normalised());
    }

    #[test]
    fn range_is_bracketed_in_get() {
        let q = Query::new("07459").select("Tid", Filter::Range("2018".into(), "2023".into()));
        assert!(q.v2_url("http://x").ends_with("valueCodes[Tid]=[range(2018,2023)]"));
    }
}
