//! Datetimes: kept as UTC microseconds for sorting, rendered in the several
//! shapes the live API has been seen to emit so clients meet all of them.

use chrono::{DateTime, Utc};
use serde_json::Value;

pub(crate) const SEC: i64 = 1_000_000;
pub(crate) const MIN: i64 = 60 * SEC;
pub(crate) const HOUR: i64 = 60 * MIN;
pub(crate) const DAY: i64 = 24 * HOUR;
/// 2025-06-01T00:00:00Z: the dataset lives in the two years before it.
pub(crate) const END: i64 = 1_748_736_000 * SEC;
pub(crate) const START: i64 = END - 730 * DAY;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    Offset,
    Naive,
    Space,
}

/// How one object writes its datetimes. The live API drops the fraction when
/// the microseconds are zero (Python's isoformat), so `whole` objects get
/// instants truncated to the second rather than a different formatter.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub(crate) form: Form,
    pub(crate) whole: bool,
}

impl Style {
    /// The reference's own form: an offset, the fraction when there is one.
    pub(crate) const PLAIN: Style = Style {
        form: Form::Offset,
        whole: false,
    };

    pub(crate) fn t(self, us: i64) -> i64 {
        if self.whole {
            us - us.rem_euclid(SEC)
        } else {
            us
        }
    }

    pub(crate) fn s(self, us: i64) -> Value {
        Value::String(render(us, self.form))
    }

    pub(crate) fn o(self, us: Option<i64>) -> Value {
        us.map_or(Value::Null, |us| self.s(us))
    }
}

pub(crate) fn render(us: i64, form: Form) -> String {
    let dt = DateTime::<Utc>::from_timestamp_micros(us).unwrap_or_default();
    let fmt = if us.rem_euclid(SEC) != 0 {
        "%Y-%m-%dT%H:%M:%S%.6f"
    } else {
        "%Y-%m-%dT%H:%M:%S"
    };
    let base = dt.format(fmt).to_string();
    match form {
        Form::Offset => base + "+00:00",
        Form::Naive => base,
        Form::Space => base.replacen('T', " ", 1) + "+00:00",
    }
}

/// Parses every shape `render` produces, so tests can check instants.
#[cfg(test)]
pub(crate) fn parse(s: &str) -> Option<i64> {
    let s = s.replacen(' ', "T", 1);
    let s = if s.ends_with("+00:00") {
        s
    } else {
        s + "+00:00"
    };
    DateTime::parse_from_rfc3339(&s)
        .ok()
        .map(|d| d.with_timezone(&Utc).timestamp_micros())
}

/// A datetime filter value as clients send it: RFC 3339 (any offset),
/// naive (UTC), with a space for `T`, or a bare date.
pub(crate) fn parse_param(s: &str) -> Option<i64> {
    let s = s.trim().replacen(' ', "T", 1);
    if let Ok(d) = DateTime::parse_from_rfc3339(&s) {
        return Some(d.with_timezone(&Utc).timestamp_micros());
    }
    if let Ok(n) = chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(n.and_utc().timestamp_micros());
    }
    chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc().timestamp_micros())
}

pub(crate) fn now_us() -> i64 {
    Utc::now().timestamp_micros()
}

impl Style {
    /// A style drawn from a generator: most objects get the common shape, a
    /// few get the rarer ones clients must also parse.
    pub(crate) fn draw(rng: &mut crate::rng::Rng) -> Style {
        let form = match rng.below(100) {
            0..=4 => Form::Naive,
            5..=7 => Form::Space,
            _ => Form::Offset,
        };
        Style {
            form,
            whole: rng.chance(0.2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let us = 1_718_869_176_514_848;
        assert_eq!(render(us, Form::Offset), "2024-06-20T07:39:36.514848+00:00");
        assert_eq!(render(us, Form::Naive), "2024-06-20T07:39:36.514848");
        assert_eq!(render(us, Form::Space), "2024-06-20 07:39:36.514848+00:00");
        assert_eq!(
            render(us - 514_848, Form::Offset),
            "2024-06-20T07:39:36+00:00"
        );
        for f in [Form::Offset, Form::Naive, Form::Space] {
            assert_eq!(parse(&render(us, f)), Some(us));
        }
        assert_eq!(render(END, Form::Offset), "2025-06-01T00:00:00+00:00");
    }
}
