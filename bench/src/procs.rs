//! The processes under measurement: the sandbox (its CPU read from
//! /proc/<pid>/stat) and the connector (run under GNU time for its wall,
//! CPU and peak RSS, its stdout counted line by line and never kept).

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use serde_json::Value;

/// Clock ticks per second of /proc's CPU times.
fn clk_tck() -> f64 {
    static TCK: OnceLock<f64> = OnceLock::new();
    *TCK.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|t: &f64| *t > 0.0)
            .unwrap_or(100.0)
    })
}

/// User + system CPU seconds of a live process (`self` for this one).
pub fn cpu_secs(pid: &str) -> Option<f64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after
    // the last ')'. utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / clk_tck())
}

/// A sandbox in its own process, killed on drop.
pub struct SandboxProc {
    child: Child,
    pub pid: String,
    pub port: u16,
    pub base_url: String,
    /// From spawn to the `listening on` line: dataset generation.
    pub startup_secs: f64,
}

impl SandboxProc {
    pub fn start(bin: &Path, args: &[String]) -> Result<SandboxProc, String> {
        let began = Instant::now();
        let mut child = Command::new(bin)
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let pid = child.id().to_string();
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("sandbox without stdout")?;
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("reading the sandbox's first line: {e}"))?;
        let base_url = line
            .trim()
            .strip_prefix("listening on ")
            .map(str::to_string);
        let Some(base_url) = base_url else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "the sandbox did not start (first line {:?})",
                line.trim()
            ));
        };
        let port = base_url
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches("/api").parse().ok())
            .ok_or_else(|| format!("no port in {base_url:?}"))?;
        Ok(SandboxProc {
            child,
            pid,
            port,
            base_url,
            startup_secs: began.elapsed().as_secs_f64(),
        })
    }

    pub fn cpu(&self) -> f64 {
        cpu_secs(&self.pid).unwrap_or(f64::NAN)
    }
}

impl Drop for SandboxProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one connector run did and cost.
#[derive(Debug, Default)]
pub struct RunResult {
    pub wall: f64,
    /// User + system CPU seconds (GNU time), when measured.
    pub cpu: Option<f64>,
    pub max_rss_kb: Option<u64>,
    pub exit_ok: bool,
    pub records: BTreeMap<String, u64>,
    pub output_bytes: u64,
    /// The last STATE payload per stream.
    pub states: BTreeMap<String, Value>,
    pub errors: Vec<String>,
    /// The connector's own last log line (its sync summary).
    pub last_log: Option<String>,
    pub stderr_tail: String,
}

impl RunResult {
    pub fn total_records(&self) -> u64 {
        self.records.values().sum()
    }
}

/// GNU time, if installed: `%e %U %S %M` for wall, user, sys and peak RSS.
pub fn gnu_time() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/bin/time");
    let ok = Command::new(&p)
        .args(["-f", "%e", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(p)
}

/// The stream of a RECORD line, found without parsing the line: the
/// envelope's keys are serialised in sorted order (`record` < `type`, and in
/// `record`, `stream` after `data` and `emitted_at`), so the stream name is
/// near the end. Insertion order (`type` first) is recognised too.
fn record_stream(line: &[u8]) -> Option<&[u8]> {
    const TAIL: &[u8] = b"},\"type\":\"RECORD\"}";
    const HEAD: &[u8] = b"{\"type\":\"RECORD\",\"record\":{\"stream\":\"";
    const KEY: &[u8] = b"\"stream\":\"";
    if let Some(rest) = line.strip_prefix(HEAD) {
        let end = rest.iter().position(|&b| b == b'"')?;
        return Some(&rest[..end]);
    }
    let body = line.strip_suffix(TAIL)?;
    if !body.starts_with(b"{\"record\":") {
        return None;
    }
    let from = body.len().saturating_sub(300);
    let tail = &body[from..];
    let at = tail.windows(KEY.len()).rposition(|w| w == KEY)? + KEY.len();
    let name = &tail[at..];
    let end = name.iter().position(|&b| b == b'"')?;
    Some(&name[..end])
}

/// Runs `connector args…` to the end, counting its output.
/// `pin`: the CPU list the connector runs on (`taskset -c`), or anywhere.
pub fn run_connector(
    connector: &Path,
    args: &[&str],
    time: Option<&Path>,
    pin: Option<&str>,
    work: &Path,
) -> Result<RunResult, String> {
    let time_out = work.join("time.txt");
    let stderr_path = work.join("connector-stderr.txt");
    let _ = fs::remove_file(&time_out);
    // The command line, outermost wrapper first: taskset, GNU time, the
    // connector.
    let mut argv: Vec<std::ffi::OsString> = Vec::new();
    if let Some(cpus) = pin {
        argv.extend(["taskset".into(), "-c".into(), cpus.into()]);
    }
    if let Some(t) = time {
        argv.push(t.into());
        argv.extend(["-f", "%e %U %S %M", "-o"].map(Into::into));
        argv.push(time_out.clone().into());
    }
    argv.push(connector.into());
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    let stderr = fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
    let began = Instant::now();
    let mut child = cmd
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", connector.display()))?;
    let mut r = RunResult::default();
    let stdout = child.stdout.take().ok_or("connector without stdout")?;
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut line = Vec::with_capacity(1 << 16);
    let mut names: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("reading the connector's output: {e}"))?;
        if n == 0 {
            break;
        }
        r.output_bytes += n as u64;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if let Some(stream) = record_stream(&line) {
            match names.get_mut(stream) {
                Some(c) => *c += 1,
                None => {
                    names.insert(stream.to_vec(), 1);
                }
            }
            continue;
        }
        let Ok(v) = serde_json::from_slice::<Value>(&line) else {
            r.errors.push(format!(
                "not JSON: {}",
                String::from_utf8_lossy(&line[..line.len().min(200)])
            ));
            continue;
        };
        match v["type"].as_str() {
            Some("RECORD") => {
                let s = v["record"]["stream"].as_str().unwrap_or("?");
                *names.entry(s.as_bytes().to_vec()).or_default() += 1;
            }
            Some("STATE") => {
                let name = v["state"]["stream"]["stream_descriptor"]["name"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                r.states.insert(name, v["state"].clone());
            }
            Some("LOG") => r.last_log = v["log"]["message"].as_str().map(str::to_string),
            Some("TRACE") if v["trace"]["type"] == "ERROR" => r.errors.push(
                v["trace"]["error"]["message"]
                    .as_str()
                    .unwrap_or("error")
                    .to_string(),
            ),
            _ => {}
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for the connector: {e}"))?;
    r.wall = began.elapsed().as_secs_f64();
    r.exit_ok = status.success();
    r.records = names
        .into_iter()
        .map(|(k, v)| (String::from_utf8_lossy(&k).into_owned(), v))
        .collect();
    if time.is_some() {
        // GNU time prefixes a "Command exited with non-zero status" line.
        let text = fs::read_to_string(&time_out).unwrap_or_default();
        let f: Vec<f64> = text
            .lines()
            .last()
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if f.len() == 4 {
            r.cpu = Some(f[1] + f[2]);
            r.max_rss_kb = Some(f[3] as u64);
        }
    }
    let mut err = String::new();
    let _ = fs::File::open(&stderr_path).and_then(|mut f| f.read_to_string(&mut err));
    let cut = err.len().saturating_sub(2000);
    let cut = (cut..err.len())
        .find(|&i| err.is_char_boundary(i))
        .unwrap_or(err.len());
    r.stderr_tail = err[cut..].to_string();
    Ok(r)
}

/// Wall seconds of a short command, run to the end with its output dropped.
pub fn time_command(bin: &Path, args: &[&str]) -> Result<f64, String> {
    let began = Instant::now();
    let status = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let secs = began.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("{} {args:?} failed: {status}", bin.display()));
    }
    Ok(secs)
}

/// Moves every thread of `pid` to `cpus` (`taskset -a -p -c`); false where
/// taskset is missing or refused.
pub fn pin_process(pid: &str, cpus: &str) -> bool {
    Command::new("taskset")
        .args(["-a", "-p", "-c", cpus, pid])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::record_stream;

    #[test]
    fn record_lines_are_recognised_in_both_key_orders() {
        let sorted = br#"{"record":{"data":{"stream":"x","a":1},"emitted_at":1,"stream":"tickets"},"type":"RECORD"}"#;
        assert_eq!(record_stream(sorted), Some(&b"tickets"[..]));
        let inserted = br#"{"type":"RECORD","record":{"stream":"users","data":{}}}"#;
        assert_eq!(record_stream(inserted), Some(&b"users"[..]));
        assert_eq!(record_stream(br#"{"state":{},"type":"STATE"}"#), None);
    }
}
