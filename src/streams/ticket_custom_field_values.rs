//! `ticket_custom_field_values`: one row per (ticket, custom field) value.
//!
//! The Ticket object documents `custom_fields`; when an account's ticket
//! list carries it, this stream rides on the `tickets` pages like
//! `ticket_tags` (no extra request). When the list leaves it out, each
//! ticket the pass delivers is read at `/api/tickets/{id}/custom-fields`
//! (see [`super::def::Embedded`]): one request per ticket, so an incremental read
//! asks only for changed tickets. Either way a ticket read again brings its
//! full current set, stamped with `ticket_updated_at`, which replaces the
//! older set downstream (a removed value leaves no row in the new set).

use super::def::{Embedded, Read, Relation, StreamDef, DEFAULTS};
use super::dsl::cursor;
use super::obj::{Obj, RowContext};
use super::rows::{row_schema, Identity, Out};
use crate::error::Result;
use crate::json::{Kind, Node};
use crate::schema::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

pub static TICKET_CUSTOM_FIELD_VALUES: StreamDef = StreamDef {
    name: "ticket_custom_field_values",
    description: "Custom-field values on Gorgias tickets, one row per (ticket, field) (natural key: ticket_id, field_id), read from the ticket list, or per changed ticket from /api/tickets/{id}/custom-fields when the account's list does not carry them (one request per ticket). Incremental on ticket_updated_at.",
    read: Read::RidesOn(&super::tickets::TICKETS),
    natural_key: &["ticket_id", "field_id"],
    identity: Identity::Key,
    cursor: cursor!("ticket_updated_at" <- "updated_datetime"),
    relationships: &[
        Relation::new("ticket_id", "tickets", "ticket_id"),
        Relation::new("field_id", "custom_fields", "id"),
    ],
    schema: || row_schema::<TicketCustomFieldValueRow>(),
    map,
    embedded: Some(Embedded {
        member: "custom_fields",
        each: "/tickets/{id}/custom-fields",
    }),
    ..DEFAULTS
};

/// A custom field's value on a ticket. Natural key: (`ticket_id`, `field_id`).
#[derive(Serialize, JsonSchema)]
pub struct TicketCustomFieldValueRow {
    /// The ticket's id (`ticket.id`).
    pub ticket_id: i64,
    /// The custom field's id (`custom_fields[].field.id`, or the member's key).
    pub field_id: i64,
    /// The custom field's label (`custom_fields[].field.label`) when the answer carries it (the per-object endpoint does); else join `custom_fields` on `field_id`.
    pub field_label: Option<String>,
    /// The value as text (`custom_fields[].value`): a string as it is, any other value JSON-encoded.
    pub value: Option<String>,
    /// The value exactly as Gorgias sent it (`custom_fields[].value`), as JSON text: "gold", 3, ["a","b"].
    pub value_json: Option<String>,
    /// The ticket's `updated_datetime` when this value set was read: the cursor.
    pub ticket_updated_at: Option<Timestamp>,
}

fn map(object: Node<'_>, _: Option<i64>, ctx: &RowContext, out: &mut Out<'_>) -> Result<()> {
    let t = ctx.obj(object);
    let ticket_id = t.id("ticket")?;
    let ticket_updated_at = t.ts("updated_datetime");
    for v in field_values(&t, "custom_fields") {
        out.push(&TicketCustomFieldValueRow {
            ticket_id,
            field_id: v.field_id,
            field_label: v.label,
            value: v.value,
            value_json: v.value_json,
            ticket_updated_at,
        })?;
    }
    Ok(())
}

/// One value of an object's custom fields, whatever shape carried it.
pub(super) struct FieldValue {
    pub field_id: i64,
    pub label: Option<String>,
    pub value: Option<String>,
    pub value_json: Option<String>,
}

/// The values in `member`: a list of `{id, field{id, label}, value}` (the
/// per-object endpoint's items) or an object keyed by field id whose entries
/// are such items or bare values. A value without a field id cannot be
/// keyed and is tallied as odd; a null value is no value.
pub(super) fn field_values(o: &Obj<'_>, member: &str) -> Vec<FieldValue> {
    let Some(node) = o.member(member).filter(|n| !n.is_null()) else {
        return Vec::new();
    };
    let entries: Vec<(Option<i64>, Node<'_>)> = match node.kind() {
        Kind::Array => node.elements().map(|e| (None, e)).collect(),
        Kind::Object => node.members().map(|(k, e)| (k.parse().ok(), e)).collect(),
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .filter_map(|(key, entry)| field_value(o, key, entry))
        .collect()
}

fn field_value(o: &Obj<'_>, key: Option<i64>, entry: Node<'_>) -> Option<FieldValue> {
    let item = o.ctx.obj(entry);
    let (field_id, label, raw) = if entry.is_object() && entry.get("value").is_some() {
        let field = item.at("field");
        let id = field.int("id").or(key).or_else(|| item.int("field_id"));
        (id, field.str("label"), entry.get("value"))
    } else {
        (key, None, Some(entry))
    };
    let raw = raw.filter(|r| !r.is_null())?;
    let Some(field_id) = field_id else {
        o.ctx.coerced.set(o.ctx.coerced.get() + 1);
        return None;
    };
    let value = match raw.kind() {
        Kind::Str(s) => s.to_string(),
        _ => raw.to_value().to_string(),
    };
    Some(FieldValue {
        field_id,
        label,
        value: Some(value),
        value_json: Some(raw.to_value().to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::{json, Value};

    fn rows(obj: &Value) -> Vec<Value> {
        let ctx = RowContext::new(
            "acme",
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        );
        super::super::def::map_value(&TICKET_CUSTOM_FIELD_VALUES, obj, &ctx).unwrap()
    }

    #[test]
    fn a_map_keyed_by_field_id_gives_one_row_per_value() {
        let out = rows(
            &json!({"id": 5, "updated_datetime": "2024-06-20 07:39:36.5+00:00",
            "custom_fields": {"31": {"id": 31, "value": "Order::Status"}, "32": {"id": 32, "value": 12.5},
                              "33": {"id": 33, "value": null}, "34": ["a", "b"]}}),
        );
        assert_eq!(out.len(), 3);
        assert_eq!(
            (out[0]["field_id"].clone(), out[0]["value"].clone()),
            (json!(31), json!("Order::Status"))
        );
        assert_eq!(out[0]["value_json"], "\"Order::Status\"");
        assert_eq!(
            (out[1]["value"].clone(), out[1]["value_json"].clone()),
            (json!("12.5"), json!("12.5"))
        );
        assert_eq!(
            (out[2]["field_id"].clone(), out[2]["value"].clone()),
            (json!(34), json!("[\"a\",\"b\"]"))
        );
        assert_eq!(out[0]["ticket_updated_at"], "2024-06-20T07:39:36.500Z");
        assert_eq!(
            out[0]["__sync_key"],
            super::super::rows::sync_key(&[&5, &31], "acme")
        );
    }

    #[test]
    fn items_are_keyed_by_their_field_not_their_own_id() {
        let out = rows(&json!({"id": 5, "custom_fields": [
            {"id": 900, "field": {"id": 31, "label": "Contact reason"}, "value": "Other", "prediction": null},
            {"id": 901, "value": "no field id"}]}));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0]["field_id"], 31);
        assert_eq!(out[0]["field_label"], "Contact reason");
    }

    #[test]
    fn no_member_or_a_null_one_gives_no_rows() {
        assert!(rows(&json!({"id": 5})).is_empty());
        assert!(rows(&json!({"id": 5, "custom_fields": null})).is_empty());
    }
}
