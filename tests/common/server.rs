//! A small HTTP/1.1 server for tests: it speaks SSB's PxWebApi v0 and v2 and KLASS,
//! answering from the offline snapshot, and injects faults on request.
//!
//! Data queries are answered by `Offline::dataset(&query)` serialised back to
//! JSON-stat2 ([`statbank::data::jsonstat::Dataset::to_jsonstat2`]), so an online fetch through this server must
//! equal the offline answer for the same query. KLASS answers come from the snapshot's
//! `klass/` files: the change list as it is, `codes?from=…&to=…` and `codesAt?date=…`
//! from `klass/131-versions.csv`.
//!
//! Table 04859 (urban settlements: residents and area per settlement, 1 January) is
//! not among the snapshot's `pxweb/` files: the server builds it at start from the
//! snapshot's settlement lists (`tettsteder/tettsteder-<year>.csv`, one row per whole
//! settlement) as JSON-stat2 in StatBank's layout (`Region` × `ContentsCode` ×
//! `Tid`), and answers its metadata and data like any other table.


use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use statbank::data::client::{Client, ClientBuilder, RetryPolicy};
use statbank::data::jsonstat::Role;
use statbank::data::offline::Offline;
use statbank::data::query::{Api, Filter, Lang, Output, Query, Selection};

use super::snapshot_dir;


/// A fault to inject instead of (or around) the normal answer.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and body (and `Retry-After: secs` when given).
    Status { status: u16, body: String, content_type: &'static str, retry_after: Option<u64> },
    /// Read the request, then close the connection without a word.
    Drop,
    /// Wait this long, then answer normally (beyond the client's timeout).
    Slow(Duration),
    /// Announce the full `Content-Length`, send half the body, close.
    Truncate,
    /// Send half the body without a `Content-Length`, close (a read-to-close body).
    TruncateNoLength,
    /// 200 OK with a complete HTTP body that is not valid JSON.
    Malformed,
}

impl Fault {
    /// 429 Too Many Requests with `Retry-After`.
    pub fn too_many(retry_after: u64) -> Fault {
        Fault::Status {
            status: 429,
            body: "Too many requests".into(),
            content_type: "text/plain",
            retry_after: Some(retry_after),
        }
    }
    /// A status with a plain-text body.
    pub fn status(status: u16, body: &str) -> Fault {
        Fault::Status { status, body: body.into(), content_type: "text/plain; charset=utf-8", retry_after: None }
    }
    /// A status with a JSON body.
    pub fn json(status: u16, body: Value) -> Fault {
        Fault::Status { status, body: body.to_string(), content_type: "application/json", retry_after: None }
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub body: String,
    pub at: Instant,
    /// The fault applied, if any.
    pub fault: Option<String>,
}

struct State {
    snapshot: PathBuf,
    offline: Offline,
    /// Table 04859, built from the settlement lists (see the module docs).
    settlements: Offline,
    settlements_dir: PathBuf,
    faults: Mutex<Vec<(String, String, VecDeque<Fault>)>>,
    log: Mutex<Vec<Logged>>,
}

/// A running test server; stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
}

impl TestServer {
    /// Start on 127.0.0.1 on a free port, serving the snapshot.
    pub fn start() -> TestServer {
        let snapshot = snapshot_dir();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().unwrap();
        let settlements_dir = std::env::temp_dir().join(format!("statbank-test-server-{}-{}", std::process::id(), addr.port()));
        write_settlement_table(&snapshot, &settlements_dir);
        let state = Arc::new(State {
            offline: Offline::new(&snapshot).expect("snapshot directory"),
            settlements: Offline::new(&settlements_dir).expect("settlement table directory"),
            settlements_dir,
            snapshot,
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                std::thread::spawn(move || {
                    let _ = handle(&st, conn);
                });
            }
        });
        TestServer { addr, state, stop }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// A client on this server (see [`client_builder`]).
    pub fn client(&self, api: Api) -> ClientBuilder {
        client_builder(&self.url(), api)
    }
    pub fn v0_base(&self) -> String {
        format!("{}/api/v0", self.url())
    }
    pub fn v2_base(&self) -> String {
        format!("{}/api/pxwebapi/v2", self.url())
    }
    pub fn klass_base(&self) -> String {
        format!("{}/api/klass/v1", self.url())
    }

    /// Queue a fault for the next request with this method (`""`: any) whose path
    /// and query contain `target`. Faults for one (method, target) apply in order.
    pub fn fault(&self, method: &str, target: &str, fault: Fault) {
        let mut f = self.state.faults.lock().unwrap();
        match f.iter_mut().find(|(m, t, _)| m == method && t == target) {
            Some((_, _, q)) => q.push_back(fault),
            None => f.push((method.to_string(), target.to_string(), VecDeque::from([fault]))),
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    /// Requests whose method is `method` (or any, for `""`) and whose target contains `target`.
    pub fn count(&self, method: &str, target: &str) -> usize {
        self.requests().iter().filter(|r| (method.is_empty() || r.method == method) && r.target.contains(target)).count()
    }

    /// Forget the request log.
    pub fn clear_log(&self) {
        self.state.log.lock().unwrap().clear();
    }
}

/// A client on the test server at `url` ([`TestServer::url`], also from a child
/// process): fast retries, generous rate, no cache, no progress noise.
pub fn client_builder(url: &str, api: Api) -> ClientBuilder {
    Client::builder()
        .api(api)
        .v0_base(format!("{url}/api/v0"))
        .v2_base(format!("{url}/api/pxwebapi/v2"))
        .klass_base(format!("{url}/api/klass/v1"))
        .cache_dir(None)
        .timeout(Duration::from_secs(10))
        .rate_limit(1000, Duration::from_secs(1))
        .retry(RetryPolicy { max_attempts: 4, base_delay: Duration::from_millis(20), max_delay: Duration::from_millis(200) })
        .progress(false)
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        let _ = std::fs::remove_dir_all(&self.state.settlements_dir);
    }
}

impl State {
    /// The snapshot that holds `table`.
    fn offline_for(&self, table: &str) -> &Offline {
        if table == SETTLEMENT_TABLE { &self.settlements } else { &self.offline }
    }
}

const SETTLEMENT_TABLE: &str = "04859";

/// Write `<dir>/pxweb/04859.json`: residents and area of every whole settlement
/// (rows of the lists that are not `split_part`) for each year the snapshot lists,
/// `null` with status `..` where a settlement is not on a year's list.
fn write_settlement_table(snapshot: &std::path::Path, dir: &std::path::Path) {
    use std::collections::BTreeMap;
    let mut years: Vec<String> = std::fs::read_dir(snapshot.join("tettsteder"))
        .expect("the snapshot's tettsteder/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            Some(name.strip_prefix("tettsteder-")?.strip_suffix(".csv")?.to_string())
        })
        .collect();
    years.sort();
    // code -> (name, per year (residents, area))
    let mut rows: BTreeMap<String, (String, BTreeMap<String, (f64, f64)>)> = BTreeMap::new();
    for y in &years {
        let text = std::fs::read_to_string(snapshot.join(format!("tettsteder/tettsteder-{y}.csv"))).unwrap();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 8, "tettsteder-{y}.csv: {line}");
            if f[4] == "split_part" {
                continue;
            }
            let e = rows.entry(f[0].to_string()).or_insert_with(|| (f[1].to_string(), BTreeMap::new()));
            e.0 = f[1].to_string(); // the latest year's name
            e.1.insert(y.clone(), (f[5].parse().unwrap(), f[6].parse().unwrap()));
        }
    }
    let (mut values, mut status) = (Vec::new(), serde_json::Map::new());
    for (_, per_year) in rows.values() {
        for measure in 0..2 {
            for y in &years {
                match per_year.get(y) {
                    Some(&(residents, area)) => values.push(json!(if measure == 0 { residents } else { area })),
                    None => {
                        status.insert(values.len().to_string(), json!(".."));
                        values.push(Value::Null);
                    }
                }
            }
        }
    }
    let index = |codes: Vec<&String>| codes.iter().enumerate().map(|(i, c)| ((*c).clone(), json!(i))).collect::<serde_json::Map<_, _>>();
    let region_labels: serde_json::Map<String, Value> = rows.iter().map(|(c, (n, _))| (c.clone(), json!(n))).collect();
    let doc = json!({
        "version": "2.0", "class": "dataset",
        "label": "04859: Areal og befolkning i tettsteder, etter region, statistikkvariabel og år",
        "source": "Statistisk sentralbyrå",
        "id": ["Region", "ContentsCode", "Tid"],
        "size": [rows.len(), 2, years.len()],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "dimension": {
            "Region": {"label": "region", "category": {"index": index(rows.keys().collect()), "label": region_labels}},
            "ContentsCode": {"label": "statistikkvariabel", "category": {
                "index": {"Bosatte": 0, "Areal": 1},
                "label": {"Bosatte": "Bosatte", "Areal": "Areal (km²)"},
                "unit": {"Bosatte": {"base": "personer", "decimals": 0}, "Areal": {"base": "km²", "decimals": 2}}}},
            "Tid": {"label": "år", "category": {"index": index(years.iter().collect()), "label": years.iter().map(|y| (y.clone(), json!(y))).collect::<serde_json::Map<_, _>>()}},
        },
        "value": values,
        "status": status,
    });
    std::fs::create_dir_all(dir.join("pxweb")).unwrap();
    std::fs::write(dir.join("pxweb").join(format!("{SETTLEMENT_TABLE}.json")), doc.to_string()).unwrap();
}

// ---------------------------------------------------------------- HTTP

struct Request {
    method: String,
    target: String,
    body: Vec<u8>,
}

fn read_request(conn: &TcpStream) -> std::io::Result<Request> {
    let mut r = BufReader::new(conn);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    Ok(Request { method, target, body })
}

struct Response {
    status: u16,
    content_type: String,
    body: Vec<u8>,
    retry_after: Option<u64>,
}

impl Response {
    fn json(status: u16, v: &Value) -> Response {
        Response { status, content_type: "application/json; charset=utf-8".into(), body: v.to_string().into_bytes(), retry_after: None }
    }
    fn bytes(body: Vec<u8>) -> Response {
        Response { status: 200, content_type: "application/json; charset=utf-8".into(), body, retry_after: None }
    }
    fn text(status: u16, body: &str) -> Response {
        Response { status, content_type: "text/plain; charset=utf-8".into(), body: body.as_bytes().to_vec(), retry_after: None }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn write_head(conn: &mut TcpStream, r: &Response, length: Option<usize>) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nConnection: close\r\n", r.status, reason(r.status), r.content_type);
    if let Some(n) = length {
        head.push_str(&format!("Content-Length: {n}\r\n"));
    }
    if let Some(s) = r.retry_after {
        head.push_str(&format!("Retry-After: {s}\r\n"));
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes())
}

fn handle(st: &State, mut conn: TcpStream) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let req = read_request(&conn)?;
    let fault = {
        let mut faults = st.faults.lock().unwrap();
        faults
            .iter_mut()
            .find(|(m, t, q)| (m.is_empty() || *m == req.method) && req.target.contains(t.as_str()) && !q.is_empty())
            .and_then(|(_, _, q)| q.pop_front())
    };
    st.log.lock().unwrap().push(Logged {
        method: req.method.clone(),
        target: req.target.clone(),
        body: String::from_utf8_lossy(&req.body).into_owned(),
        at: Instant::now(),
        fault: fault.as_ref().map(|f| format!("{f:?}").chars().take(40).collect()),
    });
    let resp = match &fault {
        Some(Fault::Status { status, body, content_type, retry_after }) => Response {
            status: *status,
            content_type: content_type.to_string(),
            body: body.clone().into_bytes(),
            retry_after: *retry_after,
        },
        Some(Fault::Drop) => {
            let _ = conn.shutdown(std::net::Shutdown::Both);
            return Ok(());
        }
        Some(Fault::Slow(d)) => {
            std::thread::sleep(*d);
            route(st, &req)
        }
        Some(Fault::Malformed) => Response::bytes(br#"{"version":"2.0","class":"dataset","id":["Region"],"size":[1],"dimension":{"Region":"#.to_vec()),
        _ => route(st, &req),
    };
    match fault {
        Some(Fault::Truncate) => {
            write_head(&mut conn, &resp, Some(resp.body.len()))?;
            conn.write_all(&resp.body[..resp.body.len() / 2])?;
        }
        Some(Fault::TruncateNoLength) => {
            write_head(&mut conn, &resp, None)?;
            conn.write_all(&resp.body[..resp.body.len() / 2])?;
        }
        _ => {
            write_head(&mut conn, &resp, Some(resp.body.len()))?;
            conn.write_all(&resp.body)?;
        }
    }
    conn.flush()?;
    let _ = conn.shutdown(std::net::Shutdown::Both);
    Ok(())
}

// ---------------------------------------------------------------- routing

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(x) => {
                        out.push(x);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_params(target: &str) -> Vec<(String, String)> {
    let q = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn lang_of(s: &str) -> Lang {
    s.parse().unwrap_or_default()
}

fn route(st: &State, req: &Request) -> Response {
    let path = req.target.split('?').next().unwrap_or("").to_string();
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    let params = query_params(&req.target);
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match (req.method.as_str(), seg.as_slice()) {
        ("GET", ["api", "v0", lang, "table", id]) => v0_meta(st, id, lang_of(lang)),
        ("POST", ["api", "v0", lang, "table", id]) => v0_data(st, id, lang_of(lang), &req.body),
        ("GET", ["api", "pxwebapi", "v2", "tables"]) => search(st, &param("query").unwrap_or_default()),
        ("GET", ["api", "pxwebapi", "v2", "tables", id, "metadata"]) => v2_meta(st, id),
        ("GET", ["api", "pxwebapi", "v2", "tables", id, "data"]) => {
            let lang = lang_of(&param("lang").unwrap_or_default());
            v2_answer(st, v2_query_from_params(id, lang, &params))
        }
        ("POST", ["api", "pxwebapi", "v2", "tables", id, "data"]) => {
            let lang = lang_of(&param("lang").unwrap_or_default());
            v2_answer(st, v2_query_from_body(id, lang, &req.body))
        }
        ("GET", ["api", "pxwebapi", "v2", "codelists", id]) => codelist(st, id),
        ("GET", ["api", "klass", "v1", "classifications", "131", "changes"]) => {
            Response::bytes(std::fs::read(st.snapshot.join("klass/131-changes.json")).unwrap())
        }
        ("GET", ["api", "klass", "v1", "classifications", "131", "codes"]) => {
            klass_codes(st, param("from").as_deref(), param("to").as_deref())
        }
        ("GET", ["api", "klass", "v1", "classifications", "131", "codesAt"]) => klass_codes_at(st, param("date").as_deref()),
        _ => Response::json(404, &json!({"type":"about:blank","title":"Not Found","status":404,"detail":format!("no route {path}")})),
    }
}

/// KLASS `codes?from=…&to=…`: every version of a code that overlaps the range, in the
/// order of `klass/131-versions.csv`, with its validity and its validity clipped to the
/// range (`validToInRequestedRange` is `to` for a version still valid), as KLASS answers.
fn klass_codes(st: &State, from: Option<&str>, to: Option<&str>) -> Response {
    let (Some(from), Some(to)) = (from, to) else {
        return problem(400, "Bad Request", "codes needs from=YYYY-MM-DD and to=YYYY-MM-DD");
    };
    let versions = snapshot_versions(st);
    let codes: Vec<Value> = versions
        .iter()
        .filter(|v| v.valid_from.as_str() < to && v.valid_to.as_deref().map_or(true, |t| t > from))
        .map(|v| {
            let start = v.valid_from.as_str().max(from);
            let end = v.valid_to.as_deref().map_or(to, |t| t.min(to));
            json!({
                "code": v.code, "parentCode": null, "level": "1", "name": v.name, "shortName": "",
                "presentationName": "", "validFrom": v.valid_from, "validTo": v.valid_to,
                "validFromInRequestedRange": start, "validToInRequestedRange": end,
            })
        })
        .collect();
    Response::json(200, &json!({ "codes": codes }))
}

/// The municipality versions of the served snapshot (`klass/131-versions.csv`).
fn snapshot_versions(st: &State) -> Vec<statbank::data::klass::CodeVersion> {
    let csv = std::fs::read(st.snapshot.join("klass/131-versions.csv")).unwrap();
    statbank::data::klass::parse_versions_csv(&csv, "klass/131-versions.csv").unwrap()
}

/// KLASS `codesAt?date=…`: the codes valid on that date, as KLASS answers (with
/// `parentCode`, here null, and the levels' fields).
fn klass_codes_at(st: &State, date: Option<&str>) -> Response {
    let Some(date) = date else {
        return problem(400, "Bad Request", "codesAt needs date=YYYY-MM-DD");
    };
    let versions = snapshot_versions(st);
    let codes: Vec<Value> = versions
        .iter()
        .filter(|v| v.valid_at(date))
        .map(|v| json!({"code": v.code, "parentCode": null, "level": "1", "name": v.name, "shortName": "", "presentationName": "", "validFrom": v.valid_from, "validTo": v.valid_to}))
        .collect();
    Response::json(200, &json!({ "codes": codes }))
}

fn v0_meta(st: &State, id: &str, _lang: Lang) -> Response {
    let meta = match st.offline_for(id).metadata(id) {
        Ok(m) => m,
        Err(_) => return Response::text(404, "The requested table does not exist"),
    };
    let vars: Vec<Value> = meta
        .dimensions
        .iter()
        .map(|d| {
            let time = d.role == Some(Role::Time);
            json!({
                "code": d.id, "text": d.label, "values": d.codes, "valueTexts": d.labels,
                "elimination": !(time || d.role == Some(Role::Metric)), "time": time,
            })
        })
        .collect();
    Response::json(200, &json!({"title": meta.label, "variables": vars}))
}

fn v2_meta(st: &State, id: &str) -> Response {
    if id == "TAB6471" {
        return Response::bytes(super::fixture("pxwebpy-HEAD-v2-scb/TAB6471_metadata.json"));
    }
    let full = match st.offline_for(id).table(id, None) {
        Ok(t) => t,
        Err(e) => return problem(404, "Not Found", &e.to_string()),
    };
    let mut doc = full.to_jsonstat2();
    for d in &full.dimensions {
        let elim = !(d.role == Some(Role::Time) || d.role == Some(Role::Metric));
        doc["dimension"][&d.id]["extension"] = json!({"elimination": elim, "show": "value", "codelists": []});
    }
    doc["value"] = json!([]);
    doc.as_object_mut().unwrap().remove("status");
    Response::json(200, &doc)
}

fn codelist(st: &State, id: &str) -> Response {
    match st.offline.table("07459", Some(id)) {
        Ok(t) => {
            let d = &t.dimensions[0];
            let values: Vec<Value> = d.codes.iter().zip(&d.labels).map(|(c, l)| json!({"code": c, "label": l, "valueMap": []})).collect();
            Response::json(200, &json!({"id": id, "label": id, "language": "no", "type": "Aggregation", "values": values}))
        }
        Err(_) => problem(404, "Not Found", &format!("codelist {id} not found")),
    }
}

fn search(st: &State, q: &str) -> Response {
    let words: Vec<String> = q.to_lowercase().split_whitespace().map(str::to_string).collect();
    let mut tables = Vec::new();
    for id in ["07459", "09817"] {
        let t = st.offline.table(id, None).unwrap();
        let label = t.label.clone().unwrap_or_default();
        let hay = label.to_lowercase();
        if words.is_empty() || words.iter().all(|w| hay.contains(w.as_str()) || w == id) {
            let time = t.dimensions.iter().find(|d| d.role == Some(Role::Time)).unwrap();
            tables.push(json!({
                "type": "Table", "id": id, "label": label, "description": "",
                "updated": t.updated, "firstPeriod": time.codes.first(), "lastPeriod": time.codes.last(),
                "category": "public", "discontinued": false,
                "variableNames": t.dimensions.iter().map(|d| d.label.clone()).collect::<Vec<_>>(),
            }));
        }
    }
    let n = tables.len();
    Response::json(200, &json!({"language": "no", "tables": tables, "page": {"pageNumber": 1, "pageSize": 100, "totalElements": n, "totalPages": 1}}))
}

fn problem(status: u16, title: &str, detail: &str) -> Response {
    Response::json(status, &json!({"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": title, "status": status, "detail": detail}))
}

/// A v2 filter from `valueCodes` as sent (`0301,4601`, `top(3)`, `[range(a,b)]`, `*`).
fn v2_filter(codes: &[String]) -> Filter {
    if codes.len() == 1 {
        codes[0].parse().unwrap_or(Filter::Items(codes.to_vec()))
    } else if codes.iter().any(|c| c.contains('*') || c.contains('?')) {
        Filter::Wildcard(codes.to_vec())
    } else {
        Filter::Items(codes.to_vec())
    }
}

fn v2_query_from_params(id: &str, lang: Lang, params: &[(String, String)]) -> Query {
    let mut q = Query::new(id).lang(lang);
    let dim_of = |k: &str, prefix: &str| k.strip_prefix(prefix).and_then(|r| r.strip_suffix(']')).map(str::to_string);
    for (k, v) in params {
        if let Some(dim) = dim_of(k, "valueCodes[") {
            let filter: Filter = v.parse().unwrap_or_else(|_| Filter::Items(v.split(',').map(str::to_string).collect()));
            q.selections.push(Selection { dimension: dim, filter, codelist: None, output: Output::Aggregated });
        }
    }
    for (k, v) in params {
        if let Some(dim) = dim_of(k, "codelist[") {
            if let Some(s) = q.selections.iter_mut().find(|s| s.dimension == dim) {
                s.codelist = Some(v.clone());
            }
        }
        if let Some(dim) = dim_of(k, "outputValues[") {
            if let Some(s) = q.selections.iter_mut().find(|s| s.dimension == dim) {
                s.output = if v == "single" { Output::Single } else { Output::Aggregated };
            }
        }
    }
    q
}

fn v2_query_from_body(id: &str, lang: Lang, body: &[u8]) -> Query {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mut q = Query::new(id).lang(lang);
    for s in v["selection"].as_array().cloned().unwrap_or_default() {
        let codes: Vec<String> = s["valueCodes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
        q.selections.push(Selection {
            dimension: s["variableCode"].as_str().unwrap().to_string(),
            filter: v2_filter(&codes),
            codelist: s["codelist"].as_str().map(str::to_string),
            output: if s["outputValues"] == "single" { Output::Single } else { Output::Aggregated },
        });
    }
    q
}

fn v2_answer(st: &State, q: Query) -> Response {
    match st.offline_for(&q.table).dataset(&q) {
        Ok(ds) => Response::json(200, &ds.to_jsonstat2()),
        Err(e) => problem(400, "Bad Request", &e.to_string()),
    }
}

fn v0_data(st: &State, id: &str, lang: Lang, body: &[u8]) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Response::text(400, "Bad Request");
    };
    // The real answer captured from SSB for this exact query is served verbatim.
    let fixture_dir = super::shared_snapshot().join("fixtures/purplebugs-07459-2022");
    let fixture_query: Value = serde_json::from_slice(&std::fs::read(fixture_dir.join("query-body.json")).unwrap()).unwrap();
    let region = v["query"].as_array().and_then(|a| a.iter().find(|s| s["code"] == "Region")).cloned();
    if id == "07459" && region.is_some() && region.as_ref() == fixture_query["queryObj"]["query"].get(0) {
        let tid = v["query"].as_array().unwrap().iter().find(|s| s["code"] == "Tid").cloned();
        if tid.is_some_and(|t| t["selection"]["values"] == json!(["2022"])) {
            return Response::bytes(std::fs::read(fixture_dir.join("download-07459_20220914-092711.json")).unwrap());
        }
    }
    let mut q = Query::new(id).lang(lang);
    for s in v["query"].as_array().cloned().unwrap_or_default() {
        let filter = s["selection"]["filter"].as_str().unwrap_or_default().to_string();
        let values: Vec<String> =
            s["selection"]["values"].as_array().cloned().unwrap_or_default().iter().filter_map(|x| x.as_str().map(str::to_string)).collect();
        let all_or_items = |values: &[String]| {
            if values.is_empty() || values == ["*"] {
                Filter::All
            } else {
                Filter::Items(values.to_vec())
            }
        };
        let (filter, codelist, output) = if let Some(x) = filter.strip_prefix("agg:") {
            (all_or_items(&values), Some(format!("agg_{x}")), Output::Aggregated)
        } else if let Some(x) = filter.strip_prefix("agg_single:") {
            (all_or_items(&values), Some(format!("agg_{x}")), Output::Single)
        } else if let Some(x) = filter.strip_prefix("vs:") {
            (all_or_items(&values), Some(format!("vs_{x}")), Output::Aggregated)
        } else {
            let f = match filter.as_str() {
                "item" => Filter::Items(values),
                "all" if values == ["*"] => Filter::All,
                "all" => Filter::Wildcard(values),
                "top" => Filter::Top(values.first().and_then(|n| n.parse().ok()).unwrap_or(1)),
                other => return Response::text(400, &format!("Unknown filter {other}")),
            };
            (f, None, Output::Aggregated)
        };
        q.selections.push(Selection { dimension: s["code"].as_str().unwrap_or_default().to_string(), filter, codelist, output });
    }
    match st.offline_for(&q.table).dataset(&q) {
        Ok(ds) => Response::json(200, &ds.to_jsonstat2()),
        // SSB's v0 says little about what was wrong.
        Err(_) => Response::json(400, &json!({"error": "Parameter error"})),
    }
}
