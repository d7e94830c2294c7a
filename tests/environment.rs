//! environment.yml (conda) and scripts/requirements.txt (venv, used by scripts/setup)
//! must pin the same Python packages, so that both ways of setting up the notebooks
//! run the same Jupyter stack. Plain line parsing: no YAML crate.

use std::collections::BTreeMap;
use std::path::Path;

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// PEP 503 normalised name: lower case, runs of `-`, `_`, `.` become `-`.
fn normalise(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = c.to_ascii_lowercase();
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// "name==1.2.3" -> (name, "==1.2.3"). Panics on anything but an exact pin.
fn parse_requirement(line: &str, origin: &str) -> (String, String) {
    let line = line.split('#').next().unwrap().trim();
    let (name, version) = line
        .split_once("==")
        .unwrap_or_else(|| panic!("{origin}: `{line}` is not pinned with =="));
    assert!(
        !version.trim().is_empty() && !version.contains(['<', '>', '=', '~', '!', ',', ' ']),
        "{origin}: `{line}` has no single exact version"
    );
    (normalise(name), version.trim().to_string())
}

fn requirements_txt(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let (name, version) = parse_requirement(line, "scripts/requirements.txt");
        assert!(
            out.insert(name.clone(), version).is_none(),
            "scripts/requirements.txt lists {name} twice"
        );
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The list under `- pip:` in environment.yml.
fn environment_yml_pip(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut pip_indent = None;
    for line in text.lines() {
        let content = line.split('#').next().unwrap();
        if content.trim().is_empty() {
            continue;
        }
        match pip_indent {
            None => {
                if content.trim() == "- pip:" {
                    pip_indent = Some(indent(content));
                }
            }
            Some(level) => {
                if indent(content) <= level {
                    break;
                }
                let item = content
                    .trim()
                    .strip_prefix('-')
                    .unwrap_or_else(|| panic!("environment.yml: `{line}` is not a list item"))
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'');
                let (name, version) = parse_requirement(item, "environment.yml");
                assert!(
                    out.insert(name.clone(), version).is_none(),
                    "environment.yml lists {name} twice"
                );
            }
        }
    }
    assert!(pip_indent.is_some(), "environment.yml has no `- pip:` section");
    out
}

#[test]
fn environment_yml_pip_section_matches_requirements_txt() {
    let req = requirements_txt(&read("scripts/requirements.txt"));
    let env = environment_yml_pip(&read("environment.yml"));
    assert!(!req.is_empty(), "scripts/requirements.txt lists no package");
    for pkg in ["jupyterlab", "nbconvert", "nbclient", "ipykernel"] {
        assert!(req.contains_key(pkg), "scripts/requirements.txt lacks {pkg}");
    }
    assert_eq!(
        env, req,
        "environment.yml's pip section and scripts/requirements.txt differ"
    );
}

#[test]
fn environment_yml_pins_python_and_rust() {
    let text = read("environment.yml");
    let deps: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter_map(|l| l.strip_prefix("- "))
        .collect();
    assert!(deps.iter().any(|d| *d == "python=3.11"), "environment.yml: python=3.11 missing");
    assert!(deps.iter().any(|d| d.starts_with("rust")), "environment.yml: rust missing");
    assert!(text.contains("conda-forge"), "environment.yml: conda-forge channel missing");
}

#[test]
fn parsers_catch_differences() {
    let req = requirements_txt("# c\nJupyterLab==4.6.6\nnb_convert==7.17.2  # x\n");
    let env = environment_yml_pip(
        "dependencies:\n  - python=3.11\n  - pip:\n      - jupyterlab==4.6.6\n      - nb-convert==7.17.1\nother: 1\n",
    );
    assert_eq!(req.get("jupyterlab").map(String::as_str), Some("4.6.6"));
    assert_eq!(req.get("nb-convert").map(String::as_str), Some("7.17.2"));
    assert_eq!(env.len(), 2);
    assert_ne!(env, req);
}

#[test]
#[should_panic(expected = "not pinned")]
fn unpinned_requirement_is_rejected() {
    requirements_txt("jupyterlab>=4\n");
}
