//! `views`: one row per saved ticket view.
//!
//! `/api/views` sorts by creation only and a view's filters change without a
//! sortable key moving, so the short list is read whole every time and the
//! stream is full refresh only. The filter stays as Gorgias writes it
//! (`filters`, plus its syntax tree as JSON).

super::dsl::api_stream! {
    VIEWS {
        description: "Gorgias saved ticket views, one row per view (natural key: id). Read whole every time.",
        read: Read::WholeList { path: "/views", order: Some("created_datetime:asc") },
        natural_key: &["id"],
    }
    /// A Gorgias view. Natural key: `id`.
    ViewRow, "view";
    id: id = "Gorgias view id (`id`).",
    name: str = "The view's name (`name`).",
    slug: str = "URL-compatible name (`slug`).",
    category: str = "system or user (`category`).",
    r#type: str = "The kind of objects listed: ticket-list (`type`).",
    visibility: str = "public, shared or private (`visibility`).",
    filters: str = "The filter expression selecting the view's items (`filters`).",
    filters_ast: json_object = "The filter's syntax tree (`filters_ast`).",
    order_by: str = "The attribute items are sorted by (`order_by`).",
    order_dir: str = "asc or desc (`order_dir`).",
    fields: json_array = "The columns shown (`fields`).",
    decoration: json_object = "How it is displayed, e.g. its emoji (`decoration`).",
    shared_with_teams: json_array = "Team ids it is shared with (`shared_with_teams`).",
    shared_with_users: json_array = "User ids it is shared with (`shared_with_users`).",
    deactivated_datetime: ts = "When it was deactivated (`deactivated_datetime`).",
    created_datetime: ts = "When it was created (`created_datetime`).",
}
