//! A small HTTP/1.1 server on std::net: one thread per connection,
//! keep-alive, Content-Length bodies only. Rate limiting and fault injection
//! live here because they act on the wire, not on the data.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::api;
use crate::config::{FaultKind, RequestRecord};
use crate::lock::lock;
use crate::resp::Resp;
use crate::shared::Shared;

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;

pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) keep_alive: bool,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

enum ReadError {
    /// The peer went away or the socket failed: nothing to answer.
    Io,
    /// A malformed request: answer 400 and close.
    Bad(&'static str),
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<usize, ReadError> {
    let mut tmp = [0u8; 8192];
    loop {
        match stream.read(&mut tmp) {
            Ok(n) => {
                buf.extend_from_slice(&tmp[..n]);
                return Ok(n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(ReadError::Io),
        }
    }
}

/// Reads one request; `Ok(None)` is a clean close between requests. `buf`
/// carries bytes of a pipelined next request over to the next call.
/// Reads until the end of a request's head; its length, or `None` when the
/// client closed the connection between requests.
fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Option<usize>, ReadError> {
    loop {
        if let Some(p) = find(buf, b"\r\n\r\n") {
            return Ok(Some(p));
        }
        if buf.len() > MAX_HEAD {
            return Err(ReadError::Bad("request head too large"));
        }
        if fill(stream, buf)? == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(ReadError::Io)
            };
        }
    }
}

type Headers = Vec<(String, String)>;

/// (method, target, version, headers) of a request head.
fn parse_head(head: &str) -> Result<(&str, &str, &str, Headers), ReadError> {
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad("malformed request line"));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() {
        return Err(ReadError::Bad("unsupported HTTP version"));
    }
    let mut headers = Vec::new();
    for line in lines {
        let (k, v) = line
            .split_once(':')
            .ok_or(ReadError::Bad("malformed header"))?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok((method, target, version, headers))
}

fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Option<Request>, ReadError> {
    let Some(head_end) = read_head(stream, buf)? else {
        return Ok(None);
    };
    let head =
        std::str::from_utf8(&buf[..head_end]).map_err(|_| ReadError::Bad("head is not UTF-8"))?;
    let (method, target, version, headers) = parse_head(head)?;
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if get("transfer-encoding").is_some() {
        return Err(ReadError::Bad("chunked bodies are not supported"));
    }
    let len = match get("content-length") {
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|&n| n <= MAX_BODY)
            .ok_or(ReadError::Bad("bad Content-Length"))?,
        None => 0,
    };
    let connection = get("connection").unwrap_or_default().to_ascii_lowercase();
    let keep_alive = if version == "HTTP/1.0" {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (method, path, query) = (method.to_string(), path.to_string(), query.to_string());
    let body_start = head_end + 4;
    while buf.len() < body_start + len {
        if fill(stream, buf)? == 0 {
            return Err(ReadError::Io);
        }
    }
    let body = buf[body_start..body_start + len].to_vec();
    buf.drain(..body_start + len);
    Ok(Some(Request {
        method,
        path,
        query,
        headers,
        body,
        keep_alive,
    }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

fn head_bytes(resp: &Resp, keep_alive: bool) -> Vec<u8> {
    let mut h = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type,
        resp.body.len(),
        if keep_alive { "keep-alive" } else { "close" },
    );
    for (k, v) in &resp.headers {
        h.push_str(k);
        h.push_str(": ");
        h.push_str(v);
        h.push_str("\r\n");
    }
    h.push_str("\r\n");
    h.into_bytes()
}

fn write_response(stream: &mut TcpStream, resp: &Resp, keep_alive: bool) -> std::io::Result<()> {
    let mut out = head_bytes(resp, keep_alive);
    out.extend_from_slice(&resp.body);
    stream.write_all(&out)?;
    stream.flush()
}

enum Outcome {
    Reply(Resp),
    Reset,
    Truncated(Resp),
}

fn limit_headers(resp: &mut Resp, used: u64, limit: u32, retry: Option<f64>) {
    let secs = retry.map_or(0, |s| (s.ceil() as u64).max(1));
    let ms = retry.map_or(0, |s| ((s * 1000.0).ceil() as u64).max(1));
    resp.headers.push((
        "X-Gorgias-Account-Api-Call-Limit".into(),
        format!("{used}/{limit}"),
    ));
    resp.headers.push(("Retry-after".into(), secs.to_string()));
    resp.headers
        .push(("X-Sandbox-Retry-After-Ms".into(), ms.to_string()));
}

fn api_request(shared: &Shared, req: &Request) -> Outcome {
    let (used, limit) = match &shared.bucket {
        None => (0, 40),
        Some(b) => {
            let mut b = lock(b);
            let limit = b.cfg.limit;
            match b.take(Instant::now()) {
                Ok(level) => (level.ceil() as u64, limit),
                Err(wait) => {
                    let mut resp = Resp::error(429, "Too many requests. Please retry later.");
                    limit_headers(&mut resp, b.level.ceil() as u64, limit, Some(wait));
                    return Outcome::Reply(resp);
                }
            }
        }
    };
    let fault = shared.faults.as_ref().and_then(|f| {
        let target = format!("{}?{}", req.path, req.query);
        lock(f).decide(&target)
    });
    let answer = || {
        let mut resp = api::route(
            shared,
            &req.method,
            &req.path,
            &req.query,
            req.header("authorization"),
        );
        crate::edits::apply(&shared.cfg.field_edits, &req.path, &mut resp);
        limit_headers(&mut resp, used, limit, None);
        resp
    };
    match fault {
        None => Outcome::Reply(answer()),
        Some(FaultKind::Status500) => {
            let mut resp = Resp::error(500, "Internal server error.");
            limit_headers(&mut resp, used, limit, None);
            Outcome::Reply(resp)
        }
        // Gateway errors come from the proxy in front of the app: HTML, and
        // none of the app's headers.
        Some(FaultKind::Status502) => Outcome::Reply(Resp::html(502, "502 Bad Gateway")),
        Some(FaultKind::Status503) => Outcome::Reply(Resp::html(503, "503 Service Unavailable")),
        Some(FaultKind::Status504) => Outcome::Reply(Resp::html(504, "504 Gateway Time-out")),
        Some(FaultKind::HtmlOk) => Outcome::Reply(Resp::html(200, "Maintenance in progress")),
        Some(FaultKind::Reset) => Outcome::Reset,
        Some(FaultKind::Truncated) => Outcome::Truncated(answer()),
        Some(FaultKind::Slow(d)) => {
            std::thread::sleep(d);
            Outcome::Reply(answer())
        }
    }
}

fn dispatch(shared: &Shared, req: &Request) -> Outcome {
    if req.path.starts_with("/_sandbox/") {
        return Outcome::Reply(api::admin(shared, &req.method, &req.path, &req.body));
    }
    let outcome = if req.path == "/api" || req.path.starts_with("/api/") {
        api_request(shared, req)
    } else if req.path == "/oauth/token" {
        Outcome::Reply(api::oauth_token(
            shared,
            &req.method,
            req.header("authorization"),
            &req.body,
        ))
    } else {
        Outcome::Reply(Resp::not_found())
    };
    let status = match &outcome {
        Outcome::Reply(r) => r.status,
        Outcome::Reset | Outcome::Truncated(_) => 0,
    };
    lock(&shared.log).push(RequestRecord {
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        status,
    });
    outcome
}

fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    loop {
        let req = match read_request(&mut stream, &mut buf) {
            Ok(Some(r)) => r,
            Ok(None) | Err(ReadError::Io) => return,
            Err(ReadError::Bad(msg)) => {
                let _ = write_response(&mut stream, &Resp::error(400, msg), false);
                return;
            }
        };
        if shared.shutdown.load(Ordering::SeqCst) {
            return;
        }
        match dispatch(&shared, &req) {
            Outcome::Reply(resp) => {
                if write_response(&mut stream, &resp, req.keep_alive).is_err() || !req.keep_alive {
                    return;
                }
            }
            Outcome::Reset => {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Outcome::Truncated(resp) => {
                let mut out = head_bytes(&resp, false);
                out.extend_from_slice(&resp.body[..resp.body.len() / 2]);
                let _ = stream.write_all(&out);
                let _ = stream.flush();
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

pub(crate) fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.shutdown.load(Ordering::SeqCst) {
            return;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                // Usually out of file descriptors: back off rather than spin.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let id = shared.next_conn.fetch_add(1, Ordering::SeqCst);
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.conns).insert(id, clone);
        }
        let shared2 = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name(format!("sandbox-conn-{id}"))
            .spawn(move || {
                serve(stream, Arc::clone(&shared2));
                lock(&shared2.conns).remove(&id);
            });
        if spawned.is_err() {
            lock(&shared.conns).remove(&id);
        }
    }
}
