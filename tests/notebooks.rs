//! Static checks on `notebooks/*.ipynb` and `dylib/`: that every notebook loads the
//! crate the fast way. (Executing the notebooks is `scripts/run-notebooks`' job.)

use std::path::{Path, PathBuf};

const DEP_LINE: &str = r#":dep statbank = { package = "statbank-dylib", path = "../dylib" }"#;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn notebooks() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("notebooks"))
        .expect("notebooks/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
        .collect();
    out.sort();
    out
}

/// The source of every code cell, in order.
fn code_cells(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("notebook");
    let nb: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    nb["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .filter(|c| c["cell_type"] == "code")
        .map(|c| match &c["source"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(lines) => lines.iter().filter_map(|l| l.as_str()).collect(),
            other => panic!("{}: cell source {other}", path.display()),
        })
        .collect()
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
