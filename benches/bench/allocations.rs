//! A counting global allocator: how many allocations (and bytes) the threads other than the
//! measuring client make while counting is on. The client's thread excludes itself, so a
//! count is the server's alone when the server runs on threads of its own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub struct Counting;

static ENABLED: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Set on the client's thread: its own allocations are not the server's.
    static EXCLUDED: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: every call is passed to `System` unchanged; the counting touches only atomics and a
// const-initialised thread-local without a destructor, neither of which allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

fn count(size: usize) {
    // One relaxed load when counting is off, so the other sections' figures are unaffected.
    if ENABLED.load(Ordering::Relaxed) && !EXCLUDED.try_with(Cell::get).unwrap_or(true) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(size as u64, Ordering::Relaxed);
    }
}

/// Leaves this thread's allocations out of every count.
pub fn exclude_this_thread() {
    EXCLUDED.with(|excluded| excluded.set(true));
}

/// Allocations (and bytes asked for, a `realloc` counting as one of its new size) made by the
/// other threads while `work` runs.
pub fn counted<T>(work: impl FnOnce() -> T) -> (T, u64, u64) {
    let (allocations, bytes) = (
        ALLOCATIONS.load(Ordering::SeqCst),
        BYTES.load(Ordering::SeqCst),
    );
    ENABLED.store(true, Ordering::SeqCst);
    let value = work();
    ENABLED.store(false, Ordering::SeqCst);
    (
        value,
        ALLOCATIONS.load(Ordering::SeqCst) - allocations,
        BYTES.load(Ordering::SeqCst) - bytes,
    )
}
