//! The resolver cache: the speed layer's part in the client. ureq resolves
//! the host before every request, even one that reuses a pooled connection,
//! and with a timeout set it does so on a new thread: a thread and a DNS
//! query per page, which cost more CPU than parsing the page. Keeping the
//! host's addresses for a minute took 1 845 `clone3` calls to none and 3.4 s
//! of futex time to 0.5 s on 20 000 tickets (`strace -f -c`), and the
//! 200 000-ticket read from 18.7 to 13.4 CPU s (docs/benchmarks.md,
//! "Connector optimisations", step 4). A sync talks to one host.

use std::sync::Mutex;
use std::time::{Duration, Instant};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Remembers the last host's addresses for a minute.
#[derive(Debug, Default)]
pub(crate) struct RememberedResolver {
    lookup: DefaultResolver,
    last: Mutex<Option<(String, ResolvedSocketAddrs, Instant)>>,
}

impl RememberedResolver {
    const KEEP: Duration = Duration::from_secs(60);
}

impl Resolver for RememberedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        // The scheme too: it names the port when the authority does not.
        let host = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or_default(),
            uri.authority().map(|a| a.as_str()).unwrap_or_default()
        );
        let remembered = |last: &Option<(String, ResolvedSocketAddrs, Instant)>| match last {
            Some((h, addrs, at)) if *h == host && at.elapsed() < Self::KEEP => Some(addrs.clone()),
            _ => None,
        };
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(addrs) = remembered(&last) {
            return Ok(addrs);
        }
        // Not held across the lookup: it may take seconds.
        drop(last);
        let addrs = self
            .lookup
            .resolve(uri, config, timeout)
            .map_err(lookup_failure)?;
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((host, addrs.clone(), Instant::now()));
        Ok(addrs)
    }
}

/// A name the DNS answered does not exist is the config's fault, not the
/// network's: ureq passes the system's answer on as an I/O error, which the
/// client would retry for a quarter of an hour. A lookup that could not be
/// made (no DNS server answered: glibc's "Temporary failure", musl's "Try
/// again") may pass, and stays a network error.
fn lookup_failure(e: ureq::Error) -> ureq::Error {
    match e {
        ureq::Error::Io(io) if name_unknown(&io) => ureq::Error::HostNotFound,
        other => other,
    }
}

fn name_unknown(io: &std::io::Error) -> bool {
    let text = io.to_string();
    // std words every getaddrinfo failure so; EAI_SYSTEM's is an OS error.
    text.starts_with("failed to lookup address information")
        && !text.contains("Temporary failure")
        && !text.contains("Try again")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_does_not_exist_is_host_not_found_and_a_failed_lookup_is_not() {
        let io = |m: &str| ureq::Error::Io(std::io::Error::other(m.to_string()));
        for unknown in [
            "failed to lookup address information: Name or service not known",
            "failed to lookup address information: No address associated with hostname",
            "failed to lookup address information: Name does not resolve",
        ] {
            assert!(
                matches!(lookup_failure(io(unknown)), ureq::Error::HostNotFound),
                "{unknown}"
            );
        }
        for passing in [
            "failed to lookup address information: Temporary failure in name resolution",
            "failed to lookup address information: Try again",
            "connection refused",
        ] {
            assert!(
                matches!(lookup_failure(io(passing)), ureq::Error::Io(_)),
                "{passing}"
            );
        }
    }

    #[test]
    fn a_host_is_resolved_once_and_another_host_anew() {
        let resolver = RememberedResolver::default();
        let config = ureq::config::Config::default();
        let resolve = |uri: &str| {
            let uri: ureq::http::Uri = uri.parse().unwrap();
            resolver
                .resolve(&uri, &config, NextTimeout::default())
                .map(|a| a.to_vec())
        };
        let first = resolve("http://127.0.0.1:8910/api/tickets").unwrap();
        assert_eq!(first, vec!["127.0.0.1:8910".parse().unwrap()]);
        assert!(resolver.last.lock().unwrap().is_some());
        // Remembered: a changed entry is what comes back.
        if let Some((_, addrs, _)) = resolver.last.lock().unwrap().as_mut() {
            addrs[0] = "127.0.0.2:1".parse().unwrap();
        }
        let again = resolve("http://127.0.0.1:8910/api/users").unwrap();
        assert_eq!(again, vec!["127.0.0.2:1".parse().unwrap()]);
        // Another port (or scheme) is another host.
        let other = resolve("http://127.0.0.1:8911/api").unwrap();
        assert_eq!(other, vec!["127.0.0.1:8911".parse().unwrap()]);
        let https = resolve("https://127.0.0.1/api").unwrap();
        assert_eq!(https, vec!["127.0.0.1:443".parse().unwrap()]);
    }
}
