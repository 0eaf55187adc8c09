//! `tags`: one row per tag of the account.
//!
//! `/api/tags` sorts by creation, name or usage, and a tag's `usage` and
//! `decoration` change without any sortable key moving, so the short list
//! is read whole every time (one request per 100 tags) and the stream is
//! full refresh only. Deleted tags vanish; `tag-deleted` events record them.

super::dsl::api_stream! {
    TAGS {
        description: "Gorgias tags, one row per tag (natural key: id). Read whole every time: usage changes without a sortable key.",
        read: Read::WholeList { path: "/tags", order: Some("created_datetime:asc") },
        natural_key: &["id"],
    }
    /// A Gorgias tag. Natural key: `id`.
    TagRow, "tag";
    id: id = "Gorgias tag id (`id`).",
    name: str = "The tag's name (`name`).",
    description: str = "Its description (`description`).",
    decoration: json_object = "How it is displayed, e.g. its colour (`decoration`).",
    usage: int = "Tickets carrying the tag (`usage`).",
    created_datetime: ts = "When the tag was created (`created_datetime`).",
    deleted_datetime: ts = "When it was deleted (`deleted_datetime`).",
}
