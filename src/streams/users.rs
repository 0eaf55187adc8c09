//! `users`: one row per helpdesk user (agents, admins, bots).
//!
//! `/api/users` sorts by creation, name, e-mail or role, never by
//! `updated_datetime`, so the list is read whole every time (it is small:
//! one request per 100 users). Incremental mode emits only users whose
//! `updated_at` reached the bookmark; the requests are the same either way.

super::dsl::api_stream! {
    USERS {
        description: "Gorgias users (agents, admins, bots), one row per user (natural key: user_id). The list is read whole; incremental emits users updated since the bookmark.",
        read: Read::WholeList { path: "/users", order: Some("created_datetime:asc") },
        natural_key: &["user_id"],
        cursor: cursor!("updated_at" <- "updated_datetime"),
        filters: |config| config.user_roles.iter().map(|r| ("roles", r.clone())).collect(),
    }
    /// A Gorgias user. Natural key: `user_id`.
    UserRow, "user";
    user_id: id = "Gorgias user id (`id`).",
    external_id: str = "The user's id in an external system (`external_id`).",
    active: bool = "Whether the user can log in (`active`).",
    user_email: str <- email = "The user's e-mail (`email`).",
    user_name: str <- name = "The user's full name (`name`).",
    first_name: str <- firstname = "First name (`firstname`).",
    last_name: str <- lastname = "Last name (`lastname`).",
    created_at: ts <- created_datetime = "When the user was created (`created_datetime`).",
    updated_at: ts <- updated_datetime = "When the user last changed (`updated_datetime`): the cursor.",
    role: str <- name in role = "The user's role: admin, agent, basic-agent, lite-agent, observer-agent, bot, … (`role.name`).",
    deactivated_at: ts <- deactivated_datetime = "When the user was deactivated (`deactivated_datetime`); null while active.",
    timezone: str = "The user's time zone, e.g. America/New_York (`timezone`).",
    language: str = "The user's interface language, e.g. en (`language`).",
}
