//! `--response-cache`: the rendered value array of a read page (a Get-* InvokeCommand), kept so
//! an identical request later skips rendering and compressing it again; benchmarks then measure
//! the client rather than the stand-in server. Only the value array is kept: the envelope
//! (context, a fresh skip token in the nextLink, warnings) and the headers are made per
//! response. Any write clears everything through a generation counter.

use crate::http::Deflated;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// At most this many bytes of kept bodies; the oldest go first.
const MAX_TOTAL: usize = 256 * 1024 * 1024;
/// A body bigger than this is not kept.
const MAX_ENTRY: usize = 64 * 1024 * 1024;

/// The value array as sent: plain, or compressed on its own when the client accepts gzip.
pub enum Body {
    Plain(Vec<u8>),
    Deflated(Deflated),
}

impl Body {
    fn len(&self) -> usize {
        match self {
            Body::Plain(b) => b.len(),
            Body::Deflated(d) => d.data.len(),
        }
    }
}

/// One page's rendering: the value array and what its envelope is made of.
pub struct Page {
    pub body: Body,
    pub count: usize,
    /// Where the next page starts (position, row within it) when the page is full.
    pub next: Option<(usize, usize)>,
    /// The cmdlet's warnings, the ResultSize one included.
    pub warnings: Vec<String>,
}

struct Entry {
    generation: u64,
    page: Arc<Page>,
    size: usize,
}

#[derive(Default)]
struct Kept {
    map: HashMap<Vec<u8>, Entry>,
    /// Keys in insertion order (may name entries already replaced or dropped).
    order: VecDeque<Vec<u8>>,
    bytes: usize,
}

pub struct ResponseCache {
    enabled: bool,
    generation: AtomicU64,
    kept: Mutex<Kept>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Builds a key from the parts that decide a page's value array, each length-prefixed so no
/// two different lists of parts make the same key.
#[derive(Default)]
pub struct Key(Vec<u8>);

impl Key {
    pub fn part(mut self, bytes: &[u8]) -> Key {
        self.0
            .extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.0.extend_from_slice(bytes);
        self
    }
    pub fn num(self, n: u64) -> Key {
        self.part(&n.to_le_bytes())
    }
}

impl ResponseCache {
    pub fn new(enabled: bool) -> ResponseCache {
        ResponseCache {
            enabled,
            generation: AtomicU64::new(0),
            kept: Mutex::new(Kept::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The generation to pass to `put` for a page rendered from here on.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// A write ran (or is about to): nothing kept so far may be served again.
    pub fn invalidate(&self) {
        if !self.enabled {
            return;
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        let mut k = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        *k = Kept::default();
    }

    /// The kept page for `key` (counted as a hit), or None (counted as a miss).
    pub fn get(&self, key: &Key) -> Option<Arc<Page>> {
        let k = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let found = k
            .map
            .get(&key.0)
            .filter(|e| e.generation == self.generation())
            .map(|e| e.page.clone());
        drop(k);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps `page` for `key` unless a write ran since `generation` was read (the page may show
    /// the state before it) or the page is too big.
    pub fn put(&self, key: Key, generation: u64, page: Arc<Page>) {
        let size = page.body.len() + key.0.len();
        if size > MAX_ENTRY {
            return;
        }
        let mut k = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if self.generation() != generation {
            return;
        }
        if let Some(old) = k.map.remove(&key.0) {
            k.bytes -= old.size;
        }
        while k.bytes + size > MAX_TOTAL {
            let oldest = match k.order.pop_front() {
                Some(o) => o,
                None => break,
            };
            if let Some(old) = k.map.remove(&oldest) {
                k.bytes -= old.size;
            }
        }
        k.order.push_back(key.0.clone());
        k.map.insert(
            key.0,
            Entry {
                generation,
                page,
                size,
            },
        );
        k.bytes += size;
        // Keys of replaced entries pile up in `order` only until it is twice the live count.
        if k.order.len() > 2 * k.map.len() + 64 {
            let Kept { map, order, .. } = &mut *k;
            order.retain(|o| map.contains_key(o));
        }
    }

    /// `responseCache` in the stats.
    pub fn to_json(&self) -> Value {
        let bytes = self.kept.lock().unwrap_or_else(|e| e.into_inner()).bytes;
        json!({
            "enabled": self.enabled,
            "hits": self.hits.load(Ordering::Relaxed),
            "misses": self.misses.load(Ordering::Relaxed),
            "bytes": bytes,
        })
    }

    /// With the other stats (`/_emulator/reset-stats`): the counters, not the kept pages.
    pub fn reset_counters(&self) {
        self.hits.store(0, Ordering::Relaxed);
        self.misses.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize) -> Arc<Page> {
        Arc::new(Page {
            // Zeroed: the allocator maps it lazily, so the test stays light.
            body: Body::Plain(vec![0u8; n]),
            count: 1,
            next: None,
            warnings: vec![],
        })
    }

    #[test]
    fn keeps_drops_on_writes_and_stays_bounded() {
        let c = ResponseCache::new(true);
        let g = c.generation();
        c.put(Key::default().num(1), g, page(10));
        assert!(c.get(&Key::default().num(1)).is_some());
        assert!(c.get(&Key::default().num(2)).is_none());
        // A page rendered before a write is not kept; a write drops what was kept.
        c.invalidate();
        assert!(c.get(&Key::default().num(1)).is_none());
        c.put(Key::default().num(3), g, page(10));
        assert!(c.get(&Key::default().num(3)).is_none());
        // Too big for one entry; and the oldest go when the total is over.
        let g = c.generation();
        c.put(Key::default().num(4), g, page(MAX_ENTRY + 1));
        assert!(c.get(&Key::default().num(4)).is_none());
        for k in 0..6 {
            c.put(Key::default().num(10 + k), g, page(60 * 1024 * 1024));
        }
        assert!(c.get(&Key::default().num(10)).is_none());
        assert!(c.get(&Key::default().num(11)).is_none());
        assert!(c.get(&Key::default().num(15)).is_some());
        assert!(c.to_json()["bytes"].as_u64().unwrap() <= MAX_TOTAL as u64);
        assert_eq!(c.to_json()["hits"], 2);
    }
}
