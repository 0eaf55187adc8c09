//! source-gorgias: reads a merchant's Gorgias helpdesk for analytics.
//!
//! Two faces on top, each one module behind the [`face::Face`] skeleton: the
//! Airbyte source ([`airbyte`], the `source-gorgias` binary) and the Singer
//! tap ([`singer`], the `tap-gorgias` binary). One core in the middle
//! ([`config`], [`client`], [`sync`], [`state`]) talks to the faces only
//! through [`sink`]; the streams sit at the bottom ([`streams`]). Data flows
//! down once (config → requests) and back up once (API objects → rows →
//! protocol messages).

pub mod airbyte;
pub mod client;
pub mod config;
pub mod datetime;
pub mod docs;
pub mod endpoints;
pub mod error;
pub mod face;
pub mod json;
pub mod output;
pub mod plugin;
pub mod probe;
pub mod rate_budget;
pub mod redact;
mod resolver;
pub mod schema;
pub mod singer;
pub mod sink;
pub mod state;
pub mod streams;
pub mod sync;

pub use error::{Error, FailureType};
