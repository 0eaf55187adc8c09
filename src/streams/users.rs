//! `users`: one row per helpdesk user (agents, admins, bots).
//!
//! `/api/users` sorts by creation, name, e-mail or role, never by
//! `updated_datetime`, so the list is read whole every time (it is small:
//! one request per 100 users). Incremental mode emits only users whose
//! `updated_at` reached the bookmark; the requests are the same either way.

use super::{cursor, row_schema, Out, Read, RowContext, StreamDef, DEFAULTS};
use crate::error::Result;
use crate::json::Node;
use crate::schema::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

pub static USERS: StreamDef = StreamDef {
    name: "users",
    description: "Gorgias users (agents, admins, bots), one row per user (natural key: user_id). The list is read whole; incremental emits users updated since the bookmark.",
    read: Read::WholeList { path: "/users", order: Some("created_datetime:asc") },
    key: &["user_id"],
    cursor: cursor!("updated_at" <- "updated_datetime"),
    filters: |config| config.user_roles.iter().map(|r| ("roles", r.clone())).collect(),
    schema: || row_schema::<UserRow>(),
    map,
    ..DEFAULTS
};

/// A Gorgias user. Natural key: `user_id`.
#[derive(Serialize, JsonSchema)]
pub struct UserRow {
    /// Gorgias user id (`id`).
    pub user_id: i64,
    /// The user's id in an external system (`external_id`).
    pub external_id: Option<String>,
    /// Whether the user can log in (`active`).
    pub active: Option<bool>,
    /// The user's e-mail (`email`).
    pub user_email: Option<String>,
    /// The user's full name (`name`).
    pub user_name: Option<String>,
    /// First name (`firstname`).
    pub first_name: Option<String>,
    /// Last name (`lastname`).
    pub last_name: Option<String>,
    /// When the user was created (`created_datetime`).
    pub created_at: Option<Timestamp>,
    /// When the user last changed (`updated_datetime`): the cursor.
    pub updated_at: Option<Timestamp>,
}

fn map(object: Node<'_>, ctx: &RowContext, out: &mut Out<'_>) -> Result<()> {
    let u = ctx.obj(object);
    let id = u.id("user")?;
    out.push(&UserRow {
        user_id: id,
        external_id: u.str("external_id"),
        active: u.bool("active"),
        user_email: u.str("email"),
        user_name: u.str("name"),
        first_name: u.str("firstname"),
        last_name: u.str("lastname"),
        created_at: u.ts("created_datetime"),
        updated_at: u.ts("updated_datetime"),
    })?;
    Ok(())
}
