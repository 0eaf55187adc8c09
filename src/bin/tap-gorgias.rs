//! The Singer tap binary: arguments in, Singer messages out.

use std::io::{BufWriter, Write};

fn main() {
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut err = std::io::stderr();
    let code = source_gorgias::singer::run(std::env::args_os().collect(), &mut out, &mut err);
    let _ = out.flush();
    std::process::exit(code);
}
