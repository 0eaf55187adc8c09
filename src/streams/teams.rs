//! `teams`: one row per team of agents.
//!
//! `/api/teams` sorts by creation or name only and a team's members change
//! without any sortable key moving, so the short list is read whole every
//! time and the stream is full refresh only. `members` stays JSON: a
//! destination can unnest it without the connector guessing a shape.

super::dsl::api_stream! {
    TEAMS {
        description: "Gorgias teams with their members, one row per team (natural key: id). Read whole every time.",
        read: Read::WholeList { path: "/teams", order: Some("created_datetime:asc") },
        natural_key: &["id"],
    }
    /// A Gorgias team. Natural key: `id`.
    TeamRow, "team";
    id: id = "Gorgias team id (`id`).",
    name: str = "The team's name (`name`).",
    description: str = "Its description (`description`).",
    decoration: json_object = "How it is displayed, e.g. its emoji (`decoration`).",
    members: json_array = "Its users: id, name, e-mail (`members`).",
    created_datetime: ts = "When the team was created (`created_datetime`).",
}
