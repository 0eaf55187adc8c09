//! `docs/endpoints.md`: what the connector sends to each endpoint and what
//! it expects back, from [`crate::endpoints`]' table, then the columns
//! beyond the Daasity tables and the fields not carried, from
//! [`crate::endpoints::fields`].

use super::text::{codes_or_dash, md_cell, COMMAND};
use crate::endpoints::fields::{ADDED, LEFT_OUT, LIVE_CLIENT, NOT_CARRIED};
use crate::endpoints::{reference_page, EndpointDoc, ENDPOINTS, MIRROR, REFERENCE};
use std::fmt::Write;

/// `docs/endpoints.md`.
pub fn endpoints_md() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Gorgias endpoints: what we send, what we expect\n\n\
         Generated from `src/endpoints.rs` by `{}`; do not edit. \
         `tests/docs/endpoint_conformance.rs` checks every request of a full read of every stream \
         (full refresh and incremental, every option on) against this table: Gorgias answers 400 \
         to a parameter or `order_by` an endpoint does not document, and a forgiving server may \
         drop a filter silently. List-valued parameters are sent as repeated keys \
         (`roles=admin&roles=agent`), never with `[]`. Each row cites its page of Gorgias's API \
         reference ({REFERENCE}); per-endpoint parameter tables, which that site renders in the \
         browser, were read in the reference's mirror at {MIRROR}.\n",
        COMMAND
    );
    out.push_str("| endpoint | parameters we send | repeated keys | `order_by` we send | envelope we expect | confirmed in |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for e in ENDPOINTS {
        let _ = writeln!(
            out,
            "| `/api{}` | {} | {} | {} | {} | {} |",
            e.path,
            codes_or_dash(e.params),
            codes_or_dash(e.repeated),
            codes_or_dash(e.order_by),
            md_cell(e.envelope.describe()),
            citation(e)
        );
    }
    out.push_str(&fields_section(REFERENCE));
    out
}

fn citation(e: &EndpointDoc) -> String {
    match reference_page(e.path) {
        Some(page) => format!("[reference]({REFERENCE}/{page}); {}", md_cell(e.confirmed)),
        None => format!(
            "[reference]({REFERENCE}) (no page address confirmed); {}",
            md_cell(e.confirmed)
        ),
    }
}

/// The section on the added columns and the fields not carried.
fn fields_section(reference: &str) -> String {
    let mut out = format!(
        "\n## Columns beyond the Daasity tables\n\n\
         Each is documented on its object in Gorgias's API reference ({reference}) and read \
         by a live client, {LIVE_CLIENT}. They follow the Daasity columns, which stay as they \
         were, and are null where the API sends nothing.\n\n\
         | stream | column | Gorgias field | documented on |\n|---|---|---|---|\n"
    );
    for a in ADDED {
        for (column, field) in a.columns {
            let _ = writeln!(
                out,
                "| `{}` | `{column}` | `{field}` | {} object |",
                a.stream, a.object
            );
        }
    }
    out.push_str("\nAsked for but not carried:\n\n");
    for (stream, field, why) in LEFT_OUT {
        let _ = writeln!(out, "- `{stream}`: `{field}`: {why}.");
    }
    out.push_str(
        "\n## Fields not carried, and why\n\n\
         What `probe` lists as \"not known to the mapping\" on an account should be here; \
         anything else is a field this connector has not met yet.\n\n\
         | endpoint | field | why it is left out |\n|---|---|---|\n",
    );
    for (endpoint, field, why) in NOT_CARRIED {
        let field = if *field == "*" {
            "every field".to_string()
        } else {
            format!("`{field}`")
        };
        let _ = writeln!(out, "| `/api{endpoint}` | {field} | {why} |");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_cites_gorgias_pages_users_can_open() {
        let md = endpoints_md();
        assert!(
            !md.contains("shared/"),
            "a citation of a file users do not have"
        );
        for e in ENDPOINTS {
            let row = md
                .lines()
                .find(|l| l.starts_with(&format!("| `/api{}` |", e.path)))
                .unwrap();
            assert!(row.contains(&format!("]({REFERENCE}")), "{row}");
        }
        let pages = ENDPOINTS.iter().filter_map(|e| reference_page(e.path));
        assert!(pages.count() >= ENDPOINTS.len() - 1);
    }
}
