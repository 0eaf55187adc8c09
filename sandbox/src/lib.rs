//! A local emulator of the Gorgias REST API: a deterministic dataset served
//! over a hand-written HTTP/1.1 server with Gorgias's pagination, errors,
//! rate limiting and injectable faults, so the connector can be tested and
//! benchmarked without a real account.

mod api;
mod b64;
mod config;
mod data;
mod edits;
mod field_values;
mod gen;
mod http;
mod index;
mod item;
mod limits;
mod lock;
mod resp;
mod rng;
mod shared;
mod time;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use config::{
    ChangeCue, FaultKind, Faults, FieldEdit, Mutation, MutationSummary, RateLimit, RequestRecord,
    SandboxConfig, OAUTH_ACCESS_TOKEN, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_REFRESH_TOKEN,
};
use serde_json::Value;

use lock::lock;
use shared::Shared;

/// A running sandbox; it stops serving when shut down or dropped.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

impl Sandbox {
    pub fn start(mut cfg: SandboxConfig) -> std::io::Result<Sandbox> {
        if cfg.lists_without_custom_fields {
            for endpoint in ["/api/tickets", "/api/customers"] {
                cfg.field_edits.push(FieldEdit {
                    endpoint: endpoint.to_string(),
                    field: "custom_fields".to_string(),
                    add: None,
                });
            }
        }
        let listener = TcpListener::bind(("127.0.0.1", cfg.port))?;
        let addr = listener.local_addr()?;
        let store = data::Store::generate(&cfg);
        let shared = Arc::new(Shared {
            bucket: cfg
                .rate_limit
                .clone()
                .map(|r| Mutex::new(limits::Bucket::new(r))),
            faults: cfg
                .faults
                .clone()
                .map(|f| Mutex::new(limits::FaultState::new(f))),
            cfg,
            store: Mutex::new(store),
            log: Mutex::new(Vec::new()),
            shutdown: AtomicBool::new(false),
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
            tokens: Mutex::new(vec![OAUTH_ACCESS_TOKEN.to_string()]),
            pages_served: Mutex::new(HashMap::new()),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("sandbox-accept".into())
                .spawn(move || http::accept_loop(listener, shared))?
        };
        Ok(Sandbox {
            shared,
            addr,
            accept: Some(accept),
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.addr.port())
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// The objects of `collection` exactly as the list endpoint serves them,
    /// in ascending id order; empty for an unknown collection.
    pub fn snapshot(&self, collection: &str) -> Vec<Value> {
        lock(&self.shared.store).snapshot(collection)
    }

    pub fn mutate(&self, m: &Mutation) -> MutationSummary {
        lock(&self.shared.store).mutate(m)
    }

    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.shared.shutdown.store(true, Ordering::SeqCst);
        // accept() has no timeout: a throwaway connection wakes it so it can
        // see the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        let _ = accept.join();
        for (_, conn) in lock(&self.shared.conns).drain() {
            let _ = conn.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests;
