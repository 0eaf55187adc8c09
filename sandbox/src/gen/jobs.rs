//! Jobs: the account's bulk operations.

use serde_json::json;

use super::ts;
use crate::item::Item;
use crate::rng::Rng;
use crate::time::{Style, DAY, HOUR, MIN, SEC, START};

pub(super) fn generate(
    rng: &mut Rng,
    n: usize,
    macros: &[Item],
    views: &[Item],
    tickets: &[Item],
) -> Vec<Item> {
    let mut jobs = Vec::new();
    let mut id = 9_000_000 + rng.range(0, 1000);
    let job_count = (n / 100).max(3);
    let mut created_at: Vec<i64> = (0..job_count)
        .map(|_| START + rng.range(0, 720 * DAY))
        .collect();
    created_at.sort_unstable();
    for created in created_at {
        id += rng.range(1, 20);
        let st = Style::draw(rng);
        let created = st.t(created);
        let ty = *rng.pick(&["exportTicket", "applyMacro", "updateTicket", "deleteTicket"]);
        let status = *rng.pick(&["done", "done", "done", "done", "errored", "canceled"]);
        let scheduled = created;
        let started = st.t(scheduled + rng.range(SEC, MIN)).max(scheduled);
        let ended = st.t(started + rng.range(MIN, 2 * HOUR)).max(started);
        let total = rng.range(1, 500);
        let params = match ty {
            "applyMacro" => json!({"macro_id": macros[rng.below(macros.len() as u64) as usize].id,
                                   "view_id": views[0].id}),
            "exportTicket" => json!({"view_id": views[rng.below(views.len() as u64) as usize].id,
                                     "start_datetime": st.s(created - 30 * DAY), "end_datetime": st.s(created)}),
            _ => {
                json!({"ticket_ids": tickets.iter().take(3).map(|t| t.id).collect::<Vec<_>>(),
                         "updates": {"status": "closed"}})
            }
        };
        jobs.push(Item::new(
            id,
            created,
            ended,
            &json!({
                "id": id,
                "uri": format!("/api/jobs/{id}/"),
                "type": ty,
                "status": status,
                "params": params,
                "info": {"progress_count": if status == "done" { total } else { total / 2 }, "total": total},
                "meta": {},
                "created_datetime": ts(st, created),
                "scheduled_datetime": ts(st, scheduled),
                "started_datetime": ts(st, started),
                "ended_datetime": ts(st, ended),
            }),
        ));
    }
    jobs
}
