//! What every connection's thread shares: the config, the store, the
//! request log, the rate bucket and fault draw, and the open connections.

use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Mutex;

use crate::config::{RequestRecord, SandboxConfig};
use crate::data::Store;
use crate::item::Coll;
use crate::limits::{Bucket, FaultState};
use crate::lock::lock;

pub(crate) struct Shared {
    pub(crate) cfg: SandboxConfig,
    pub(crate) store: Mutex<Store>,
    pub(crate) log: Mutex<Vec<RequestRecord>>,
    pub(crate) bucket: Option<Mutex<Bucket>>,
    pub(crate) faults: Option<Mutex<FaultState>>,
    pub(crate) shutdown: AtomicBool,
    pub(crate) conns: Mutex<HashMap<u64, TcpStream>>,
    pub(crate) next_conn: AtomicU64,
    /// Bearer tokens the API accepts: the OAuth app's first token and every
    /// one `/oauth/token` has issued since.
    pub(crate) tokens: Mutex<Vec<String>>,
    /// Pages served so far per list path, for the change cues.
    pub(crate) pages_served: Mutex<HashMap<String, u32>>,
}

impl Shared {
    /// After a page of the list `name` was served: the changes cued for
    /// right after it.
    pub(crate) fn page_served(&self, store: &mut Store, name: &str, coll: Coll) {
        if self.cfg.changes.is_empty() {
            return;
        }
        let served = {
            let mut pages = lock(&self.pages_served);
            let n = pages.entry(name.to_string()).or_default();
            *n += 1;
            *n
        };
        for cue in &self.cfg.changes {
            if cue.list() == name && cue.after_page == served {
                store.touch_spread(coll, cue.objects);
            }
        }
    }
}
