//! A counting global allocator: how many allocations a call makes and whether live heap grows.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

/// Wraps the system allocator and counts allocations and live bytes.
///
/// Install it with `#[global_allocator] static A: CountingAlloc = CountingAlloc::new();`. The cost
/// is two relaxed atomic additions per allocation and one per free.
pub struct CountingAlloc {
    allocs: AtomicU64,
    allocated: AtomicU64,
    freed: AtomicU64,
}

/// A reading of a [`CountingAlloc`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocSnapshot {
    /// Allocations (including reallocations) made so far.
    pub allocs: u64,
    /// Bytes allocated and not yet freed.
    pub live_bytes: u64,
}

impl CountingAlloc {
    /// A counter at zero.
    pub const fn new() -> Self {
        CountingAlloc {
            allocs: AtomicU64::new(0),
            allocated: AtomicU64::new(0),
            freed: AtomicU64::new(0),
        }
    }

    /// The counts so far.
    pub fn snapshot(&self) -> AllocSnapshot {
        let freed = self.freed.load(Ordering::Relaxed);
        let allocated = self.allocated.load(Ordering::Relaxed);
        AllocSnapshot {
            allocs: self.allocs.load(Ordering::Relaxed),
            live_bytes: allocated.saturating_sub(freed),
        }
    }

    fn count_alloc(&self, size: usize) {
        self.allocs.fetch_add(1, Ordering::Relaxed);
        self.allocated.fetch_add(size as u64, Ordering::Relaxed);
    }
}

impl Default for CountingAlloc {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the counters
// only observe.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            self.count_alloc(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            self.count_alloc(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.freed
            .fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            self.freed
                .fetch_add(layout.size() as u64, Ordering::Relaxed);
            self.count_alloc(new_size);
        }
        p
    }
}
