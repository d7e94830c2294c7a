//! Static checks on the committed `notebooks/*.ipynb` and `dylib/`: every notebook loads
//! the crate the fast way, is committed with its outputs, reads as a tutorial (what it
//! teaches, which years its data covers, exercises with worked solutions, enough prose),
//! and states no number in its prose that its outputs do not show.
//! (Executing the notebooks and comparing their outputs is `scripts/run-notebooks --check`.)

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::notebook::*;
use serde_json::Value;

const DEP_LINE: &str = r#":dep statbank = { package = "statbank-dylib", path = "../dylib" }"#;

fn is_solution(cell: &Value) -> bool {
    cell["metadata"]["tags"].as_array().is_some_and(|t| t.iter().any(|t| t == "solution"))
}

fn prose(md: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in md.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || t.starts_with('>') {
            continue;
        }
        let mut in_code = false;
        let mut in_tag = false;
        let mut skip_link = 0usize;
        let chars: Vec<char> = line.chars().collect();
        for (i, &ch) in chars.iter().enumerate() {
            match ch {
                '`' => in_code = !in_code,
                _ if in_code => {}
                '<' if chars.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == '/') => in_tag = true,
                '>' if in_tag => in_tag = false,
                _ if in_tag => {}
                '(' if i > 0 && chars[i - 1] == ']' => skip_link = 1,
                '(' if skip_link > 0 => skip_link += 1,
                ')' if skip_link > 0 => skip_link -= 1,
                _ if skip_link > 0 => {}
                _ => out.push(ch),
            }
        }
        out.push('\n');
    }
    out
}

/// Numbers the guard lets pass without an output: years, table ids and other codes of
/// four or five digits with a leading zero, notebook numbers, and single digits.
fn trivial(n: &str) -> bool {
    let int = !n.contains('.');
    let value: f64 = n.parse().unwrap_or(f64::NAN);
    (int && n.len() == 4 && (1800.0..=2100.0).contains(&value))
        || (int && n.starts_with('0') && (2..=5).contains(&n.len()))
        || (int && n.len() == 1)
}

#[test]
fn seven_numbered_notebooks() {
    let names: Vec<String> =
        notebooks().iter().map(|p| p.file_stem().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 7, "{names:?}");
    for (i, name) in names.iter().enumerate() {
        assert!(name.starts_with(&format!("{i:02}-")), "{name} out of order in {names:?}");
    }
}

#[test]
fn every_notebook_loads_the_crate_once_through_the_dylib() {
    for path in notebooks() {
        let cells = code_cells(&path);
        let first = cells.first().unwrap_or_else(|| panic!("{}: no code cell", path.display()));
        let lines: Vec<&str> = first.lines().map(str::trim).collect();
        assert_eq!(lines.first(), Some(&":opt 0"), "{}: setup cell starts with `:opt 0`", path.display());
        assert!(lines.contains(&DEP_LINE), "{}: setup cell lacks `{DEP_LINE}`:\n{first}", path.display());
        assert!(lines.contains(&"use statbank::prelude::*;"), "{}: setup cell lacks the prelude", path.display());
        let deps = cells.iter().flat_map(|c| c.lines()).filter(|l| l.trim_start().starts_with(":dep")).count();
        assert_eq!(deps, 1, "{}: one `:dep` only (statbank re-exports polars and plotters)", path.display());
    }
}

#[test]
fn the_dylib_is_this_crate_without_the_cli() {
    let manifest = std::fs::read_to_string(root().join("dylib/Cargo.toml")).expect("dylib/Cargo.toml");
    assert!(manifest.contains(r#"name = "statbank-dylib""#), "{manifest}");
    assert!(manifest.contains(r#"crate-type = ["dylib"]"#), "{manifest}");
    assert!(
        manifest.contains(r#"statbank = { path = "..", default-features = false }"#),
        "the dylib depends on this crate without default features:\n{manifest}"
    );
    let lib = std::fs::read_to_string(root().join("dylib/src/lib.rs")).expect("dylib/src/lib.rs");
    assert!(lib.lines().any(|l| l.trim() == "pub use statbank::*;"), "the dylib re-exports the whole crate");
}

/// Run `check` on every notebook and fail once, listing the problems of all of them
/// (so that one notebook's problem does not hide another's).
fn for_every_notebook(check: impl Fn(&Path, &Value) -> Vec<String>) {
    let mut problems = Vec::new();
    for path in notebooks() {
        let nb = load(&path);
        problems.extend(check(&path, &nb).into_iter().map(|p| format!("{}: {p}", name(&path))));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_notebook_is_committed_with_its_outputs() {
    for_every_notebook(|path, nb| {
        let mut p = Vec::new();
        let code: Vec<&Value> = cells(nb).iter().filter(|c| c["cell_type"] == "code").collect();
        let without: Vec<usize> = code
            .iter()
            .enumerate()
            .filter(|(_, c)| c["outputs"].as_array().is_none_or(|o| o.is_empty()))
            .map(|(i, _)| i)
            .collect();
        // Every cell shows something (a cell that only defines things prints what it made).
        if !without.is_empty() {
            p.push(format!("code cells {without:?} have no committed output \
                (refresh with `scripts/run-notebooks --update --only {}`)", name(path)));
        }
        for (i, c) in code.iter().enumerate() {
            if !c["metadata"]["execution"].is_null() {
                p.push(format!("code cell {i}: execution timings are committed"));
            }
            let tagged_chart = c["metadata"]["tags"].as_array().is_some_and(|t| t.iter().any(|t| t == "chart"));
            let has_png = c["outputs"].as_array().into_iter().flatten().any(|o| !o["data"]["image/png"].is_null());
            if tagged_chart && !has_png {
                p.push(format!("code cell {i} is tagged `chart` but has no PNG in its committed output"));
            }
        }
        let outputs = output_text(nb);
        for machine_specific in ["/root/", "/home/", "/work/", "/tmp/", ".cache/statbank"] {
            if outputs.contains(machine_specific) {
                p.push(format!("an output names a path of this machine ({machine_specific})"));
            }
        }
        p
    });
}

#[test]
fn every_notebook_opens_with_what_it_teaches_and_which_years_it_covers() {
    for_every_notebook(|_, nb| {
        let first = markdown_cells(nb).into_iter().next().unwrap_or_default();
        let mut p = Vec::new();
        if !first.contains("**You will learn:**") {
            p.push("the first cell does not say what it teaches (`**You will learn:**`)".to_string());
        }
        if !(first.contains("**Data:**") && first.contains("offline") && first.contains("live")) {
            p.push("the first cell does not say which years its data covers offline and live (`**Data:**`)".to_string());
        }
        p
    });
}

#[test]
fn every_notebook_ends_with_exercises_and_hidden_worked_solutions() {
    for_every_notebook(|_, nb| {
        let mut p = Vec::new();
        if !markdown_cells(nb).iter().any(|m| m.lines().any(|l| l.trim() == "## Exercises")) {
            p.push("no `## Exercises` section".to_string());
        }
        let solutions: Vec<&Value> = cells(nb).iter().filter(|c| is_solution(c)).collect();
        if !(2..=3).contains(&solutions.len()) {
            p.push(format!("{} solution cells (want 2–3)", solutions.len()));
        }
        for s in solutions {
            if s["cell_type"] != "code" {
                p.push("a solution is not a code cell (CI runs the solutions)".to_string());
            }
            if s["metadata"]["jupyter"]["source_hidden"] != true {
                p.push("a solution cell is not collapsed (`jupyter.source_hidden`)".to_string());
            }
        }
        p
    });
}

#[test]
fn every_notebook_has_at_least_as_much_prose_as_four_fifths_of_its_code() {
    for_every_notebook(|_, nb| {
        let md: usize = markdown_cells(nb).iter().map(|m| m.chars().count()).sum();
        let code: usize = cells(nb)
            .iter()
            .filter(|c| c["cell_type"] == "code")
            .map(|c| text(&c["source"]).chars().count())
            .sum();
        let ratio = md as f64 / code.max(1) as f64;
        if ratio < 0.8 {
            vec![format!("markdown is {ratio:.2} of code by characters ({md} / {code}); want at least 0.8")]
        } else {
            vec![]
        }
    });
}

#[test]
fn no_notebook_prose_states_a_number_its_outputs_do_not_show() {
    for_every_notebook(|_, nb| {
        let shown: BTreeSet<String> = numbers(&output_text(nb)).into_iter().collect();
        let mut p = Vec::new();
        for (i, md) in markdown_cells(nb).iter().enumerate() {
            for n in numbers(&prose(md)) {
                if !trivial(&n) && !shown.contains(&n) {
                    p.push(format!("markdown cell {i} says {n}, which no output shows \
                        (print it, or quote the article or SSB in a `> ` blockquote)"));
                }
            }
        }
        p
    });
}

#[test]
fn the_number_guard_reads_numbers_as_a_reader_does() {
    assert_eq!(numbers("Oslo grew by +141,854 (23.0%) in 2026"), ["141854", "23.0", "2026"]);
    assert_eq!(numbers("4\u{a0}485\u{a0}236 residents, 2010 and 2026"), ["4485236", "2010", "2026"]);
    assert_eq!(prose("Table `07459` has [a link](https://x.org/1234)\n> 163,000 quoted\nsay 42"), "Table  has [a link]\nsay 42\n");
    assert!(trivial("2010") && trivial("07459") && trivial("3") && !trivial("42") && !trivial("0.5"));
}
