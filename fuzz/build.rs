// Links AFL++'s runtime (the coverage map, fork server and persistent loop)
// into the harness binary only: the library's cdylib, built alongside as a
// dependency, keeps its coverage callbacks undefined and is never run.
fn main() {
    let rt = std::env::var("EXO_AFL_RUNTIME")
        .unwrap_or_else(|_| "/usr/lib/afl/afl-compiler-rt.o".to_string());
    println!("cargo:rerun-if-env-changed=EXO_AFL_RUNTIME");
    println!("cargo:rerun-if-changed={rt}");
    println!("cargo:rustc-link-arg-bins={rt}");
}
