//! `integrations`: one row per integration (e-mail, chat, Shopify, HTTP, …).
//!
//! `/api/integrations` sorts by creation only, so the short list is read
//! whole every time; incremental mode emits only integrations whose
//! `updated_at` reached the bookmark. Deactivated integrations stay listed
//! with `deactivated_at` set.

super::dsl::api_stream! {
    INTEGRATIONS {
        description: "Gorgias integrations, one row per integration (natural key: integration_id). The list is read whole; incremental emits integrations updated since the bookmark.",
        read: Read::WholeList { path: "/integrations", order: Some("created_datetime:asc") },
        natural_key: &["integration_id"],
        cursor: cursor!("updated_at" <- "updated_datetime"),
        relationships: &[Relation::new("integration_user_id", "users", "user_id")],
    }
    /// A Gorgias integration. Natural key: `integration_id`.
    IntegrationRow, "integration";
    integration_id: id = "Gorgias integration id (`id`).",
    integration_user_id: int <- id in user = "The user who created it (`user.id`).",
    integration_type: str <- type = "Integration type: email, gmail, shopify, http, … (`type`).",
    integration_name: str <- name = "Its name (`name`).",
    created_at: ts <- created_datetime = "When it was created (`created_datetime`).",
    updated_at: ts <- updated_datetime = "When it last changed (`updated_datetime`): the cursor.",
    deactivated_at: ts <- deactivated_datetime = "When it was deactivated (`deactivated_datetime`); null while active.",
    description: str = "Its description (`description`).",
    deleted_at: ts <- deleted_datetime = "When it was deleted (`deleted_datetime`); null unless deleted.",
    locked_at: ts <- locked_datetime = "When it was locked (`locked_datetime`); null while not locked.",
}
