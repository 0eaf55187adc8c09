//! The mappings of the streams declared from a field list (`api_stream!`),
//! each checked on an object shaped like the API's.

use super::def::map_value;
use super::obj::RowContext;
use chrono::TimeZone;
use serde_json::{json, Value};

fn ctx() -> RowContext {
    RowContext::new(
        "acme",
        chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
    )
}

mod custom_fields {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::custom_fields::*;

    #[test]
    fn maps_the_api_fields() {
        let ctx = super::ctx();
        let out = map_value(&CUSTOM_FIELDS, &json!({"id": 3001, "object_type": "Customer", "label": "Customer type",
            "required": false, "definition": {"data_type": "text", "input_settings": {"choices": ["B2B"]}}}), &ctx).unwrap();
        assert_eq!(out[0]["object_type"], "Customer");
        assert_eq!(out[0]["definition"]["input_settings"]["choices"][0], "B2B");
    }
}

mod customers {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::customers::*;

    #[test]
    fn integrations_keep_their_dynamic_keys_and_odd_types_become_null() {
        let ctx = super::ctx();
        let obj = json!({"id": 2000123, "email": "a@b.c", "channels": "oops",
            "integrations": {"5003": {"__integration_type__": "shopify", "customer": {"id": 9}}},
            "updated_datetime": "2024-06-20 07:39:36.5+00:00"});
        let out = map_value(&CUSTOMERS, &obj, &ctx).unwrap();
        let r = &out[0];
        assert_eq!(r["integrations"]["5003"]["customer"]["id"], 9);
        assert_eq!(r["channels"], Value::Null);
        assert_eq!(ctx.coerced.get(), 1);
        assert_eq!(r["updated_datetime"], "2024-06-20T07:39:36.500Z");
        assert_eq!(
            r["__sync_key"],
            crate::streams::rows::sync_key(&[&2000123], "acme")
        );
    }
}

mod events {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::events::*;

    #[test]
    fn a_delete_event_names_the_deleted_object() {
        let ctx = super::ctx();
        let out = map_value(
            &EVENTS,
            &json!({"id": 70000001, "type": "ticket-deleted", "object_type": "Ticket",
            "object_id": 100234, "user_id": null, "data": null,
            "created_datetime": "2025-06-02T10:00:00.123456+00:00"}),
            &ctx,
        )
        .unwrap();
        let r = &out[0];
        assert_eq!(r["type"], "ticket-deleted");
        assert_eq!(r["object_id"], 100234);
        assert_eq!(r["data"], Value::Null);
        assert_eq!(r["created_datetime"], "2025-06-02T10:00:00.123456Z");
        assert_eq!(ctx.coerced.get(), 0);
    }
}

mod jobs {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::jobs::*;

    #[test]
    fn maps_the_api_fields() {
        let ctx = super::ctx();
        let out = map_value(
            &JOBS,
            &json!({"id": 9000001, "type": "applyMacro", "status": "running",
            "params": {"macro_id": 80001}, "info": {"progress_count": 3, "total": 10}}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["type"], "applyMacro");
        assert_eq!(out[0]["info"]["total"], 10);
    }
}

mod macros {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::macros::*;

    #[test]
    fn actions_stay_json() {
        let ctx = super::ctx();
        let out = map_value(
            &MACROS,
            &json!({"id": 80001, "name": "Refund issued",
            "actions": [{"name": "addTags", "arguments": {"tags": "refund"}}],
            "updated_datetime": "2024-11-01T10:59:29+00:00"}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["actions"][0]["arguments"]["tags"], "refund");
        assert_eq!(out[0]["updated_datetime"], "2024-11-01T10:59:29Z");
    }
}

mod rules {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::rules::*;

    #[test]
    fn maps_the_api_fields() {
        let ctx = super::ctx();
        let out = map_value(
            &RULES,
            &json!({"id": 201, "code": "if (x) {}", "event_types": "ticket-created",
            "priority": 990, "code_ast": {"type": "Program"}}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["priority"], 990);
        assert_eq!(out[0]["code_ast"]["type"], "Program");
    }
}

mod tags {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::tags::*;

    #[test]
    fn maps_the_api_fields() {
        let ctx = super::ctx();
        let out = map_value(
            &TAGS,
            &json!({"id": 401, "name": "vip", "usage": "12", "decoration": {"color": "#ff0000"},
            "created_datetime": "2024-01-02T03:04:05"}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["usage"], 12);
        assert_eq!(out[0]["decoration"]["color"], "#ff0000");
        assert_eq!(out[0]["created_datetime"], "2024-01-02T03:04:05Z");
        assert!(TAGS.cursor_field().is_none());
    }
}

mod teams {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::teams::*;

    #[test]
    fn members_stay_a_list() {
        let ctx = super::ctx();
        let out = map_value(
            &TEAMS,
            &json!({"id": 33, "name": "Tier 1", "members": [{"id": 1001}, {"id": 1002}]}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["members"][1]["id"], 1002);
        assert_eq!(
            out[0]["__sync_key"],
            crate::streams::rows::sync_key(&[&33], "acme")
        );
    }
}

mod views {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::views::*;

    #[test]
    fn the_filter_is_kept_as_written() {
        let ctx = super::ctx();
        let out = map_value(
            &VIEWS,
            &json!({"id": 1003, "type": "ticket-list", "filters": "eq(ticket.status, 'open')",
            "fields": ["details", "tags"]}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["type"], "ticket-list");
        assert_eq!(out[0]["filters"], "eq(ticket.status, 'open')");
        assert_eq!(out[0]["fields"][1], "tags");
    }
}

mod view_items {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::view_items::*;

    #[test]
    fn keyed_by_view_and_ticket() {
        let ctx = super::ctx();
        let item = json!({"id": 100200, "status": "open", "tags": [{"id": 401, "name": "vip"}]});
        assert!(map_value(&VIEW_ITEMS, &item, &ctx)
            .unwrap_err()
            .message
            .contains("without its parent's id"));
        let doc = crate::json::Doc::from_value(&item);
        let mut rows = crate::streams::Rows::default();
        VIEW_ITEMS
            .map_with_parent(doc.root(), Some(1003), &ctx, &mut rows)
            .unwrap();
        let out = rows.values();
        assert_eq!(out[0]["view_id"], 1003);
        assert_eq!(out[0]["tags"][0]["name"], "vip");
        assert_eq!(
            out[0]["__sync_key"],
            crate::streams::rows::sync_key(&[&1003, &100200], "acme")
        );
    }
}

mod voice_calls {
    #[allow(unused_imports)]
    use super::{json, map_value, Value};
    use crate::streams::voice_calls::*;

    #[test]
    fn maps_the_api_fields() {
        let ctx = super::ctx();
        let out = map_value(
            &VOICE_CALLS,
            &json!({"id": 600001, "ticket_id": 100101, "direction": "inbound",
            "duration": "95", "status": "answered"}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["duration"], 95);
        assert_eq!(out[0]["updated_datetime"], Value::Null);
        let out = map_value(
            &VOICE_CALLS,
            &json!({"id": 600002, "created_datetime": "2024-11-01T10:59:29+00:00",
            "started_datetime": "2024-11-01T10:59:31+00:00", "updated_datetime": null}),
            &ctx,
        )
        .unwrap();
        assert_eq!(out[0]["updated_datetime"], "2024-11-01T10:59:29Z");
        assert_eq!(out[0]["started_datetime"], "2024-11-01T10:59:31Z");
        assert!(VOICE_CALLS.endpoint().order_by.is_none());
    }
}

mod daasity {
    use super::json;
    use crate::streams::{find, Rows};

    /// The Daasity tables' columns, in their order: what the Daasity
    /// transforms read. Added columns come after them, never between.
    const TABLES: &[(&str, &str)] = &[
        ("users", "user_id external_id active user_email user_name first_name last_name created_at updated_at"),
        ("tickets", "ticket_id external_id ticket_channel via from_agent ticket_status ticket_priority requester_id requester_email requester_name requester_firstname requester_lastname customer_id customer_email customer_name customer_firstname customer_lastname assignee_firstname assignee_lastname assignee_id assignee_email ticket_subject ticket_excerpt messages_count is_unread created_at opened_at last_received_at last_message_at updated_at closed_at"),
        ("integrations", "integration_id integration_user_id integration_type integration_name created_at updated_at deactivated_at"),
        ("ticket_messages", "message_id ticket_id public channel via from_agent sender_channel sender_id sender_email sender_firstname sender_lastname integration_id receiver_id receiver_name subject stripped_text created_at sent_at"),
        ("satisfaction_surveys", "survey_id customer_id ticket_id sent_at scored_at body_text score created_at"),
    ];

    /// A row's columns in the order it is written (rows are flat, and these
    /// values hold no comma).
    fn columns_written(stream: &str) -> Vec<String> {
        let doc = crate::json::Doc::from_value(&json!({"id": 1, "ticket_id": 2}));
        let mut rows = Rows::default();
        find(stream)
            .unwrap()
            .map(doc.root(), &super::ctx(), &mut rows)
            .unwrap();
        let text = String::from_utf8(rows.iter().next().unwrap().to_vec()).unwrap();
        text.trim_matches(['{', '}'])
            .split(',')
            .map(|entry| {
                entry
                    .split(':')
                    .next()
                    .unwrap()
                    .trim_matches('"')
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn the_daasity_columns_keep_their_names_and_places() {
        for (stream, columns) in TABLES {
            let written = columns_written(stream);
            let daasity: Vec<&str> = columns.split(' ').collect();
            assert_eq!(&written[..daasity.len()], &daasity[..], "{stream}");
        }
    }
}
