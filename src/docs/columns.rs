//! A stream's columns as its JSON Schema describes them, in the order every
//! document lists them, and the relationships between streams.

use crate::streams::{Relation, StreamDef, ALL};
use serde_json::Value;

/// One column of a stream's rows, as its JSON Schema describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// One word, also valid as a Mermaid attribute type: integer, number,
    /// string, boolean, timestamp or json.
    pub kind: &'static str,
    pub nullable: bool,
    pub description: String,
    /// The Gorgias JSON element the column is read from, `None` for the
    /// connector's own bookkeeping columns.
    pub source: Option<String>,
}

impl Column {
    pub fn is_bookkeeping(&self) -> bool {
        self.name.starts_with("__")
    }
}

/// The stream's columns: natural key first (in key order), then the others
/// by name, then the bookkeeping columns. The schema's properties come
/// sorted by name, not in struct order, so this order is imposed here.
pub fn columns(s: &StreamDef) -> Vec<Column> {
    let schema = s.schema();
    let Some(props) = schema["properties"].as_object() else {
        return Vec::new();
    };
    let key = s.natural_key();
    let rank = |name: &str| match key.iter().position(|k| *k == name) {
        Some(i) => (0, i),
        None if name.starts_with("__") => (2, 0),
        None => (1, 0),
    };
    let mut cols: Vec<Column> = props.iter().map(|(name, p)| column(name, p)).collect();
    cols.sort_by(|a, b| (rank(&a.name), &a.name).cmp(&(rank(&b.name), &b.name)));
    cols
}

fn column(name: &str, p: &Value) -> Column {
    let types: Vec<&str> = match &p["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = types.contains(&"null");
    let kind = if p["format"] == "date-time" {
        "timestamp"
    } else if types.iter().any(|t| *t == "object" || *t == "array") {
        "json"
    } else {
        match types.iter().find(|t| **t != "null") {
            Some(&"integer") => "integer",
            Some(&"number") => "number",
            Some(&"boolean") => "boolean",
            Some(&"string") => "string",
            _ => "json",
        }
    };
    let description = p["description"].as_str().unwrap_or_default().to_string();
    let source = if name.starts_with("__") {
        None
    } else {
        source_element(&description)
    };
    Column {
        name: name.to_string(),
        kind,
        nullable,
        description,
        source,
    }
}

/// The JSON element named in a column's description: each one's doc comment
/// ends with it in backticks. A column read from one element or another
/// (`requester.id`, else `customer.id`) names both, joined by " / ".
pub fn source_element(description: &str) -> Option<String> {
    let spans: Vec<&str> = description
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect();
    match spans.as_slice() {
        [] => None,
        [.., last] if !description.contains(", else ") => Some(last.to_string()),
        all => Some(all.join(" / ")),
    }
}

/// The streams' `Relation`s, each with the stream that declares it, in
/// catalog order.
pub fn all_relationships() -> Vec<(&'static str, Relation)> {
    ALL.iter()
        .flat_map(|s| s.relationships().iter().map(move |r| (s.name(), *r)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_element_is_the_last_backticked_name_or_both_alternatives() {
        assert_eq!(
            source_element("When the ticket was created (`created_datetime`)."),
            Some("created_datetime".into())
        );
        assert_eq!(
            source_element("Requester id: `requester.id` on legacy tickets, else `customer.id`."),
            Some("requester.id / customer.id".into())
        );
        assert_eq!(source_element("When the sync started."), None);
    }
}
