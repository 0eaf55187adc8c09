//! Custom-field values on tickets and customers. Each object stores its
//! values as the Ticket object documents `custom_fields`: an object keyed by
//! field id, each entry `{id, value}`. `GET /api/{tickets|customers}/{id}/custom-fields`
//! lists them as `{id, field{…definition}, value, prediction}` items, with
//! no query parameter (none is documented): tickets answer `{data: [...]}`,
//! customers a bare array, the two forms clients meet. An account whose
//! lists leave `custom_fields` out is [`crate::SandboxConfig::lists_without_custom_fields`].
//! The values themselves are drawn in `gen::custom_fields`; this is their endpoint.

use serde_json::{json, Value};

use crate::data::Store;
use crate::gen::custom_fields::fields_of;
use crate::lock::lock;
use crate::resp::{parse_query, Resp};
use crate::shared::Shared;

/// `tickets/{id}/custom-fields` or `customers/{id}/custom-fields`, or `None`
/// for any other path.
pub(crate) fn route(
    shared: &Shared,
    method: &str,
    name: &str,
    query: &str,
    authorized: impl FnOnce() -> bool,
) -> Option<Resp> {
    let (kind, rest) = name.split_once('/')?;
    let id = rest.strip_suffix("/custom-fields")?;
    let object_type = match kind {
        "tickets" => "Ticket",
        "customers" => "Customer",
        _ => return None,
    };
    if !authorized() {
        return Some(Resp::error(401, "Unauthorized."));
    }
    if method != "GET" {
        return Some(Resp::error(405, "Method not allowed."));
    }
    if !query.is_empty() && !shared.cfg.lenient {
        if let Some((k, _)) = parse_query(query).ok().and_then(|p| p.into_iter().next()) {
            return Some(Resp::error(400, &format!("Unknown query parameter: {k}.")));
        }
    }
    let store = lock(&shared.store);
    let Some(items) = id
        .parse::<i64>()
        .ok()
        .and_then(|id| answer(&store, object_type, id))
    else {
        return Some(Resp::error(404, &format!("{object_type} not found.")));
    };
    Some(match object_type {
        "Ticket" => Resp::json(200, &json!({"data": items})),
        _ => Resp::json(200, &Value::Array(items)),
    })
}

fn answer(store: &Store, object_type: &str, id: i64) -> Option<Vec<Value>> {
    let objects = match object_type {
        "Ticket" => &store.data.tickets,
        _ => &store.data.customers,
    };
    let object = objects.iter().find(|o| o.id == id)?.value();
    let values = object["custom_fields"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let defs = fields_of(&store.data.custom_fields, object_type);
    Some(
        defs.into_iter()
            .filter_map(|(fid, def)| {
                let v = values.get(&fid.to_string())?;
                // The item's own id is not the field's: a reader must key
                // the value by `field.id`.
                let value_id = fid * 100_000 + id % 100_000;
                Some(json!({"id": value_id, "field": def, "value": v["value"], "prediction": Value::Null}))
            })
            .collect(),
    )
}
