//! Custom-field values on tickets and customers. Each object stores its
//! values as the Ticket object documents `custom_fields`: an object keyed by
//! field id, each entry `{id, value}`. `GET /api/{tickets|customers}/{id}/custom-fields`
//! lists them as `{id, field{…definition}, value, prediction}` items, with
//! no query parameter (none is documented): tickets answer `{data: [...]}`,
//! customers a bare array, the two forms clients meet. An account whose
//! lists leave `custom_fields` out is [`crate::SandboxConfig::lists_without_custom_fields`].

use serde_json::{json, Map, Value};

use crate::api::{parse_query, Resp};
use crate::data::{Item, Store};
use crate::rng::mix;
use crate::Shared;

/// The values of an object, drawn from its id alone (not from the dataset's
/// random stream, so adding them left every other object as it was).
pub(crate) fn assign(items: &mut [Item], defs: &[Item], object_type: &str) {
    let fields = fields_of(defs, object_type);
    for item in items.iter_mut() {
        let id = item.id;
        let mut values = Map::new();
        for (fid, def) in &fields {
            let h = mix(id as u64 ^ mix(*fid as u64));
            if !h.is_multiple_of(3) {
                values.insert(
                    fid.to_string(),
                    json!({"id": fid, "value": value_for(def, h)}),
                );
            }
        }
        item.edit(|v| v["custom_fields"] = Value::Object(values));
    }
}

/// One change an agent makes: the first value set gets a new value and the
/// last one is removed (an object without values gets one).
pub(crate) fn change(item: &mut Item, defs: &[Item], object_type: &str, pick: u64) {
    let fields = fields_of(defs, object_type);
    item.edit(|v| {
        let values = v["custom_fields"].as_object().cloned().unwrap_or_default();
        let mut keys: Vec<String> = values.keys().cloned().collect();
        keys.sort();
        let mut values = values;
        if let Some(first) = keys.first() {
            values[first]["value"] = json!(format!("changed {pick}"));
        } else if let Some((fid, def)) = fields.first() {
            values.insert(
                fid.to_string(),
                json!({"id": fid, "value": value_for(def, pick)}),
            );
        }
        if keys.len() > 1 {
            values.remove(&keys[keys.len() - 1]);
        }
        v["custom_fields"] = Value::Object(values);
    });
}

fn fields_of(defs: &[Item], object_type: &str) -> Vec<(i64, Value)> {
    defs.iter()
        .map(|d| (d.id, d.value()))
        .filter(|(_, v)| v["object_type"] == object_type)
        .collect()
}

fn value_for(def: &Value, h: u64) -> Value {
    let settings = &def["definition"]["input_settings"];
    if let Some(choices) = settings["choices"].as_array().filter(|c| !c.is_empty()) {
        return choices[(h % choices.len() as u64) as usize].clone();
    }
    match def["definition"]["data_type"].as_str() {
        Some("number") => json!((h % 50_000) as f64 / 100.0),
        _ => json!(format!("#{}", 10_000 + h % 90_000)),
    }
}

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
    let store = crate::lock(&shared.store);
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
        "Ticket" => &store.tickets,
        _ => &store.customers,
    };
    let object = objects.iter().find(|o| o.id == id)?.value();
    let values = object["custom_fields"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let defs = fields_of(&store.custom_fields, object_type);
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
