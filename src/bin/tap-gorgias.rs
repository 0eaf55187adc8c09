//! The Singer tap binary: arguments in, Singer messages out, and the exit
//! code of what happened. Everything else is in the library.

use std::io::{BufWriter, Write};

fn main() {
    // A bug on any thread must end the process at once as one CRITICAL
    // line, never a backtrace and never a hang: written past std's locks,
    // then exit 4.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let line = format!(
            "CRITICAL The tap hit an internal error{at} and stopped: please report it with the tap's version.\n"
        );
        source_gorgias::output::write_unlocked(2, line.as_bytes());
        std::process::exit(4);
    }));
    let mut err = std::io::stderr();
    if let Some(e) = source_gorgias::output::closed_stdout() {
        let _ = writeln!(err, "CRITICAL {e}");
        std::process::exit(e.failure.exit_code());
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let code = source_gorgias::singer::run(std::env::args_os().collect(), &mut out, &mut err);
    let code = match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe && code == 0 => {
            let _ = writeln!(err, "CRITICAL {}", source_gorgias::Error::output(e));
            4
        }
        _ => code,
    };
    std::process::exit(code);
}
