//! The `statbank` command line, run as a user would, against the offline snapshot.

use std::process::{Command, Output};

fn statbank(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_statbank"))
        .args(args)
        // No STATBANK_OFFLINE: the default source is the repository's data/snapshot.
        .env_remove("STATBANK_OFFLINE")
        .env_remove("STATBANK_LIVE")
        .output()
        .expect("the statbank binary runs")
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "statbank failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn fetch_prints_the_tidy_table() {
    let out = stdout(&statbank(&["fetch", "07459", "--select", "Region=0301,4601", "--select", "Tid=top(3)"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "region_code,region,contents_code,contents,tid_code,tid,year,date,value,status");
    assert_eq!(lines.len(), 1 + 6);
    assert!(lines.contains(&"0301,Oslo - Oslove,Personer1,Personer,2026,2026,2026,2026-01-01,728714.0,"), "{out}");
}

#[test]
fn fetch_json_and_parquet_files() {
    let out = stdout(&statbank(&["fetch", "07459", "--select", "Region=0", "--select", "Tid=2026", "--format", "json"]));
    let rows: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(rows[0]["value"], 5_627_400.0);
    assert_eq!(rows[0]["region"], "Hele landet");

    let dir = std::env::temp_dir().join(format!("statbank-cli-{}", std::process::id()));
    let file = dir.join("oslo.parquet");
    let o = statbank(&["fetch", "07459", "--select", "Region=0301", "--format", "parquet", "-o", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&file).expect("parquet written");
    assert_eq!(&bytes[..4], b"PAR1");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_code_is_a_clear_error() {
    let o = statbank(&["fetch", "07459", "--select", "Region=9998"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("9998") && err.contains("Region") && err.contains("07459"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let o = statbank(&["fetch", "07459", "--select", "Region"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("DIM=SPEC"));
}

#[test]
fn harmonise_writes_357_municipalities() {
    let out = stdout(&statbank(&["harmonise", "07459", "--borders", "2024", "--from", "2010", "--to", "2026", "--format", "csv"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "code,name,pop_from,pop_to,change,pct_change");
    assert_eq!(lines.len(), 1 + 357);
    let oslo = lines.iter().find(|l| l.starts_with("0301,")).expect("Oslo");
    assert!(oslo.starts_with("0301,Oslo,586860.0,728714.0,141854.0,"), "{oslo}");
    let drammen = lines.iter().find(|l| l.starts_with("3301,")).expect("Drammen");
    assert!(drammen.starts_with("3301,Drammen,91719.0,"), "{drammen}");
}

#[test]
fn report_writes_csvs_findings_and_charts() {
    let dir = std::env::temp_dir().join(format!("statbank-report-{}", std::process::id()));
    let o = statbank(&["report", "--out", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pop = std::fs::read_to_string(dir.join("population_change.csv")).unwrap();
    assert_eq!(pop.lines().count(), 1 + 357);
    assert!(pop.contains("0301,Oslo,586860.0,728714.0,141854.0,"));
    let imm = std::fs::read_to_string(dir.join("immigrant_change.csv")).unwrap();
    assert!(imm.starts_with("code,name,category,year_from,year_to,imm_from,imm_to,imm_change,imm_pct_change"));
    let findings = std::fs::read_to_string(dir.join("findings.md")).unwrap();
    assert!(findings.contains("Oslo +141,854"), "{findings}");
    assert!(findings.contains("Porsgrunn +2,812"), "{findings}");
    // The report writes the analysis' own text: one home for the findings.
    let source = statbank::data::source::Source::snapshot().unwrap();
    let urban = statbank::analysis::urban::UrbanReport::compute(&source).unwrap();
    let f = statbank::analysis::Findings::compute(&source).unwrap();
    assert_eq!(findings, statbank::report::findings_markdown(&f, &urban).unwrap());
    assert!(findings.contains("| Residents in urban settlements | 4,485,236 | 4,485,236 | 0 | yes |"), "{findings}");
    assert!(findings.contains("7 of 10 figures agree exactly."), "{findings}");
    let counties = std::fs::read_to_string(dir.join("urban").join("counties.csv")).unwrap();
    assert!(counties.lines().any(|l| l.starts_with("03,Oslo,696712.0,3115.0,699827.0,")), "{counties}");
    assert!(counties.lines().any(|l| l.starts_with("0,Norway,4485236.0,940034.0,5425270.0,")), "{counties}");
    for table in ["summary", "page_check", "largest", "by_municipality", "new_and_discontinued", "size_classes"] {
        let p = dir.join("urban").join(format!("{table}.csv"));
        assert!(std::fs::read_to_string(&p).map(|t| t.lines().count() > 2).unwrap_or(false), "{}", p.display());
    }
    for chart in ["top_gainers", "top_losers", "growth_by_size", "top_immigrant_gains", "immigration_share_of_growth",
                  "urban_largest", "urban_county_share", "urban_size_classes"] {
        for ext in ["svg", "png"] {
            let p = dir.join("charts").join(format!("{chart}.{ext}"));
            assert!(std::fs::metadata(&p).map(|m| m.len() > 1000).unwrap_or(false), "{}", p.display());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn snapshot_writes_a_directory_the_source_reads() {
    let dir = std::env::temp_dir().join(format!("statbank-snapshot-{}", std::process::id()));
    let out = stdout(&statbank(&["snapshot", "--out", dir.to_str().unwrap()]));
    for f in ["pxweb/07459.json", "pxweb/09817.json", "klass/131-changes.json", "klass/131-versions.csv", "README.md"] {
        assert!(out.contains(&format!("wrote {}", dir.join(f).display())), "{f} not written:\n{out}");
    }
    // A second snapshot of the same data is the same data.
    let oslo = |args: &[&str]| -> String {
        let o = Command::new(env!("CARGO_BIN_EXE_statbank")).args(args).env_remove("STATBANK_LIVE")
            .env("STATBANK_OFFLINE", &dir).output().unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    let line = oslo(&["fetch", "07459", "--select", "Region=0301", "--select", "Tid=2010"]);
    assert!(line.contains(",586860.0,"), "{line}");
    // Writing over the snapshot being read is refused.
    let o = Command::new(env!("CARGO_BIN_EXE_statbank")).args(["snapshot", "--out", dir.to_str().unwrap()])
        .env_remove("STATBANK_LIVE").env("STATBANK_OFFLINE", &dir).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("is the snapshot being read"));
    let _ = std::fs::remove_dir_all(&dir);
}
