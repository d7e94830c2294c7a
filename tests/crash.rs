//! Processes that die mid-write and processes that share one cache: real child
//! processes (this test binary started again with `STATBANK_TEST_CHILD` set), killed
//! with SIGKILL or racing each other against the HTTP test server.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::server::{client_builder, Fault, TestServer};
use statbank::data::cache::{Cache, CacheKey, Lookup};
use statbank::data::query::{Api, Filter, Query};

const CHILD: &str = "STATBANK_TEST_CHILD";

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// This binary again, running only [`child`] with `role` and `env`.
fn spawn(role: &str, env: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child", "--nocapture", "--test-threads=1"]).env(CHILD, role);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

fn key() -> CacheKey {
    CacheKey::new("v2", "07459", "no", "07459?lang=no&crash-test", "http://127.0.0.1")
}

/// Two bodies of 48 MiB, different in every byte, so a torn mix of them is caught.
fn body(which: u8) -> Vec<u8> {
    let mut b = vec![b'a' + which; 48 << 20];
    b[0] = b'0' + which;
    b
}

fn two_cities() -> Query {
    Query::new("07459").select("Region", Filter::items(["0301", "4601"])).select("Tid", Filter::items(["2010", "2026"]))
}

/// The entry point of the child processes; does nothing in a normal test run.
#[test]
fn child() {
    let Ok(role) = std::env::var(CHILD) else { return };
    let cache = Cache::new(std::env::var("CACHE_DIR").unwrap(), None);
    match role.as_str() {
        // Write the same entry over and over, alternating two bodies, until killed.
        "writer" => {
            let bodies = [body(0), body(1)];
            for i in 0.. {
                cache.put(&key(), "GET", "http://127.0.0.1/crash", "", &bodies[i % 2]).unwrap();
            }
        }
        // Fetch through the shared cache and print what came back.
        "fetch" => {
            let client = client_builder(&std::env::var("SERVER").unwrap(), Api::V2).cache_dir(Some(cache.dir().to_path_buf())).build();
            let ds = client.dataset(&two_cities()).unwrap();
            for (r, t) in [("0301", "2010"), ("0301", "2026"), ("4601", "2026")] {
                println!("VALUE {r} {t} {}", ds.get(&[r, "Personer1", t]).unwrap());
            }
        }
        other => panic!("unknown child role {other}"),
    }
}

fn tmp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "tmp")).collect()
}

/// A writer killed with SIGKILL while its temporary file is half written leaves
/// either no entry or a whole one, never one a read accepts with the wrong bytes
/// (nor one it has to reject); the next write clears the dead writer's temporary file.
#[test]
fn a_writer_killed_mid_write_leaves_no_bad_entry() {
    let d = dir("kill");
    let cache = Cache::new(&d, None);
    let full = body(0).len() as u64;
    let (a, b) = (body(0), body(1));
    let mut mid_write_kills = 0;
    for round in 0..6 {
        let mut child = spawn("writer", &[("CACHE_DIR", d.display().to_string())]);
        // Wait until a temporary file is there and partly written, then kill.
        let t0 = Instant::now();
        let partial = loop {
            let part = tmp_files(&d).into_iter().find_map(|p| {
                let len = std::fs::metadata(&p).ok()?.len();
                (len > 0 && len < full).then_some(len)
            });
            if part.is_some() || t0.elapsed() > Duration::from_secs(60) {
                break part;
            }
            std::thread::sleep(Duration::from_micros(200 + round * 300));
        };
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if partial.is_some() && !tmp_files(&d).is_empty() {
            mid_write_kills += 1;
        }
        match cache.lookup(&key()) {
            Lookup::Missing => {}
            Lookup::Hit { body, .. } => assert!(body == a || body == b, "round {round}: a torn body was accepted"),
            Lookup::Corrupt { reason } => panic!("round {round}: the killed writer left a damaged entry ({reason})"),
            Lookup::Stale { .. } => unreachable!("no max_age"),
        }
    }
    assert!(mid_write_kills >= 3, "only {mid_write_kills} of 6 kills caught a half-written temporary file");
    // The next writer removes what the dead ones left.
    assert!(!tmp_files(&d).is_empty());
    cache.put(&key(), "GET", "http://127.0.0.1/crash", "", b"{}").unwrap();
    assert_eq!(tmp_files(&d), Vec::<PathBuf>::new());
    assert_eq!(cache.get(&key()).as_deref(), Some(&b"{}"[..]));
    std::fs::remove_dir_all(&d).ok();
}

/// Two processes fetching the same query into one cache at the same moment both get
/// the right numbers and leave one good entry.
#[test]
fn two_processes_fetch_the_same_query_into_one_cache() {
    let srv = TestServer::start();
    let d = dir("two");
    // Hold both answers back a little so that the two fetches overlap.
    srv.fault("", "/tables/07459/data", Fault::Slow(Duration::from_millis(700)));
    srv.fault("", "/tables/07459/data", Fault::Slow(Duration::from_millis(700)));
    let env = [("CACHE_DIR", d.display().to_string()), ("SERVER", srv.url())];
    let children = [spawn("fetch", &env), spawn("fetch", &env)];
    for c in children {
        let out = c.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "child failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        // Oslo 586 860 (2010) and 728 714 (2026); Bergen 2026.
        for line in ["VALUE 0301 2010 586860", "VALUE 0301 2026 728714", "VALUE 4601 2026 "] {
            assert!(stdout.contains(line), "{line:?} not in {stdout}");
        }
    }
    let both_fetched = srv.requests().iter().filter(|r| r.target.contains("/tables/07459/data")).count();
    assert_eq!(both_fetched, 2, "the two processes did not both miss the cache: no race was tested");
    let entries: Vec<PathBuf> = std::fs::read_dir(&d)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("v2_07459_"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(tmp_files(&d), Vec::<PathBuf>::new());
    // The entry is whole: a third client answers from it without a request.
    srv.clear_log();
    let client = client_builder(&srv.url(), Api::V2).cache_dir(Some(d.clone())).build();
    let ds = client.dataset(&two_cities()).unwrap();
    assert_eq!(ds.get(&["0301", "Personer1", "2026"]), Some(728_714.0));
    assert_eq!(client.requests_sent(), 0);
    std::fs::remove_dir_all(&d).ok();
}
