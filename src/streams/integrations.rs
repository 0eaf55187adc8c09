//! `integrations`: one row per integration (e-mail, chat, Shopify, HTTP, …).
//!
//! `/api/integrations` sorts by creation only, so the short list is read
//! whole every time; incremental mode emits only integrations whose
//! `updated_at` reached the bookmark. Deactivated integrations stay listed
//! with `deactivated_at` set.

use super::{Endpoint, ReadPlan, RowContext, Rows, Stream, SyncMeta};
use crate::error::Result;
use crate::json::Node;
use crate::schema::{schema_for, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub struct Integrations;

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
    #[serde(flatten)]
    pub meta: SyncMeta,
}

impl Stream for Integrations {
    fn name(&self) -> &'static str {
        "integrations"
    }
    fn description(&self) -> &'static str {
        "Gorgias integrations, one row per integration (natural key: integration_id). The list is read whole; incremental emits integrations updated since the bookmark."
    }
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            path: "/integrations",
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
        schema_for::<IntegrationRow>()
    }
    fn natural_key(&self) -> &'static [&'static str] {
        &["integration_id"]
    }
    fn relationships(&self) -> &'static [super::Relation] {
        &[super::Relation {
            column: "integration_user_id",
            stream: "users",
            key: "user_id",
        }]
    }

    fn map(&self, object: Node<'_>, ctx: &RowContext, out: &mut Rows) -> Result<()> {
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
            meta: ctx.meta(&[&id]),
        })?;
        Ok(())
    }
}
