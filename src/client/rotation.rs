//! A rotated refresh token on its way from the client, which may refresh
//! on the fetching thread, to the face, which passes it on from the thread
//! that writes output.

use crate::config::Secret;
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

/// A refresh token the token endpoint replaced: the old one no longer works,
/// so whoever keeps the config must store these.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub access_token: Secret,
    pub refresh_token: Secret,
    /// `None`: the answer gave no lifetime.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Where the latest rotation waits for the face, which takes it from the
/// thread that writes output (the refresh may happen on the fetching
/// thread). The flag keeps the per-record look a plain load, not a lock.
#[derive(Debug, Default)]
pub struct RotationSlot {
    pending: AtomicBool,
    latest: Mutex<Option<Rotation>>,
}

impl RotationSlot {
    pub(super) fn put(&self, rotation: Rotation) {
        *self.latest.lock().unwrap_or_else(PoisonError::into_inner) = Some(rotation);
        self.pending.store(true, Ordering::Release);
    }

    /// The latest rotation not yet passed on; a later one replaces an
    /// earlier one, which no longer works either.
    pub fn take(&self) -> Option<Rotation> {
        if !self.pending.load(Ordering::Relaxed) || !self.pending.swap(false, Ordering::Acquire) {
            return None;
        }
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_rotation_is_taken_once() {
        let slot = RotationSlot::default();
        assert!(slot.take().is_none());
        for n in ["first-refresh-0001", "second-refresh-0002"] {
            slot.put(Rotation {
                access_token: Secret::new("access-token-0000"),
                refresh_token: Secret::new(n),
                expires_at: None,
            });
        }
        let r = slot.take().expect("a rotation");
        assert_eq!(r.refresh_token.expose(), "second-refresh-0002");
        assert!(slot.take().is_none());
    }
}
