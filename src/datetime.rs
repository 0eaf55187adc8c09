//! Gorgias datetimes come in several shapes (with and without a fraction,
//! naive, a space for the `T`); Airbyte's own connector broke on one of them.
//! Everything is parsed here and emitted one way: RFC 3339 in UTC with `Z`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, SecondsFormat, Timelike, Utc};

/// Parses any datetime form the API has been seen to send. Naive means UTC.
/// Only years 1..=9999 are instants: chrono also reads extended years such
/// as `-262143`, which no RFC 3339 consumer accepts back (found by fuzzing).
pub fn parse_api(s: &str) -> Option<DateTime<Utc>> {
    parse_any(s)
        .map(off_the_leap_second)
        .filter(|dt| (1..=9999).contains(&dt.year()))
}

/// A leap second (`23:59:60`) as the last microsecond before it,
/// `23:59:59.999999`: chrono keeps `:60`, which Python's `fromisoformat`
/// and most RFC 3339 readers refuse, and the instant keeps its place in
/// the order of every other.
fn off_the_leap_second(dt: DateTime<Utc>) -> DateTime<Utc> {
    if dt.nanosecond() < 1_000_000_000 {
        return dt;
    }
    dt.with_nanosecond(999_999_000).unwrap_or(dt)
}

fn parse_any(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.len() < 19 {
        return None;
    }
    // A space in place of the `T` is the only variation chrono's RFC 3339
    // parser does not already accept in every version, so normalise it.
    let owned;
    let s = if s.as_bytes().get(10) == Some(&b' ') {
        owned = format!("{}T{}", &s[..10], &s[11..]);
        owned.as_str()
    } else {
        s
    };
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(dt.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// Parses a user-given instant: RFC 3339 (or any API form) or a bare date.
pub fn parse_user(s: &str) -> Option<DateTime<Utc>> {
    let t = s.trim();
    if t.len() == 10 {
        return NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .filter(|d| (1..=9999).contains(&d.year()))
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|n| n.and_utc());
    }
    parse_api(t)
}

/// The one output form: `2024-06-20T07:39:36.514848Z`, the fraction only
/// when the instant has one.
pub fn format(dt: &DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_live_form_parses_to_the_same_utc_instant() {
        let want = "2024-06-20T07:39:36.514848Z";
        for s in [
            "2024-06-20T07:39:36.514848+00:00",
            "2024-06-20 07:39:36.514848+00:00",
            "2024-06-20T07:39:36.514848",
            "2024-06-20 07:39:36.514848",
            "2024-06-20T09:39:36.514848+02:00",
            "2024-06-20T07:39:36.514848Z",
            "2024-06-20T07:39:36.514848+0000",
        ] {
            assert_eq!(
                parse_api(s).map(|d| format(&d)).as_deref(),
                Some(want),
                "{s}"
            );
        }
        assert_eq!(
            format(&parse_api("2024-11-01T10:59:29+00:00").unwrap()),
            "2024-11-01T10:59:29Z"
        );
    }

    #[test]
    fn a_leap_second_is_the_last_microsecond_before_it() {
        for s in [
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5Z",
            "2016-12-31 23:59:60",
            "2017-01-01T01:59:60+02:00",
        ] {
            assert_eq!(
                parse_api(s).map(|d| format(&d)).as_deref(),
                Some("2016-12-31T23:59:59.999999Z"),
                "{s}"
            );
        }
        let leap = parse_api("2016-12-31T23:59:60Z").unwrap();
        assert!(parse_api("2016-12-31T23:59:59.5Z").unwrap() < leap);
        assert!(leap < parse_api("2017-01-01T00:00:00Z").unwrap());
    }

    #[test]
    fn garbage_is_refused() {
        for s in [
            "",
            "yesterday",
            "2024-13-01T00:00:00",
            "2024-06-20T07:39",
            "-262143-01-01T00:00:00",
            "+10000-01-01T00:00:00Z",
        ] {
            assert!(parse_api(s).is_none(), "{s}");
        }
    }

    #[test]
    fn user_dates_accept_a_bare_day() {
        assert_eq!(
            format(&parse_user("2024-01-02").unwrap()),
            "2024-01-02T00:00:00Z"
        );
        assert!(parse_user("2024-02-30").is_none());
    }
}
