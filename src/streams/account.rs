//! `account`: the account, its subscription and its settings.
//!
//! `/api/account` is one object, read whole every sync. Today's API sends
//! `settings` as a list and each business-hours setting's `business_hours`
//! as a list too, where the Daasity table had one value per column. So that
//! nothing is dropped, the table has one row per (setting, business-hours
//! entry): a setting without business hours gives one row with the
//! business columns null, and an account without settings gives one row with
//! every setting column null. The account columns repeat on every row.

use super::def::{Read, StreamDef, DEFAULTS};
use super::obj::{Obj, RowContext};
use super::rows::{row_schema, Identity, Out};
use crate::error::Result;
use crate::json::Node;
use crate::schema::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

pub static ACCOUNT: StreamDef = StreamDef {
    name: "account",
    description: "The Gorgias account with its subscription, one row per (setting, business-hours entry) so that no setting is dropped (natural key: __source_id, setting_id, entry position). Full refresh.",
    read: Read::Single { path: "/account" },
    natural_key: &["__source_id", "setting_id"],
    // The entry's position is no column: the key is per entry.
    identity: Identity::KeyAndPosition { list: "business_hours" },
    schema: || row_schema::<AccountRow>(),
    map,
    ..DEFAULTS
};

/// The account with one of its settings and one business-hours entry.
/// Natural key: (`__source_id`, `setting_id`, position of the entry in the
/// setting's `business_hours` list).
#[derive(Serialize, JsonSchema)]
pub struct AccountRow {
    /// The account's domain (`domain`).
    pub domain: Option<String>,
    /// Account status, e.g. active (`status.status`).
    pub status: Option<String>,
    /// When the account was created (`created_datetime`).
    pub created_at: Option<Timestamp>,
    /// Subscription plan (`current_subscription.plan`).
    pub subscription_plan: Option<String>,
    /// When the subscription started (`current_subscription.start_datetime`).
    pub subscription_created_at: Option<Timestamp>,
    /// Subscription status (`current_subscription.status`).
    pub subscription_status: Option<String>,
    /// The setting's id (`settings[].id`).
    pub setting_id: Option<i64>,
    /// The setting's type, e.g. business-hours (`settings[].type`).
    pub setting_type: Option<String>,
    /// The setting's time zone (`settings[].data.timezone`).
    pub timezone: Option<String>,
    /// Days of this business-hours entry, e.g. "1,2,3,4,5" (`settings[].data.business_hours[].days`).
    pub business_days: Option<String>,
    /// Closing time of the entry (`settings[].data.business_hours[].to_time`).
    pub business_close: Option<String>,
    /// Opening time of the entry (`settings[].data.business_hours[].from_time`).
    pub business_open: Option<String>,
}

fn map(object: Node<'_>, _: Option<i64>, ctx: &RowContext, out: &mut Out<'_>) -> Result<()> {
    let a = ctx.obj(object);
    let sub = a.at("current_subscription");
    let status = match a.member("status") {
        Some(n) if n.is_object() => a.at("status").str("status"),
        _ => a.str("status"),
    };
    let mut push = |setting: Option<(Obj, Option<Obj>)>, position: Option<usize>| {
        let (s, hours) = match setting {
            Some((s, h)) => (Some(s), h),
            None => (None, None),
        };
        let setting_id = s.and_then(|s| s.int("id"));
        let data = s.map(|s| s.at("data"));
        let row = AccountRow {
            domain: a.str("domain"),
            status: status.clone(),
            created_at: a.ts("created_datetime"),
            subscription_plan: sub.str("plan"),
            subscription_created_at: sub.ts("start_datetime"),
            subscription_status: sub.str("status"),
            setting_id,
            setting_type: s.and_then(|s| s.str("type")),
            timezone: data.and_then(|d| d.str("timezone")),
            business_days: hours.and_then(|h| h.str("days")),
            business_close: hours.and_then(|h| h.str("to_time")),
            business_open: hours.and_then(|h| h.str("from_time")),
        };
        out.push_at(&row, position)
    };
    let settings = a.objects("settings");
    if settings.is_empty() {
        push(None, None)?;
    }
    for s in settings {
        let hours = s.at("data").objects("business_hours");
        if hours.is_empty() {
            push(Some((s, None)), None)?;
        }
        for (i, h) in hours.into_iter().enumerate() {
            push(Some((s, Some(h))), Some(i))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;
    #[allow(unused_imports)]
    use serde_json::Value;

    fn rows(obj: Value) -> Vec<Value> {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        super::super::def::map_value(&ACCOUNT, &obj, &ctx).unwrap()
    }

    #[test]
    fn one_row_per_business_hours_entry_and_per_other_setting() {
        let out = rows(json!({"domain": "acme", "status": {"status": "active"},
            "current_subscription": {"plan": "pro", "status": "active", "start_datetime": "2024-01-01T00:00:00+00:00"},
            "settings": [
                {"id": 1, "type": "business-hours", "data": {"timezone": "UTC", "business_hours": [
                    {"days": "1,2", "from_time": "09:00", "to_time": "17:00"},
                    {"days": "6", "from_time": "10:00", "to_time": "12:00"}]}},
                {"id": 2, "type": "satisfaction-surveys", "data": {}}]}));
        assert_eq!(out.len(), 3);
        assert_eq!(out[1]["business_open"], "10:00");
        assert_eq!(out[1]["status"], "active");
        assert_eq!(out[2]["setting_type"], "satisfaction-surveys");
        assert_eq!(out[2]["business_days"], Value::Null);
        // The key is (setting, entry position), empty text for no entry.
        let key = |parts: &[&dyn std::fmt::Display]| super::super::rows::sync_key(parts, "acme");
        assert_eq!(out[0]["__sync_key"], key(&[&1, &0]));
        assert_eq!(out[1]["__sync_key"], key(&[&1, &1]));
        assert_eq!(out[2]["__sync_key"], key(&[&2, &""]));
        let mut keys: Vec<_> = out.iter().map(|r| r["__sync_key"].clone()).collect();
        keys.dedup();
        assert_eq!(keys.len(), 3);
    }

    #[test]
    fn no_settings_still_gives_the_account() {
        let out = rows(json!({"domain": "acme", "status": "active"}));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0]["status"], "active");
        assert_eq!(out[0]["setting_id"], Value::Null);
        assert_eq!(
            out[0]["__sync_key"],
            super::super::rows::sync_key(&[&"", &""], "acme")
        );
    }
}
