//! Field edits: the served objects of an endpoint with a field taken out or
//! put in, as a real account's objects can differ from the documentation.
//! What `probe` must notice is made here, after the endpoint has answered,
//! so no endpoint's own code knows about it.

use serde_json::Value;

use crate::config::FieldEdit;
use crate::resp::Resp;

/// Applies the edits whose endpoint matches `path` (`{id}` matches any one
/// segment) to every object of a successful JSON answer: each element of
/// `data` or of a bare array, or the object itself.
pub(crate) fn apply(edits: &[FieldEdit], path: &str, resp: &mut Resp) {
    let matching: Vec<&FieldEdit> = edits
        .iter()
        .filter(|e| matches(&e.endpoint, path))
        .collect();
    if matching.is_empty() || !(200..300).contains(&resp.status) {
        return;
    }
    let Ok(mut body) = serde_json::from_slice::<Value>(&resp.body) else {
        return;
    };
    let objects: Vec<&mut Value> = match &mut body {
        Value::Array(a) => a.iter_mut().collect(),
        Value::Object(o) if o.get("data").is_some_and(Value::is_array) => match o.get_mut("data") {
            Some(Value::Array(a)) => a.iter_mut().collect(),
            _ => Vec::new(),
        },
        v @ Value::Object(_) => vec![v],
        _ => Vec::new(),
    };
    for obj in objects {
        let Some(o) = obj.as_object_mut() else {
            continue;
        };
        for e in &matching {
            match &e.add {
                Some(v) => {
                    o.insert(e.field.clone(), v.clone());
                }
                None => {
                    o.remove(&e.field);
                }
            }
        }
    }
    resp.body = serde_json::to_vec(&body).unwrap_or_default();
}

fn matches(pattern: &str, path: &str) -> bool {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len() && p.iter().zip(&q).all(|(a, b)| *a == "{id}" || a == b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edit(endpoint: &str, field: &str, add: Option<Value>) -> FieldEdit {
        FieldEdit {
            endpoint: endpoint.into(),
            field: field.into(),
            add,
        }
    }

    #[test]
    fn edits_touch_every_object_of_their_endpoint_only() {
        let edits = [
            edit("/api/views/{id}/items", "subject", None),
            edit("/api/views/{id}/items", "extra", Some(json!(1))),
        ];
        let page = json!({"data": [{"id": 1, "subject": "a"}, {"id": 2}], "meta": {}});
        let mut resp = Resp::json(200, &page);
        apply(&edits, "/api/views/7/items", &mut resp);
        let v: Value = serde_json::from_slice(&resp.body).unwrap();
        assert_eq!(
            v["data"],
            json!([{"id": 1, "extra": 1}, {"id": 2, "extra": 1}])
        );
        assert_eq!(v["meta"], json!({}));
        let mut other = Resp::json(200, &page);
        apply(&edits, "/api/views", &mut other);
        assert_eq!(serde_json::from_slice::<Value>(&other.body).unwrap(), page);
        let mut account = Resp::json(200, &json!({"domain": "acme"}));
        apply(
            &[edit("/api/account", "domain", None)],
            "/api/account",
            &mut account,
        );
        assert_eq!(
            serde_json::from_slice::<Value>(&account.body).unwrap(),
            json!({})
        );
        let mut refused = Resp::error(403, "Forbidden.");
        apply(
            &[edit("/api/account", "error", None)],
            "/api/account",
            &mut refused,
        );
        assert!(String::from_utf8_lossy(&refused.body).contains("Forbidden"));
    }
}
