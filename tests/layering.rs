//! The core's import direction (docs/ARCHITECTURE.md): every `crate::` path in
//! src/**/*.rs points down the module ranks, and no two files import each
//! other. Paths are written from `crate::` (a `super::` outside `use super::*`
//! in a test module would hide an import from this check, so it fails too).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module ranks, top first: a file may import its own rank or lower ones.
const RANKS: &[(&[&str], u32)] = &[
    // fuzzing: the fuzz targets' entry points, a caller of every parser like the ABI.
    (&["abi", "fuzzing"], 4),
    (&["exchange", "graph"], 3),
    (&["identity"], 2),
    (
        &["retry", "http", "endpoint", "options", "cancel", "secret"],
        1,
    ),
    (&["error", "util", "wipe"], 0),
];

fn rank(module: &str) -> Option<u32> {
    RANKS
        .iter()
        .find(|(names, _)| names.contains(&module))
        .map(|(_, r)| *r)
}

fn rank_order() -> String {
    RANKS
        .iter()
        .map(|(names, _)| {
            if names.len() == 1 {
                names[0].to_string()
            } else {
                format!("{{{}}}", names.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(" > ")
}

/// `src/a/b.rs` and `src/a/b/mod.rs` → `["a", "b"]`; `src/lib.rs` → `[]`.
fn module_path(file: &str) -> Vec<String> {
    let rel = file.trim_start_matches("src/").trim_end_matches(".rs");
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if parts.last().map_or(false, |p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and string literals, so that prose and
/// messages that mention `crate::` paths are not taken for imports.
fn code_only(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            // A char literal such as '"' (lifetimes have no closing quote).
            i += 3;
        } else {
            let c = src[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Expand a use tree (`a::b::{self, c::D, e}`) into paths.
fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if tree.is_empty() {
        return;
    }
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let mut p = prefix.to_vec();
        p.extend(head);
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&p, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&p, &inner[start..], out);
        return;
    }
    let tree = tree.split(" as ").next().unwrap_or(tree);
    let mut p = prefix.to_vec();
    for seg in tree.split("::").map(str::trim) {
        if seg != "self" && seg != "*" && !seg.is_empty() {
            p.push(seg.to_string());
        }
    }
    out.push(p);
}

/// Every `crate::` path a file names, and every `super::` other than `use super::*`.
fn references(code: &str) -> (Vec<(Vec<String>, String)>, Vec<String>) {
    let mut refs = Vec::new();
    let mut supers = Vec::new();
    let mut i = 0;
    while let Some(pos) = code[i..].find("crate::").map(|p| p + i) {
        i = pos + "crate::".len();
        if pos > 0 && code[..pos].chars().next_back().map_or(false, is_ident) {
            continue; // e.g. `exo_crate::`
        }
        // The path with its use tree, up to the end of the path.
        let rest = &code[i..];
        let mut end = 0;
        let mut depth = 0;
        for (j, c) in rest.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth > 0 => depth -= 1,
                _ if depth > 0 => {}
                c if is_ident(c) || c == ':' => {}
                _ => {
                    end = j;
                    break;
                }
            }
            end = j + c.len_utf8();
        }
        let text = rest[..end].trim_end_matches(':');
        let mut paths = Vec::new();
        expand(&[], text, &mut paths);
        for p in paths {
            refs.push((
                p,
                format!("crate::{}", text.split_whitespace().collect::<String>()),
            ));
        }
    }
    for (n, line) in code.lines().enumerate() {
        if line.contains("super::") && line.trim() != "use super::*;" {
            supers.push(format!("line {}: {}", n + 1, line.trim()));
        }
    }
    (refs, supers)
}

/// The file a path lands in: its longest prefix that is a file of the crate.
fn resolve<'a>(files: &'a BTreeMap<Vec<String>, String>, path: &[String]) -> Option<&'a String> {
    (1..=path.len())
        .rev()
        .find_map(|n| files.get(&path[..n].to_vec()))
}

/// Every violation in a crate given as (path under src/, source) pairs.
fn check(sources: &[(String, String)]) -> Vec<String> {
    let files: BTreeMap<Vec<String>, String> = sources
        .iter()
        .map(|(f, _)| (module_path(f), f.clone()))
        .collect();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<(String, String), String> = BTreeMap::new();
    for (file, src) in sources {
        let me = module_path(file);
        if me.is_empty() {
            continue; // lib.rs declares and re-exports every module
        }
        let my_rank = match rank(&me[0]) {
            Some(r) => r,
            None => {
                problems.push(format!(
                    "{file}: module `{}` has no rank; add it to RANKS in tests/layering.rs ({})",
                    me[0],
                    rank_order()
                ));
                continue;
            }
        };
        let (refs, supers) = references(&code_only(src));
        for s in supers {
            problems.push(format!(
                "{file} uses a `super::` path ({s}); name it from `crate::` so the layering check sees it"
            ));
        }
        for (path, text) in refs {
            let target = match resolve(&files, &path) {
                Some(t) => t,
                None => continue, // a crate-root item (lib.rs)
            };
            if target == file {
                continue;
            }
            let top = &path[0];
            match rank(top) {
                Some(r) if r > my_rank => problems.push(format!(
                    "{file} imports `{text}`: `{}` (rank {my_rank}) must not import `{top}` (rank {r}); \
                     imports point down: {}",
                    me[0],
                    rank_order()
                )),
                Some(_) => {}
                None => problems.push(format!(
                    "{file} imports `{text}`: module `{top}` has no rank in tests/layering.rs"
                )),
            }
            edges.entry((file.clone(), target.clone())).or_insert(text);
        }
    }
    for ((a, b), text) in &edges {
        if a < b {
            if let Some(back) = edges.get(&(b.clone(), a.clone())) {
                problems.push(format!(
                    "{a} and {b} import each other ({a} imports `{text}`, {b} imports `{back}`); \
                     move what both need into a lower file"
                ));
            }
        }
    }
    let mut seen = BTreeSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    problems
}

fn read_sources(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let rel = p
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if p.is_dir() {
            if rel != "src/bin" {
                read_sources(&p, root, out);
            }
        } else if rel.ends_with(".rs") {
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

#[test]
fn core_imports_point_down_and_no_two_files_import_each_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    read_sources(&root.join("src"), root, &mut sources);
    assert!(
        sources.len() > 20,
        "found only {} source files",
        sources.len()
    );
    let problems = check(&sources);
    assert!(
        problems.is_empty(),
        "layering violations:\n  {}",
        problems.join("\n  ")
    );
}

fn src(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(f, s)| (f.to_string(), s.to_string()))
        .collect()
}

#[test]
fn the_check_catches_upward_imports_and_pairs() {
    let problems = check(&src(&[
        ("src/lib.rs", "mod identity; mod exchange; mod error;"),
        ("src/error.rs", "pub struct Error;"),
        (
            "src/identity/grant.rs",
            "use crate::error::Error;\nuse crate::exchange::{retry::RetryPolicy, cursor};\n",
        ),
        (
            "src/exchange/retry.rs",
            "// use crate::abi::nothing; (a comment)\nfn f() { let s = \"crate::abi::x\"; }\npub struct RetryPolicy;",
        ),
        ("src/exchange/cursor.rs", "use crate::exchange::connection::Connection;"),
        (
            "src/exchange/connection.rs",
            "fn f() -> crate::exchange::cursor::Cursor { todo!() }",
        ),
    ]));
    let joined = problems.join("\n");
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(
                "src/identity/grant.rs imports `crate::exchange::{retry::RetryPolicy,cursor}`"
            ) && p.contains("`identity` (rank 2) must not import `exchange` (rank 3)")),
        "{joined}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with(
            "src/exchange/connection.rs and src/exchange/cursor.rs import each other"
        )),
        "{joined}"
    );
    // Comments and strings are not imports; downward imports are fine.
    assert!(!joined.contains("crate::abi"), "{joined}");
    assert!(!joined.contains("crate::error::Error"), "{joined}");
    assert_eq!(problems.len(), 2, "{joined}");

    let problems = check(&src(&[
        ("src/telemetry.rs", "use crate::error::Error;"),
        ("src/error.rs", "fn f() { super::x(); }"),
    ]));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`telemetry` has no rank")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("`super::` path")),
        "{problems:?}"
    );
}

#[test]
fn use_trees_expand_to_paths() {
    let mut out = Vec::new();
    expand(
        &[],
        "abi::{self, error::{self, ExoError}, strings::c_string as c}",
        &mut out,
    );
    let got: BTreeSet<String> = out.iter().map(|p| p.join("::")).collect();
    let want: BTreeSet<String> = [
        "abi",
        "abi::error",
        "abi::error::ExoError",
        "abi::strings::c_string",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(got, want);
}
