//! Either binary as a plain process: for runs whose output is not (only)
//! protocol lines, or that may hang.

use super::{assert_no_leak, leak_forms, API_KEY, EMAIL};
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SOURCE: &str = env!("CARGO_BIN_EXE_source-gorgias");
pub const TAP: &str = env!("CARGO_BIN_EXE_tap-gorgias");

/// What a binary printed and how it ended, for runs whose output is not
/// (only) protocol lines.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs either binary and checks only what every run must hold: no form
/// of the key in any output, no panic.
pub fn run_bin(bin: &str, args: &[&str]) -> Output {
    let out = Command::new(bin).args(args).output().expect("binary runs");
    let o = Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    };
    assert_no_leak(
        &format!("{args:?}"),
        &[&o.stdout, &o.stderr],
        &leak_forms(Some(EMAIL), API_KEY),
    );
    for text in [&o.stdout, &o.stderr] {
        assert!(!text.contains("panicked"), "a panic: {text}");
    }
    o
}

/// Either binary as a child whose stdout the test reads (or closes) as it
/// goes; its stderr goes where `stderr` says.
pub fn spawn(bin: &str, args: &[&str], stderr: Stdio) -> Child {
    Command::new(bin)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("binary runs")
}

/// A run that may hang: its exit code (none when it outlived its deadline
/// and was killed), what it printed, and how long it took.
pub struct Bounded {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

/// Runs either binary with its pipes drained on threads (a full pipe must
/// not stall it), killed once it outlives `deadline`.
pub fn run_bounded(bin: &str, args: &[&str], env: &[(&str, &str)], deadline: Duration) -> Bounded {
    let started = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        })
    };
    let o = drain(Box::new(child.stdout.take().unwrap()));
    let e = drain(Box::new(child.stderr.take().unwrap()));
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Bounded {
        code,
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
        took: started.elapsed(),
    }
}
