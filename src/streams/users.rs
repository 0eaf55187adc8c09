//! `users`: one row per helpdesk user (agents, admins, bots).
//!
//! `/api/users` sorts by creation, name, e-mail or role, never by
//! `updated_datetime`, so the list is read whole every time (it is small:
//! one request per 100 users). Incremental mode emits only users whose
//! `updated_at` reached the bookmark; the requests are the same either way.

use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct Users;

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
    #[serde(flatten)]
    pub meta: SyncMeta,
}

impl Stream for Users {
    fn name(&self) -> &'static str {
        "users"
    }
    fn description(&self) -> &'static str {
        "Gorgias users (agents, admins, bots), one row per user (natural key: user_id). The list is read whole; incremental emits users updated since the bookmark."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/users",
            order_by: Some("created_datetime:asc"),
        }
    }
    fn plan(&self) -> ReadPlan {
        ReadPlan::WholeList
    }
    fn cursor_field(&self) -> Option<&'static str> {
        Some("updated_at")
    }
    fn api_cursor(&self) -> Option<&'static str> {
        Some("updated_datetime")
    }
    fn schema(&self) -> Value {
        schema_for::<UserRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["user_id"]
    }

    fn filters(&self, config: &crate::config::Config) -> Vec<(&'static str, String)> {
        config
            .user_roles
            .iter()
            .map(|r| ("roles", r.clone()))
            .collect()
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
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
            meta: ctx.meta(&[&id]),
        })?;
        Ok(())
    }
}
