//! Voice calls, one per phone ticket, with their events and recordings.

use serde_json::{json, Value};

use super::ts;
use crate::item::Item;
use crate::rng::Rng;
use crate::time::{Style, SEC};

pub(super) fn calls(rng: &mut Rng, tickets: &[Item]) -> Vec<Item> {
    let mut voice_calls = Vec::new();
    let mut id = 600_000 + rng.range(0, 100);
    for t in tickets {
        let v = t.value();
        if v["channel"] != "phone" {
            continue;
        }
        id += rng.range(1, 3);
        voice_calls.push(call(rng, id, t, &v));
    }
    voice_calls
}

/// The call of phone ticket `t` (`v` its JSON): inbound unless an agent
/// opened the ticket.
fn call(rng: &mut Rng, id: i64, t: &Item, v: &Value) -> Item {
    let st = Style::draw(rng);
    let created = t.created;
    let inbound = !v["from_agent"].as_bool().unwrap_or(false);
    let status = if inbound {
        *rng.pick(&["answered", "answered", "answered", "missed", "voicemail"])
    } else {
        "answered"
    };
    let agent = v["assignee_user"]["id"].as_i64();
    let duration = (status != "missed").then(|| rng.range(20, 1800));
    let ended = st.t(created + duration.unwrap_or(30) * SEC).max(created);
    let customer_phone = format!("+1555{:07}", rng.below(10_000_000));
    let our_phone = "+18005550100";
    let (from, to) = if inbound {
        (customer_phone.as_str(), our_phone)
    } else {
        (our_phone, customer_phone.as_str())
    };
    // Some calls never get an `updated_datetime`, as on live accounts;
    // picked by id so the other draws (and so the data) stay as they were.
    let updated = (id % 4 != 0).then_some(ended);
    Item::new(
        id,
        created,
        updated.unwrap_or(created),
        &json!({
            "id": id,
            "external_id": format!("CA{:032x}", (rng.next_u64() as u128) << 64 | rng.next_u64() as u128),
            "integration_id": Value::Null,
            "ticket_id": t.id,
            "customer_id": v["customer"]["id"],
            "phone_number_id": 1,
            "direction": if inbound { "inbound" } else { "outbound" },
            "status": status,
            "status_in_queue": Value::Null,
            "queue_id": if inbound { json!(1) } else { Value::Null },
            "last_rang_agent_id": if inbound && status != "voicemail" { json!(agent) } else { Value::Null },
            "country_source": "US",
            "country_destination": "US",
            "provider": "twilio",
            "phone_number_source": from,
            "phone_number_destination": to,
            "initiated_by_agent_id": if inbound { Value::Null } else { json!(agent) },
            "last_answered_by_agent_id": if status == "answered" { json!(agent) } else { Value::Null },
            "duration": duration,
            "has_voicemail": status == "voicemail",
            "has_call_recording": status == "answered" && rng.chance(0.5),
            "created_datetime": ts(st, created),
            "started_datetime": ts(st, created),
            "updated_datetime": st.o(updated),
        }),
    )
}

/// A call's life as `/api/phone/voice-call-events` lists it: the ring, the
/// answer, the recording, the end. Drawn from the call alone (no random
/// draw), so the rest of the dataset stays as it was.
pub(super) fn voice_call_events(calls: &[Item]) -> Vec<Item> {
    let mut events = Vec::new();
    let mut id = 800_000;
    for c in calls {
        let v = c.value();
        let inbound = v["direction"] == "inbound";
        let agent = if inbound {
            v["last_answered_by_agent_id"].clone()
        } else {
            v["initiated_by_agent_id"].clone()
        };
        let end = c.created + v["duration"].as_i64().unwrap_or(30) * SEC;
        let mut steps = vec![
            (
                c.created,
                if inbound {
                    "incoming-phone-call"
                } else {
                    "outgoing-phone-call"
                },
            ),
            (c.created + SEC, "phone-call-ringing"),
        ];
        match v["status"].as_str() {
            Some("answered") => steps.push((c.created + 5 * SEC, "phone-call-answered")),
            Some("voicemail") => steps.push((end, "voicemail-recording")),
            _ => steps.push((c.created + 30 * SEC, "missed-phone-call")),
        }
        if v["has_call_recording"] == true {
            steps.push((end, "call-recording"));
        }
        steps.push((end, "completed-phone-call"));
        for (at, ty) in steps {
            id += 1;
            events.push(Item::new(
                id,
                at,
                at,
                &json!({
                    "id": id,
                    "account_id": 1,
                    "call_id": c.id,
                    "customer_id": v["customer_id"],
                    "user_id": agent,
                    "type": ty,
                    "meta": {"status": v["status"]},
                    "created_datetime": Style::PLAIN.s(at),
                }),
            ));
        }
    }
    events
}

/// The voicemails and call recordings of the calls that have one: URLs and
/// durations, as the API lists them (no audio is served).
pub(super) fn voice_call_recordings(calls: &[Item]) -> Vec<Item> {
    let mut recordings = Vec::new();
    let mut id = 900_000;
    for c in calls {
        let v = c.value();
        let kind = match (v["has_voicemail"] == true, v["has_call_recording"] == true) {
            (true, _) => "voicemail",
            (_, true) => "call-recording",
            _ => continue,
        };
        id += 1;
        let end = c.created + v["duration"].as_i64().unwrap_or(30) * SEC;
        let external = format!("RE{:032x}", c.id as u128 * 7_919);
        // Every seventh is private, as an account's retention settings make
        // some: no URL, and the reason why.
        let private = id % 7 == 0;
        recordings.push(Item::new(
            id,
            end,
            end,
            &json!({
                "id": id,
                "call_id": c.id,
                "external_id": external,
                "url": (!private).then(|| format!("https://uploads.gorgias.io/sandbox/phone-{external}.mp3")),
                "duration": v["duration"],
                "type": kind,
                "created_datetime": Style::PLAIN.s(end),
                "deleted_datetime": Value::Null,
                "deleted_by_user_id": Value::Null,
                "error_code": private.then_some("RECORDING_IS_PRIVATE"),
                "transcription_status": if private { "not_requested" } else { "completed" },
            }),
        ));
    }
    recordings
}
