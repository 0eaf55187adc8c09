//! The account: the one object `/api/account` serves.

use serde_json::{json, Value};

use crate::time::{Style, DAY, START};

pub(super) fn generate(domain: &str) -> Value {
    let acct = Style::PLAIN;
    let account = json!({
        "domain": domain,
        "created_datetime": acct.s(START - 400 * DAY + 123_456),
        "status": {"status": "active"},
        "current_subscription": {"plan": "pro", "status": "active", "start_datetime": acct.s(START - 30 * DAY + 654_321)},
        "settings": [
            {"id": 1, "type": "business-hours", "data": {"timezone": "America/New_York", "business_hours": [
                {"days": "1,2,3,4,5", "from_time": "09:00", "to_time": "17:00"},
                {"days": "6", "from_time": "10:00", "to_time": "14:00"}
            ]}},
            {"id": 2, "type": "satisfaction-surveys", "data": {"send_survey_for_chat": true}}
        ],
        "meta": {"hmac_algorithm": "sha256"},
    });
    account
}
