//! The emulator's modules import downward only: no two files import each other, and no longer
//! circle exists either (issue 15). Reads `emulator/src/*.rs` and follows `crate::name` paths.

use std::collections::{BTreeMap, BTreeSet};

/// Module name → the crate modules its file names (`crate::x`, `use crate::{x, y}`).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("read emulator/src") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if name == "lib" || name == "main" {
            continue; // the crate root declares every module
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut deps = BTreeSet::new();
        for (k, _) in text.match_indices("crate::") {
            let rest = &text[k + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let m: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !m.is_empty() {
                        deps.insert(m);
                    }
                }
            } else {
                let m: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !m.is_empty() {
                    deps.insert(m);
                }
            }
        }
        deps.remove(&name);
        graph.insert(name, deps);
    }
    graph
}

#[test]
fn no_two_emulator_files_import_each_other() {
    let g = imports();
    assert!(
        g.len() > 10,
        "expected the emulator's modules, found {:?}",
        g.keys()
    );
    let mut pairs = vec![];
    for (a, deps) in &g {
        for b in deps {
            if a < b && g.get(b).map_or(false, |d| d.contains(a)) {
                pairs.push(format!("{} <-> {}", a, b));
            }
        }
    }
    assert!(pairs.is_empty(), "files importing each other: {:?}", pairs);
}

#[test]
fn emulator_imports_have_no_cycle() {
    let g = imports();
    // Depth-first search with colours; reports the first cycle found as a path.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|s| s == n).unwrap();
                let mut cycle = stack[from..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, g, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        let mut stack = vec![];
        if let Some(c) = visit(n, &g, &mut state, &mut stack) {
            panic!("import cycle: {}", c.join(" -> "));
        }
    }
    // The layering the split is for: the wire and the http types know no handler.
    for low in ["http", "wire", "app", "tokens"] {
        for high in ["routes", "exchange", "identity"] {
            assert!(
                !g[low].contains(high),
                "{}.rs imports {}.rs (upward)",
                low,
                high
            );
        }
    }
}
