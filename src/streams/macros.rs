//! `macros`: one row per macro (saved reply with actions).
//!
//! `/api/macros` sorts by `updated_datetime`, which moves on every edit, so
//! the stream is read like `tickets`: newest first, stopping after a whole
//! page older than the bookmark, oldest first with a checkpoint per page
//! when there is no bookmark yet. `usage` changes without moving that key,
//! so only a full refresh brings usage counts up to date. The list leaves
//! archived macros out unless asked for `archived=true`, which lists only
//! them, so each side is its own newest-first pass with its own stop rule;
//! archived macros come with `archived_datetime` set.

super::dsl::api_stream! {
    MACROS {
        description: "Gorgias macros, one row per macro (natural key: id). Incremental on updated_datetime, read newest first.",
        read: Read::NewestFirst { path: "/macros", lookback: no_lookback },
        natural_key: &["id"],
        cursor: cursor!("updated_datetime" <- "updated_datetime"),
        sides: Some(("archived", &["false", "true"])),
    }
    /// A Gorgias macro. Natural key: `id`.
    MacroRow, "macro";
    id: id = "Gorgias macro id (`id`).",
    external_id: str = "Its id in an external system (`external_id`).",
    name: str = "The macro's name (`name`).",
    intent: str = "The customer intent it answers, e.g. refund/request (`intent`).",
    language: str = "Its language (`language`).",
    actions: json_array = "What applying it does: reply text, tags, status, … (`actions`).",
    usage: int = "How many times it was applied (`usage`).",
    archived_datetime: ts = "When it was archived (`archived_datetime`).",
    created_datetime: ts = "When it was created (`created_datetime`).",
    updated_datetime: ts = "When it was last edited (`updated_datetime`): the cursor.",
}
