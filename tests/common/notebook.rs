//! Reading the committed notebooks: cells, their text, their outputs, and the numbers in
//! them (for the tutorial checks in `tests/notebooks.rs` and the drift checks in
//! `tests/findings.rs`).

use std::path::{Path, PathBuf};

use serde_json::Value;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn notebooks() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("notebooks"))
        .expect("notebooks/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
        .collect();
    out.sort();
    out
}

pub fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("notebook");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn cells(nb: &Value) -> &Vec<Value> {
    nb["cells"].as_array().expect("cells")
}

pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(lines) => lines.iter().filter_map(|l| l.as_str()).collect(),
        _ => String::new(),
    }
}

pub fn name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

pub fn code_cells(path: &Path) -> Vec<String> {
    cells(&load(path)).iter().filter(|c| c["cell_type"] == "code").map(|c| text(&c["source"])).collect()
}

pub fn markdown_cells(nb: &Value) -> Vec<String> {
    cells(nb).iter().filter(|c| c["cell_type"] == "markdown").map(|c| text(&c["source"])).collect()
}

pub fn output_text(nb: &Value) -> String {
    let mut out = String::new();
    for c in cells(nb).iter().filter(|c| c["cell_type"] == "code") {
        for o in c["outputs"].as_array().into_iter().flatten() {
            out.push_str(&text(&o["text"]));
            for mime in ["text/plain", "text/html", "text/markdown", "image/svg+xml"] {
                out.push_str(&text(&o["data"][mime]));
            }
            out.push('\n');
        }
    }
    out
}

pub fn join_digit_groups(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &ch) in chars.iter().enumerate() {
        let sep = matches!(ch, ',' | '\u{a0}' | '\u{202f}' | '\u{2009}');
        let digit_before = i > 0 && chars[i - 1].is_ascii_digit();
        let three_after = chars.len() > i + 3
            && chars[i + 1..=i + 3].iter().all(|c| c.is_ascii_digit())
            && !chars.get(i + 4).is_some_and(|c| c.is_ascii_digit());
        let three_then_end = chars.len() == i + 4 && chars[i + 1..].iter().all(|c| c.is_ascii_digit());
        if sep && digit_before && (three_after || three_then_end) {
            continue;
        }
        out.push(ch);
    }
    out
}

pub fn numbers(s: &str) -> Vec<String> {
    let s = join_digit_groups(s);
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &ch) in chars.iter().enumerate() {
        let decimal_point = ch == '.' && !cur.is_empty() && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
        if ch.is_ascii_digit() || decimal_point {
            cur.push(ch);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The notebook whose file name starts with `prefix` (`"01"`), loaded.
pub fn notebook(prefix: &str) -> Value {
    let path = notebooks()
        .into_iter()
        .find(|p| name(p).starts_with(prefix))
        .unwrap_or_else(|| panic!("no notebook {prefix}-*.ipynb"));
    load(&path)
}
