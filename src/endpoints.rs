//! What the connector sends to each Gorgias endpoint and what it expects
//! back, with where each fact was confirmed. Gorgias answers 400 to a
//! parameter or an `order_by` an endpoint does not document, and a server
//! that forgives may silently drop a filter instead, so nothing may be sent
//! that is not written here: `tests/docs/endpoint_conformance.rs` checks every
//! request of a full read of every stream, with every option on, against
//! this table, and `docs/endpoints.md` is generated from it.

pub mod fields;

/// The body a list endpoint answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// One JSON object (`/api/account`).
    Object,
    /// `{"object": "list", "data": [...], "meta": {"next_cursor", "prev_cursor"}}`:
    /// the next page is the same request with `cursor=<next_cursor>`.
    Cursor,
    /// [`Envelope::Cursor`], or a bare JSON array (one page), which the
    /// reference shows for this endpoint while live clients read the former.
    CursorOrArray,
    /// One object's whole child list, unpaged: a bare JSON array, or
    /// `{"data": [...]}` (the reference shows the first, live clients read
    /// the second).
    ArrayOrData,
    /// `{"data": [...], "meta": {"current_cursor", "next_items", "prev_items"}}`:
    /// `next_items` is a relative URL (null on the last page) whose `cursor`,
    /// `direction` and `ignored_item` the next request carries.
    ItemLinks,
}

impl Envelope {
    pub fn describe(self) -> &'static str {
        match self {
            Envelope::Object => "one object",
            Envelope::Cursor => "`data` + `meta.next_cursor` (null on the last page)",
            Envelope::CursorOrArray => {
                "`data` + `meta.next_cursor`, or a bare array (one page)"
            }
            Envelope::ArrayOrData => "a bare array, or `data` (one answer, no paging)",
            Envelope::ItemLinks => {
                "`data` + `meta.next_items`: a relative URL whose `cursor`, `direction`, `ignored_item` the next request sends (null on the last page); no `next_cursor`"
            }
        }
    }
}

/// One endpoint as the connector uses it.
#[derive(Debug, Clone, Copy)]
pub struct EndpointDoc {
    /// Under `/api`; `{id}` stands for a numeric id.
    pub path: &'static str,
    /// Every query parameter the connector may send.
    pub params: &'static [&'static str],
    /// Those of `params` that take a list: sent as repeated keys
    /// (`roles=admin&roles=agent`), never as `roles[]=`.
    pub repeated: &'static [&'static str],
    /// Every `order_by` value the connector may send.
    pub order_by: &'static [&'static str],
    pub envelope: Envelope,
    /// Where the parameters, orders and envelope were confirmed.
    pub confirmed: &'static str,
}

const PAGED: &[&str] = &["limit", "cursor", "order_by"];

/// The mirror of Gorgias's reference that states each endpoint's
/// parameters in full (developers.gorgias.com renders them client-side).
pub const MIRROR: &str = "https://withone.ai/knowledge/gorgias";

/// Every endpoint the connector calls, in catalog order of first use.
pub static ENDPOINTS: &[EndpointDoc] = &[
    EndpointDoc {
        path: "/account",
        params: &[],
        repeated: &[],
        order_by: &[],
        envelope: Envelope::Object,
        confirmed: "Retrieve your account: no parameters; the credential probe peer connectors (Airbyte's and ingestr's Gorgias sources) use",
    },
    EndpointDoc {
        path: "/users",
        params: &["limit", "cursor", "order_by", "roles"],
        repeated: &["roles"],
        order_by: &["created_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Users (withone.ai mirror of the reference): order_by created_datetime/name/email/role.name :asc|:desc; `roles` an array sent form-style as repeated keys (roles=admin&roles=agent)",
    },
    EndpointDoc {
        path: "/tickets",
        params: PAGED,
        repeated: &[],
        order_by: &["updated_datetime:desc", "updated_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Tickets (withone.ai mirror): order_by created_datetime/updated_datetime :asc|:desc; trashed defaults to true (trashed tickets listed); ticket_ids form-style, explode",
    },
    EndpointDoc {
        path: "/messages",
        params: PAGED,
        repeated: &[],
        order_by: &["created_datetime:desc", "created_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Messages (withone.ai mirror): cursor, limit, ticket_id, order_by created_datetime:asc|:desc only; list envelope",
    },
    EndpointDoc {
        path: "/satisfaction-surveys",
        params: PAGED,
        repeated: &[],
        order_by: &["created_datetime:desc", "created_datetime:asc"],
        envelope: Envelope::CursorOrArray,
        confirmed: "List satisfaction surveys and peer connectors (not re-read in the mirror): order_by created_datetime only; the reference shows a bare array while live clients (Airbyte's source) read the cursor envelope",
    },
    EndpointDoc {
        path: "/integrations",
        params: PAGED,
        repeated: &[],
        order_by: &["created_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Integrations (withone.ai mirror): cursor, limit, type, order_by created_datetime:asc|:desc only; objects carry deactivated_datetime",
    },
    EndpointDoc {
        path: "/customers",
        params: PAGED,
        repeated: &[],
        order_by: &["updated_datetime:desc", "updated_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Customers (withone.ai mirror): cursor, limit, email, external_id, language, …; order_by created_datetime/updated_datetime :asc|:desc per the reference page (the mirror's excerpt ends before order_by)",
    },
    EndpointDoc {
        path: "/tags",
        params: PAGED,
        repeated: &[],
        order_by: &["created_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Tags (withone.ai mirror): order_by created_datetime/name/usage :asc|:desc; meta next_cursor/prev_cursor",
    },
    EndpointDoc {
        path: "/events",
        params: &[
            "limit",
            "cursor",
            "order_by",
            "created_datetime[gte]",
            "types",
        ],
        repeated: &["types"],
        order_by: &["created_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Events (withone.ai mirror): created_datetime[gt|gte|lt|lte] (deepObject), object_type, object_id, `types` an array sent form-style as repeated keys, order_by created_datetime:asc|:desc; the changelog \"cursor-based pagination for List events\" shows meta next_cursor/prev_cursor",
    },
    EndpointDoc {
        path: "/teams",
        params: PAGED,
        repeated: &[],
        order_by: &["created_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Teams (withone.ai mirror): cursor, limit, order_by created_datetime/name :asc|:desc",
    },
    EndpointDoc {
        path: "/views",
        params: PAGED,
        repeated: &[],
        order_by: &["created_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Views (withone.ai mirror): cursor, limit, order_by created_datetime:asc|:desc",
    },
    EndpointDoc {
        path: "/views/{id}/items",
        params: &["limit", "cursor", "order_by", "direction", "ignored_item"],
        repeated: &[],
        order_by: &["created_datetime:asc"],
        envelope: Envelope::ItemLinks,
        confirmed: "List a View's Items (withone.ai mirror): cursor, direction (prev|next), ignored_item, limit, order_by created_datetime/updated_datetime/last_message_datetime/… :asc|:desc; meta current_cursor/next_items/prev_items (the reference page, and the Gorgias MCP servers); items are tickets for ticket-list views, customers for customer-list views, whose order_by values include created_datetime too",
    },
    EndpointDoc {
        path: "/macros",
        params: &["limit", "cursor", "order_by", "archived"],
        repeated: &[],
        order_by: &["updated_datetime:desc", "updated_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Macros (withone.ai mirror): order_by name/created_datetime/updated_datetime/usage/language :asc|:desc (default usage); `archived` boolean, default false (archived macros left out), true lists only archived ones (the reference page)",
    },
    EndpointDoc {
        path: "/rules",
        params: PAGED,
        repeated: &[],
        order_by: &["created_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Rules (withone.ai mirror): cursor, limit, order_by created_datetime:asc|:desc",
    },
    EndpointDoc {
        path: "/custom-fields",
        params: &["limit", "cursor", "order_by", "object_type", "archived"],
        repeated: &[],
        order_by: &["priority:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Custom Fields (withone.ai mirror): object_type required (Ticket, Customer); `archived` boolean, archived or non-archived only; order_by priority:asc|:desc",
    },
    EndpointDoc {
        path: "/tickets/{id}/custom-fields",
        params: &[],
        repeated: &[],
        order_by: &[],
        envelope: Envelope::ArrayOrData,
        confirmed: "List a Ticket's Custom Field Values (withone.ai mirror): no query parameters; items `{id, field{id, label, definition…}, value, prediction}`, where `id` is the value's own id and `field.id` the field's; a mirror shows a bare array, a live client reads `{data: [...]}`. The Ticket object documents `custom_fields` (object or null); whether the list fills it is not documented, so the read decides from the first page",
    },
    EndpointDoc {
        path: "/customers/{id}/custom-fields",
        params: &[],
        repeated: &[],
        order_by: &[],
        envelope: Envelope::ArrayOrData,
        confirmed: "List a Customer's Custom Field Values (withone.ai mirror): as for tickets, no query parameters, a bare array or `{data: [...]}`",
    },
    EndpointDoc {
        path: "/jobs",
        params: PAGED,
        repeated: &[],
        order_by: &["created_datetime:desc", "created_datetime:asc"],
        envelope: Envelope::Cursor,
        confirmed: "List Jobs (withone.ai mirror): cursor, limit, status, type, order_by created_datetime:asc|:desc",
    },
    EndpointDoc {
        path: "/phone/voice-calls",
        params: &["limit", "cursor"],
        repeated: &[],
        order_by: &[],
        envelope: Envelope::Cursor,
        confirmed: "List Voice Calls (withone.ai mirror): cursor, limit, ticket_id only (no order_by); data + meta; objects carry started_datetime, and updated_datetime may be absent",
    },
    EndpointDoc {
        path: "/phone/voice-call-events",
        params: &["limit", "cursor"],
        repeated: &[],
        order_by: &[],
        envelope: Envelope::CursorOrArray,
        confirmed: "List Voice Call Events (withone.ai mirror): cursor, limit, call_id only (no order_by, no time filter); the example answer is a bare array; objects carry id, account_id, call_id, customer_id, user_id, type, meta, created_datetime",
    },
    EndpointDoc {
        path: "/phone/voice-call-recordings",
        params: &["limit", "cursor"],
        repeated: &[],
        order_by: &[],
        envelope: Envelope::CursorOrArray,
        confirmed: "List Voice Call Recordings (withone.ai mirror) and The VoiceCallRecording object: cursor, limit, call_id only (no order_by); the example answer is a bare array; objects carry id, call_id, external_id, url, duration, type, created_datetime, deleted_datetime, deleted_by_user_id, error_code, transcription_status",
    },
];

/// Gorgias's API reference, whose page per endpoint each row cites.
pub const REFERENCE: &str = "https://developers.gorgias.com/reference";

/// The reference page of an endpoint of [`ENDPOINTS`], under [`REFERENCE`];
/// `None` where the page's address was not confirmed (the row then cites
/// the reference's index).
pub fn reference_page(path: &str) -> Option<&'static str> {
    Some(match path {
        "/account" => "get-account",
        "/users" => "list-users",
        "/tickets" => "list-tickets",
        "/messages" => "list-messages",
        "/satisfaction-surveys" => "list-satisfaction-surveys",
        "/integrations" => "list-integrations",
        "/customers" => "list-customers",
        "/tags" => "list-tags",
        "/events" => "list-events",
        "/teams" => "list-teams",
        "/views" => "list-views",
        "/views/{id}/items" => "list-view-items",
        "/macros" => "list-macros",
        "/rules" => "list-rules",
        "/custom-fields" => "list-custom-fields",
        "/jobs" => "list-jobs",
        // The object pages: the list pages' addresses were not confirmed.
        "/phone/voice-calls" => "the-voicecall-object",
        "/phone/voice-call-recordings" => "the-voicecallrecording-object",
        // After the pattern of `update-ticket-custom-field`, which Pipedream cites.
        "/tickets/{id}/custom-fields" => "list-ticket-custom-fields",
        "/customers/{id}/custom-fields" => "list-customer-custom-fields",
        _ => return None,
    })
}

/// The entry for a request path (with or without `/api`), ids matched by
/// `{id}`.
pub fn find(path: &str) -> Option<&'static EndpointDoc> {
    let path = path.strip_prefix("/api").unwrap_or(path);
    let path = path.trim_end_matches('/');
    ENDPOINTS.iter().find(|e| {
        let want: Vec<&str> = e.path.split('/').collect();
        let have: Vec<&str> = path.split('/').collect();
        want.len() == have.len()
            && want.iter().zip(&have).all(|(w, h)| {
                *w == *h || (*w == "{id}" && !h.is_empty() && h.bytes().all(|b| b.is_ascii_digit()))
            })
    })
}

/// Why a request's query does not conform to its endpoint's entry, if it
/// does not: one sentence per problem. `query` is decoded pairs in order.
pub fn check(path: &str, query: &[(String, String)]) -> Vec<String> {
    let Some(e) = find(path) else {
        return vec![format!("{path} is not in the endpoint table")];
    };
    let mut problems = Vec::new();
    for (k, v) in query {
        if !e.params.contains(&k.as_str()) {
            problems.push(format!("{path}: parameter `{k}` is not one we send"));
        }
        let n = query.iter().filter(|(k2, _)| k2 == k).count();
        if n > 1 && !e.repeated.contains(&k.as_str()) {
            problems.push(format!("{path}: `{k}` was sent {n} times"));
        }
        if k == "order_by" && !e.order_by.contains(&v.as_str()) {
            problems.push(format!("{path}: order_by `{v}` is not one we send"));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

/// [`check`] for a request as a server logs it: the raw query string.
pub fn check_request(path: &str, raw_query: &str) -> Vec<String> {
    check(path, &crate::client::parse_query(raw_query))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn paths_with_ids_find_their_entry() {
        assert_eq!(
            find("/api/views/1003/items").unwrap().path,
            "/views/{id}/items"
        );
        assert_eq!(find("/views").unwrap().path, "/views");
        assert!(find("/api/views/x/items").is_none());
        assert!(find("/api/nowhere").is_none());
    }

    #[test]
    fn undocumented_forms_are_named() {
        assert!(check("/api/users", &q(&[("roles", "admin"), ("roles", "bot")])).is_empty());
        assert_eq!(check("/api/users", &q(&[("roles[]", "admin")])).len(), 1);
        assert_eq!(
            check("/api/tickets", &q(&[("order_by", "usage:desc")])).len(),
            1
        );
        assert_eq!(
            check("/api/tickets", &q(&[("limit", "1"), ("limit", "2")])).len(),
            1
        );
        assert!(!check("/api/macros", &q(&[("types", "x")])).is_empty());
    }

    #[test]
    fn every_stream_endpoint_and_order_is_in_the_table() {
        for s in crate::streams::ALL {
            let e = s.endpoint();
            let doc = find(e.path).unwrap_or_else(|| panic!("{}: {}", s.name(), e.path));
            if let Some(o) = e.order_by {
                assert!(doc.order_by.contains(&o), "{}: {o}", s.name());
            }
        }
    }
}
