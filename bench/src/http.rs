//! Just enough HTTP/1.1 to drive the sandbox's admin endpoints
//! (`/_sandbox/requests`, `/_sandbox/mutate`, `/_sandbox/dump/…`): one
//! request per connection, `Connection: close`, body read to the end.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// Sends one request to 127.0.0.1:`port` and returns the JSON body of a
/// 2xx answer.
pub fn call(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    call_with(port, method, path, body, "")
}

/// [`call`] with extra header lines (each ending in `\r\n`).
pub fn call_with(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    headers: &str,
) -> Result<Value, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("cannot connect to the sandbox on port {port}: {e}"))?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(300)));
    let body = body.map(Value::to_string).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())
        .and_then(|_| s.write_all(body.as_bytes()))
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("{method} {path}: no HTTP head in the answer"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{method} {path}: bad status line"))?;
    let body = &raw[split + 4..];
    if !(200..300).contains(&status) {
        return Err(format!(
            "{method} {path}: HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ));
    }
    serde_json::from_slice(body).map_err(|e| format!("{method} {path}: answer is not JSON: {e}"))
}
