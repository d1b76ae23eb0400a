//! The allocator of the `scapc` binary: mimalloc, and how soon it returns
//! freed memory to the system.
//!
//! Evaluation builds and drops millions of small items (a whole-filesystem
//! file object makes one per file); mimalloc does that far faster than
//! glibc's allocator. It is built without transparent huge pages
//! (`no_thp`): with them the kernel zeroes 2 MB pages that are mostly never
//! used, which cost a sixth of a ComplianceAsCode build's CPU time and
//! 60 MB of its memory.
//!
//! mimalloc (v3) keeps freed pages for a second before it gives them back
//! ("purge delay"). A build frees its model and then validates what it
//! emitted: with that delay the model's pages are still held while the
//! validation's are taken, and the peak is their sum (debian12 about
//! 195 MB, rhel9 with SCE about 280 MB). [`return_freed_memory_soon`]
//! shortens the delay to 10 ms (mimalloc v2's default): the peak falls to
//! about 160 and 240 MB for the same time. Processes that allocate the
//! same memory again and again (`build --watch`, evaluation) keep the
//! default: there, giving pages back and faulting them in again costs
//! time (a watch rebuild of debian12 0.27 s -> 0.36 s). A build of many
//! products keeps freed memory altogether ([`keep_freed_memory`]): each
//! product takes again what the one before it freed.

use std::ffi::{c_int, c_long};

/// The global allocator type (`#[global_allocator]` in the binary).
pub use mimalloc::MiMalloc as Allocator;

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_t` (`mimalloc.h`);
/// checked by the test below against the environment variable that names
/// it.
const PURGE_DELAY: c_int = 15;

/// Milliseconds freed memory stays with the process before it is
/// returned.
pub const PURGE_DELAY_MS: c_long = 10;

extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
    fn mi_option_get(option: c_int) -> c_long;
}

/// Makes mimalloc return freed memory to the system within
/// [`PURGE_DELAY_MS`]. Call it before anything is freed: a purge already
/// scheduled with a longer delay holds back the ones scheduled after it.
/// The environment (`MIMALLOC_PURGE_DELAY`) still decides when it is set.
pub fn return_freed_memory_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mimalloc's option setter takes any option index and
        // value at any time, from any thread; `PURGE_DELAY` is a valid
        // index (see the test).
        unsafe { mi_option_set(PURGE_DELAY, PURGE_DELAY_MS) };
    }
}

/// Makes mimalloc keep freed memory for reuse instead of returning it
/// (unless the environment, `MIMALLOC_PURGE_DELAY`, says otherwise). For
/// a build of many products: each frees its model while the next ones
/// take as much again, and returning pages only to fault them in again
/// cost a build of all 38 ComplianceAsCode products about 5% of its CPU
/// time (its peak memory rose from about 420 to 550 MB).
pub fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: as in `return_freed_memory_soon`; -1 is mimalloc's
        // "never purge".
        unsafe { mi_option_set(PURGE_DELAY, -1) };
    }
}

/// mimalloc's current purge delay in milliseconds.
pub fn purge_delay() -> c_long {
    // SAFETY: a read of a valid option index, from any thread.
    unsafe { mi_option_get(PURGE_DELAY) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `PURGE_DELAY` is the option `MIMALLOC_PURGE_DELAY` sets: a child
    /// process with that variable reads it back through the index.
    #[test]
    fn the_option_index_is_the_purge_delay() {
        if let Ok(v) = std::env::var("SCAPC_ALLOC_TEST_CHILD") {
            assert_eq!(purge_delay().to_string(), v);
            return;
        }
        let exe = std::env::current_exe().unwrap();
        for v in ["123", "7"] {
            let st = std::process::Command::new(&exe)
                .args(["--exact", "tests::the_option_index_is_the_purge_delay", "--nocapture"])
                .env("SCAPC_ALLOC_TEST_CHILD", v)
                .env("MIMALLOC_PURGE_DELAY", v)
                .status()
                .unwrap();
            assert!(st.success(), "purge delay {v} not read back");
        }
    }

    #[test]
    fn the_delay_is_set_unless_the_environment_sets_it() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // One test, so that no other changes the setting in between.
        keep_freed_memory();
        assert_eq!(purge_delay(), -1);
        return_freed_memory_soon();
        assert_eq!(purge_delay(), PURGE_DELAY_MS);
    }
}
