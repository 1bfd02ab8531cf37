//! Replays every committed fuzz input (fuzz/corpus/<target>/ and the crash
//! reproducers in fuzz/regressions/<target>/) through the same entry points
//! the AFL++ harness calls, without instrumentation: a panic on any file
//! fails its target's test, naming the file.

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for kind in ["corpus", "regressions"] {
        let dir = fuzz_dir().join(kind).join(target);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file()),
            );
        }
    }
    files.sort();
    files
}

fn replay(target: &str) {
    let run = exo_bridge::fuzzing::target(target).expect("a known target");
    let files = inputs(target);
    assert!(!files.is_empty(), "no corpus for {target}");
    let mut failed = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("readable input");
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: {} of {} inputs fail:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

macro_rules! replay_tests {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { replay(stringify!($name)); })*

        /// Every target has a test above, and every corpus folder a target.
        #[test]
        fn every_target_is_replayed() {
            let listed = [$(stringify!($name)),*];
            for (name, _) in exo_bridge::fuzzing::TARGETS {
                assert!(listed.contains(&name), "target {name} has no replay test");
            }
            for kind in ["corpus", "regressions"] {
                for e in std::fs::read_dir(fuzz_dir().join(kind)).into_iter().flatten().flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    assert!(
                        e.path().is_file() || exo_bridge::fuzzing::target(&name).is_some(),
                        "fuzz/{kind}/{name} names no target"
                    );
                }
            }
        }
    };
}

replay_tests!(
    token_response,
    aad_error,
    device_code,
    exchange_page,
    exchange_error,
    options,
    invoke_request,
    next_link,
    base_url,
    retry_after,
    batch_answer,
    batch_invocations,
    graph_page,
    graph_error,
);
