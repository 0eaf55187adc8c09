//! The Airbyte source binary: arguments in, protocol messages out, and the
//! exit code of what happened. Everything else is in the library.

use std::io::{BufWriter, Write};

fn main() {
    // A bug on any thread must end the process at once as one protocol
    // line, never a backtrace and never a hang: the line is written past
    // stdout's lock (the read loop holds it), after a line end in case a
    // buffered record was cut mid-line, and the process exits with 4.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let line = serde_json::json!({"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": chrono::Utc::now().timestamp_millis() as f64,
            "error": {"message": "The connector hit an internal error and stopped: please report it with the connector's version.",
                      "internal_message": format!("panic{what}"), "failure_type": "system_error"}}});
        source_gorgias::output::write_unlocked(1, format!("\n{line}\n").as_bytes());
        std::process::exit(4);
    }));
    let mut err = std::io::stderr();
    if let Some(e) = source_gorgias::output::closed_stdout() {
        let _ = writeln!(err, "{e}");
        std::process::exit(e.failure.exit_code());
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let code = source_gorgias::airbyte::run(std::env::args_os().collect(), &mut out, &mut err);
    let code = match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe && code == 0 => {
            let _ = writeln!(err, "{}", source_gorgias::Error::output(e));
            4
        }
        _ => code,
    };
    std::process::exit(code);
}
