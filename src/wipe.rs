//! Freed memory is wiped: the library's global allocator zeroes every block
//! before it returns it to the system allocator.
//!
//! Secrets do not only live in the library's own `Secret`s (zeroized on
//! drop): the HTTP stack copies request bodies and headers into its own
//! buffers (hyper's write buffer, rustls' records, `Bytes` chunks) and frees
//! them without wiping, so a refresh token or bearer header could be read from
//! freed heap long after the exchange ended. Zeroing on free reaches every such
//! copy once its owner lets go of it; connections that carried secrets are not
//! kept (`crate::http`), so their buffers are freed when the exchange ends.
//!
//! The cost is one `memset` per freed byte, a few milliseconds per MB-sized
//! page. The allocator is the library's (feature `wipe-on-free`, on by
//! default); a binary that brings its own (the fuzz harness) turns it off.

use std::alloc::{GlobalAlloc, Layout, System};

/// The system allocator, zeroing each block before freeing it.
#[cfg_attr(not(feature = "wipe-on-free"), allow(dead_code))]
pub(crate) struct WipingAllocator;

// SAFETY: every call is forwarded to `System` with the same pointer and layout;
// `dealloc` only writes within the block it is about to free.
unsafe impl GlobalAlloc for WipingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        std::ptr::write_bytes(ptr, 0, layout.size());
        // The zeroes must be written although the block is freed right after.
        std::hint::black_box(ptr);
        System.dealloc(ptr, layout)
    }

    // `realloc` is GlobalAlloc's default: a new block, a copy, and `dealloc` (which wipes)
    // of the old one; the system's in-place realloc would free the old block unwiped.
}

#[cfg(feature = "wipe-on-free")]
#[global_allocator]
static ALLOCATOR: WipingAllocator = WipingAllocator;
