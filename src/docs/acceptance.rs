//! The acceptance test config's per-stream lists.

use super::text::COMMAND;
use crate::streams::ALL;
use std::fmt::Write;

/// `acceptance-test-config.yml` with its per-stream lists (every
/// `ignored_fields:` block: each stream's `__synced_at`, which differs on
/// every run) written from the streams; the rest of the file is hand-written
/// and comes back as it is. Pure, like the rest: the caller reads the file.
pub fn acceptance_config(current: &str) -> String {
    const HEADER: &str = "        ignored_fields:";
    let mut out = String::with_capacity(current.len());
    let mut lines = current.lines().peekable();
    let mut anchored = false;
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line != HEADER {
            continue;
        }
        // The old block: every line indented deeper than its header.
        while lines.peek().is_some_and(|l| l.starts_with("          ")) {
            lines.next();
        }
        let _ = writeln!(out, "          # every stream: written by `{COMMAND}`");
        for s in ALL {
            if anchored {
                let _ = writeln!(out, "          {}: *synced_at", s.name());
            } else {
                anchored = true;
                let _ = writeln!(out, "          {}: &synced_at", s.name());
                out.push_str("            - name: __synced_at\n");
                out.push_str("              bypass_reason: The start time of the sync that read the row; differs on every run.\n");
            }
        }
    }
    out
}
