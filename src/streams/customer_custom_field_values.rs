//! `customer_custom_field_values`: one row per (customer, custom field)
//! value, read as [`super::ticket_custom_field_values`] is: riding on the
//! `customers` pages when the list carries `custom_fields`, otherwise from
//! `/api/customers/{id}/custom-fields` for each customer the pass delivers.

use super::def::{Embedded, Read, Relation, StreamDef, DEFAULTS};
use super::dsl::cursor;
use super::obj::RowContext;
use super::rows::{row_schema, Identity, Out};
use super::ticket_custom_field_values::field_values;
use crate::error::Result;
use crate::json::Node;
use crate::schema::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

pub static CUSTOMER_CUSTOM_FIELD_VALUES: StreamDef = StreamDef {
    name: "customer_custom_field_values",
    description: "Custom-field values on Gorgias customers, one row per (customer, field) (natural key: customer_id, field_id), read from the customer list, or per changed customer from /api/customers/{id}/custom-fields when the account's list does not carry them (one request per customer). Incremental on customer_updated_at.",
    read: Read::RidesOn(&super::customers::CUSTOMERS),
    natural_key: &["customer_id", "field_id"],
    identity: Identity::Key,
    cursor: cursor!("customer_updated_at" <- "updated_datetime"),
    relationships: &[
        Relation::new("customer_id", "customers", "id"),
        Relation::new("field_id", "custom_fields", "id"),
    ],
    schema: || row_schema::<CustomerCustomFieldValueRow>(),
    map,
    embedded: Some(Embedded {
        member: "custom_fields",
        each: "/customers/{id}/custom-fields",
    }),
    ..DEFAULTS
};

/// A custom field's value on a customer. Natural key: (`customer_id`, `field_id`).
#[derive(Serialize, JsonSchema)]
pub struct CustomerCustomFieldValueRow {
    /// The customer's id (`customer.id`).
    pub customer_id: i64,
    /// The custom field's id (`custom_fields[].field.id`, or the member's key).
    pub field_id: i64,
    /// The custom field's label (`custom_fields[].field.label`) when the answer carries it (the per-object endpoint does); else join `custom_fields` on `field_id`.
    pub field_label: Option<String>,
    /// The value as text (`custom_fields[].value`): a string as it is, any other value JSON-encoded.
    pub value: Option<String>,
    /// The value exactly as Gorgias sent it (`custom_fields[].value`), as JSON text: "gold", 3, ["a","b"].
    pub value_json: Option<String>,
    /// The customer's `updated_datetime` when this value set was read: the cursor.
    pub customer_updated_at: Option<Timestamp>,
}

fn map(object: Node<'_>, _: Option<i64>, ctx: &RowContext, out: &mut Out<'_>) -> Result<()> {
    let c = ctx.obj(object);
    let customer_id = c.id("customer")?;
    let customer_updated_at = c.ts("updated_datetime");
    for v in field_values(&c, "custom_fields") {
        out.push(&CustomerCustomFieldValueRow {
            customer_id,
            field_id: v.field_id,
            field_label: v.label,
            value: v.value,
            value_json: v.value_json,
            customer_updated_at,
        })?;
    }
    Ok(())
}
