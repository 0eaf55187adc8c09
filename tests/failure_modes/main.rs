//! What the connector does when things go wrong: bad input (and fuzzed
//! input), faults and rate limits on the sandbox, kill and resume, servers
//! that misbehave on cue (hostile pages and reads, a broken sort order,
//! echoed credentials, rotating OAuth tokens). Every case ends in one
//! sentence, the right failure type and exit code, and never a secret.

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod echoing_servers;
mod fuzz;
mod hostile_pages;
mod hostile_reads;
mod hostile_servers;
mod oauth;
mod resilience;
mod server_order;
