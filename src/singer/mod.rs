//! The Singer face (tap-gorgias). Being written.

/// Runs tap-gorgias; returns the exit code.
pub fn run(
    _args: Vec<std::ffi::OsString>,
    _stdout: &mut dyn std::io::Write,
    stderr: &mut dyn std::io::Write,
) -> i32 {
    let _ = writeln!(stderr, "tap-gorgias is not built yet.");
    1
}
