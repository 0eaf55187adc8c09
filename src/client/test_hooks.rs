//! Hooks for the integration tests only, behind the `test-hooks` feature:
//! the tests enable it (Cargo.toml's dev-dependency on this crate), and a
//! plain `cargo build --release` leaves it out of the binaries it ships.

use std::ffi::OsString;
use std::sync::OnceLock;

/// A panic where no input can cause one any more (pages are read on the
/// fetching thread), so the tests can prove, on the release build CI tests,
/// that any panic on any thread ends the process at once. The variable
/// `SOURCE_GORGIAS_TEST_PANIC` names the path; it is read once per process.
pub(super) fn panic_if_asked(path: &str) {
    static TEST_PANIC: OnceLock<Option<OsString>> = OnceLock::new();
    if TEST_PANIC
        .get_or_init(|| std::env::var_os("SOURCE_GORGIAS_TEST_PANIC"))
        .as_deref()
        .is_some_and(|p| p == path)
    {
        panic!("test panic while reading {path}");
    }
}
