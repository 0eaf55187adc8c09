//! `gorgias-sandbox`: serve a generated Gorgias account on 127.0.0.1 until killed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use gorgias_sandbox::{ChangeCue, FaultKind, Faults, RateLimit, Sandbox, SandboxConfig};

const USAGE: &str = "\
usage: gorgias-sandbox [options]
  --port N              port on 127.0.0.1 (default 0: any free port)
  --tickets N           tickets to generate (default 1000)
  --seed N              dataset seed (default 42)
  --domain D            account subdomain (default acme)
  --email E             Basic auth user (default sandbox@example.com)
  --api-key K           Basic auth password (default sandbox-api-key)
  --rate-limit L/W      leaky bucket of L requests per W seconds, e.g. 40/20
  --time-scale F        multiply every duration (rate window, slow faults) by F, e.g. 0.01
  --faults RATE[,seed=N][,kinds=K+K..]
                        fault probability per /api request; kinds among
                        500 502 503 504 reset truncated slow html (default all)
  --lenient             ignore undocumented query parameters (and the events
                        types filter) instead of answering 400
  --lists-without-custom-fields
                        serve the ticket and customer lists without
                        custom_fields (only /api/{tickets|customers}/{id}/custom-fields)
  --change-after P:K:N  right after serving page K of the list P (e.g.
                        tickets), give N of its objects a new updated_datetime;
                        repeatable
  -h, --help            this text";

struct Args {
    cfg: SandboxConfig,
    rate: Option<(u32, f64)>,
    scale: f64,
    faults: Option<(f64, u64, Option<Vec<String>>)>,
}

fn num<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag}: {v:?} is not a valid number"))
}

fn parse_faults(v: &str) -> Result<(f64, u64, Option<Vec<String>>), String> {
    let mut parts = v.split(',');
    let rate: f64 = num("--faults", parts.next().unwrap_or(""))?;
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("--faults: rate {rate} must be between 0 and 1"));
    }
    let mut seed = 1;
    let mut kinds = None;
    for p in parts {
        match p.split_once('=') {
            Some(("seed", s)) => seed = num("--faults seed", s)?,
            Some(("kinds", k)) => kinds = Some(k.split('+').map(str::to_string).collect()),
            _ => {
                return Err(format!(
                    "--faults: unexpected {p:?} (expected seed=N or kinds=...)"
                ))
            }
        }
    }
    Ok((rate, seed, kinds))
}

fn parse_args(argv: Vec<String>) -> Result<Option<Args>, String> {
    let mut a = Args {
        cfg: SandboxConfig::default(),
        rate: None,
        scale: 1.0,
        faults: None,
    };
    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        if arg == "--lenient" {
            a.cfg.lenient = true;
            continue;
        }
        if arg == "--lists-without-custom-fields" {
            a.cfg.lists_without_custom_fields = true;
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if !flag.starts_with("--") {
            return Err(format!("unexpected argument {arg:?}"));
        }
        if !OPTIONS.contains(&flag.as_str()) {
            return Err(format!("unknown option {flag}"));
        }
        let v = match inline {
            Some(v) => v,
            None => it.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        set_option(&mut a, &flag, v)?;
    }
    Ok(Some(a))
}

/// The options that take a value.
const OPTIONS: [&str; 10] = [
    "--port",
    "--tickets",
    "--seed",
    "--domain",
    "--email",
    "--api-key",
    "--rate-limit",
    "--time-scale",
    "--faults",
    "--change-after",
];

/// Sets the option `flag` (one of `OPTIONS`) to `v`.
fn set_option(a: &mut Args, flag: &str, v: String) -> Result<(), String> {
    match flag {
        "--port" => a.cfg.port = num(flag, &v)?,
        "--tickets" => a.cfg.tickets = num(flag, &v)?,
        "--seed" => a.cfg.seed = num(flag, &v)?,
        "--domain" => a.cfg.domain = v,
        "--email" => a.cfg.email = v,
        "--api-key" => a.cfg.api_key = v,
        "--rate-limit" => a.rate = Some(parse_rate(&v)?),
        "--time-scale" => {
            a.scale = num(flag, &v)?;
            if !(a.scale > 0.0 && a.scale.is_finite()) {
                return Err("--time-scale must be a positive number".into());
            }
        }
        "--change-after" => a.cfg.changes.push(ChangeCue::parse(&v).ok_or_else(|| {
            format!("--change-after: {v:?} is not PATH:PAGE:COUNT (page from 1)")
        })?),
        _ => a.faults = Some(parse_faults(&v)?),
    }
    Ok(())
}

/// `LIMIT/SECONDS`, both positive.
fn parse_rate(v: &str) -> Result<(u32, f64), String> {
    let (l, w) = v
        .split_once('/')
        .ok_or_else(|| format!("--rate-limit: {v:?} is not LIMIT/SECONDS"))?;
    let l: u32 = num("--rate-limit", l)?;
    let w: f64 = num("--rate-limit", w)?;
    if l == 0 || !(w > 0.0 && w.is_finite()) {
        return Err("--rate-limit: both numbers must be positive".into());
    }
    Ok((l, w))
}

fn kind(name: &str, slow: Duration) -> Result<FaultKind, String> {
    Ok(match name {
        "500" => FaultKind::Status500,
        "502" => FaultKind::Status502,
        "503" => FaultKind::Status503,
        "504" => FaultKind::Status504,
        "reset" => FaultKind::Reset,
        "truncated" => FaultKind::Truncated,
        "slow" => FaultKind::Slow(slow),
        "html" => FaultKind::HtmlOk,
        _ => return Err(format!("--faults: unknown kind {name:?}")),
    })
}

fn build(a: Args) -> Result<SandboxConfig, String> {
    let mut cfg = a.cfg;
    cfg.rate_limit = a.rate.map(|(limit, w)| RateLimit {
        limit,
        window: Duration::from_secs_f64(w * a.scale),
    });
    let slow = Duration::from_secs_f64(2.0 * a.scale);
    cfg.faults = match a.faults {
        None => None,
        Some((rate, seed, None)) => Some(Faults::all_kinds(rate, seed, slow)),
        Some((rate, seed, Some(names))) => Some(Faults {
            rate,
            seed,
            kinds: names
                .iter()
                .map(|n| kind(n, slow))
                .collect::<Result<_, _>>()?,
        }),
    };
    Ok(cfg)
}

fn main() -> ExitCode {
    let cfg = match parse_args(std::env::args().skip(1).collect())
        .and_then(|a| a.map(build).transpose())
    {
        Ok(Some(cfg)) => cfg,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("gorgias-sandbox: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::start(cfg) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gorgias-sandbox: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", sandbox.base_url());
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<SandboxConfig, String> {
        let argv = args.iter().map(|s| s.to_string()).collect();
        parse_args(argv).and_then(|a| build(a.expect("not --help")))
    }

    #[test]
    fn flags() {
        let cfg = parse(&[
            "--port",
            "8080",
            "--tickets=50",
            "--seed",
            "7",
            "--domain",
            "shop",
            "--rate-limit",
            "40/20",
            "--time-scale",
            "0.01",
            "--faults",
            "0.1,seed=3,kinds=500+reset+slow",
        ])
        .unwrap();
        assert_eq!((cfg.port, cfg.tickets, cfg.seed), (8080, 50, 7));
        assert_eq!(cfg.domain, "shop");
        let rl = cfg.rate_limit.unwrap();
        assert_eq!(rl.limit, 40);
        assert_eq!(rl.window, Duration::from_millis(200));
        let f = cfg.faults.unwrap();
        assert_eq!((f.rate, f.seed), (0.1, 3));
        assert_eq!(
            f.kinds,
            vec![
                FaultKind::Status500,
                FaultKind::Reset,
                FaultKind::Slow(Duration::from_millis(20))
            ]
        );
        assert_eq!(parse(&[]).unwrap().tickets, 1000);
        assert_eq!(
            parse(&["--faults", "0.5"])
                .unwrap()
                .faults
                .unwrap()
                .kinds
                .len(),
            8
        );
    }

    #[test]
    fn bad_flags_are_reported() {
        for bad in [
            &["--tickets"][..],
            &["--tickets", "many"],
            &["--nope", "1"],
            &["stray"],
            &["--rate-limit", "40"],
            &["--rate-limit", "0/20"],
            &["--time-scale", "-1"],
            &["--faults", "1.5"],
            &["--faults", "0.1,kinds=boom"],
            &["--faults", "0.1,what=1"],
            &["--port", "70000"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse_args(vec!["--help".into()]).unwrap().is_none());
    }
}
