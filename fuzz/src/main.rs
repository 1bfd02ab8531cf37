//! The AFL++ harness: `exo-fuzz <target>` runs one of exo-bridge's fuzz
//! targets (`exo_bridge::fuzzing::TARGETS`) in AFL++'s persistent mode with
//! shared-memory test cases (what afl-cc's `__AFL_LOOP` and
//! `__AFL_FUZZ_TESTCASE_BUF` expand to), or once on stdin outside AFL.
//! A panic, or an allocation above the bound, aborts: AFL++ records a crash.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};

extern "C" {
    fn __afl_persistent_loop(max_cnt: u32) -> i32;
    fn __afl_manual_init();
    static __afl_fuzz_ptr: *const u8;
    static __afl_fuzz_len: *const u32;
}

/// Tells AFL++'s runtime the harness reads test cases from shared memory
/// (mutable: the runtime clears it when run outside afl-fuzz).
#[no_mangle]
#[used]
pub static mut __afl_sharedmem_fuzzing: i32 = 1;

/// afl-fuzz looks for these in the binary to switch on persistent mode and
/// the deferred fork server.
static PERSISTENT_SIGNATURE: &str = "##SIG_AFL_PERSISTENT##\0";
static DEFERRED_SIGNATURE: &str = "##SIG_AFL_DEFER_FORKSRV##\0";

/// Live heap bytes above this abort: one input must never make the library
/// allocate without bound (AFL++'s -m limit is the outer fence).
const HEAP_LIMIT: usize = 256 << 20;

struct BoundedAlloc;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for BoundedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        reserve(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        reserve(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            reserve(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }
}

fn reserve(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    if live > HEAP_LIMIT {
        // No formatting here: it would allocate.
        let msg = b"exo-fuzz: heap bound exceeded by one input\n";
        unsafe {
            libc_write(2, msg.as_ptr(), msg.len());
        }
        std::process::abort();
    }
}

extern "C" {
    #[link_name = "write"]
    fn libc_write(fd: i32, buf: *const u8, n: usize) -> isize;
}

#[global_allocator]
static ALLOC: BoundedAlloc = BoundedAlloc;

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    if name == "--list" {
        for (n, _) in exo_bridge::fuzzing::TARGETS {
            println!("{n}");
        }
        return;
    }
    let Some(target) = exo_bridge::fuzzing::target(&name) else {
        let names: Vec<&str> = exo_bridge::fuzzing::TARGETS
            .iter()
            .map(|(n, _)| *n)
            .collect();
        eprintln!("usage: exo-fuzz <target>   targets: {}", names.join(", "));
        std::process::exit(2);
    };
    // A panic is a finding: abort so AFL++ sees a crash (after the message).
    std::panic::set_hook(Box::new(|info| {
        eprintln!("exo-fuzz: {info}");
        std::process::abort();
    }));
    unsafe {
        std::ptr::read_volatile(&PERSISTENT_SIGNATURE);
        std::ptr::read_volatile(&DEFERRED_SIGNATURE);
        __afl_manual_init();
    }
    let loops: u32 = std::env::var("AFL_FUZZER_LOOPCOUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut stdin_buf = Vec::new();
    while unsafe { __afl_persistent_loop(loops) } != 0 {
        let input: &[u8] = unsafe {
            if __afl_fuzz_ptr.is_null() {
                stdin_buf.clear();
                if std::io::stdin().read_to_end(&mut stdin_buf).is_err() {
                    return;
                }
                &stdin_buf
            } else {
                std::slice::from_raw_parts(__afl_fuzz_ptr, *__afl_fuzz_len as usize)
            }
        };
        target(input);
    }
}
