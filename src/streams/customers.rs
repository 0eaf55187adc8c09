//! `customers`: one row per customer, with the API's own field names.
//!
//! `/api/customers` sorts by `updated_datetime`, which moves on every change,
//! so the stream is read like `tickets`: newest first, stopping after a whole
//! page older than the bookmark (about one request per 100 changed
//! customers), oldest first with a checkpoint per page when there is no
//! bookmark yet. `integrations` is keyed by integration id, so it stays one
//! JSON column. Deleted customers vanish from the list: the `events` stream
//! carries their `customer-deleted` events.

super::dsl::api_stream! {
    CUSTOMERS {
        description: "Gorgias customers, one row per customer (natural key: id). Incremental on updated_datetime, read newest first; deletions appear in events.",
        read: Read::NewestFirst { path: "/customers", lookback: no_lookback },
        natural_key: &["id"],
        cursor: cursor!("updated_datetime" <- "updated_datetime"),
        deletion: Some(Deletion { event: "customer-deleted", object_type: "Customer" }),
    }
    /// A Gorgias customer. Natural key: `id`.
    CustomerRow, "customer";
    id: id = "Gorgias customer id (`id`).",
    external_id: str = "The customer's id in an external system, e.g. the shop (`external_id`).",
    active: bool = "Whether the customer is active (`active`).",
    email: str = "Main e-mail address (`email`).",
    name: str = "Full name (`name`).",
    firstname: str = "First name (`firstname`).",
    lastname: str = "Last name (`lastname`).",
    language: str = "Preferred language (`language`).",
    timezone: str = "Time zone (`timezone`).",
    note: str = "Agents' note on the customer (`note`).",
    channels: json_array = "E-mail addresses, phone numbers, … with their type (`channels`).",
    integrations: json_object = "Data from each integration, keyed by integration id (`integrations`).",
    data: json_object = "Free-form data set through the API (`data`).",
    meta: json_object = "Metadata (`meta`).",
    created_datetime: ts = "When the customer was created (`created_datetime`).",
    updated_datetime: ts = "When the customer last changed (`updated_datetime`): the cursor.",
}
