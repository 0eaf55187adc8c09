//! What the platforms read about the connector besides its protocol
//! messages: Airbyte's `advanced_auth` (the OAuth consent flow its UI runs),
//! and Meltano's plugin settings (`tap-gorgias --about`, and the settings
//! YAML of `meltano/meltano.yml` and of the Meltano Hub definition
//! `meltano/tap-gorgias.yml`, which `cargo run --bin gen-docs` writes).
//! Every one of them is derived from the spec, which is derived from
//! [`crate::config::RawConfig`]: a setting added there reaches all of them,
//! and none can name a field the config does not read.

use crate::config::{connection_specification, CONNECTOR_LABEL, DOCUMENTATION_URL};
use serde_json::{json, Map, Value};
use std::fmt::Write;

/// Gorgias's OAuth2 endpoints, on the account's own host ("Set up OAuth2"
/// and "OAuth2 authentication for creating apps with Gorgias" in
/// developers.gorgias.com/docs); `{{domain}}` is the config's `domain`.
const CONSENT_URL: &str = "https://{{domain}}.gorgias.com/oauth/authorize?response_type=code&{{client_id_key}}={{client_id_value}}&{{redirect_uri_key}}={{ {{redirect_uri_value}} | urlEncoder }}&{{scope_key}}={{ {{scope_value}} | urlEncoder }}&{{state_key}}={{state_value}}&nonce={{state_value}}";
const TOKEN_URL: &str = "https://{{domain}}.gorgias.com/oauth/token";

/// `offline` for a refresh token, then the read scope of every stream's
/// endpoint (developers.gorgias.com/docs/oauth2-scopes; views and their
/// items are under `tickets:read`, teams under `users:read`).
const SCOPES: &str = "openid email profile offline account:read users:read tickets:read customers:read custom_fields:read events:read integrations:read jobs:read macros:read rules:read satisfaction_survey:read tags:read";

/// The OAuth fields of the config's `oauth2` credentials that the consent
/// flow fills, with the key of Gorgias's token answer each is copied from.
/// The expiry is no copy: Gorgias answers `expires_in` (seconds), which
/// `token_expiry_key` names for the platform to turn into the date, as
/// Airbyte's own connectors declare `token_expiry_date`. Where it does not,
/// the field stays empty and the connector refreshes on the first 401.
const OAUTH_OUTPUTS: &[(&str, Option<&str>)] = &[
    ("access_token", Some("access_token")),
    ("refresh_token", Some("refresh_token")),
    ("token_expiry_date", None),
];

/// Gorgias's token answer's lifetime key (seconds).
const TOKEN_EXPIRY_KEY: &str = "expires_in";

/// The OAuth app's credentials, which an Airbyte instance's admin enters
/// once and Airbyte merges into the config.
const OAUTH_APP_FIELDS: &[&str] = &["client_id", "client_secret"];

/// The `credentials` variant the consent flow fills: the one holding every
/// OAuth output, read from the spec so the predicate cannot drift from the
/// serde tag.
fn oauth_variant(spec: &Value) -> Option<&Value> {
    spec["properties"]["credentials"]["oneOf"]
        .as_array()?
        .iter()
        .find(|v| {
            OAUTH_OUTPUTS
                .iter()
                .all(|(f, _)| v["properties"].get(*f).is_some())
        })
}

fn in_credentials(field: &str, extra: Value) -> Value {
    let mut v = json!({"type": "string", "path_in_connector_config": ["credentials", field]});
    if let (Some(o), Value::Object(extra)) = (v.as_object_mut(), extra) {
        o.extend(extra);
    }
    v
}

fn object_of(properties: Map<String, Value>) -> Value {
    json!({"type": "object", "additionalProperties": false, "properties": properties})
}

/// The spec's `advanced_auth`, in the shape of airbyte-protocol's
/// `AdvancedAuth` with the declarative `oauth_connector_input_specification`,
/// so Airbyte's UI runs the consent flow when `credentials.auth_type` is the
/// OAuth variant's.
pub fn advanced_auth() -> Value {
    let spec = connection_specification();
    let auth_type = oauth_variant(&spec)
        .and_then(|v| v["properties"]["auth_type"]["const"].as_str())
        .unwrap_or_default()
        .to_string();
    let outputs = OAUTH_OUTPUTS
        .iter()
        .map(|(field, answer)| {
            let extra = match answer {
                Some(key) => json!({"path_in_oauth_response": [key]}),
                None => json!({"format": "date-time"}),
            };
            (field.to_string(), in_credentials(field, extra))
        })
        .collect();
    let server_input = OAUTH_APP_FIELDS
        .iter()
        .map(|f| (f.to_string(), json!({"type": "string"})))
        .collect();
    let server_output = OAUTH_APP_FIELDS
        .iter()
        .map(|f| (f.to_string(), in_credentials(f, json!({}))))
        .collect();
    json!({
        "auth_flow_type": "oauth2.0",
        "predicate_key": ["credentials", "auth_type"],
        "predicate_value": auth_type,
        "oauth_config_specification": {
            "oauth_user_input_from_connector_config_specification": object_of(
                [("domain".to_string(), json!({"type": "string", "path_in_connector_config": ["domain"]}))].into_iter().collect()
            ),
            "oauth_connector_input_specification": {
                "consent_url": CONSENT_URL,
                "scope": SCOPES,
                "access_token_url": TOKEN_URL,
                // RFC 6749 §2.3.1: the app's credentials in HTTP Basic, as
                // the connector's own refresh sends them.
                "access_token_headers": {
                    "Authorization": "Basic {{ {{client_id_value}}:{{client_secret_value}} | base64Encoder }}",
                    "Content-Type": "application/x-www-form-urlencoded"
                },
                "access_token_params": {
                    "grant_type": "authorization_code",
                    "{{auth_code_key}}": "{{auth_code_value}}",
                    "{{redirect_uri_key}}": "{{redirect_uri_value}}"
                },
                "extract_output": OAUTH_OUTPUTS
                    .iter()
                    .map(|(_, key)| key.unwrap_or(TOKEN_EXPIRY_KEY))
                    .collect::<Vec<_>>(),
                "token_expiry_key": TOKEN_EXPIRY_KEY
            },
            "complete_oauth_output_specification": object_of(outputs),
            "complete_oauth_server_input_specification": object_of(server_input),
            "complete_oauth_server_output_specification": object_of(server_output)
        }
    })
}

/// One setting as Meltano declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// Dotted for a nested key (`credentials.api_key`): Meltano nests it
    /// back into the config it writes for the tap.
    pub name: String,
    pub label: String,
    /// Meltano's setting kind: string, integer, decimal, boolean,
    /// date_iso8601, options, array.
    pub kind: &'static str,
    pub description: String,
    pub default: Option<Value>,
    pub sensitive: bool,
    /// For `options`: (label, value).
    pub options: Vec<(String, String)>,
}

fn kind_of(name: &str, p: &Value) -> &'static str {
    let types: Vec<&str> = match &p["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let is = |t: &str| types.contains(&t);
    if p.get("enum").is_some() {
        "options"
    } else if is("integer") {
        "integer"
    } else if is("number") {
        "decimal"
    } else if is("boolean") {
        "boolean"
    } else if is("array") {
        "array"
    } else if name.ends_with("date") {
        "date_iso8601"
    } else {
        "string"
    }
}

fn setting(name: String, p: &Value) -> Setting {
    let mut description = p["description"].as_str().unwrap_or_default().to_string();
    if let Some(items) = p["items"]["enum"].as_array() {
        let values: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
        let _ = write!(description, " One or more of: {}.", values.join(", "));
    }
    Setting {
        label: p["title"].as_str().unwrap_or(&name).to_string(),
        kind: kind_of(&name, p),
        description: description.trim().to_string(),
        default: p.get("default").cloned(),
        sensitive: p["airbyte_secret"] == true,
        options: Vec::new(),
        name,
    }
}

/// The properties of a schema object, in the spec's `order`.
fn ordered(props: &Value) -> Vec<(&String, &Value)> {
    let mut v: Vec<_> = props.as_object().into_iter().flatten().collect();
    v.sort_by_key(|(_, p)| p["order"].as_i64().unwrap_or(i64::MAX));
    v
}

/// `credentials.auth_type` as an options setting, then every variant's
/// fields under `credentials.`.
fn credential_settings(c: &Value) -> Vec<Setting> {
    let variants = c["oneOf"].as_array().cloned().unwrap_or_default();
    let options: Vec<(String, String)> = variants
        .iter()
        .map(|v| {
            let value = v["properties"]["auth_type"]["const"]
                .as_str()
                .unwrap_or_default();
            (
                v["title"].as_str().unwrap_or(value).to_string(),
                value.to_string(),
            )
        })
        .collect();
    let mut out = vec![Setting {
        name: "credentials.auth_type".into(),
        label: c["title"].as_str().unwrap_or_default().to_string(),
        kind: "options",
        description: format!(
            "{} One of: {}.",
            c["description"].as_str().unwrap_or_default(),
            options
                .iter()
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        // No default: the connector infers it (OAuth2 when an access
        // token is given), and a default would override that.
        default: None,
        sensitive: false,
        options,
    }];
    for v in &variants {
        for (name, p) in ordered(&v["properties"]) {
            if name != "auth_type" {
                out.push(setting(format!("credentials.{name}"), p));
            }
        }
    }
    out
}

/// Every setting of the spec, in its order: one per property, the
/// credentials' fields as `credentials.<field>`.
pub fn settings() -> Vec<Setting> {
    let spec = connection_specification();
    let mut out = Vec::new();
    for (name, p) in ordered(&spec["properties"]) {
        if name == "credentials" {
            out.extend(credential_settings(p));
        } else {
            out.push(setting(name.clone(), p));
        }
    }
    out
}

/// The required settings per way of signing in, for Meltano's
/// `settings_group_validation`.
pub fn settings_groups() -> Vec<Vec<String>> {
    let spec = connection_specification();
    let top: Vec<String> = spec["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|r| *r != "credentials")
        .map(str::to_string)
        .collect();
    spec["properties"]["credentials"]["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            let mut group = top.clone();
            group.extend(
                v["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|f| format!("credentials.{f}")),
            );
            group
        })
        .collect()
}

pub const TAP_NAME: &str = "tap-gorgias";
pub const CAPABILITIES: &[&str] = &["about", "catalog", "discover", "state"];

/// The tap's description: the spec's.
pub fn tap_description() -> String {
    connection_specification()["description"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `tap-gorgias --about --format json`: the Meltano SDK's fields (`name`,
/// `description`, `version`, `capabilities`, `settings` as the config's JSON
/// Schema), and `settings_list` with each setting's Meltano kind.
pub fn about_json() -> Value {
    let list: Vec<Value> = settings().iter().map(setting_json).collect();
    json!({
        "name": TAP_NAME,
        "label": CONNECTOR_LABEL,
        "description": tap_description(),
        "version": env!("CARGO_PKG_VERSION"),
        "documentation_url": DOCUMENTATION_URL,
        "capabilities": CAPABILITIES,
        "settings": connection_specification(),
        "settings_list": list,
    })
}

fn setting_json(s: &Setting) -> Value {
    let mut v =
        json!({"name": s.name, "label": s.label, "kind": s.kind, "description": s.description});
    if let Some(d) = &s.default {
        v["default"] = d.clone();
    }
    if s.sensitive {
        v["sensitive"] = json!(true);
    }
    if !s.options.is_empty() {
        v["options"] = s
            .options
            .iter()
            .map(|(l, val)| json!({"label": l, "value": val}))
            .collect();
    }
    v
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `tap-gorgias --about --format markdown`, as Meltano SDK taps print it.
pub fn about_markdown() -> String {
    let mut out = format!(
        "# `{TAP_NAME}`\n\n{}\n\n{CONNECTOR_LABEL}, version {}. Documentation: {DOCUMENTATION_URL}\n\n## Capabilities\n\n",
        tap_description(),
        env!("CARGO_PKG_VERSION")
    );
    for c in CAPABILITIES {
        let _ = writeln!(out, "* `{c}`");
    }
    out.push_str(
        "\n## Settings\n\n| Setting | Kind | Default | Description |\n|:--|:--|:--|:--|\n",
    );
    for s in settings() {
        let default = s
            .default
            .as_ref()
            .map(|d| format!("`{d}`"))
            .unwrap_or_default();
        let secret = if s.sensitive { " (secret)" } else { "" };
        let _ = writeln!(
            out,
            "| `{}` | {}{secret} | {default} | {} |",
            s.name,
            s.kind,
            md_cell(&s.description)
        );
    }
    out
}

/// A YAML scalar: JSON's double-quoted strings are valid YAML.
fn y(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The settings as YAML list items at `indent` spaces.
pub fn settings_yaml(indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for s in settings() {
        let _ = writeln!(out, "{pad}- name: {}", s.name);
        let _ = writeln!(out, "{pad}  label: {}", y(&json!(s.label)));
        let _ = writeln!(out, "{pad}  kind: {}", s.kind);
        if s.sensitive {
            let _ = writeln!(out, "{pad}  sensitive: true");
        }
        if let Some(d) = &s.default {
            let _ = writeln!(out, "{pad}  value: {}", y(d));
        }
        if !s.options.is_empty() {
            let _ = writeln!(out, "{pad}  options:");
            for (label, value) in &s.options {
                let _ = writeln!(out, "{pad}    - label: {}", y(&json!(label)));
                let _ = writeln!(out, "{pad}      value: {value}");
            }
        }
        let _ = writeln!(out, "{pad}  description: {}", y(&json!(s.description)));
    }
    let _ = writeln!(out, "{}settings_group_validation:", &pad[2..]);
    for g in settings_groups() {
        let _ = writeln!(out, "{pad}- [{}]", g.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's property at a `path_in_connector_config`, looking into
    /// every `oneOf` variant on the way.
    fn resolve<'a>(spec: &'a Value, path: &[Value]) -> Vec<&'a Value> {
        let mut at = vec![spec];
        for key in path {
            let key = key.as_str().unwrap();
            let mut next = Vec::new();
            for node in at {
                if let Some(p) = node["properties"].get(key) {
                    next.push(p);
                }
                for v in node["oneOf"].as_array().into_iter().flatten() {
                    if let Some(p) = v["properties"].get(key) {
                        next.push(p);
                    }
                }
            }
            at = next;
        }
        at
    }

    #[test]
    fn every_oauth_output_lands_in_a_field_of_the_oauth_credentials() {
        let spec = connection_specification();
        let auth = advanced_auth();
        let oauth = oauth_variant(&spec).expect("an OAuth variant");
        assert_eq!(
            auth["predicate_value"],
            oauth["properties"]["auth_type"]["const"]
        );
        assert_eq!(auth["predicate_value"], "oauth2");
        let predicate: Vec<Value> = auth["predicate_key"].as_array().unwrap().clone();
        assert_eq!(
            resolve(&spec, &predicate).len(),
            2,
            "auth_type in both variants"
        );
        let c = &auth["oauth_config_specification"];
        for part in [
            "oauth_user_input_from_connector_config_specification",
            "complete_oauth_output_specification",
            "complete_oauth_server_output_specification",
        ] {
            for (name, p) in c[part]["properties"].as_object().unwrap() {
                let path = p["path_in_connector_config"].as_array().unwrap();
                assert_eq!(resolve(&spec, path).len(), 1, "{part}.{name}: {path:?}");
                assert_eq!(path.last().unwrap(), name, "{part}.{name}");
            }
        }
        // Everything the connector needs to refresh on its own is filled.
        let filled: Vec<&String> = c["complete_oauth_output_specification"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .chain(
                c["complete_oauth_server_output_specification"]["properties"]
                    .as_object()
                    .unwrap()
                    .keys(),
            )
            .collect();
        for f in oauth["properties"].as_object().unwrap().keys() {
            assert!(
                f == "auth_type" || filled.contains(&f),
                "{f} is not filled by the flow"
            );
        }
        let i = &c["oauth_connector_input_specification"];
        assert!(i["consent_url"]
            .as_str()
            .unwrap()
            .starts_with("https://{{domain}}.gorgias.com/oauth/authorize?"));
        assert_eq!(
            i["access_token_url"],
            "https://{{domain}}.gorgias.com/oauth/token"
        );
        assert!(i["scope"]
            .as_str()
            .unwrap()
            .split(' ')
            .any(|s| s == "offline"));
    }

    #[test]
    fn every_spec_property_is_a_setting_with_its_kind_and_default() {
        let spec = connection_specification();
        let names: Vec<String> = settings().into_iter().map(|s| s.name).collect();
        let mut want = Vec::new();
        for (name, p) in spec["properties"].as_object().unwrap() {
            if let Some(variants) = p["oneOf"].as_array() {
                for v in variants {
                    for f in v["properties"].as_object().unwrap().keys() {
                        want.push(format!("{name}.{f}"));
                    }
                }
            } else {
                want.push(name.clone());
            }
        }
        let mut have = names.clone();
        have.sort();
        have.dedup();
        want.sort();
        want.dedup();
        assert_eq!(have, want);
        assert_eq!(have.len(), names.len(), "a setting is declared twice");
        let by_name = |n: &str| settings().into_iter().find(|s| s.name == n).unwrap();
        assert_eq!(by_name("page_size").kind, "integer");
        assert_eq!(by_name("page_size").default, Some(json!(100)));
        assert_eq!(by_name("max_rate_share").kind, "decimal");
        assert_eq!(by_name("emit_deletes").kind, "boolean");
        assert_eq!(by_name("user_roles").kind, "array");
        assert_eq!(by_name("start_date").kind, "date_iso8601");
        assert_eq!(by_name("credentials.auth_type").kind, "options");
        for secret in ["api_key", "access_token", "refresh_token", "client_secret"] {
            assert!(
                by_name(&format!("credentials.{secret}")).sensitive,
                "{secret}"
            );
        }
        assert!(!by_name("credentials.email").sensitive);
    }
}
