//! The small pieces of text every generated document is written with:
//! Markdown cells and code lists, YAML scalars, and the command each file
//! names as its author.

/// The command that rewrites the generated files, quoted in each of them.
pub const COMMAND: &str = "cargo run --bin gen-docs";

/// A Markdown table cell: a `|` or a line break would end it early.
pub fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Names as inline code, comma-separated.
pub fn code_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A YAML scalar: JSON's double-quoted strings are valid YAML, and quoting
/// every string keeps backticks, colons and `#` from meaning anything.
pub fn y(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// [`code_list`], or a dash for none (a table cell must not be empty).
pub fn codes_or_dash(items: &[&str]) -> String {
    if items.is_empty() {
        return "—".to_string();
    }
    code_list(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_are_quoted() {
        assert_eq!(y("a: `b` # c"), "\"a: `b` # c\"");
    }
}
