//! A tiny HTTP server that misbehaves on cue, for the tests of what the
//! connector does when the API (or something in front of it) is hostile:
//! repeats cursors, echoes headers, never answers, sends garbage. Each test
//! scripts it with one function from the request to what to do; the server
//! keeps every request it saw, so a test can also judge what was asked.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path without its query, e.g. `/api/tickets`.
    pub path: String,
    /// Decoded query pairs in the order sent (repeated keys kept).
    pub query: Vec<(String, String)>,
    /// Header names lowercased.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// 0 for the first request the server saw.
    pub seq: usize,
}

impl Request {
    /// The first value of a query parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// What the server does with one request.
pub enum Action {
    /// A complete response; `Content-Length`, `Connection: close` and a
    /// rate-limit header (`1/40`) are added unless `headers` names them.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Exactly these bytes, then the connection closes.
    Raw(Vec<u8>),
    /// Reads the request and never answers (the connection stays open
    /// until the server is dropped or the process ends).
    Hang,
    /// Closes the connection without a byte.
    Close,
}

impl Action {
    pub fn json(status: u16, body: &serde_json::Value) -> Action {
        Action::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(body).unwrap(),
        }
    }

    /// A Gorgias list page with the documented envelope.
    pub fn page(data: serde_json::Value, next_cursor: Option<&str>) -> Action {
        Action::json(
            200,
            &serde_json::json!({"object": "list", "uri": "/api/x", "data": data,
                "meta": {"next_cursor": next_cursor, "prev_cursor": null}}),
        )
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Action {
        if let Action::Respond { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }
}

type Handler = dyn Fn(&Request) -> Action + Send + Sync;

pub struct HostileServer {
    port: u16,
    seen: Arc<Mutex<Vec<Request>>>,
    scheme: &'static str,
}

fn untrusted_tls_config() -> rustls::ServerConfig {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let cert = CertificateDer::from_pem_file(format!("{dir}/untrusted-cert.pem")).unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/untrusted-key.pem")).unwrap();
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap()
}

impl HostileServer {
    /// Serves on a free loopback port until the test process ends, one
    /// thread per connection (a hanging answer must not block the next).
    pub fn start(handler: impl Fn(&Request) -> Action + Send + Sync + 'static) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        let seen: Arc<Mutex<Vec<Request>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&log);
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(600)));
                    serve(stream, &*handler, &log)
                });
            }
        });
        HostileServer {
            port,
            seen,
            scheme: "http",
        }
    }

    /// The same server behind TLS, with a self-signed certificate for
    /// 127.0.0.1 that no system trusts (`tests/fixtures/untrusted-*.pem`).
    pub fn start_tls(
        handler: impl Fn(&Request) -> Action + Send + Sync + 'static,
    ) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        let seen: Arc<Mutex<Vec<Request>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::clone(&seen);
        let tls = Arc::new(untrusted_tls_config());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&log);
                let tls = Arc::clone(&tls);
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(600)));
                    let Ok(conn) = rustls::ServerConnection::new(tls) else {
                        return;
                    };
                    serve(rustls::StreamOwned::new(conn, stream), &*handler, &log)
                });
            }
        });
        HostileServer {
            port,
            seen,
            scheme: "https",
        }
    }

    /// `http://127.0.0.1:PORT/api` (`https` for [`Self::start_tls`]), for a
    /// config's `base_url`.
    pub fn base_url(&self) -> String {
        format!("{}://127.0.0.1:{}/api", self.scheme, self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }

    /// Requests to one path (e.g. `/api/tickets`).
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}

/// Serves one connection: keep-alive requests until the handler says
/// otherwise (every scripted response closes the connection).
fn serve(stream: impl Read + Write, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream);
    let Some(mut req) = read_request(&mut reader) else {
        return;
    };
    {
        let mut log = log.lock().unwrap();
        req.seq = log.len();
        log.push(req.clone());
    }
    match handler(&req) {
        Action::Respond {
            status,
            mut headers,
            body,
        } => {
            let has =
                |h: &[(String, String)], n: &str| h.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
            if !has(&headers, "content-length") {
                headers.push(("Content-Length".into(), body.len().to_string()));
            }
            if !has(&headers, "connection") {
                headers.push(("Connection".into(), "close".into()));
            }
            if !has(&headers, "x-gorgias-account-api-call-limit") {
                headers.push(("X-Gorgias-Account-Api-Call-Limit".into(), "1/40".into()));
            }
            let mut head = format!("HTTP/1.1 {status} Hostile\r\n");
            for (k, v) in &headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = reader.get_mut().write_all(head.as_bytes());
            let _ = reader.get_mut().write_all(&body);
            let _ = reader.get_mut().flush();
        }
        Action::Raw(bytes) => {
            let _ = reader.get_mut().write_all(&bytes);
            let _ = reader.get_mut().flush();
        }
        Action::Hang => {
            // Hold the connection open without answering.
            let mut sink = [0u8; 1024];
            while let Ok(n) = reader.read(&mut sink) {
                if n == 0 {
                    break;
                }
            }
        }
        Action::Close => {}
    }
}

fn read_request(reader: &mut BufReader<impl Read>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            break;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).ok()?;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), parse_query(q)),
        None => (target, Vec::new()),
    };
    Some(Request {
        method,
        path,
        query,
        headers,
        body,
        seq: 0,
    })
}

/// `a=1&b=x%20y&b=z` → pairs, `+` as space, percent escapes decoded.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_hostile_server_answers_as_scripted_and_keeps_the_request() {
    let server = HostileServer::start(|r| match r.param("cursor") {
        None => Action::page(serde_json::json!([{"id": 1}]), Some("a b")),
        Some(_) => Action::Close,
    });
    let mut s = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    s.write_all(
        b"GET /api/tickets?limit=2&roles=a&roles=b%2Bc HTTP/1.1\r\nAuthorization: Basic x\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"next_cursor\":\"a b\""), "{answer}");
    let seen = server.requests_to("/api/tickets");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("authorization"), Some("Basic x"));
    let roles: Vec<&str> = seen[0]
        .query
        .iter()
        .filter(|(k, _)| k == "roles")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(roles, ["a", "b+c"]);
}
