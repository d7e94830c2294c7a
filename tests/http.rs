//! The live HTTP layer against a real HTTP/1.1 server on 127.0.0.1 that speaks SSB's
//! PxWebApi v0 and v2 and KLASS from the offline snapshot, with injected faults.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use common::server::{Fault, TestServer};
use common::{fixture, shared_snapshot, snapshot_dir};
use statbank::error::Error;
use statbank::data::jsonstat::Dataset;
use statbank::data::offline::Offline;
use statbank::data::query::{Api, Filter, Lang, Query};
use statbank::data::source::Source;

// ---------------------------------------------------------------- helpers

fn cache_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("http-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn offline() -> Offline {
    Offline::new(snapshot_dir()).unwrap()
}

fn q_two_cities() -> Query {
    Query::new("07459").select("Region", Filter::items(["0301", "4601"])).select("Tid", Filter::Top(3))
}

fn data_path(api: Api) -> &'static str {
    match api {
        Api::V0 => "/api/v0/no/table/07459",
        Api::V2 => "/tables/07459/data",
    }
}

/// Queue a fault on the data requests of 07459 (v0: POST only; the GET is metadata).
fn data_fault(srv: &TestServer, api: Api, fault: Fault) {
    let method = if api == Api::V0 { "POST" } else { "" };
    srv.fault(method, data_path(api), fault);
}

/// Data requests the server saw for 07459.
fn data_requests(srv: &TestServer, api: Api) -> usize {
    match api {
        Api::V0 => srv.count("POST", "/api/v0/no/table/07459"),
        Api::V2 => srv.count("", "/tables/07459/data"),
    }
}

fn meta_requests(srv: &TestServer, api: Api) -> usize {
    match api {
        Api::V0 => srv.count("GET", "/api/v0/no/table/07459"),
        Api::V2 => srv.count("GET", "/tables/07459/metadata"),
    }
}

/// Cache files that hold data answers (not metadata).
fn data_cache_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let n = p.file_name().unwrap().to_string_lossy().to_string();
                    n.starts_with("v0_") || n.starts_with("v2_") || n.starts_with('.')
                })
                .collect()
        })
        .unwrap_or_default()
}

fn value(ds: &Dataset, region: &str, year: &str) -> Option<f64> {
    ds.get(&[region, "Personer1", year])
}

// ---------------------------------------------------------------- online == offline

#[test]
fn online_frames_equal_offline_frames_v0_and_v2() {
    let srv = TestServer::start();
    let q = q_two_cities();
    let off = offline().dataset(&q).unwrap();
    let off_df = off.to_frame().unwrap();
    for api in [Api::V0, Api::V2] {
        srv.clear_log();
        let client = srv.client(api).build();
        let ds = client.dataset(&q).unwrap();
        assert_eq!(ds, off, "{api}: dataset");
        let df = client.fetch(&q).unwrap();
        assert!(df.equals_missing(&off_df), "{api}:\n{df}\n{off_df}");
        assert_eq!(df.height(), 6);
        // One metadata request (kept in memory), one data request per fetch.
        assert_eq!(meta_requests(&srv, api), 1, "{api}: {:?}", srv.requests());
        assert_eq!(data_requests(&srv, api), 2, "{api}");
        // Through `Source` too.
        let online = Source::Online(client.clone()).fetch(&q).unwrap();
        let offline = Source::offline(snapshot_dir()).unwrap().fetch(&q).unwrap();
        assert!(online.equals_missing(&offline));
    }
}

#[test]
fn real_values_through_v0_range_resolution_and_v2() {
    let srv = TestServer::start();
    let q = Query::new("07459")
        .select("Region", Filter::items(["0", "0301"]))
        .select("Tid", Filter::Range("2010".into(), "2026".into()));
    for api in [Api::V0, Api::V2] {
        srv.clear_log();
        let ds = srv.client(api).build().dataset(&q).unwrap();
        assert_eq!(value(&ds, "0301", "2010"), Some(586_860.0), "{api}");
        assert_eq!(value(&ds, "0301", "2026"), Some(728_714.0), "{api}");
        assert_eq!(value(&ds, "0", "2026"), Some(5_627_400.0), "{api}");
        assert_eq!(ds.dimension("Tid").unwrap().len(), 17);
        let body = &srv.requests().into_iter().find(|r| r.target.contains(data_path(api))
            && (api == Api::V2 || r.method == "POST")).unwrap();
        if api == Api::V0 {
            // v0 has no range filter: the client sent the 17 codes.
            let b: Value = serde_json::from_str(&body.body).unwrap();
            let tid = b["query"].as_array().unwrap().iter().find(|s| s["code"] == "Tid").unwrap().clone();
            assert_eq!(tid["selection"]["filter"], "item");
            assert_eq!(tid["selection"]["values"].as_array().unwrap().len(), 17);
        } else {
            assert!(body.target.contains("valueCodes[Tid]=[range(2010,2026)]"), "{}", body.target);
        }
    }
}

#[test]
fn purplebugs_fixture_served_verbatim_equals_snapshot_agg() {
    let srv = TestServer::start();
    let dir = shared_snapshot().join("fixtures/purplebugs-07459-2022");
    let body: Value = serde_json::from_slice(&std::fs::read(dir.join("query-body.json")).unwrap()).unwrap();
    let codes: Vec<String> = body["queryObj"]["query"][0]["selection"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 359);
    let q = Query::new("07459")
        .select("Region", Filter::Items(codes.clone()))
        .codelist("Region", "agg_KommSummer", Default::default())
        .select_str("Tid", "2022")
        .unwrap();
    let ds = srv.client(Api::V0).build().dataset(&q).unwrap();
    // The verbatim fixture, not a re-encoding.
    assert_eq!(ds.source.as_deref(), Some("Statistisk sentralbyrå"));
    assert_eq!(ds.updated.as_deref(), Some("2022-02-24T07:00:00Z"));
    let total: f64 = ds.values.iter().map(|v| v.unwrap_or(0.0)).sum();
    assert_eq!(total, 5_425_270.0);
    // The fixture's K- codes are 2020–2023 municipalities: every one of the 356 values
    // equals the snapshot's plain table for that code, and those still in SSB's 2024
    // harmonised series (the snapshot's agg:KommSummer) equal it too.
    let munis: Vec<&String> = codes.iter().filter(|c| !["K-21-22", "K-23", "K-Rest"].contains(&c.as_str())).collect();
    assert_eq!(munis.len(), 356);
    let plain_q = Query::new("07459")
        .select("Region", Filter::Items(munis.iter().map(|c| c[2..].to_string()).collect()))
        .select_str("Tid", "2022")
        .unwrap();
    let plain = offline().dataset(&plain_q).unwrap();
    let agg = offline().table("07459", Some("agg_KommSummer")).unwrap();
    let mut in_agg = 0;
    for c in munis {
        let online = value(&ds, c, "2022");
        assert!(online.is_some(), "{c}");
        assert_eq!(online, value(&plain, &c[2..], "2022"), "{c}");
        if agg.dimension("Region").unwrap().position(c).is_some() {
            assert_eq!(online, value(&agg, c, "2022"), "{c} (agg)");
            in_agg += 1;
        }
    }
    assert_eq!(in_agg, 242);
}

// ---------------------------------------------------------------- retries

#[test]
fn retry_after_429_is_honoured() {
    let srv = TestServer::start();
    for api in [Api::V0, Api::V2] {
        srv.clear_log();
        data_fault(&srv, api, Fault::too_many(1));
        let ds = srv.client(api).build().dataset(&q_two_cities()).unwrap();
        assert_eq!(ds, offline().dataset(&q_two_cities()).unwrap());
        let data: Vec<_> = srv
            .requests()
            .into_iter()
            .filter(|r| r.target.contains(data_path(api)) && (api == Api::V2 || r.method == "POST"))
            .collect();
        assert_eq!(data.len(), 2, "{api}: {data:?}");
        let gap = data[1].at.duration_since(data[0].at);
        assert!(gap >= Duration::from_secs(1), "{api}: retried after {gap:?}, Retry-After said 1 s");
    }
}

#[test]
fn busy_503_and_dropped_connections_are_retried() {
    let srv = TestServer::start();
    let api = Api::V2;
    data_fault(&srv, api, Fault::status(503, "Service Unavailable"));
    data_fault(&srv, api, Fault::Drop);
    data_fault(&srv, api, Fault::status(503, "busy"));
    let ds = srv.client(api).build().dataset(&q_two_cities()).unwrap();
    assert_eq!(value(&ds, "0301", "2026"), Some(728_714.0));
    assert_eq!(data_requests(&srv, api), 4);
    // Out of attempts: a clear error naming the attempts.
    srv.clear_log();
    for _ in 0..3 {
        data_fault(&srv, api, Fault::Drop);
    }
    let err = srv.client(api).max_attempts(3).build().dataset(&q_two_cities()).unwrap_err();
    assert!(matches!(err, Error::Http { attempts: 3, .. }), "{err:?}");
    assert_eq!(data_requests(&srv, api), 3);
}

#[test]
fn slow_answers_time_out_and_are_retried() {
    let srv = TestServer::start();
    let api = Api::V0;
    // Metadata first (so the timeout hits the data request).
    let client = srv.client(api).timeout(Duration::from_millis(400)).build();
    client.metadata("07459", Lang::No).unwrap();
    data_fault(&srv, api, Fault::Slow(Duration::from_millis(1500)));
    let ds = client.dataset(&q_two_cities()).unwrap();
    assert!(value(&ds, "4601", "2026").is_some());
    assert_eq!(data_requests(&srv, api), 2);
    // With no retries the timeout is the error.
    data_fault(&srv, api, Fault::Slow(Duration::from_millis(1500)));
    let err = srv.client(api).timeout(Duration::from_millis(400)).max_attempts(1).build().dataset(&q_two_cities()).unwrap_err();
    assert!(matches!(err, Error::Http { .. }) && err.to_string().contains("timed out"), "{err}");
}

#[test]
fn server_error_500_is_not_retried_and_says_what_ssb_said() {
    let srv = TestServer::start();
    data_fault(&srv, Api::V2, Fault::status(500, "Internal error: database offline (ref 42)"));
    let err = srv.client(Api::V2).build().dataset(&q_two_cities()).unwrap_err();
    match &err {
        Error::Api { status: 500, message, url } => {
            assert!(message.contains("database offline (ref 42)"), "{message}");
            assert!(url.contains("/tables/07459/data"), "{url}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(data_requests(&srv, Api::V2), 1);
}

// ---------------------------------------------------------------- SSB's 400s

#[test]
fn ssb_400_messages_reach_the_user() {
    let srv = TestServer::start();
    // v0: JSON `{"error": ...}`.
    data_fault(&srv, Api::V0, Fault::json(400, json!({"error": "Parameter error: Tid has no value 2099"})));
    let err = srv.client(Api::V0).build().dataset(&q_two_cities()).unwrap_err();
    assert!(err.to_string().contains("Parameter error: Tid has no value 2099"), "{err}");
    assert!(matches!(err, Error::Api { status: 400, .. }), "{err:?}");
    // v0: plain text.
    data_fault(&srv, Api::V0, Fault::status(400, "Syntax error in query near 'Region'"));
    let err = srv.client(Api::V0).build().dataset(&q_two_cities()).unwrap_err();
    assert!(err.to_string().contains("Syntax error in query near 'Region'"), "{err}");
    // v2: problem JSON.
    data_fault(&srv, Api::V2,
        Fault::json(400, json!({"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "Too many cells selected: 1200000 > 800000"})),
    );
    let err = srv.client(Api::V2).build().dataset(&q_two_cities()).unwrap_err();
    assert!(err.to_string().contains("Too many cells selected: 1200000 > 800000"), "{err}");
}

#[test]
fn a_bad_code_is_named() {
    let srv = TestServer::start();
    // A plain code: caught against the metadata, before any data request.
    for api in [Api::V0, Api::V2] {
        srv.clear_log();
        let q = Query::new("07459").select("Region", Filter::items(["0301", "9999"])).select("Tid", Filter::Top(1));
        let err = srv.client(api).build().dataset(&q).unwrap_err();
        assert!(matches!(&err, Error::MissingCodes { codes, .. } if codes == &["9999"]), "{api}: {err:?}");
        assert_eq!(data_requests(&srv, api), 0, "{api}");
        let err = srv.client(api).build().dataset(&Query::new("07459").select("Alder", Filter::All)).unwrap_err();
        assert!(err.to_string().contains("Alder") && err.to_string().contains("Region"), "{err}");
    }
    // A codelist code: the server refuses it with a vague message, the client names it.
    for api in [Api::V0, Api::V2] {
        srv.clear_log();
        let q = Query::new("07459").select_str("Region", "agg:KommSummer=K-3101,K-9999").unwrap().select_str("Tid", "2022").unwrap();
        let err = srv.client(api).build().dataset(&q).unwrap_err();
        let text = err.to_string();
        assert!(matches!(&err, Error::MissingCodes { codes, .. } if codes == &["K-9999"]), "{api}: {err:?}");
        assert!(text.contains("K-9999") && text.contains("SSB answered HTTP 400"), "{text}");
        assert_eq!(data_requests(&srv, api), 1, "{api}");
    }
}

// ---------------------------------------------------------------- rate limit

#[test]
fn rate_limiter_blocks_at_the_configured_rate_across_clones() {
    let srv = TestServer::start();
    let client = srv.client(Api::V2).rate_limit(3, Duration::from_millis(1000)).build();
    let t0 = Instant::now();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let c = client.clone();
            std::thread::spawn(move || {
                for _ in 0..4 {
                    c.klass_get("classifications/131/changes?from=2011-01-01&to=2024-12-31").unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // 8 requests at 3 per second: the 7th cannot start before 2 s.
    assert!(t0.elapsed() >= Duration::from_millis(2000), "{:?}", t0.elapsed());
    let times: Vec<Instant> = srv.requests().iter().map(|r| r.at).collect();
    assert_eq!(times.len(), 8);
    for (i, t) in times.iter().enumerate() {
        let in_window = times.iter().filter(|u| **u >= *t && u.duration_since(*t) < Duration::from_millis(800)).count();
        assert!(in_window <= 3, "request {i}: {in_window} requests within a second");
    }
    assert_eq!(client.requests_sent(), 8);
}

// ---------------------------------------------------------------- splitting

#[test]
fn a_large_query_is_split_and_stitched() {
    let srv = TestServer::start();
    // 849 regions × 22 years = 18 678 cells; at most 5 000 per request.
    let q = Query::new("07459").select("Region", Filter::All).select("Tid", Filter::All);
    let whole_offline = offline().dataset(&q).unwrap().to_frame().unwrap();
    for api in [Api::V0, Api::V2] {
        srv.clear_log();
        let unsplit = srv.client(api).build().fetch(&q).unwrap();
        assert_eq!(data_requests(&srv, api), 1, "{api}");
        srv.clear_log();
        let split = srv.client(api).max_cells(5_000).build().fetch(&q).unwrap();
        let n = data_requests(&srv, api);
        assert!(n >= 4, "{api}: {n} requests");
        // Every request asked for at most 5 000 cells: a piece of Region, all 22 years.
        assert_eq!(split.height(), 18_678);
        assert!(split.equals_missing(&unsplit), "{api}");
        assert!(split.equals_missing(&whole_offline), "{api}");
    }
    // A single region is too much: time is split as well, still stitched right.
    srv.clear_log();
    let small = srv.client(Api::V2).max_cells(10).build();
    let q2 = Query::new("07459").select("Region", Filter::items(["0", "0301", "4601"])).select("Tid", Filter::Top(12));
    let df = small.fetch(&q2).unwrap();
    assert!(data_requests(&srv, Api::V2) >= 4);
    assert!(df.equals_missing(&offline().dataset(&q2).unwrap().to_frame().unwrap()));
}

#[test]
fn a_long_v2_selection_is_posted() {
    let srv = TestServer::start();
    let regions = offline().metadata("07459").unwrap().dimensions[0].codes.clone();
    let q = Query::new("07459").select("Region", Filter::Items(regions)).select("Tid", Filter::Top(2));
    assert!(q.v2_url(&srv.v2_base()).len() > 2100);
    let df = srv.client(Api::V2).build().fetch(&q).unwrap();
    assert_eq!(srv.count("POST", "/tables/07459/data"), 1);
    assert_eq!(srv.count("GET", "/tables/07459/data"), 0);
    assert!(df.equals_missing(&offline().dataset(&q).unwrap().to_frame().unwrap()));
}

// ---------------------------------------------------------------- cache

#[test]
fn cache_hits_refresh_and_corruption() {
    let srv = TestServer::start();
    let dir = cache_dir("hits");
    let api = Api::V2;
    let client = srv.client(api).cache_dir(Some(dir.clone())).build();
    let first = client.dataset(&q_two_cities()).unwrap();
    assert_eq!(data_requests(&srv, api), 1);
    // A new client (empty memory) answers from disk: no request at all.
    let again = srv.client(api).cache_dir(Some(dir.clone())).build();
    assert_eq!(again.dataset(&q_two_cities()).unwrap(), first);
    assert_eq!(again.requests_sent(), 0);
    // Same query in another dimension order: same entry.
    let reordered = Query::new("07459").select("Tid", Filter::Top(3)).select("Region", Filter::items(["0301", "4601"]));
    let r = srv.client(api).cache_dir(Some(dir.clone())).build();
    r.dataset(&reordered).unwrap();
    assert_eq!(r.requests_sent(), 0);
    // The entry records the request and the fetch time.
    let files = data_cache_files(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let header: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert!(header["url"].as_str().unwrap().contains("valueCodes[Region]=0301,4601"));
    assert!(header["fetched"].as_u64().unwrap() > 1_700_000_000);
    assert!(files[0].file_name().unwrap().to_string_lossy().starts_with("v2_07459_no_"));
    // Corrupt one digit of a value: detected by the checksum and refetched.
    let corrupted = text.replacen("728714", "728715", 1);
    assert_ne!(corrupted, text);
    std::fs::write(&files[0], corrupted).unwrap();
    srv.clear_log();
    let c = srv.client(api).cache_dir(Some(dir.clone())).build();
    let ds = c.dataset(&q_two_cities()).unwrap();
    assert_eq!(value(&ds, "0301", "2026"), Some(728_714.0));
    assert_eq!(data_requests(&srv, api), 1);
    // Truncated entry: refetched too.
    let bytes = std::fs::read(&files[0]).unwrap();
    std::fs::write(&files[0], &bytes[..bytes.len() - 10]).unwrap();
    srv.clear_log();
    let ds = srv.client(api).cache_dir(Some(dir.clone())).build().dataset(&q_two_cities()).unwrap();
    assert_eq!(ds, first);
    assert_eq!(data_requests(&srv, api), 1);
    // refresh: bypass and overwrite.
    srv.clear_log();
    srv.client(api).cache_dir(Some(dir.clone())).refresh(true).build().dataset(&q_two_cities()).unwrap();
    assert_eq!(data_requests(&srv, api), 1);
    assert_eq!(meta_requests(&srv, api), 1);
    // max_age zero: everything is stale.
    srv.clear_log();
    std::thread::sleep(Duration::from_millis(1100));
    srv.client(api).cache_dir(Some(dir.clone())).max_age(Duration::ZERO).build().dataset(&q_two_cities()).unwrap();
    assert_eq!(data_requests(&srv, api), 1);
    // max_age None: forever.
    srv.clear_log();
    srv.client(api).cache_dir(Some(dir.clone())).max_age(None).build().dataset(&q_two_cities()).unwrap();
    assert_eq!(srv.requests().len(), 0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn broken_answers_are_never_cached() {
    let srv = TestServer::start();
    for (name, fault) in [("truncated", Fault::Truncate), ("nolength", Fault::TruncateNoLength), ("malformed", Fault::Malformed)] {
        for api in [Api::V0, Api::V2] {
            let dir = cache_dir(&format!("broken-{name}-{api}"));
            srv.clear_log();
            data_fault(&srv, api, fault.clone());
            let client = srv.client(api).cache_dir(Some(dir.clone())).max_attempts(1).build();
            let err = client.dataset(&q_two_cities()).unwrap_err();
            assert!(matches!(err, Error::Http { .. } | Error::JsonStat { .. }), "{name} {api}: {err:?}");
            assert!(data_cache_files(&dir).is_empty(), "{name} {api}: {:?}", data_cache_files(&dir));
            // The metadata was cached; the next fetch succeeds and caches the data.
            let ds = client.dataset(&q_two_cities()).unwrap();
            assert_eq!(ds, offline().dataset(&q_two_cities()).unwrap());
            assert_eq!(data_cache_files(&dir).len(), 1, "{name} {api}");
            std::fs::remove_dir_all(&dir).ok();
        }
    }
    // With retries, a truncated body is retried like a dropped connection.
    srv.clear_log();
    data_fault(&srv, Api::V2, Fault::Truncate);
    srv.client(Api::V2).build().dataset(&q_two_cities()).unwrap();
    assert_eq!(data_requests(&srv, Api::V2), 2);
}

// ---------------------------------------------------------------- metadata, search, KLASS

#[test]
fn metadata_search_and_klass() {
    let srv = TestServer::start();
    let off = offline().metadata("07459").unwrap();
    for api in [Api::V0, Api::V2] {
        let m = srv.client(api).build().metadata("07459", Lang::No).unwrap();
        assert_eq!(m.dimensions.len(), 3);
        for (a, b) in m.dimensions.iter().zip(&off.dimensions) {
            assert_eq!((&a.id, &a.codes, &a.labels, a.role), (&b.id, &b.codes, &b.labels, b.role), "{api}");
        }
        assert_eq!(m.elimination, vec![true, false, false], "{api}");
    }
    // SCB's real v2 metadata (elimination in each dimension's extension).
    let scb = srv.client(Api::V2).build().metadata("TAB6471", Lang::No).unwrap();
    assert_eq!(scb.dimensions.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["Region", "Alder", "Kon", "ContentsCode", "Tid"]);
    assert_eq!(scb.dimensions.iter().map(|d| d.len()).collect::<Vec<_>>(), [312, 134, 3, 1, 16]);
    assert_eq!(scb.elimination, vec![true, false, true, false, false]);
    assert_eq!(scb.updated.as_deref(), Some("2026-06-08T06:00:00Z"));
    // Search.
    let hits = srv.client(Api::V2).build().search_tables("befolkning", Lang::No).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, "07459");
    assert_eq!(hits[0].first_period.as_deref(), Some("2005"));
    assert!(hits[0].to_string().contains("(2005–2026)"), "{}", hits[0]);
    // KLASS, cached.
    let dir = cache_dir("klass");
    let c = srv.client(Api::V2).cache_dir(Some(dir.clone())).build();
    let path = "classifications/131/changes?from=2011-01-01&to=2024-12-31";
    let body = c.klass_get(path).unwrap();
    assert_eq!(body, std::fs::read(snapshot_dir().join("klass/131-changes.json")).unwrap());
    c.klass_get(path).unwrap();
    assert_eq!(c.requests_sent(), 1);
    let err = c.klass_get("classifications/999/changes").unwrap_err();
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err:?}");
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------- fixtures

#[test]
fn pxwebpy_response_no_equals_expected_rows() {
    let ds = Dataset::from_slice_named(&fixture("pxwebpy-39ecd0d/response_no.json"), "response_no.json").unwrap();
    let df = ds.to_frame().unwrap();
    let expected: Vec<Value> = serde_json::from_slice(&fixture("pxwebpy-39ecd0d/result_no.json")).unwrap();
    assert_eq!(df.height(), expected.len());
    assert_eq!(df.height(), 288);
    let col = |n: &str| df.column(n).unwrap().str().unwrap().clone();
    let (region, bolig, contents, tid) = (col("region"), col("boligtype"), col("contents"), col("tid"));
    let values = df.column("value").unwrap().f64().unwrap().clone();
    let mut nulls = 0;
    for (i, row) in expected.iter().enumerate() {
        assert_eq!(region.get(i), row["region"].as_str(), "row {i}");
        assert_eq!(bolig.get(i), row["boligtype"].as_str(), "row {i}");
        assert_eq!(contents.get(i), row["statistikkvariabel"].as_str(), "row {i}");
        assert_eq!(tid.get(i), row["kvartal"].as_str(), "row {i}");
        assert_eq!(values.get(i), row["value"].as_f64(), "row {i}");
        if row["value"].is_null() {
            nulls += 1;
            assert_eq!(df.column("status").unwrap().str().unwrap().get(i), Some(".."), "row {i}");
        }
    }
    assert!(nulls > 0);
}

#[test]
fn other_real_responses_parse() {
    for (rel, cells) in [
        ("pxwebpy-39ecd0d/response_fi.json", None),
        ("pxwebpy-39ecd0d/response_gl.json", None),
        ("pxwebpy-HEAD-v2-scb/TAB6471_data.json", None),
        ("rjstat/1120.json", Some(8)),
        ("purplebugs-07459-2022/download-07459_20220914-092711.json", Some(359)),
    ] {
        let ds = Dataset::from_slice_named(&fixture(rel), rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(!ds.is_empty(), "{rel}");
        if let Some(n) = cells {
            assert_eq!(ds.len(), n, "{rel}");
        }
        let df = ds.to_frame().unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(df.height(), ds.len());
    }
    let salmon = Dataset::from_slice(&fixture("rjstat/1120.json")).unwrap();
    assert_eq!(salmon.get(&["01", "2014U30", "Vekt"]), Some(14297.0));
    assert_eq!(salmon.get(&["02", "2014U31", "Kilopris"]), Some(43.32));
}

#[test]
fn a_snapshot_written_from_the_live_api_reads_back_as_the_data() {
    // The live path of `statbank snapshot`: PxWebApi v2 (chunked) and KLASS, served from
    // the repository's snapshot by the test server, written to a new directory.
    let srv = TestServer::start();
    let live = Source::Online(srv.client(Api::V2).build());
    let dir = cache_dir("written-snapshot");
    let report = statbank::data::offline::write_snapshot(&live, &dir).unwrap();
    assert!(report.files.iter().any(|f| f.ends_with("pxweb/07459.json")), "{:?}", report.files);
    // No settlements by municipality in StatBank's API: said, not silently left out.
    assert!(report.skipped.iter().any(|s| s.contains("tettsteder")), "{:?}", report.skipped);
    let written = Source::offline(&dir).unwrap();
    let q = Query::new("07459").select_str("Region", "0301").unwrap().select_str("Tid", "2010,2026").unwrap();
    let df = written.fetch(&q).unwrap();
    assert_eq!(df.column("value").unwrap().f64().unwrap().into_no_null_iter().collect::<Vec<_>>(), [586_860.0, 728_714.0]);
    assert!(df.equals_missing(&Source::snapshot().unwrap().fetch(&q).unwrap()));
    let changes = std::fs::read(dir.join("klass/131-changes.json")).unwrap();
    assert_eq!(changes, std::fs::read(snapshot_dir().join("klass/131-changes.json")).unwrap());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn klass_codes_at_live_equals_offline() {
    use statbank::data::klass::{Klass, MUNICIPALITIES};
    let srv = TestServer::start();
    let live = Klass::new(&Source::Online(srv.client(Api::V2).build()));
    let offline = Klass::new(&Source::snapshot().unwrap());
    for date in ["2019-12-31", "2020-01-01", "2024-01-01", "2026-01-01"] {
        let a = live.codes_at(MUNICIPALITIES, date).unwrap();
        let b = offline.codes_at(MUNICIPALITIES, date).unwrap();
        assert_eq!(a, b, "{date}");
    }
    let n = |date| live.codes_at(MUNICIPALITIES, date).unwrap().iter().filter(|c| c.code.len() == 4 && !c.code.ends_with("99")).count();
    assert_eq!((n("2019-12-31"), n("2020-01-01"), n("2024-01-01")), (422, 356, 357));
    // A malformed date is refused before any request.
    assert!(live.codes_at(MUNICIPALITIES, "2024-13-01").is_err());
}

#[test]
fn urban_settlements_live_from_table_04859() {
    use statbank::analysis::urban;
    use statbank::error::ErrorKind;
    let srv = TestServer::start();
    let offline = Source::snapshot().unwrap();
    let lists = urban::settlements(&offline, 2022).unwrap();
    let whole = |s: &polars::prelude::DataFrame| {
        use polars::prelude::*;
        urban::whole_settlements(s)
            .select([col("settlement_code"), col("settlement"), col("residents"), col("area_km2")])
            .sort(["settlement_code"], Default::default())
            .collect()
            .unwrap()
    };
    for api in [Api::V0, Api::V2] {
        let live = Source::Online(srv.client(api).build());
        assert_eq!(urban::years(&live).unwrap(), vec![2021, 2022], "{api:?}");
        let s = urban::settlements(&live, 2022).unwrap();
        assert_eq!(s.height(), 986, "{api:?}: 986 settlements on 1 January 2022");
        assert_eq!(s.column("residents").unwrap().i64().unwrap().iter().flatten().sum::<i64>(), 4_485_236, "{api:?}");
        // The same settlements, residents and areas as the lists, whole.
        assert_eq!(whole(&s), whole(&lists), "{api:?}");
        // Halden: density computed from residents and area, as the list rounds it.
        assert_eq!(s.column("density").unwrap().f64().unwrap().get(0), Some(1811.0));
        // The page's totals, largest settlements and size classes are the same live.
        let pop = urban::national_population(&live, 2022).unwrap();
        assert_eq!(pop, 5_425_270.0);
        let offline_pop = urban::national_population(&offline, 2022).unwrap();
        assert_eq!(urban::summary(&s, 2022, pop).unwrap(), urban::summary(&lists, 2022, offline_pop).unwrap());
        assert_eq!(urban::by_size_class(&s, 2022).unwrap(), urban::by_size_class(&lists, 2022).unwrap());
        let before_live = urban::settlements(&live, 2021).unwrap();
        let before = urban::settlements(&offline, 2021).unwrap();
        let top_live = urban::largest(&s, &before_live, 5).unwrap();
        assert_eq!(top_live, urban::largest(&lists, &before, 5).unwrap());
        assert_eq!(top_live.column("settlement").unwrap().str().unwrap().get(0), Some("Oslo"));
        // The tables that need each settlement's municipalities say so.
        let counties = urban::county_population(&live, 2022).unwrap();
        for err in [
            urban::by_county(&s, &counties, 2022).unwrap_err(),
            urban::by_municipality(&s, 50_000).unwrap_err(),
            urban::new_and_discontinued(&before_live, &s, &[]).unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::NotCovered, "{err}");
            assert!(err.to_string().contains("04859") && err.to_string().contains("snapshot"), "{err}");
        }
        // A year the table does not have is named in the error.
        let err = urban::settlements(&live, 2030).unwrap_err();
        assert!(err.to_string().contains("2030"), "{err}");
    }
    // A fault on the table's data is retried like any other table's.
    let live = Source::Online(srv.client(Api::V2).build());
    srv.fault("", "/tables/04859/data", Fault::status(503, "Service Unavailable"));
    assert_eq!(urban::settlements(&live, 2022).unwrap().height(), 986);
    assert!(srv.requests().iter().any(|r| r.fault.is_some() && r.target.contains("04859")));
}
