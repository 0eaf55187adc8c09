//! `ticket_tags`: one row per tag on a ticket.
//!
//! The ticket list already embeds each ticket's tags, so this stream rides on
//! the `tickets` pages (`/api/tickets` by `updated_datetime:desc`): when both
//! are selected, one pass serves both. Adding or removing a tag bumps the
//! ticket's `updated_datetime`, so each ticket read again brings its full
//! current tag set, stamped with `ticket_updated_at`: a destination can drop
//! the rows of an older version of the ticket that the new one no longer has.

use super::def::{Read, Relation, StreamDef, DEFAULTS};
use super::dsl::cursor;
use super::obj::RowContext;
use super::rows::{row_schema, Identity, Out};
use crate::error::Result;
use crate::json::Node;
use crate::schema::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

pub static TICKET_TAGS: StreamDef = StreamDef {
    name: "ticket_tags",
    description: "Tags on Gorgias tickets, one row per (ticket, tag) (natural key: ticket_id, tag_id), read from the ticket list. Incremental on ticket_updated_at.",
    read: Read::RidesOn(&super::tickets::TICKETS),
    natural_key: &["ticket_id", "tag_id"],
    // A tag without an id (never seen, but not excluded by the docs) is
    // keyed by its name so it still gets a stable, unique key.
    identity: Identity::KeyOr { column: "tag_id", instead: "tag_name" },
    cursor: cursor!("ticket_updated_at" <- "updated_datetime"),
    relationships: &[
        Relation::new("ticket_id", "tickets", "ticket_id"),
        Relation::new("tag_id", "tags", "id"),
    ],
    schema: || row_schema::<TicketTagRow>(),
    map,
    ..DEFAULTS
};

/// A tag on a ticket. Natural key: (`ticket_id`, `tag_id`).
#[derive(Serialize, JsonSchema)]
pub struct TicketTagRow {
    /// The ticket's id (`ticket.id`).
    pub ticket_id: i64,
    /// The tag's name (`tags[].name`).
    pub tag_name: Option<String>,
    /// The tag's id (`tags[].id`).
    pub tag_id: Option<i64>,
    /// The ticket's `updated_datetime` when this tag set was read: the cursor.
    pub ticket_updated_at: Option<Timestamp>,
}

fn map(object: Node<'_>, _: Option<i64>, ctx: &RowContext, out: &mut Out<'_>) -> Result<()> {
    let t = ctx.obj(object);
    let ticket_id = t.id("ticket")?;
    let updated = t.ts("updated_datetime");
    let Some(tags) = t.member("tags").filter(|t| t.is_array()) else {
        return Ok(());
    };
    for tag in tags.elements() {
        let tag = ctx.obj(tag);
        let tag_id = tag.int("id");
        let tag_name = tag.str("name");
        if tag_id.is_none() && tag_name.is_none() {
            continue;
        }
        out.push(&TicketTagRow {
            ticket_id,
            tag_name,
            tag_id,
            ticket_updated_at: updated,
        })?;
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

    #[test]
    fn one_row_per_tag_keyed_by_ticket_and_tag() {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        let obj = json!({"id": 5, "updated_datetime": "2024-06-20 07:39:36.5+00:00",
            "tags": [{"id": 1, "name": "vip"}, {"id": 2, "name": "refund"}, {"name": null}]});
        let out = super::super::def::map_value(&TICKET_TAGS, &obj, &ctx).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1]["tag_name"], "refund");
        assert_eq!(out[1]["ticket_updated_at"], "2024-06-20T07:39:36.500Z");
        assert_ne!(out[0]["__sync_key"], out[1]["__sync_key"]);
        assert_eq!(
            out[0]["__sync_key"],
            super::super::rows::sync_key(&[&5, &1], "acme")
        );
    }

    #[test]
    fn a_tag_without_an_id_is_keyed_by_its_name() {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        let obj = json!({"id": 5, "tags": [{"name": "vip"}, {"id": 1, "name": "vip"}]});
        let out = super::super::def::map_value(&TICKET_TAGS, &obj, &ctx).unwrap();
        assert_eq!(out[0]["tag_id"], Value::Null);
        assert_eq!(
            out[0]["__sync_key"],
            super::super::rows::sync_key(&[&5, &"vip"], "acme")
        );
        assert_eq!(
            out[1]["__sync_key"],
            super::super::rows::sync_key(&[&5, &1], "acme")
        );
    }
}
