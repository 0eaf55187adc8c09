//! Meltano's two files: the Hub definition `meltano/tap-gorgias.yml`, and
//! the settings block of `meltano/meltano.yml`, both from the settings
//! [`crate::plugin`] derives from the spec.

use super::text::{y, COMMAND};
use crate::config::{CONNECTOR_LABEL, DOCUMENTATION_URL};
use crate::plugin::{settings_yaml, tap_description, CAPABILITIES, TAP_NAME};
use std::fmt::Write;

pub const HUB_PATH: &str = "meltano/tap-gorgias.yml";
pub const MELTANO_PROJECT_PATH: &str = "meltano/meltano.yml";

/// `meltano/tap-gorgias.yml`: the plugin definition in Meltano Hub's
/// format (`_data/meltano/extractors/tap-gorgias/<variant>.yml`), ready to
/// submit once `variant`, `repo` and `pip_url` name the published
/// repository.
pub fn hub_definition() -> String {
    let mut out = format!(
        "# Meltano Hub plugin definition of tap-gorgias, written by `{}` from the\n\
         # connector's config type (src/config/settings.rs); do not edit. To submit it, copy it to\n\
         # meltano/hub: _data/meltano/extractors/tap-gorgias/<variant>.yml.\n",
        COMMAND
    );
    let repo = DOCUMENTATION_URL.trim_end_matches("#readme");
    let variant = repo.rsplit('/').nth(1).unwrap_or_default();
    let _ = write!(
        out,
        "name: {TAP_NAME}\nnamespace: tap_gorgias\nvariant: {variant}\nlabel: {}\ndescription: {}\n\
         domain_url: https://www.gorgias.com\nrepo: {repo}\ndocs: {DOCUMENTATION_URL}\n\
         pip_url: {}\nexecutable: {TAP_NAME}\nmaintenance_status: active\nkeywords:\n  - rust\n  - helpdesk\n\
         capabilities:\n",
        y(CONNECTOR_LABEL),
        y(&tap_description()),
        y(&format!("git+{repo}.git"))
    );
    for c in CAPABILITIES {
        let _ = writeln!(out, "  - {c}");
    }
    out.push_str("settings:\n");
    out.push_str(&settings_yaml(2));
    out
}

const SETTINGS_BEGIN: &str =
    "      # settings: written by `cargo run --bin gen-docs` from src/config/settings.rs, do not edit\n";
const SETTINGS_END: &str = "      # end of settings";

/// `meltano/meltano.yml` with the extractor's settings (and their group
/// validation) written between its markers; the rest comes back as it is.
pub fn meltano_project(current: &str) -> String {
    let (Some(b), Some(e)) = (current.find(SETTINGS_BEGIN), current.find(SETTINGS_END)) else {
        return current.to_string();
    };
    if e < b {
        return current.to_string();
    }
    let body = format!("      settings:\n{}", settings_yaml(8));
    format!("{}{SETTINGS_BEGIN}{body}{}", &current[..b], &current[e..])
}
