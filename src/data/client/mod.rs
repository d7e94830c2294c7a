//! The live HTTP client for SSB's PxWebApi (v0/v1 and v2) and KLASS.
//!
//! A [`Client`] is a good API citizen:
//!
//! - **Rate limit**: at most 30 requests per minute (configurable), shared by every
//!   clone of the client.
//! - **Cell limit**: a query of more than 800 000 cells is split into several requests
//!   along its largest non-time dimension and stitched back together (counted from the
//!   table metadata).
//! - **Retries**: 429, 503 (and 502/504), timeouts and dropped connections are retried
//!   with exponential backoff, honouring `Retry-After`; every other error is surfaced
//!   with SSB's own message ([`Error::Api`]), and a bad code is named
//!   ([`Error::MissingCodes`]).
//! - **Cache**: every response (data, metadata, codelists, searches, KLASS) is cached on
//!   disk under `data/cache/` (see [`crate::data::cache`]), for a day by default.
//! - **Progress**: a fetch of several requests shows a progress bar on a terminal, a
//!   line per request elsewhere (notebooks).
//!
//! v0 has no `from`/`to`/`range` filters, and its codelist filters take explicit codes:
//! the client resolves such filters against the table metadata first, with the same
//! [`Filter::resolve`] the offline snapshot uses, so online and offline frames agree.
//!
//! ```no_run
//! use statbank::data::client::Client;
//! use statbank::data::query::{Api, Filter, Query};
//! let client = Client::builder().api(Api::V2).build();
//! let q = Query::new("07459").select("Region", Filter::items(["0301"])).select("Tid", Filter::Top(3));
//! let df = client.fetch(&q)?;
//! println!("{df}");
//! # Ok::<(), statbank::Error>(())
//! ```

mod chunk;
pub(crate) mod metadata;
mod progress;
mod ratelimit;
mod retry;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use polars::prelude::DataFrame;

use crate::data::cache::{Cache, CacheKey, Lookup};
use crate::error::{Error, Result};
use crate::data::jsonstat::{Dataset, Dimension, Role};
use crate::data::meta::TableMeta;
use crate::data::query::{Api, Filter, Lang, Query};

pub use metadata::TableInfo;
pub use retry::RetryPolicy;

use chunk::DimPlan;
use progress::Progress;
use ratelimit::RateLimiter;

/// SSB's PxWebApi v0 base URL.
pub const SSB_V0: &str = "https://data.ssb.no/api/v0";
/// SSB's PxWebApi v2 base URL.
pub const SSB_V2: &str = "https://data.ssb.no/api/pxwebapi/v2";
/// SSB's KLASS base URL.
pub const SSB_KLASS: &str = "https://data.ssb.no/api/klass/v1";
/// SSB's limit on the cells of one answer; larger queries are split.
pub const MAX_CELLS: usize = 800_000;
/// A v2 GET URL longer than this is sent as a POST instead.
pub const MAX_GET_URL: usize = 2_100;

/// A client for SSB's APIs. Build one with [`Client::builder`].
///
/// Clones share the rate limiter, the connection pool and the in-memory metadata, so
/// hand clones to threads freely: together they stay under the rate limit.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) api: Api,
    pub(crate) v0_base: String,
    pub(crate) v2_base: String,
    pub(crate) klass_base: String,
    pub(crate) cache_dir: Option<PathBuf>,
    pub(crate) timeout: Duration,
    pub(crate) max_age: Option<Duration>,
    pub(crate) refresh: bool,
    pub(crate) max_cells: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate: (u32, Duration),
    pub(crate) progress: bool,
    shared: Arc<Shared>,
}

/// What the clones of a client share.
struct Shared {
    limiter: RateLimiter,
    http: Mutex<Option<reqwest::blocking::Client>>,
    meta: Mutex<HashMap<(Api, String, Lang), Arc<TableMeta>>>,
    codelists: Mutex<HashMap<(String, Lang), Arc<Dimension>>>,
    requests: AtomicU64,
}

impl Shared {
    fn new(rate: (u32, Duration)) -> Shared {
        Shared {
            limiter: RateLimiter::new(rate.0, rate.1),
            http: Mutex::new(None),
            meta: Mutex::new(HashMap::new()),
            codelists: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
        }
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("limiter", &self.limiter)
            .field("requests", &self.requests.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Builder for [`Client`].
///
/// ```
/// use std::time::Duration;
/// use statbank::data::client::{Client, RetryPolicy};
/// use statbank::data::query::Api;
/// let client = Client::builder()
///     .api(Api::V0)
///     .cache_dir(Some("data/cache".into()))
///     .max_age(Duration::from_secs(6 * 3600)) // or None: keep forever
///     .rate_limit(30, Duration::from_secs(60))
///     .retry(RetryPolicy { max_attempts: 4, ..RetryPolicy::default() })
///     .build();
/// assert_eq!(client.api(), Api::V0);
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    inner: Client,
}

impl Default for Client {
    fn default() -> Self {
        Client::builder().build()
    }
}

/// An HTTP request as the client sends it.
#[derive(Debug, Clone)]
struct Req {
    post: bool,
    url: String,
    body: String,
}

impl Req {
    fn get(url: String) -> Req {
        Req { post: false, url, body: String::new() }
    }
    fn method(&self) -> &'static str {
        if self.post {
            "POST"
        } else {
            "GET"
        }
    }
}

/// Why one attempt failed.
enum Failure {
    Status { status: u16, message: String, retry_after: Option<Duration> },
    Transport { message: String, retryable: bool, source: reqwest::Error },
}

impl Client {
    /// A builder with SSB's URLs and polite defaults: v2, cache in `data/cache` for a
    /// day, 30 requests per minute, 5 attempts, 60 s timeout, 800 000 cells per request.
    pub fn builder() -> ClientBuilder {
        let rate = (30, Duration::from_secs(60));
        ClientBuilder {
            inner: Client {
                api: Api::V2,
                v0_base: SSB_V0.into(),
                v2_base: SSB_V2.into(),
                klass_base: SSB_KLASS.into(),
                cache_dir: Some(PathBuf::from("data/cache")),
                timeout: Duration::from_secs(60),
                max_age: Some(Duration::from_secs(24 * 3600)),
                refresh: false,
                max_cells: MAX_CELLS,
                retry: RetryPolicy::default(),
                rate,
                progress: true,
                shared: Arc::new(Shared::new(rate)),
            },
        }
    }

    /// Which PxWebApi this client talks to.
    pub fn api(&self) -> Api {
        self.api
    }

    /// The response cache, unless disabled.
    pub fn cache(&self) -> Option<Cache> {
        self.cache_dir.as_ref().map(|d| Cache::new(d, self.max_age))
    }

    /// HTTP requests sent so far by this client and its clones (retries included,
    /// cache hits not).
    pub fn requests_sent(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Fetch a query as a dataset: resolved against the table metadata, split when it
    /// has more cells than SSB answers at once, cached.
    ///
    /// ```no_run
    /// use statbank::data::client::Client;
    /// use statbank::data::query::Query;
    /// let q = Query::new("07459").select_str("Region", "0301")?.select_str("Tid", "range(2010,2026)")?;
    /// let ds = Client::default().dataset(&q)?;
    /// assert_eq!(ds.get(&["0301", "Personer1", "2026"]), Some(728714.0));
    /// # Ok::<(), statbank::Error>(())
    /// ```
    pub fn dataset(&self, q: &Query) -> Result<Dataset> {
        let prepared = self.prepare(q)?;
        let parts = chunk::plan(&prepared.query, &prepared.dims, self.max_cells);
        if parts.len() == 1 {
            return self.fetch_part(&parts[0], &prepared).map(|(ds, _)| ds);
        }
        let mut progress = Progress::new(&q.table, parts.len(), self.progress);
        let mut out = Vec::with_capacity(parts.len());
        for part in &parts {
            let (ds, cached) = self.fetch_part(part, &prepared)?;
            progress.tick(ds.len(), cached);
            out.push(ds);
        }
        chunk::stitch(out)
    }

    /// Fetch a query as a tidy frame (see [`Dataset::to_frame`]).
    ///
    /// ```no_run
    /// use statbank::data::client::Client;
    /// use statbank::data::query::Query;
    /// let q = Query::new("07459").select_str("Region", "0301,4601")?.select_str("Tid", "top(3)")?;
    /// let df = Client::default().fetch(&q)?;
    /// assert_eq!(df.height(), 6);
    /// # Ok::<(), statbank::Error>(())
    /// ```
    pub fn fetch(&self, q: &Query) -> Result<DataFrame> {
        self.dataset(q)?.to_frame()
    }

    /// A table's metadata: its dimensions, every code, and which dimensions may be
    /// eliminated. From v0 `GET {v0}/{lang}/table/{id}` or v2
    /// `GET {v2}/tables/{id}/metadata`, cached.
    ///
    /// ```no_run
    /// use statbank::data::client::Client;
    /// use statbank::data::query::Lang;
    /// let meta = Client::default().metadata("07459", Lang::En)?;
    /// println!("{meta}");
    /// # Ok::<(), statbank::Error>(())
    /// ```
    pub fn metadata(&self, table: &str, lang: Lang) -> Result<TableMeta> {
        self.table_meta(table, lang, false).map(|(m, _)| (*m).clone())
    }

    /// A v2 codelist (e.g. `agg_KommSummer`, `vs_Fylker`) as a dimension: its codes and
    /// labels. From `GET {v2}/codelists/{id}`, cached.
    pub fn codelist(&self, id: &str, lang: Lang) -> Result<Dimension> {
        self.codelist_arc(id, lang, false).map(|d| (*d).clone())
    }

    /// Search SSB's tables (v2 `GET {v2}/tables?query=…`), e.g. `"befolkning kommune"`.
    ///
    /// ```no_run
    /// use statbank::data::client::Client;
    /// use statbank::data::query::Lang;
    /// for t in Client::default().search_tables("folkemengde", Lang::No)? {
    ///     println!("{t}");
    /// }
    /// # Ok::<(), statbank::Error>(())
    /// ```
    pub fn search_tables(&self, query: &str, lang: Lang) -> Result<Vec<TableInfo>> {
        let base = self.v2_base.trim_end_matches('/');
        let url = format!("{base}/tables?query={}&lang={}&pageSize=100", encode(query), lang.code());
        let key = CacheKey::new("search", "tables", lang.code(), query, base);
        self.cached(&key, &Req::get(url), false, metadata::parse_search).map(|(v, _)| v)
    }

    /// GET a JSON document from KLASS (path below the KLASS base URL), cached.
    ///
    /// ```no_run
    /// use statbank::data::client::Client;
    /// let body = Client::default().klass_get("classifications/131/changes?from=2011-01-01&to=2024-12-31")?;
    /// # Ok::<(), statbank::Error>(())
    /// ```
    pub fn klass_get(&self, path_and_query: &str) -> Result<Vec<u8>> {
        let base = self.klass_base.trim_end_matches('/');
        let path = path_and_query.trim_start_matches('/');
        let url = format!("{base}/{path}");
        let key = CacheKey::new("klass", "klass", "", path, base);
        let check = |b: &[u8], ctx: &str| -> Result<Vec<u8>> {
            let head = b.iter().find(|c| !c.is_ascii_whitespace());
            if matches!(head, Some(b'{') | Some(b'[')) {
                serde_json::from_slice::<serde::de::IgnoredAny>(b).map_err(|e| Error::jsonstat(ctx, e))?;
            }
            Ok(b.to_vec())
        };
        self.cached(&key, &Req::get(url), false, check).map(|(v, _)| v)
    }

    // ------------------------------------------------------------ metadata

    fn table_meta(&self, table: &str, lang: Lang, force: bool) -> Result<(Arc<TableMeta>, bool)> {
        let mkey = (self.api, table.to_string(), lang);
        if !force {
            if let Some(m) = self.shared.meta.lock().unwrap_or_else(|e| e.into_inner()).get(&mkey) {
                return Ok((m.clone(), false));
            }
        }
        let (req, key) = match self.api {
            Api::V0 => {
                let base = self.v0_base.trim_end_matches('/');
                (Req::get(format!("{base}/{}/table/{table}", lang.code())), CacheKey::new("meta-v0", table, lang.code(), "", base))
            }
            Api::V2 => {
                let base = self.v2_base.trim_end_matches('/');
                (
                    Req::get(format!("{base}/tables/{table}/metadata?lang={}&outputFormat=json-stat2", lang.code())),
                    CacheKey::new("meta-v2", table, lang.code(), "", base),
                )
            }
        };
        let (meta, fetched) =
            self.cached(&key, &req, force, |b, ctx| metadata::parse_table_meta(table, b, ctx))?;
        let meta = Arc::new(meta);
        self.shared.meta.lock().unwrap_or_else(|e| e.into_inner()).insert(mkey, meta.clone());
        Ok((meta, fetched))
    }

    fn codelist_arc(&self, id: &str, lang: Lang, force: bool) -> Result<Arc<Dimension>> {
        let mkey = (id.to_string(), lang);
        if !force {
            if let Some(d) = self.shared.codelists.lock().unwrap_or_else(|e| e.into_inner()).get(&mkey) {
                return Ok(d.clone());
            }
        }
        let base = self.v2_base.trim_end_matches('/');
        let req = Req::get(format!("{base}/codelists/{}?lang={}", encode(id), lang.code()));
        let key = CacheKey::new("codelist", id, lang.code(), "", base);
        let (d, _) = self.cached(&key, &req, force, metadata::parse_codelist)?;
        let d = Arc::new(d);
        self.shared.codelists.lock().unwrap_or_else(|e| e.into_inner()).insert(mkey, d.clone());
        Ok(d)
    }

    // ------------------------------------------------------------ queries

    /// Resolve a query against the metadata (refetching the metadata once if a code
    /// is missing from a cached copy: the table may have grown since).
    fn prepare(&self, q: &Query) -> Result<Prepared> {
        let (meta, fresh) = self.table_meta(&q.table, q.lang, false)?;
        match self.resolve(q, &meta) {
            Err(Error::MissingCodes { .. } | Error::UnknownDimension { .. }) if !fresh => {
                let (meta, _) = self.table_meta(&q.table, q.lang, true)?;
                self.resolve(q, &meta).map(|p| Prepared { fresh_meta: true, ..p })
            }
            r => r.map(|p| Prepared { fresh_meta: fresh, ..p }),
        }
    }

    fn resolve(&self, q: &Query, meta: &TableMeta) -> Result<Prepared> {
        for s in &q.selections {
            if meta.dimension(&s.dimension).is_none() {
                return Err(Error::UnknownDimension {
                    table: q.table.clone(),
                    dimension: s.dimension.clone(),
                    available: meta.dimensions.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", "),
                });
            }
        }
        let mut sent = q.clone();
        let mut dims = Vec::with_capacity(meta.dimensions.len());
        for (i, d) in meta.dimensions.iter().enumerate() {
            let time = d.role == Some(Role::Time);
            let Some(s) = q.selection(&d.id) else {
                let elim = meta.elimination.get(i).copied().unwrap_or(false);
                dims.push(DimPlan { id: d.id.clone(), selected: false, count: if elim { 1 } else { d.len() }, codes: None, time });
                continue;
            };
            let codes: Option<Vec<String>> = match (&s.codelist, &s.filter) {
                (None, f) => Some(f.resolve(&q.table, d)?.into_iter().map(|p| d.codes[p].clone()).collect()),
                (Some(_), Filter::Items(v)) => Some(v.clone()),
                (Some(cl), f) => match self.codelist_arc(cl, q.lang, false) {
                    Ok(cd) => {
                        let ctx = format!("{} (codelist {cl})", q.table);
                        Some(f.resolve(&ctx, &cd)?.into_iter().map(|p| cd.codes[p].clone()).collect())
                    }
                    // v2 resolves the expression itself, and v0 takes `*`.
                    Err(_) if self.api == Api::V2 || *f == Filter::All => None,
                    Err(e) => return Err(e),
                },
            };
            if self.api == Api::V0 {
                // v0 has no from/to/range, and its codelist filters take explicit codes.
                let explicit = match (&s.codelist, &s.filter) {
                    (None, Filter::From(_) | Filter::To(_) | Filter::Range(..) | Filter::Wildcard(_)) => true,
                    (Some(_), Filter::Items(_) | Filter::All) => false,
                    (Some(_), _) => true,
                    _ => false,
                };
                if let (true, Some(c)) = (explicit, &codes) {
                    if let Some(t) = sent.selections.iter_mut().find(|t| t.dimension == d.id) {
                        t.filter = Filter::Items(c.clone());
                    }
                }
            }
            let count = codes.as_ref().map_or(d.len(), Vec::len);
            dims.push(DimPlan { id: d.id.clone(), selected: true, count, codes, time });
        }
        Ok(Prepared { query: sent, dims, fresh_meta: false })
    }

    /// The HTTP request for one (part of a) query.
    fn data_request(&self, q: &Query) -> Result<Req> {
        Ok(match self.api {
            Api::V0 => Req {
                post: true,
                url: format!("{}/{}/table/{}", self.v0_base.trim_end_matches('/'), q.lang.code(), q.table),
                body: q.v0_body()?.to_string(),
            },
            Api::V2 => {
                let url = q.v2_url(&self.v2_base);
                if url.len() > MAX_GET_URL {
                    Req { post: true, url: q.v2_post_url(&self.v2_base), body: q.v2_body().to_string() }
                } else {
                    Req::get(url)
                }
            }
        })
    }

    /// Fetch one request's worth; `true` when it came from the cache.
    fn fetch_part(&self, part: &Query, prepared: &Prepared) -> Result<(Dataset, bool)> {
        let req = self.data_request(part)?;
        let (kind, base) = match self.api {
            Api::V0 => ("v0", self.v0_base.trim_end_matches('/')),
            Api::V2 => ("v2", self.v2_base.trim_end_matches('/')),
        };
        let key = CacheKey::new(kind, &part.table, part.lang.code(), &part.normalised(), base);
        match self.cached(&key, &req, false, Dataset::from_slice_named) {
            Ok((ds, fetched)) => Ok((ds, !fetched)),
            Err(Error::Api { status, url, message }) if matches!(status, 400 | 404) => {
                Err(self.diagnose(part, prepared, Error::Api { status, url, message }))
            }
            Err(e) => Err(e),
        }
    }

    /// After SSB refused a query: name the codes (or dimension) it does not know,
    /// checked against fresh metadata; else SSB's error as it is.
    fn diagnose(&self, q: &Query, prepared: &Prepared, err: Error) -> Error {
        let Error::Api { status, message, .. } = &err else { return err };
        let said = if message.is_empty() { String::new() } else { format!(". SSB answered HTTP {status}: {message}") };
        let meta = match self.table_meta(&q.table, q.lang, !prepared.fresh_meta) {
            Ok((m, _)) => m,
            Err(_) => return err,
        };
        for s in &q.selections {
            let Some(d) = meta.dimension(&s.dimension) else {
                return Error::UnknownDimension {
                    table: q.table.clone(),
                    dimension: s.dimension.clone(),
                    available: meta.dimensions.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", ") + &said,
                };
            };
            let (table, dim) = match &s.codelist {
                None => (q.table.clone(), Arc::new(d.clone())),
                Some(cl) => match self.codelist_arc(cl, q.lang, true) {
                    Ok(cd) => (format!("{} (codelist {cl})", q.table), cd),
                    Err(_) => continue,
                },
            };
            if let Err(Error::MissingCodes { table, dimension, codes, hint }) = s.filter.resolve(&table, &dim) {
                return Error::MissingCodes { table, dimension, codes, hint: hint + &said };
            }
        }
        err
    }

    // ------------------------------------------------------------ HTTP + cache

    /// A response through the cache: a fresh, intact entry is parsed and returned;
    /// otherwise the request is sent, the answer parsed, and only then cached.
    /// The flag is `true` when the answer came from the network.
    fn cached<T>(&self, key: &CacheKey, req: &Req, force: bool, parse: impl Fn(&[u8], &str) -> Result<T>) -> Result<(T, bool)> {
        let cache = self.cache();
        if let (Some(cache), false, false) = (&cache, force, self.refresh) {
            let path = cache.path(key);
            match cache.lookup(key) {
                Lookup::Hit { body, .. } => match parse(&body, &path.display().to_string()) {
                    Ok(v) => return Ok((v, false)),
                    Err(_) => cache.remove(key),
                },
                Lookup::Corrupt { reason } => {
                    // A warning, not progress: said whatever `progress` is, once (the
                    // entry is removed, and the refetched answer replaces it).
                    eprintln!("statbank: cache entry {} is damaged ({reason}); fetching it again", path.display());
                    cache.remove(key);
                }
                Lookup::Stale { .. } | Lookup::Missing => {}
            }
        }
        let body = self.execute(req)?;
        let value = parse(&body, &req.url)?;
        if let Some(cache) = &cache {
            if let Err(e) = cache.put(key, req.method(), &req.url, &req.body, &body) {
                eprintln!("statbank: could not cache the answer: {e}");
            }
        }
        Ok((value, true))
    }

    fn http(&self) -> Result<reqwest::blocking::Client> {
        let mut slot = self.shared.http.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let c = reqwest::blocking::Client::builder()
            .user_agent(concat!("statbank/", env!("CARGO_PKG_VERSION"), " (Rust)"))
            .connect_timeout(self.timeout.min(Duration::from_secs(30)))
            .timeout(self.timeout)
            .build()
            .map_err(|e| Error::Http {
                url: "(setting up the HTTP client)".into(),
                attempts: 0,
                message: e.to_string(),
                source: Some(e),
            })?;
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Send a request under the rate limit, retrying what is worth retrying.
    fn execute(&self, req: &Req) -> Result<Vec<u8>> {
        let http = self.http()?;
        let max = self.retry.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.shared.limiter.acquire();
            self.shared.requests.fetch_add(1, Ordering::Relaxed);
            let failure = match self.attempt(&http, req) {
                Ok(body) => return Ok(body),
                Err(f) => f,
            };
            let (retryable, retry_after, what) = match &failure {
                Failure::Status { status, retry_after, .. } => (retry::retryable_status(*status), *retry_after, format!("HTTP {status}")),
                Failure::Transport { message, retryable, .. } => (*retryable, None, message.clone()),
            };
            if !retryable || attempt >= max {
                return Err(match failure {
                    Failure::Status { status, message, .. } => Error::Api {
                        status,
                        url: req.url.clone(),
                        message: if message.is_empty() { status_text(status) } else { message },
                    },
                    Failure::Transport { message, source, .. } => {
                        Error::Http { url: req.url.clone(), attempts: attempt, message, source: Some(source) }
                    }
                });
            }
            let wait = self.retry.delay(attempt, retry_after);
            if self.progress {
                eprintln!(
                    "statbank: {what} from {}; retrying in {:.1} s (attempt {}/{max})",
                    req.url,
                    wait.as_secs_f64(),
                    attempt + 1
                );
            }
            std::thread::sleep(wait);
        }
    }

    fn attempt(&self, http: &reqwest::blocking::Client, req: &Req) -> std::result::Result<Vec<u8>, Failure> {
        use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
        let rb = if req.post {
            http.post(&req.url).header(CONTENT_TYPE, "application/json").body(req.body.clone())
        } else {
            http.get(&req.url)
        };
        let transport = |e: reqwest::Error| Failure::Transport {
            retryable: !e.is_builder(),
            message: retry::describe_transport(&e),
            source: e,
        };
        let resp = rb.header(ACCEPT, "application/json").send().map_err(transport)?;
        let status = resp.status().as_u16();
        let retry_after = resp.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(retry::parse_retry_after);
        // A body cut short (dropped connection, timeout) is an error here, never data.
        let body = resp.bytes().map_err(transport)?;
        if (200..300).contains(&status) {
            Ok(body.to_vec())
        } else {
            Err(Failure::Status { status, message: retry::ssb_message(&body), retry_after })
        }
    }
}

/// A query resolved against the metadata.
#[derive(Debug)]
struct Prepared {
    /// The query as sent (v0: expressions resolved to codes).
    query: Query,
    /// Every dimension of the table, for counting and splitting.
    dims: Vec<DimPlan>,
    /// Whether the metadata was fetched from SSB during this call.
    fresh_meta: bool,
}

fn status_text(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
        .to_string()
}

/// Percent-encode a URL query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl ClientBuilder {
    /// Which PxWebApi to use (default v2).
    pub fn api(mut self, api: Api) -> Self {
        self.inner.api = api;
        self
    }
    /// Base URL of PxWebApi v0 (default [`SSB_V0`]).
    pub fn v0_base(mut self, url: impl Into<String>) -> Self {
        self.inner.v0_base = url.into();
        self
    }
    /// Base URL of PxWebApi v2 (default [`SSB_V2`]).
    pub fn v2_base(mut self, url: impl Into<String>) -> Self {
        self.inner.v2_base = url.into();
        self
    }
    /// Base URL of KLASS (default [`SSB_KLASS`]).
    pub fn klass_base(mut self, url: impl Into<String>) -> Self {
        self.inner.klass_base = url.into();
        self
    }
    /// Cache directory (default `data/cache`); `None` disables the cache.
    pub fn cache_dir(mut self, dir: impl Into<Option<PathBuf>>) -> Self {
        self.inner.cache_dir = dir.into();
        self
    }
    /// How old a cached answer may be (default one day); `None` keeps answers forever.
    pub fn max_age(mut self, age: impl Into<Option<Duration>>) -> Self {
        self.inner.max_age = age.into();
        self
    }
    /// Ignore cached answers and fetch anew, overwriting them (default `false`).
    pub fn refresh(mut self, refresh: bool) -> Self {
        self.inner.refresh = refresh;
        self
    }
    /// Per-request timeout (default 60 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.inner.timeout = t;
        self
    }
    /// At most `requests` requests in any window of `per` (default 30 per minute, SSB's
    /// limit). Shared by all clones of the built client.
    pub fn rate_limit(mut self, requests: u32, per: Duration) -> Self {
        self.inner.rate = (requests.max(1), per);
        self
    }
    /// How failed requests are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.inner.retry = policy;
        self
    }
    /// Attempts per request in all (default 5); 1 disables retries.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.inner.retry.max_attempts = n.max(1);
        self
    }
    /// The most cells asked for in one request (default [`MAX_CELLS`]); larger queries
    /// are split.
    pub fn max_cells(mut self, cells: usize) -> Self {
        self.inner.max_cells = cells.max(1);
        self
    }
    /// Progress and retry notes on stderr (default `true`).
    pub fn progress(mut self, on: bool) -> Self {
        self.inner.progress = on;
        self
    }
    /// Build the client (no connection is made until the first request).
    pub fn build(self) -> Client {
        let mut c = self.inner;
        c.shared = Arc::new(Shared::new(c.rate));
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> TableMeta {
        let dim = |id: &str, codes: &[&str], role| Dimension {
            id: id.into(),
            label: id.into(),
            codes: codes.iter().map(|s| s.to_string()).collect(),
            labels: codes.iter().map(|s| s.to_string()).collect(),
            role,
        };
        TableMeta {
            table: "07459".into(),
            label: "t".into(),
            updated: None,
            dimensions: vec![
                dim("Region", &["0", "0301", "4601", "5001"], Some(Role::Geo)),
                dim("Kjonn", &["1", "2"], None),
                dim("ContentsCode", &["Personer1"], Some(Role::Metric)),
                dim("Tid", &["2024", "2025", "2026"], Some(Role::Time)),
            ],
            elimination: vec![true, true, false, false],
        }
    }

    #[test]
    fn v0_resolves_ranges_to_codes() {
        let c = Client::builder().api(Api::V0).cache_dir(None).build();
        let q = Query::new("07459").select_str("Region", "03*,46*").unwrap().select_str("Tid", "from(2025)").unwrap();
        let p = c.resolve(&q, &meta()).unwrap();
        assert_eq!(p.query.selection("Tid").unwrap().filter, Filter::items(["2025", "2026"]));
        assert_eq!(p.query.selection("Region").unwrap().filter, Filter::items(["0301", "4601"]));
        // Unselected: Kjonn eliminated (1), ContentsCode all (1 code).
        assert_eq!(chunk::cells(&p.dims), 4);
        // v2 keeps the expressions.
        let c2 = Client::builder().cache_dir(None).build();
        assert_eq!(c2.resolve(&q, &meta()).unwrap().query, q);
        let bad = Query::new("07459").select_str("Tid", "2024,1999").unwrap();
        let err = c.resolve(&bad, &meta()).unwrap_err().to_string();
        assert!(err.contains("1999"), "{err}");
        let err = c.resolve(&Query::new("07459").select_str("Alder", "*").unwrap(), &meta()).unwrap_err().to_string();
        assert!(err.contains("Alder") && err.contains("Region"), "{err}");
    }

    #[test]
    fn long_v2_urls_become_posts() {
        let c = Client::builder().cache_dir(None).v2_base("http://x/v2").build();
        let codes: Vec<String> = (0..600).map(|i| format!("{i:04}")).collect();
        let q = Query::new("07459").select("Region", Filter::Items(codes));
        let r = c.data_request(&q).unwrap();
        assert!(r.post && r.url == "http://x/v2/tables/07459/data?lang=no&outputFormat=json-stat2", "{}", r.url);
        let short = c.data_request(&Query::new("07459").select("Tid", Filter::Top(1))).unwrap();
        assert!(!short.post);
    }
}
