//! The import arrows of `src/lib.rs`'s layer map, checked: every path into another
//! component (`crate::x…`, `use crate::{x, …}`, or `super::` climbing out of a component)
//! must be one the map allows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Who may import whom (besides itself): the map in `src/lib.rs`'s docs.
fn allowed(component: &str) -> Option<&'static [&'static str]> {
    const EVERYTHING: &[&str] = &[
        "apiserver",
        "client",
        "cluster",
        "controllers",
        "describe",
        "kubelet",
        "machinery",
        "node",
        "printers",
        "registry",
        "scheduler",
        "store",
    ];
    Some(match component {
        "cli" => EVERYTHING,
        "cluster" => &["node", "kubelet", "client", "machinery"],
        "node" => &["apiserver", "controllers", "scheduler", "kubelet", "client", "machinery"],
        "controllers" | "scheduler" | "kubelet" => &["client", "machinery"],
        "apiserver" => &["registry", "store", "machinery"],
        "describe" => &["client", "printers", "machinery"],
        "client" | "printers" | "registry" => &["machinery"],
        "machinery" | "store" => &[],
        _ => return None,
    })
}

/// Arrows the map does not allow yet, each with the work that removes it. An entry no
/// longer needed fails the test, so the list only shrinks.
const NOT_YET: &[(&str, &str, &str)] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src dir") {
        let path = entry.expect("a dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text without comments, so that doc prose naming a module is not an import.
fn without_comments(text: &str) -> String {
    text.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

fn ident_at(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

/// The top-level names of a `{a, b::c, d::{e}}` group starting at `text[0] == '{'`.
fn group_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let (mut depth, mut expect_name) = (0usize, true);
    for (at, c) in text.char_indices() {
        match c {
            '{' => {
                depth += 1;
                expect_name = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => expect_name = true,
            c if depth == 1 && expect_name && (c.is_alphabetic() || c == '_') => {
                names.push(ident_at(&text[at..]));
                expect_name = false;
            }
            _ => {}
        }
    }
    names
}

/// The top-level modules a file's text reaches: `crate::NAME` paths, and `super::`
/// chains that climb `depth` levels out of the file's component.
fn reached(text: &str, depth: usize) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        let boundary = rest[..at].chars().last().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = &rest[at + "crate::".len()..];
        if boundary {
            if after.starts_with('{') {
                found.extend(group_names(after).into_iter().map(str::to_string));
            } else {
                found.insert(ident_at(after).to_string());
            }
        }
        rest = after;
    }
    let climb = "super::".repeat(depth + 1);
    let mut rest = text;
    while let Some(at) = rest.find(&climb) {
        let after = &rest[at + climb.len()..];
        found.insert(ident_at(after).to_string());
        rest = after;
    }
    found
}

#[test]
fn components_import_only_what_the_layer_map_allows() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        let component = parts[0].trim_end_matches(".rs").to_string();
        let Some(allowed) = allowed(&component) else { continue };
        // How many `super::` a file may climb and stay inside its component: a file
        // `a/b/c.rs` is module a::b::c (depth 2), `a/b/mod.rs` is a::b (depth 1).
        let module_depth = parts.len() - 1 - usize::from(parts.last().is_some_and(|p| p == "mod.rs"));
        let text = without_comments(&std::fs::read_to_string(file).expect("readable source"));
        for target in reached(&text, module_depth) {
            if target == component || allowed.contains(&target.as_str()) || target.is_empty() {
                continue;
            }
            violations.entry(format!("{component} → {target}")).or_default().insert(relative.display().to_string());
        }
    }
    for (from, to, why) in NOT_YET {
        let arrow = format!("{from} → {to}");
        assert!(violations.remove(&arrow).is_some(), "{arrow} is gone ({why}): drop it from NOT_YET");
    }
    assert!(violations.is_empty(), "imports against the layer map (src/lib.rs):\n{violations:#?}");
}

#[test]
fn the_scanner_sees_grouped_and_climbing_paths() {
    let text =
        "use crate::{apiserver::pki, machinery::{a, b}};\nlet x = crate::store::open();\nuse super::super::kubelet::x;";
    let found = reached(text, 1);
    assert_eq!(
        found,
        ["apiserver", "kubelet", "machinery", "store"].into_iter().map(String::from).collect::<BTreeSet<_>>()
    );
    assert!(reached("use super::sibling;", 1).is_empty());
}
