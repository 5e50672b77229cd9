//! The shape of the crate, checked on every test run: the top-level modules
//! depend on each other without cycles, and the pure layers (`domain/`,
//! `catalog/`) name no web framework or database type. A change that adds
//! a cycle fails here with the modules involved and the lines that link
//! them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's code without its unit tests (by convention the trailing
/// `#[cfg(test)]` module) and without comments.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    code.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn relative(path: &Path) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    path.strip_prefix(&src).unwrap_or(path).display().to_string()
}

struct Crate {
    /// Top-level module → (the modules it names → one line naming it).
    edges: BTreeMap<String, BTreeMap<String, String>>,
    files: Vec<(String, PathBuf, String)>,
}

fn read_crate() -> Crate {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    source_files(&src, &mut paths);
    let top_of = |path: &Path| -> String {
        let relative = path.strip_prefix(&src).unwrap();
        let first = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        first.trim_end_matches(".rs").to_owned()
    };
    let modules: BTreeSet<String> = paths
        .iter()
        .map(|p| top_of(p))
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut files = Vec::new();
    for path in paths {
        let top = top_of(&path);
        if top == "lib" || top == "main" {
            continue;
        }
        let code = code_of(&path);
        for line in code.lines() {
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                // `crate::a::b` or `crate::{a, b::c}`.
                let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    group
                        .split('}')
                        .next()
                        .unwrap_or_default()
                        .split(',')
                        .map(|n| n.trim().split("::").next().unwrap_or_default())
                        .collect()
                } else {
                    vec![rest
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or_default()]
                };
                for name in names {
                    if modules.contains(name) && name != top {
                        edges
                            .entry(top.clone())
                            .or_default()
                            .entry(name.to_owned())
                            .or_insert_with(|| format!("src/{}: {}", relative(&path), line.trim()));
                    }
                }
            }
        }
        files.push((top, path, code));
    }
    for module in &modules {
        edges.entry(module.clone()).or_default();
    }
    Crate { edges, files }
}

/// Strongly connected components of more than one module (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeMap<String, String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(walk: &mut Walk<'a>, node: &'a str) {
        let next = walk.index.len();
        walk.index.insert(node, next);
        walk.low.insert(node, next);
        walk.stack.push(node);
        for target in walk.edges[node].keys() {
            let target = target.as_str();
            if !walk.index.contains_key(target) {
                visit(walk, target);
                let low = walk.low[target].min(walk.low[node]);
                walk.low.insert(node, low);
            } else if walk.stack.contains(&target) {
                let low = walk.index[target].min(walk.low[node]);
                walk.low.insert(node, low);
            }
        }
        if walk.low[node] == walk.index[node] {
            let mut component = Vec::new();
            while let Some(top) = walk.stack.pop() {
                component.push(top.to_owned());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                walk.found.push(component);
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !walk.index.contains_key(node.as_str()) {
            visit(&mut walk, node);
        }
    }
    walk.found
}

#[test]
fn the_top_level_modules_depend_on_each_other_without_cycles() {
    let krate = read_crate();
    let found = cycles(&krate.edges);
    let explain = |component: &Vec<String>| {
        let mut lines = vec![format!("cycle among {}:", component.join(", "))];
        for from in component {
            for (to, witness) in &krate.edges[from] {
                if component.contains(to) {
                    lines.push(format!("  {from} -> {to}  ({witness})"));
                }
            }
        }
        lines.join("\n")
    };
    assert!(
        found.is_empty(),
        "{}",
        found.iter().map(explain).collect::<Vec<_>>().join("\n")
    );
    // The check itself finds cycles: a made-up one is reported.
    let mut looped = krate.edges.clone();
    looped.get_mut("db").unwrap().insert("routes".into(), "made up".into());
    assert!(!cycles(&looped).is_empty(), "the cycle check found no made-up cycle");
}

#[test]
fn the_domain_and_the_catalog_name_no_web_or_database_type() {
    let krate = read_crate();
    let mut offending = Vec::new();
    for (top, path, code) in &krate.files {
        if top != "domain" && top != "catalog" {
            continue;
        }
        for line in code.lines() {
            if line.contains("actix") || line.contains("sqlx") {
                offending.push(format!("src/{}: {}", relative(path), line.trim()));
            }
        }
    }
    assert!(offending.is_empty(), "{}", offending.join("\n"));
}
