//! `rules`: one row per automation rule.
//!
//! `/api/rules` sorts by creation only, so the short list is read whole
//! every time (one request per 100 rules); incremental mode emits only rules
//! whose `updated_datetime` reached the bookmark.

super::dsl::api_stream! {
    RULES {
        description: "Gorgias automation rules, one row per rule (natural key: id). The list is read whole; incremental emits rules updated since the bookmark.",
        read: Read::WholeList { path: "/rules", order: Some("created_datetime:asc") },
        natural_key: &["id"],
        cursor: cursor!("updated_datetime" <- "updated_datetime"),
    }
    /// A Gorgias rule. Natural key: `id`.
    RuleRow, "rule";
    id: id = "Gorgias rule id (`id`).",
    name: str = "The rule's name (`name`).",
    description: str = "Its description (`description`).",
    code: str = "The rule as code (`code`).",
    code_ast: json_object = "The code's syntax tree (`code_ast`).",
    event_types: str = "Events that run it, comma-separated (`event_types`).",
    priority: int = "Rules with a higher priority run first (`priority`).",
    deactivated_datetime: ts = "When it was deactivated (`deactivated_datetime`).",
    created_datetime: ts = "When it was created (`created_datetime`).",
    updated_datetime: ts = "When it last changed (`updated_datetime`): the cursor.",
}
