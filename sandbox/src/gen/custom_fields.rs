//! Custom fields: their definitions, and the values tickets and customers
//! carry in `custom_fields`.

use serde_json::{json, Map, Value};

use super::ts;
use crate::item::Item;
use crate::rng::{mix, Rng};
use crate::time::{Style, DAY, START};

/// (object type, label, data type, input type, managed type)
const FIELDS: [(&str, &str, &str, &str, Option<&str>); 9] = [
    (
        "Ticket",
        "Contact reason",
        "text",
        "dropdown",
        Some("contact_reason"),
    ),
    ("Ticket", "Product", "text", "dropdown", Some("product")),
    (
        "Ticket",
        "Resolution",
        "text",
        "dropdown",
        Some("resolution"),
    ),
    ("Ticket", "Order number", "text", "input", None),
    ("Ticket", "Refund amount", "number", "input_number", None),
    (
        "Ticket",
        "Call status",
        "text",
        "dropdown",
        Some("call_status"),
    ),
    ("Customer", "Customer type", "text", "dropdown", None),
    ("Customer", "Lifetime value", "number", "input_number", None),
    ("Customer", "Birthday", "text", "input", None),
];

pub(super) fn generate(rng: &mut Rng) -> Vec<Item> {
    let mut custom_fields = Vec::new();
    let mut id = 3_000 + rng.range(0, 100);
    for (i, (object_type, label, data_type, input_type, managed)) in FIELDS.iter().enumerate() {
        id += rng.range(1, 3);
        let st = Style::draw(rng);
        let created = st.t(START + rng.range(0, 400 * DAY));
        let updated = st.t(created + rng.range(0, 100 * DAY)).max(created);
        let deactivated = (*label == "Birthday").then_some(updated);
        let choices: Vec<&str> = match *label {
            "Contact reason" => vec!["Order::Status", "Order::Cancel", "Return::Request", "Other"],
            "Product" => vec!["Linen shirt", "Running shoes", "Mug set"],
            "Resolution" => vec!["Refunded", "Replaced", "Answered"],
            "Call status" => vec!["answered", "missed", "voicemail"],
            "Customer type" => vec!["B2C", "B2B", "Wholesale"],
            _ => vec![],
        };
        let mut input_settings = json!({"input_type": input_type, "placeholder": Value::Null});
        if !choices.is_empty() {
            input_settings["choices"] = json!(choices);
        }
        custom_fields.push(Item::new(
            id,
            created,
            updated,
            &json!({
                "id": id,
                "uri": format!("/api/custom-fields/{id}/"),
                "object_type": object_type,
                "label": label,
                "description": Value::Null,
                "priority": i as i64 % 6,
                "required": *label == "Contact reason",
                "managed_type": managed,
                "external_id": Value::Null,
                "requirement_type": if *label == "Contact reason" { "required" } else { "visible" },
                "definition": {"data_type": data_type, "input_settings": input_settings},
                "deactivated_datetime": st.o(deactivated),
                "created_datetime": ts(st, created),
                "updated_datetime": ts(st, updated),
            }),
        ));
    }
    custom_fields
}

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

pub(crate) fn fields_of(defs: &[Item], object_type: &str) -> Vec<(i64, Value)> {
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
