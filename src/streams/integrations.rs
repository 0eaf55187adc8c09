//! `integrations`: one row per integration (e-mail, chat, Shopify, HTTP, …).
//!
//! `/api/integrations` sorts by creation only, so the short list is read
//! whole every time; incremental mode emits only integrations whose
//! `updated_at` reached the bookmark. Deactivated integrations stay listed
//! with `deactivated_at` set.

use super::{cursor, row_schema, Out, Read, Relation, RowContext, StreamDef, DEFAULTS};
use crate::error::Result;
use crate::json::Node;
use crate::schema::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

pub static INTEGRATIONS: StreamDef = StreamDef {
    name: "integrations",
    description: "Gorgias integrations, one row per integration (natural key: integration_id). The list is read whole; incremental emits integrations updated since the bookmark.",
    read: Read::WholeList { path: "/integrations", order: Some("created_datetime:asc") },
    key: &["integration_id"],
    cursor: cursor!("updated_at" <- "updated_datetime"),
    relations: &[
        Relation::new("integration_user_id", "users", "user_id"),
    ],
    schema: || row_schema::<IntegrationRow>(),
    map,
    ..DEFAULTS
};

/// A Gorgias integration. Natural key: `integration_id`.
#[derive(Serialize, JsonSchema)]
pub struct IntegrationRow {
    /// Gorgias integration id (`id`).
    pub integration_id: i64,
    /// The user who created it (`user.id`).
    pub integration_user_id: Option<i64>,
    /// Integration type: email, gmail, shopify, http, … (`type`).
    pub integration_type: Option<String>,
    /// Its name (`name`).
    pub integration_name: Option<String>,
    /// When it was created (`created_datetime`).
    pub created_at: Option<Timestamp>,
    /// When it last changed (`updated_datetime`): the cursor.
    pub updated_at: Option<Timestamp>,
    /// When it was deactivated (`deactivated_datetime`); null while active.
    pub deactivated_at: Option<Timestamp>,
}

fn map(object: Node<'_>, ctx: &RowContext, out: &mut Out<'_>) -> Result<()> {
    let i = ctx.obj(object);
    let id = i.id("integration")?;
    out.push(&IntegrationRow {
        integration_id: id,
        integration_user_id: i.at("user").int("id"),
        integration_type: i.str("type"),
        integration_name: i.str("name"),
        created_at: i.ts("created_datetime"),
        updated_at: i.ts("updated_datetime"),
        deactivated_at: i.ts("deactivated_datetime"),
    })?;
    Ok(())
}
