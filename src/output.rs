//! JSON lines out. serde_json leaves U+2028 and U+2029 raw inside strings;
//! line splitters that treat them as line ends (Python's `str.splitlines`)
//! then cut a message in two. Escaping them costs nothing here.

use serde::Serialize;
use serde_json::ser::Formatter;
use std::io::{self, Write};
use std::time::{Duration, Instant};

mod selecting;
pub use selecting::write_json_without;

/// Compact output (the trait's defaults) with the two separators escaped.
struct LineSafeFormatter;

impl Formatter for LineSafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Both separators start with byte 0xE2; most text has none, and
        // `contains` on bytes is a memchr.
        if !fragment.as_bytes().contains(&0xE2) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut rest = fragment;
        while let Some(i) = rest.find(['\u{2028}', '\u{2029}']) {
            writer.write_all(&rest.as_bytes()[..i])?;
            let c = rest[i..].chars().next().unwrap_or('\u{2028}');
            write!(writer, "\\u{:04x}", c as u32)?;
            rest = &rest[i + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
}

/// Writes one value as compact, line-safe JSON (no line end).
pub fn write_json<W: Write + ?Sized, T: Serialize + ?Sized>(
    w: &mut W,
    value: &T,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, LineSafeFormatter);
    // `From` keeps the kind of an underlying I/O error (a closed pipe).
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// Writes one value as one line.
pub fn write_line<T: Serialize + ?Sized>(w: &mut dyn Write, value: &T) -> io::Result<()> {
    write_json(w, value)?;
    w.write_all(b"\n")
}

/// When buffered records are due to reach the reader: at least once a
/// second while they flow, so a slow sync shows progress and a platform
/// that ends a silent source sees it alive. The clock is read once per
/// batch of records, not per record: a flush per record would cost the
/// throughput the buffer is there for.
#[derive(Debug)]
pub struct FlushPacer {
    unflushed: u32,
    last: Instant,
}

impl FlushPacer {
    /// Records between looks at the clock: few enough that records read one
    /// request per object (custom-field values, a few rows a request at the
    /// rate limit's two requests a second) still reach the reader within
    /// about a second; a look costs tens of nanoseconds.
    const BATCH: u32 = 8;
    const EVERY: Duration = Duration::from_secs(1);

    pub fn new() -> FlushPacer {
        FlushPacer {
            unflushed: 0,
            last: Instant::now(),
        }
    }

    /// Counts one record written; true when the buffer should be flushed now.
    pub fn record_due(&mut self) -> bool {
        self.unflushed += 1;
        if !self.unflushed.is_multiple_of(Self::BATCH) || self.last.elapsed() < Self::EVERY {
            return false;
        }
        self.flushed();
        true
    }

    /// The buffer was flushed (for another message's sake, or the pacer's).
    pub fn flushed(&mut self) {
        self.unflushed = 0;
        self.last = Instant::now();
    }
}

impl Default for FlushPacer {
    fn default() -> Self {
        FlushPacer::new()
    }
}

/// Writes straight to a file descriptor (1 or 2), past std's lock on
/// stdout: a panic hook must never wait for a lock the panicking thread's
/// sibling holds (the read loop holds stdout's for the whole sync), or the
/// process would hang instead of ending.
pub fn write_unlocked(fd: i32, bytes: &[u8]) {
    use std::os::fd::FromRawFd;
    // SAFETY: fds 1 and 2 stay open for the life of the process; the File is
    // never dropped (ManuallyDrop), so it never closes the descriptor.
    let mut f = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
    let _ = f.write_all(bytes);
}

/// The failure of a run whose standard output was closed (`>&-`) when the
/// process began. Rust's runtime reopens a closed descriptor 1 on
/// /dev/null before `main`, so every write would then succeed and every
/// record vanish with exit 0. Only a broken pipe means the reader left on
/// purpose; a descriptor that was never open is a system error.
pub fn closed_stdout() -> Option<crate::Error> {
    closed_at_start::STDOUT.load(std::sync::atomic::Ordering::Relaxed).then(|| {
        crate::Error::system(
            "Cannot write the connector's output: standard output is closed. Run it with its output going to a pipe or a file.",
        )
        .for_sync()
    })
}

/// Looks at descriptor 1 before Rust's runtime can reopen it: an ELF
/// constructor runs before `main` and before the runtime's own start.
#[cfg(target_os = "linux")]
mod closed_at_start {
    use std::sync::atomic::{AtomicBool, Ordering};

    pub static STDOUT: AtomicBool = AtomicBool::new(false);

    extern "C" {
        fn fcntl(fd: i32, cmd: i32, ...) -> i32;
    }

    const F_GETFD: i32 = 1;

    extern "C" fn look() {
        // SAFETY: F_GETFD only reads the descriptor's flags; it fails
        // (EBADF) exactly when the descriptor is not open.
        if unsafe { fcntl(1, F_GETFD) } == -1 {
            STDOUT.store(true, Ordering::Relaxed);
        }
    }

    #[used]
    #[link_section = ".init_array"]
    static LOOK: extern "C" fn() = look;
}

/// Elsewhere the runtime's reopening is not looked behind.
#[cfg(not(target_os = "linux"))]
mod closed_at_start {
    pub static STDOUT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_flushed_once_a_second_looking_at_the_clock_per_batch() {
        let mut pacer = FlushPacer::new();
        // Within the second: never due, however many records.
        assert!((0..1000).all(|_| !pacer.record_due()));
        pacer.last -= Duration::from_secs(2);
        pacer.unflushed = 0;
        let due: Vec<bool> = (0..FlushPacer::BATCH).map(|_| pacer.record_due()).collect();
        // Due at the batch's end only, and then not again at once.
        assert_eq!(due.iter().filter(|d| **d).count(), 1);
        assert!(due[FlushPacer::BATCH as usize - 1]);
        assert!((0..1000).all(|_| !pacer.record_due()));
    }

    #[test]
    fn line_separators_are_escaped() {
        let mut out = Vec::new();
        write_line(
            &mut out,
            &serde_json::json!({"a": "x\u{2028}y\u{2029}z\n\"é"}),
        )
        .unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, "{\"a\":\"x\\u2028y\\u2029z\\n\\\"é\"}\n");
        assert_eq!(s.lines().count(), 1);
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["a"], "x\u{2028}y\u{2029}z\n\"é");
    }
}
