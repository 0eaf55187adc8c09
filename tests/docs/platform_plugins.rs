//! What Airbyte's UI and registry, and Meltano, read about the
//! connector besides its protocol messages. Each must cover the spec, which
//! the config type generates: `tap-gorgias --about`, the settings of
//! `meltano/meltano.yml` and of the Meltano Hub definition, the spec's
//! `advanced_auth` and `documentationUrl`, and `metadata.yaml`.

use crate::common::{run_bin, TAP};
use serde_json::Value;
use source_gorgias::airbyte::spec_message;
use source_gorgias::config::connection_specification;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every property of the spec as a Meltano setting name (a credentials
/// field as `credentials.<field>`), with whether it is a secret, read
/// straight from the spec so the code under test does not grade itself.
fn spec_settings() -> BTreeMap<String, bool> {
    let spec = connection_specification();
    let mut out = BTreeMap::new();
    for (name, p) in spec["properties"].as_object().unwrap() {
        let Some(variants) = p["oneOf"].as_array() else {
            out.insert(name.clone(), p["airbyte_secret"] == true);
            continue;
        };
        for v in variants {
            for (f, fp) in v["properties"].as_object().unwrap() {
                let secret = fp["airbyte_secret"] == true;
                *out.entry(format!("{name}.{f}")).or_default() |= secret;
            }
        }
    }
    out
}

fn read(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The settings a plugin YAML declares under the `settings:` line indented
/// `indent` spaces: name → sensitive.
fn yaml_settings(text: &str, indent: usize) -> BTreeMap<String, bool> {
    let header = format!("{}settings:", " ".repeat(indent));
    let item = format!("{}- name: ", " ".repeat(indent + 2));
    let sensitive = format!("{}  sensitive: true", " ".repeat(indent + 2));
    let mut out = BTreeMap::new();
    let mut lines = text.lines().skip_while(|l| *l != header).skip(1);
    let mut current = None;
    for line in lines.by_ref() {
        if let Some(name) = line.strip_prefix(&item) {
            current = Some(name.trim().to_string());
            out.insert(name.trim().to_string(), false);
        } else if line == sensitive {
            out.insert(current.clone().unwrap(), true);
        } else if !line.starts_with(&" ".repeat(indent + 2)) {
            break;
        }
    }
    out
}

#[test]
fn about_describes_every_spec_property_with_its_kind_description_and_default() {
    let out = run_bin(TAP, &["--about", "--format", "json"]);
    assert_eq!(out.code, 0);
    let about: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(about["name"], "tap-gorgias");
    assert_eq!(about["settings"], connection_specification());
    for cap in ["about", "catalog", "discover", "state"] {
        assert!(about["capabilities"]
            .as_array()
            .unwrap()
            .contains(&cap.into()));
    }
    let spec = spec_settings();
    let listed = about["settings_list"].as_array().unwrap();
    let have: BTreeMap<String, bool> = listed
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["sensitive"] == true,
            )
        })
        .collect();
    assert_eq!(have, spec);
    assert_eq!(listed.len(), spec.len(), "a setting is listed twice");
    for s in listed {
        assert!(s["kind"].is_string(), "{s}");
        assert!(
            !s["description"].as_str().unwrap().is_empty(),
            "{s}: no description"
        );
    }
    let page_size = listed.iter().find(|s| s["name"] == "page_size").unwrap();
    assert_eq!(page_size["default"], 100);

    let md = run_bin(TAP, &["--about", "--format", "markdown"]).stdout;
    for name in spec.keys() {
        assert!(
            md.contains(&format!("| `{name}` |")),
            "markdown lacks {name}"
        );
    }
}

#[test]
fn meltano_project_and_hub_definition_declare_every_spec_property() {
    let spec = spec_settings();
    let project = yaml_settings(&read("meltano/meltano.yml"), 6);
    assert_eq!(
        project, spec,
        "meltano/meltano.yml (run `cargo run --bin gen-docs`)"
    );
    let hub = yaml_settings(&read("meltano/tap-gorgias.yml"), 0);
    assert_eq!(hub, spec, "meltano/tap-gorgias.yml");
    // Outputs of the example project never reach git.
    let ignored = read("meltano/.gitignore");
    for out in [".meltano/", "output/", ".env"] {
        assert!(
            ignored.lines().any(|l| l == out),
            "{out} is not git-ignored"
        );
    }
    // Meltano 4's command forms, not the older `meltano config <plugin> set`.
    let project = read("meltano/meltano.yml");
    assert!(project.contains("meltano config set tap-gorgias "));
    assert!(!project.contains("meltano config tap-gorgias set"));
}

#[test]
fn the_spec_sends_users_to_this_connectors_docs_and_says_which_connector_it_is() {
    let spec = spec_message()["spec"].clone();
    let url = spec["documentationUrl"].as_str().unwrap();
    assert!(!url.contains("developers.gorgias.com"), "{url}");
    assert_eq!(url, source_gorgias::config::DOCUMENTATION_URL);
    let title = spec["connectionSpecification"]["title"].as_str().unwrap();
    assert!(title.contains("Rust"), "{title}");
    let description = spec["connectionSpecification"]["description"]
        .as_str()
        .unwrap();
    assert!(description.contains("not Airbyte's own"), "{description}");
    assert_eq!(spec["advanced_auth"]["auth_flow_type"], "oauth2.0");
    assert_eq!(
        spec["advanced_auth"]["predicate_key"],
        serde_json::json!(["credentials", "auth_type"])
    );
}

#[test]
fn metadata_yaml_matches_the_spec_and_discover() {
    let meta = read("metadata.yaml");
    let field = |key: &str| {
        meta.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("metadata.yaml has no {key}"))
            .trim_matches('"')
            .to_string()
    };
    assert_eq!(
        field("documentationUrl"),
        source_gorgias::config::DOCUMENTATION_URL
    );
    assert_eq!(field("name"), source_gorgias::config::CONNECTOR_LABEL);
    assert_eq!(field("dockerImageTag"), env!("CARGO_PKG_VERSION"));
    // No stream list or count written by hand: Airbyte reads the sync
    // modes from discover, and a hand-written list was already wrong once.
    let comments: String = meta
        .lines()
        .filter_map(|l| l.trim().strip_prefix('#'))
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = comments
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    for s in source_gorgias::streams::ALL {
        assert!(
            !words.contains(&s.name()),
            "metadata.yaml names the stream {}",
            s.name()
        );
    }
    assert!(
        !comments.contains("incremental"),
        "metadata.yaml describes sync modes"
    );
}
