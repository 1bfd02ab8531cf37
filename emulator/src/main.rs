//! exo-emulator's command line: prints one JSON line on stdout, then serves until stdin reaches
//! EOF (or it is killed). Contract: docs/EMULATOR.md.

use std::io::{Read, Write};

fn fail(msg: &str) -> ! {
    eprintln!("exo-emulator: {}\n{}", msg, exo_emulator::USAGE);
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match exo_emulator::parse_args(&args) {
        Ok(exo_emulator::Command::Run(cfg)) => cfg,
        Ok(exo_emulator::Command::Help) => {
            println!("{}", exo_emulator::USAGE);
            std::process::exit(0);
        }
        Err(e) => fail(&e),
    };
    // Page generation allocates many small strings next to ~3 KB records and ~3 MB bodies; glibc's
    // fastbin consolidation then dominates. Tcache alone is faster for this pattern.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_MXFAST, 0);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 * 1024 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024 * 1024);
    }
    let ignore_stdin = cfg.ignore_stdin;
    let listen = cfg.listen;
    let emulator = match exo_emulator::start(cfg) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("exo-emulator: cannot listen on {}: {}", listen, e);
            std::process::exit(1);
        }
    };
    {
        let out = std::io::stdout();
        let mut out = out.lock();
        let _ = writeln!(out, "{}", emulator.startup);
        let _ = out.flush();
    }
    if ignore_stdin {
        loop {
            std::thread::park();
        }
    }
    let mut stdin = std::io::stdin();
    let mut buf = [0u8; 4096];
    loop {
        match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    std::process::exit(0);
}
