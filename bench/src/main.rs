//! `gorgias-bench`: measures source-gorgias against the local sandbox and
//! prints (and by default appends to docs/benchmarks.md) one table:
//!
//! 1. throughput of a full read with the rate limit off,
//! 2. the connector's peak RSS for that read and one ten times smaller,
//! 3. requests per stream against the floor ceil(records / page size), for a
//!    full read and an incremental read after 1 % of the data changed,
//! 4. the share of a (time-scaled) rate limit a full read achieves, and 429s,
//! 5. `spec` and `discover` start-up time.
//!
//! The sandbox and the connector run as separate processes so each one's CPU
//! is its own: the connector under GNU time, the sandbox from /proc.

mod http;
mod procs;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use serde_json::{json, Value};
use source_gorgias::streams::{self, ReadPlan};

use procs::{RunResult, SandboxProc};

const USAGE: &str = "\
usage: gorgias-bench [--tickets N] [--smoke] [--append | --no-append] [options]
  --tickets N        tickets in the main sandbox (default 200000; 2000 with --smoke)
  --smoke            short run for CI: small data, no append unless --append,
                     exit 0 whatever the figures
  --append           append the results to docs/benchmarks.md (default unless --smoke)
  --no-append        only print the table
  --rate-tickets N   tickets for the rate-limit run (default 2000; 300 with --smoke)
  --startup-runs N   runs of spec and discover each (default 20)
  --no-build         do not run `cargo build` for the connector and sandbox binaries
  --bin-dir DIR      where source-gorgias and gorgias-sandbox are (default: next to this binary)
  --docs FILE        results file (default docs/benchmarks.md in the workspace)
  --strict           exit 1 when a figure misses its target
  -h, --help         this text";

/// Page size of every read but the rate-limit one.
const PAGE: u64 = 100;
/// Rate-limit run: Gorgias's API-key bucket, its 20 s window scaled to 0.5 s.
const RL_LIMIT: f64 = 40.0;
const RL_WINDOW: f64 = 20.0;
const RL_SCALE: f64 = 0.025;
const RL_PAGE: u64 = 10;

struct Opts {
    tickets: usize,
    smoke: bool,
    append: bool,
    rate_tickets: usize,
    startup_runs: usize,
    build: bool,
    bin_dir: Option<PathBuf>,
    docs: PathBuf,
    strict: bool,
}

fn workspace() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

fn parse_args() -> Result<Option<Opts>, String> {
    let mut o = Opts {
        tickets: 0,
        smoke: false,
        append: true,
        rate_tickets: 0,
        startup_runs: 20,
        build: true,
        bin_dir: None,
        docs: workspace().join("docs/benchmarks.md"),
        strict: false,
    };
    let mut append = None;
    let mut args = std::env::args().skip(1);
    let num = |flag: &str, v: Option<String>| -> Result<usize, String> {
        v.as_deref()
            .and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{flag} needs a positive number"))
    };
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next());
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--tickets" => o.tickets = num(&flag, value())?,
            "--rate-tickets" => o.rate_tickets = num(&flag, value())?,
            "--startup-runs" => o.startup_runs = num(&flag, value())?,
            "--smoke" => o.smoke = true,
            "--append" => append = Some(true),
            "--no-append" => append = Some(false),
            "--no-build" => o.build = false,
            "--strict" => o.strict = true,
            "--bin-dir" => o.bin_dir = Some(value().ok_or("--bin-dir needs a value")?.into()),
            "--docs" => o.docs = value().ok_or("--docs needs a value")?.into(),
            _ => return Err(format!("unknown argument {a:?}")),
        }
    }
    if o.tickets == 0 {
        o.tickets = if o.smoke { 2000 } else { 200_000 };
    }
    if o.rate_tickets == 0 {
        o.rate_tickets = if o.smoke { 300 } else { 2000 };
    }
    if o.smoke && o.startup_runs == 20 {
        o.startup_runs = 5;
    }
    o.append = append.unwrap_or(!o.smoke);
    Ok(Some(o))
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("gorgias-bench: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(all_met) => {
            if opts.strict && !all_met {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("gorgias-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn say(msg: &str) {
    eprintln!("[bench] {msg}");
}

/// Builds the two measured binaries in the profile this one was built in,
/// when run through cargo (which sets `CARGO`).
fn build_binaries(bin_dir: &Path) -> Result<(), String> {
    let Ok(cargo) = std::env::var("CARGO") else {
        return Ok(());
    };
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace()).args([
        "build",
        "--bins",
        "-p",
        "source-gorgias",
        "-p",
        "gorgias-sandbox",
    ]);
    if bin_dir.file_name().is_some_and(|n| n == "release") {
        cmd.arg("--release");
    } else {
        say("warning: this is not a release build; the figures will not mean much");
    }
    say("building source-gorgias and gorgias-sandbox");
    let st = cmd.status().map_err(|e| format!("cargo build: {e}"))?;
    if !st.success() {
        return Err("cargo build of the connector and sandbox failed".into());
    }
    Ok(())
}

/// A stream of the configured catalog.
struct CatStream {
    name: String,
    path: &'static str,
    plan: ReadPlan,
}

/// Streams that read one endpoint in one pass: the first is the lead, whose
/// records are the endpoint's objects.
struct Group {
    path: &'static str,
    plan: ReadPlan,
    streams: Vec<String>,
}

fn catalog_groups(catalog: &Value) -> Result<Vec<Group>, String> {
    let mut list = Vec::new();
    for s in catalog["streams"]
        .as_array()
        .ok_or("catalog without streams")?
    {
        let name = s["stream"]["name"].as_str().ok_or("stream without name")?;
        let st =
            streams::find(name).ok_or_else(|| format!("the connector has no stream {name:?}"))?;
        list.push(CatStream {
            name: name.to_string(),
            path: st.endpoint().path,
            plan: st.plan(),
        });
    }
    let mut groups: Vec<Group> = Vec::new();
    for s in list {
        match groups.iter_mut().find(|g| g.path == s.path) {
            Some(g) => g.streams.push(s.name),
            None => groups.push(Group {
                path: s.path,
                plan: s.plan,
                streams: vec![s.name],
            }),
        }
    }
    Ok(groups)
}

/// Does a logged request path (`/api/views/3/items`) belong to an endpoint
/// (`/views/{id}/items`)?
fn path_matches(logged: &str, endpoint: &str) -> bool {
    let logged = logged.strip_prefix("/api").unwrap_or(logged);
    let logged = logged.trim_end_matches('/');
    let a: Vec<&str> = logged.split('/').collect();
    let b: Vec<&str> = endpoint.split('/').collect();
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || (y.starts_with('{') && y.ends_with('}')))
}

#[derive(Default, Clone)]
struct PathStats {
    requests: u64,
    ok: u64,
    throttled: u64,
    /// Requests without a cursor: reads that started from the first page.
    passes: u64,
}

fn request_log(port: u16) -> Result<Vec<Value>, String> {
    match http::call(port, "GET", "/_sandbox/requests", None)? {
        Value::Array(a) => Ok(a),
        _ => Err("the request log is not a list".into()),
    }
}

fn stats_for(log: &[Value], endpoint: &str) -> PathStats {
    let mut s = PathStats::default();
    for r in log {
        if !path_matches(r["path"].as_str().unwrap_or(""), endpoint) {
            continue;
        }
        s.requests += 1;
        match r["status"].as_u64() {
            Some(200) => s.ok += 1,
            Some(429) => s.throttled += 1,
            _ => {}
        }
        let q = r["query"].as_str().unwrap_or("");
        if !q.split('&').any(|p| p.starts_with("cursor=")) {
            s.passes += 1;
        }
    }
    s
}

/// One endpoint's requests against its floor in one read.
struct FloorRow {
    label: String,
    path: &'static str,
    records: u64,
    requests: u64,
    floor: u64,
    passes: u64,
}

impl FloorRow {
    fn excess(&self) -> i64 {
        self.requests as i64 - self.floor as i64
    }
}

/// Basic auth of the sandbox's default credentials.
const AUTH: &str = "Authorization: Basic c2FuZGJveEBleGFtcGxlLmNvbTpzYW5kYm94LWFwaS1rZXk=\r\n";

/// The distinct passes over an endpoint in a request log: the queries of
/// requests without a cursor, by concrete path.
fn passes(log: &[Value], endpoint: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for r in log {
        let path = r["path"].as_str().unwrap_or("");
        let q = r["query"].as_str().unwrap_or("");
        if !path_matches(path, endpoint) || q.split('&').any(|p| p.starts_with("cursor=")) {
            continue;
        }
        let pass = (path.to_string(), q.to_string());
        if !out.contains(&pass) {
            out.push(pass);
        }
    }
    out
}

/// Pages a reference client needs to read a pass to its end, 100 rows a
/// page: the pass's first query replayed with `limit=100`, following
/// `next_cursor` (or, for a view's items, the query of `next_items`).
fn replay_pages(port: u16, path: &str, query: &str) -> Result<u64, String> {
    let paging = |p: &str| {
        ["limit=", "cursor=", "direction=", "ignored_item="]
            .iter()
            .any(|k| p.starts_with(k))
    };
    let base: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !paging(p))
        .collect();
    // The next page's paging pairs, already encoded.
    let mut next: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        let mut q = base.clone();
        let limit = format!("limit={PAGE}");
        q.push(&limit);
        q.extend(next.iter().map(String::as_str));
        let v = http::call_with(port, "GET", &format!("{path}?{}", q.join("&")), None, AUTH)?;
        pages += 1;
        if v["data"].as_array().is_none_or(Vec::is_empty) {
            return Ok(pages);
        }
        next = match (
            v["meta"]["next_items"].as_str(),
            v["meta"]["next_cursor"].as_str(),
        ) {
            (Some(link), _) => match link.split_once('?') {
                Some((_, lq)) => lq.split('&').map(str::to_string).collect(),
                None => return Ok(pages),
            },
            (None, Some(n)) if !n.is_empty() => vec![format!(
                "cursor={}",
                n.replace('=', "%3D").replace('+', "%2B")
            )],
            _ => return Ok(pages),
        };
    }
}

/// The floor of one endpoint in one read. Where the read is one pass over a
/// list that emits each object once, it is ceil(records / 100) (at least
/// one), plus the stop page of an incremental newest-first read (which a
/// collection of one page does not need). Where the read is several passes
/// (per parent, per filter value) or selects on the server, it is the pages a
/// reference client needs for the same passes, replayed against the sandbox.
fn floors(
    port: u16,
    groups: &[Group],
    run: &RunResult,
    log: &[Value],
    full: Option<&RunResult>,
) -> Result<Vec<FloorRow>, String> {
    let mut rows = Vec::new();
    for g in groups {
        let records = run.records.get(&g.streams[0]).copied().unwrap_or(0);
        let st = stats_for(log, g.path);
        let ps = passes(log, g.path);
        let pages = records.div_ceil(PAGE).max(1);
        let simple = ps.len() <= 1 && !g.path.contains('{');
        let floor = match g.plan {
            ReadPlan::Single => 1,
            ReadPlan::NewestFirst if simple => match full {
                None => pages,
                Some(f) => {
                    let whole = f.records.get(&g.streams[0]).copied().unwrap_or(0);
                    (records.div_ceil(PAGE) + 1).min(whole.div_ceil(PAGE).max(1))
                }
            },
            _ if simple && full.is_none() && g.plan != ReadPlan::WholeList => pages,
            _ => {
                let mut sum = 0;
                for (path, q) in &ps {
                    sum += replay_pages(port, path, q)?;
                }
                sum.max(1)
            }
        };
        rows.push(FloorRow {
            label: g.streams.join(" + "),
            path: g.path,
            records,
            requests: st.requests,
            floor,
            passes: st.passes,
        });
    }
    Ok(rows)
}

struct Env {
    connector: PathBuf,
    sandbox: PathBuf,
    time: Option<PathBuf>,
    work: PathBuf,
    catalog: PathBuf,
}

impl Env {
    fn config(&self, name: &str, sb: &SandboxProc, extra: Value) -> Result<PathBuf, String> {
        let mut cfg = json!({
            "domain": "acme",
            "email": "sandbox@example.com",
            "api_key": "sandbox-api-key",
            "base_url": sb.base_url,
        });
        if let (Some(o), Value::Object(x)) = (cfg.as_object_mut(), extra) {
            o.extend(x);
        }
        let p = self.work.join(name);
        fs::write(&p, cfg.to_string()).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok(p)
    }

    fn read(&self, config: &Path, state: Option<&Path>) -> Result<RunResult, String> {
        self.read_on(config, state, None)
    }

    fn read_on(
        &self,
        config: &Path,
        state: Option<&Path>,
        pin: Option<&str>,
    ) -> Result<RunResult, String> {
        let (c, k) = (config.to_string_lossy(), self.catalog.to_string_lossy());
        let mut args = vec!["read", "--config", &c, "--catalog", &k];
        let s;
        if let Some(p) = state {
            s = p.to_string_lossy();
            args.extend(["--state", &s]);
        }
        let r = procs::run_connector(
            &self.connector,
            &args,
            self.time.as_deref(),
            pin,
            &self.work,
        )?;
        if !r.exit_ok || !r.errors.is_empty() {
            return Err(format!(
                "the connector's read failed: {}\n{}",
                r.errors.join("; "),
                r.stderr_tail
            ));
        }
        Ok(r)
    }

    fn sandbox(&self, tickets: usize, extra: &[&str]) -> Result<SandboxProc, String> {
        let mut args = vec!["--tickets".to_string(), tickets.to_string()];
        args.extend(extra.iter().map(|s| s.to_string()));
        say(&format!("starting the sandbox: {}", args.join(" ")));
        let sb = SandboxProc::start(&self.sandbox, &args)?;
        say(&format!(
            "sandbox ready on port {} after {:.1}s (generation)",
            sb.port, sb.startup_secs
        ));
        Ok(sb)
    }
}

/// Everything measured, for the table.
struct Results {
    tickets: usize,
    small_tickets: usize,
    rate_tickets: usize,
    full: RunResult,
    /// The same read with the connector pinned to one CPU.
    one_core: Option<RunResult>,
    sandbox_cpu: f64,
    harness_cpu: f64,
    small: RunResult,
    full_rows: Vec<FloorRow>,
    incr: RunResult,
    incr_rows: Vec<FloorRow>,
    mutation: Value,
    rl: RunResult,
    rl_stats: PathStats,
    spec_ms: f64,
    discover_ms: f64,
    generation_secs: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if !n.is_multiple_of(2) => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn run(o: &Opts) -> Result<bool, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin_dir = match &o.bin_dir {
        Some(d) => d.clone(),
        None => exe.parent().ok_or("no binary directory")?.to_path_buf(),
    };
    if o.build && o.bin_dir.is_none() {
        build_binaries(&bin_dir)?;
    }
    let work = std::env::temp_dir().join(format!("gorgias-bench-{}", std::process::id()));
    fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let env = Env {
        connector: bin_dir.join("source-gorgias"),
        sandbox: bin_dir.join("gorgias-sandbox"),
        time: procs::gnu_time(),
        work: work.clone(),
        catalog: workspace().join("catalog/configured_catalog.json"),
    };
    for b in [&env.connector, &env.sandbox] {
        if !b.exists() {
            return Err(format!(
                "{} is missing: run `cargo build --release --workspace` first",
                b.display()
            ));
        }
    }
    if env.time.is_none() {
        say("warning: GNU time (/usr/bin/time, Debian package `time`) is missing: no CPU or RSS figures");
    }
    let result = measure(o, &env);
    let _ = fs::remove_dir_all(&work);
    let r = result?;
    let machine = machine();
    let (table, all_met) = render(&r, &machine);
    println!("{table}");
    if o.append {
        append(&o.docs, &table)?;
        say(&format!("appended to {}", o.docs.display()));
    }
    Ok(all_met)
}

fn measure(o: &Opts, env: &Env) -> Result<Results, String> {
    let catalog: Value = serde_json::from_slice(
        &fs::read(&env.catalog).map_err(|e| format!("{}: {e}", env.catalog.display()))?,
    )
    .map_err(|e| format!("catalog: {e}"))?;
    let groups = catalog_groups(&catalog)?;
    let small_tickets = (o.tickets / 10).max(1);

    // 5. Start-up: no sandbox needed; discover only reads the config.
    let startup_cfg = env.work.join("startup-config.json");
    fs::write(
        &startup_cfg,
        json!({"domain":"acme","email":"sandbox@example.com","api_key":"sandbox-api-key","base_url":"http://127.0.0.1:9/api"}).to_string(),
    )
    .map_err(|e| e.to_string())?;
    let cfg = startup_cfg.to_string_lossy().to_string();
    let mut spec = Vec::new();
    let mut discover = Vec::new();
    // One unmeasured run of each warms the page cache.
    procs::time_command(&env.connector, &["spec"])?;
    procs::time_command(&env.connector, &["discover", "--config", &cfg])?;
    for _ in 0..o.startup_runs {
        spec.push(procs::time_command(&env.connector, &["spec"])? * 1000.0);
        discover
            .push(procs::time_command(&env.connector, &["discover", "--config", &cfg])? * 1000.0);
    }
    say(&format!(
        "start-up: spec {:.2} ms, discover {:.2} ms (medians of {})",
        median(spec.clone()),
        median(discover.clone()),
        o.startup_runs
    ));

    // 2. The small read, for the memory comparison.
    let small = {
        let sb = env.sandbox(small_tickets, &[])?;
        let cfg = env.config("small-config.json", &sb, json!({}))?;
        say("full read of the small sandbox");
        let r = env.read(&cfg, None)?;
        say(&format!(
            "{} records in {:.2}s, peak RSS {} kB",
            r.total_records(),
            r.wall,
            r.max_rss_kb.unwrap_or(0)
        ));
        r
    };

    // 1, 2, 3. The full read of the big sandbox, then an incremental one.
    let sb = env.sandbox(o.tickets, &[])?;
    let generation_secs = sb.startup_secs;
    let cfg = env.config("config.json", &sb, json!({}))?;
    http::call(sb.port, "DELETE", "/_sandbox/requests", None)?;
    let sb_before = sb.cpu();
    let me_before = procs::cpu_secs("self").unwrap_or(f64::NAN);
    say("full read (rate limit off)");
    let full = env.read(&cfg, None)?;
    let sandbox_cpu = sb.cpu() - sb_before;
    let harness_cpu = procs::cpu_secs("self").unwrap_or(f64::NAN) - me_before;
    say(&format!(
        "{} records in {:.2}s ({:.0}/s), connector CPU {:.2}s, sandbox CPU {:.2}s",
        full.total_records(),
        full.wall,
        full.total_records() as f64 / full.wall,
        full.cpu.unwrap_or(f64::NAN),
        sandbox_cpu
    ));
    let log = request_log(sb.port)?;
    let full_rows = floors(sb.port, &groups, &full, &log, None)?;

    // 1 again on one core: the connector (both its threads) on CPU 0, the
    // sandbox and this harness on CPU 1, so the floor's "one core" is
    // measured, not inferred from CPU seconds.
    let me = std::process::id().to_string();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let all_cpus = format!("0-{}", cpus - 1);
    let one_core = if cpus >= 2 && procs::pin_process(&sb.pid, "1") && procs::pin_process(&me, "1")
    {
        say("full read again, the connector pinned to CPU 0");
        let r = env.read_on(&cfg, None, Some("0"));
        procs::pin_process(&sb.pid, &all_cpus);
        procs::pin_process(&me, &all_cpus);
        let r = r?;
        say(&format!(
            "{} records in {:.2}s ({:.0}/s) on one core",
            r.total_records(),
            r.wall,
            r.total_records() as f64 / r.wall
        ));
        Some(r)
    } else {
        say("warning: taskset is missing or refused (or one CPU): no one-core figure");
        None
    };

    // 1 % of the data changes.
    let n = |s: &str| full.records.get(s).copied().unwrap_or(0);
    let pct = |x: u64| x.div_ceil(100);
    let mutation = json!({
        "seed": 1,
        "update_tickets": pct(n("tickets")),
        "add_messages": pct(n("ticket_messages")),
        "score_surveys": pct(n("satisfaction_surveys")),
        "new_tickets": n("tickets").div_ceil(1000),
        "update_users": pct(n("users")),
    });
    say(&format!("mutating: {mutation}"));
    http::call(sb.port, "POST", "/_sandbox/mutate", Some(&mutation))?;
    let states: Vec<Value> = full.states.values().cloned().collect();
    let state_path = env.work.join("state.json");
    fs::write(&state_path, Value::Array(states).to_string()).map_err(|e| e.to_string())?;
    http::call(sb.port, "DELETE", "/_sandbox/requests", None)?;
    say("incremental read");
    let incr = env.read(&cfg, Some(&state_path))?;
    let log = request_log(sb.port)?;
    let incr_rows = floors(sb.port, &groups, &incr, &log, Some(&full))?;
    drop(sb);

    // 4. Under the rate limit.
    let scale = RL_SCALE.to_string();
    let limit = format!("{RL_LIMIT}/{RL_WINDOW}");
    let sb = env.sandbox(
        o.rate_tickets,
        &["--rate-limit", &limit, "--time-scale", &scale],
    )?;
    let cfg = env.config("rl-config.json", &sb, json!({"page_size": RL_PAGE}))?;
    say("full read under the rate limit");
    let rl = env.read(&cfg, None)?;
    let rl_log = request_log(sb.port)?;
    let mut rl_stats = PathStats::default();
    for r in &rl_log {
        rl_stats.requests += 1;
        match r["status"].as_u64() {
            Some(200) => rl_stats.ok += 1,
            Some(429) => rl_stats.throttled += 1,
            _ => {}
        }
    }
    drop(sb);

    Ok(Results {
        tickets: o.tickets,
        small_tickets,
        rate_tickets: o.rate_tickets,
        full,
        one_core,
        sandbox_cpu,
        harness_cpu,
        small,
        full_rows,
        incr,
        incr_rows,
        mutation,
        rl,
        rl_stats,
        spec_ms: median(spec),
        discover_ms: median(discover),
        generation_secs,
    })
}

/// nproc, CPU model, memory, rustc and kernel.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map_or("? GiB".into(), |kb| {
            format!("{:.1} GiB", kb / 1024.0 / 1024.0)
        });
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or("rustc ?".into(), |s| s.trim().to_string());
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or("?".into(), |s| s.trim().to_string());
    format!("{cpus} CPUs (nproc), {model}, {mem} RAM, {rustc}, Linux {kernel}")
}

/// 1234567 → "1 234 567".
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "**below target**"
    }
}

fn render(r: &Results, machine: &str) -> (String, bool) {
    let mut all = true;
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut row = |n: &str, what: String, value: String, target: &str, ok: Option<bool>| {
        if ok == Some(false) {
            all = false;
        }
        rows.push([
            n.to_string(),
            what,
            value,
            target.to_string(),
            ok.map_or(String::new(), |b| verdict(b).to_string()),
        ]);
    };
    let recs = r.full.total_records();
    let rate = recs as f64 / r.full.wall;
    row(
        "1",
        format!(
            "full read, rate limit off: {} tickets, {} records, {:.0} MB of output",
            thousands(r.tickets as u64),
            thousands(recs),
            r.full.output_bytes as f64 / 1e6
        ),
        format!("{:.2} s wall", r.full.wall),
        "",
        None,
    );
    row(
        "1",
        "records per second (wall, whole pipe)".into(),
        thousands(rate as u64),
        "≥ 50 000",
        Some(rate >= 50_000.0),
    );
    if let Some(one) = &r.one_core {
        let rate = one.total_records() as f64 / one.wall;
        row(
            "1",
            "records per second, connector pinned to one core (sandbox and harness on the other)"
                .into(),
            format!("{} ({:.2} s wall)", thousands(rate as u64), one.wall),
            "≥ 50 000",
            Some(rate >= 50_000.0),
        );
    }
    if let Some(cpu) = r.full.cpu {
        let per = cpu / recs as f64 * 100_000.0;
        row(
            "1",
            "connector CPU seconds per 100 000 records".into(),
            format!("{per:.2} s ({cpu:.2} s in all)"),
            "≤ 2.00 (50 000/s on one core)",
            Some(per <= 2.0),
        );
        row(
            "1",
            "records per connector CPU second".into(),
            thousands((recs as f64 / cpu) as u64),
            "≥ 50 000",
            Some(recs as f64 / cpu >= 50_000.0),
        );
        row(
            "1",
            "sandbox's share of the CPU (sandbox / (sandbox + connector))".into(),
            format!(
                "{:.0} % ({:.2} s; bench harness {:.2} s)",
                100.0 * r.sandbox_cpu / (r.sandbox_cpu + cpu),
                r.sandbox_cpu,
                r.harness_cpu
            ),
            "",
            None,
        );
    }
    let mb = |kb: Option<u64>| kb.map(|k| k as f64 / 1024.0);
    if let (Some(big), Some(small)) = (mb(r.full.max_rss_kb), mb(r.small.max_rss_kb)) {
        row(
            "2",
            format!(
                "connector peak RSS, {} tickets ({} records)",
                thousands(r.tickets as u64),
                thousands(recs)
            ),
            format!("{big:.1} MB"),
            "< 50 MB",
            Some(big < 50.0),
        );
        row(
            "2",
            format!(
                "connector peak RSS, {} tickets ({} records)",
                thousands(r.small_tickets as u64),
                thousands(r.small.total_records())
            ),
            format!("{small:.1} MB (ratio {:.2})", big / small),
            "< 50 MB, flat (ratio ≤ 1.25)",
            Some(small < 50.0 && big / small <= 1.25),
        );
    }
    let worst = |rows: &[FloorRow]| rows.iter().map(FloorRow::excess).max().unwrap_or(0);
    let sum = |rows: &[FloorRow]| {
        (
            rows.iter().map(|f| f.requests).sum::<u64>(),
            rows.iter().map(|f| f.floor).sum::<u64>(),
        )
    };
    let (fr, ff) = sum(&r.full_rows);
    row(
        "3",
        "full read: most requests above the floor on one endpoint".into(),
        format!("{} ({fr} requests, floor {ff})", worst(&r.full_rows)),
        "≤ 1",
        Some(worst(&r.full_rows) <= 1),
    );
    let (ir, iff) = sum(&r.incr_rows);
    row(
        "3",
        format!(
            "incremental read after 1 % changed ({} records): most requests above the floor",
            thousands(r.incr.total_records())
        ),
        format!("{} ({ir} requests, floor {iff})", worst(&r.incr_rows)),
        "≤ 1",
        Some(worst(&r.incr_rows) <= 1),
    );
    for (name, rows) in [("full", &r.full_rows), ("incremental", &r.incr_rows)] {
        if let Some(t) = rows.iter().find(|f| f.path == "/tickets") {
            row(
                "3",
                format!("{name} read: passes over /api/tickets ({})", t.label),
                t.passes.to_string(),
                "1",
                Some(t.passes == 1),
            );
        }
    }
    let rl_rate = RL_LIMIT / (RL_WINDOW * RL_SCALE);
    let share = (r.rl_stats.ok as f64 - RL_LIMIT) / r.rl.wall / rl_rate;
    row(
        "4",
        format!(
            "rate limit {RL_LIMIT}/{} s (20 s × {RL_SCALE}), page_size {RL_PAGE}, {} tickets: {} requests in {:.2} s",
            RL_WINDOW * RL_SCALE,
            thousands(r.rate_tickets as u64),
            r.rl_stats.requests,
            r.rl.wall
        ),
        format!("{:.1} % of the limit", share * 100.0),
        "≥ 90 %",
        Some(share >= 0.9),
    );
    let t429 = r.rl_stats.throttled as f64 / r.rl_stats.requests.max(1) as f64;
    row(
        "4",
        "429 answers".into(),
        format!(
            "{:.2} % ({} of {})",
            t429 * 100.0,
            r.rl_stats.throttled,
            r.rl_stats.requests
        ),
        "≤ 1 %",
        Some(t429 <= 0.01),
    );
    row(
        "5",
        "`spec` wall time (median)".into(),
        format!("{:.2} ms", r.spec_ms),
        "< 10 ms",
        Some(r.spec_ms < 10.0),
    );
    row(
        "5",
        "`discover` wall time (median)".into(),
        format!("{:.2} ms", r.discover_ms),
        "< 20 ms",
        Some(r.discover_ms < 20.0),
    );

    let mut s = String::new();
    let _ = writeln!(s, "Machine: {machine}.\n");
    let _ = writeln!(s, "| # | measure | result | target | |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    for r in &rows {
        let _ = writeln!(s, "| {} |", r.join(" | "));
    }
    let _ = writeln!(
        s,
        "\nRequests per endpoint. Floor: ceil(records / {PAGE}) for one pass over a list, +1 stop page for an incremental newest-first read (its records include the default lookback windows, kept on); for endpoints read whole, read in several passes (per parent, per filter value) or filtered on the server, the pages a reference client needs for the same passes. tickets + ticket_tags share one pass:\n"
    );
    let _ = writeln!(
        s,
        "| stream(s) | endpoint | full: records | requests | floor | incremental: records | requests | floor |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    for (f, i) in r.full_rows.iter().zip(&r.incr_rows) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            f.label,
            f.path,
            thousands(f.records),
            f.requests,
            f.floor,
            thousands(i.records),
            i.requests,
            i.floor
        );
    }
    let _ = writeln!(
        s,
        "\nRecords per stream (full read): {}. Mutation for the incremental read: `{}`. Sandbox generation of {} tickets: {:.1} s (before timing).",
        r.full
            .records
            .iter()
            .map(|(k, v)| format!("{k} {}", thousands(*v)))
            .collect::<Vec<_>>()
            .join(", "),
        r.mutation,
        thousands(r.tickets as u64),
        r.generation_secs
    );
    (s, all)
}

const INTRO: &str = "# Benchmarks

`gorgias-bench` starts the local Gorgias sandbox in its own process and
measures the `source-gorgias` binary against it: (1) throughput of a full read
of every stream with the rate limit off, with the connector's CPU (GNU time)
apart from the sandbox's (/proc); (2) the connector's peak RSS for that read
and one ten times smaller; (3) requests per endpoint against the floor of one
request per 100 records, for a full read and an incremental read after 1 % of
the data changed; (4) the share of a time-scaled rate limit a full read
achieves, and its 429s; (5) `spec` and `discover` start-up time.

Reproduce (builds the connector and the sandbox in release first; about six
minutes for 200 000 tickets on a 2-core machine: ~40 s of sandbox data
generation, before any timing, then the reads):

```
cargo run --release -p gorgias-bench -- --tickets 200000
```

`--no-append` only prints the table; `--smoke` is the short run CI makes
(`ci/e2e-bench-smoke.sh`). Results below are appended by the command, newest
last.
";

fn append(docs: &Path, table: &str) -> Result<(), String> {
    let mut text = fs::read_to_string(docs).unwrap_or_default();
    if text.trim().is_empty() {
        text = INTRO.to_string();
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let _ = write!(text, "\n## {now}\n\n{table}");
    if let Some(dir) = docs.parent() {
        fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    fs::write(docs, text).map_err(|e| format!("{}: {e}", docs.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templated_paths_match() {
        assert!(path_matches("/api/tickets", "/tickets"));
        assert!(path_matches("/api/tickets/", "/tickets"));
        assert!(path_matches("/api/views/3/items", "/views/{id}/items"));
        assert!(!path_matches("/api/views", "/views/{id}/items"));
        assert!(!path_matches("/api/ticketsx", "/tickets"));
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1 000");
        assert_eq!(thousands(1_234_567), "1 234 567");
    }
}
