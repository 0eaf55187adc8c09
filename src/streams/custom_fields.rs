//! `custom_fields`: one row per custom field definition, of tickets and of
//! customers.
//!
//! `/api/custom-fields` requires `object_type`, lists one side of
//! `archived` per call and sorts by `priority` only, so the list is read
//! whole once per object type (Ticket, then Customer) and per side (live,
//! then archived, whose `deactivated_datetime` is set); incremental mode
//! emits only fields whose `updated_datetime` reached the bookmark. Field
//! ids are unique across object types.

super::dsl::api_stream! {
    CUSTOM_FIELDS {
        description: "Gorgias custom field definitions of tickets and customers, one row per field (natural key: id). Read whole per object type; incremental emits fields updated since the bookmark.",
        read: Read::EachOf { path: "/custom-fields", order: "priority:asc", param: "object_type", values: &["Ticket", "Customer"] },
        natural_key: &["id"],
        cursor: cursor!("updated_datetime" <- "updated_datetime"),
        sides: Some(("archived", &["false", "true"])),
    }
    /// A custom field definition. Natural key: `id`.
    CustomFieldRow, "custom field";
    id: id = "Gorgias custom field id (`id`).",
    object_type: str = "Ticket or Customer (`object_type`).",
    label: str = "The field's label (`label`).",
    description: str = "Its description (`description`).",
    priority: int = "Display order (`priority`).",
    required: bool = "Whether a value is required (`required`).",
    managed_type: str = "The Gorgias-managed role of the field, e.g. contact_reason (`managed_type`).",
    definition: json_object = "Data type and input settings, e.g. dropdown choices (`definition`).",
    deactivated_datetime: ts = "When it was archived (`deactivated_datetime`).",
    created_datetime: ts = "When it was created (`created_datetime`).",
    updated_datetime: ts = "When it last changed (`updated_datetime`): the cursor.",
    external_id: str = "The field's id in an external system (`external_id`).",
    requirement_type: str = "Whether and when a value is required (`requirement_type`).",
}
