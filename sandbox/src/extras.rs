//! The collections beyond the core seven (teams, macros, views, rules, custom
//! fields, jobs, voice calls, events), generated from their own forks of the
//! seed after the core data, so adding them never moved a ticket or message.

use serde_json::{json, Value};

use crate::data::{Item, Meta};
use crate::rng::Rng;
use crate::time::{render, Form, Style, DAY, HOUR, MIN, SEC, START};

/// Which tickets a view lists. The view object carries the same rule as
/// Gorgias's filter expression text; the sandbox evaluates this instead of
/// parsing that language.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ViewPred {
    Open,
    Unassigned,
    Closed,
    Tag(&'static str),
    Channel(&'static str),
    Spam,
    Trashed,
}

impl ViewPred {
    /// Reads the facts `Item::new` pulled out of the ticket, not the JSON:
    /// a list request may test every ticket, and parsing each one cost
    /// milliseconds per page.
    pub(crate) fn matches(self, t: &Meta) -> bool {
        let trashed = t.trashed;
        let spam = t.spam;
        // User views hide trash and spam, as the helpdesk does; the two
        // system views are exactly those.
        let live = !trashed && !spam;
        let status = t.status.as_deref();
        match self {
            ViewPred::Open => live && status == Some("open"),
            ViewPred::Unassigned => live && status == Some("open") && !t.assigned,
            ViewPred::Closed => live && status == Some("closed"),
            ViewPred::Tag(name) => live && t.tag_names.iter().any(|g| &**g == name),
            ViewPred::Channel(c) => live && t.channel.as_deref() == Some(c),
            ViewPred::Spam => spam && !trashed,
            ViewPred::Trashed => trashed,
        }
    }
}

pub(crate) struct Extras {
    pub(crate) teams: Vec<Item>,
    pub(crate) macros: Vec<Item>,
    pub(crate) views: Vec<Item>,
    pub(crate) view_preds: Vec<(i64, ViewPred)>,
    pub(crate) rules: Vec<Item>,
    pub(crate) custom_fields: Vec<Item>,
    pub(crate) jobs: Vec<Item>,
    pub(crate) voice_calls: Vec<Item>,
    pub(crate) voice_call_events: Vec<Item>,
    pub(crate) voice_call_recordings: Vec<Item>,
    pub(crate) events: Vec<Item>,
}

/// Inputs the extra collections refer to.
pub(crate) struct Core<'a> {
    pub(crate) tickets: &'a [Item],
    pub(crate) users: &'a [Item],
    pub(crate) customers: &'a [Item],
    pub(crate) tags: &'a [Item],
}

fn ts(st: Style, us: i64) -> Value {
    st.s(us)
}

fn agent_ids(users: &[Item]) -> Vec<(i64, Value)> {
    users
        .iter()
        .map(Item::value)
        .filter(|u| {
            matches!(
                u["role"]["name"].as_str(),
                Some("admin" | "agent" | "basic-agent" | "lite-agent")
            )
        })
        .map(|u| (u["id"].as_i64().unwrap_or(0), u))
        .collect()
}

fn uuid(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

const TEAMS: [(&str, &str, &str); 4] = [
    ("Tier 1", "📨", "First line: every new conversation."),
    ("Tier 2", "🛠️", "Escalations and technical questions."),
    ("Billing", "💳", "Refunds, invoices and subscriptions."),
    ("VIP care", "⭐", "Customers tagged vip."),
];

const MACROS: [(&str, &str); 12] = [
    ("Where is my order", "shipping/status"),
    ("Refund issued", "refund/status"),
    ("Return label", "return/request"),
    ("Exchange accepted", "exchange/request"),
    ("Discount code help", "discount/request"),
    ("Damaged item — photo please", "order/damaged"),
    ("Cancel order", "order/cancel"),
    ("Thanks & close", "other/thanks"),
    ("Size guide", "product/question"),
    ("Délai de livraison", "shipping/delivery-issue"),
    ("Subscription change", "subscription/change"),
    ("Out of stock", "stock/request"),
];

const VIEWS: [(&str, &str, &str, ViewPred); 7] = [
    ("Inbox", "user", "eq(ticket.status, 'open')", ViewPred::Open),
    (
        "Unassigned",
        "user",
        "eq(ticket.status, 'open') && isEmpty(ticket.assignee_user.id)",
        ViewPred::Unassigned,
    ),
    (
        "Closed",
        "user",
        "eq(ticket.status, 'closed')",
        ViewPred::Closed,
    ),
    (
        "VIP",
        "user",
        "containsAll(ticket.tags.name, ['vip'])",
        ViewPred::Tag("vip"),
    ),
    (
        "Phone calls",
        "user",
        "eq(ticket.channel, 'phone')",
        ViewPred::Channel("phone"),
    ),
    ("Spam", "system", "eq(ticket.spam, true)", ViewPred::Spam),
    (
        "Trash",
        "system",
        "isNotEmpty(ticket.trashed_datetime)",
        ViewPred::Trashed,
    ),
];

const RULES: [(&str, &str, &str); 8] = [
    (
        "Auto-close spam",
        "ticket-created",
        "if (eq(ticket.spam, true)) { Action('setStatus', {status: 'closed'}) }",
    ),
    (
        "Tag refund requests",
        "ticket-created,ticket-message-created",
        "if (containsAny(message.intents.name, ['refund/request'])) { Action('addTags', {tags: 'refund'}) }",
    ),
    (
        "VIP to Tier 2",
        "ticket-created",
        "if (containsAll(ticket.tags.name, ['vip'])) { Action('setAssignee', {assignee_team: 'Tier 2'}) }",
    ),
    (
        "Auto-reply out of hours",
        "ticket-created",
        "if (!isBusinessHours()) { Action('sendReply', {body_text: 'We will be back soon.'}) }",
    ),
    (
        "Shipping questions",
        "ticket-message-created",
        "if (containsAny(message.body_text, ['tracking', 'livraison'])) { Action('addTags', {tags: 'shipping'}) }",
    ),
    (
        "Snooze after reply",
        "ticket-message-created",
        "if (eq(message.from_agent, true)) { Action('snoozeTicket', {duration: '2d'}) }",
    ),
    (
        "Phone to Tier 1",
        "ticket-created",
        "if (eq(ticket.channel, 'phone')) { Action('setAssignee', {assignee_team: 'Tier 1'}) }",
    ),
    (
        "Legacy: urgent tag",
        "ticket-updated",
        "if (containsAny(ticket.subject, ['urgent'])) { Action('addTags', {tags: 'urgent'}) }",
    ),
];

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

pub(crate) fn generate(rng: &mut Rng, n: usize, core: &Core) -> Extras {
    let mut r_teams = rng.fork(8);
    let mut r_macros = rng.fork(9);
    let mut r_views = rng.fork(10);
    let mut r_rules = rng.fork(11);
    let mut r_fields = rng.fork(12);
    let mut r_jobs = rng.fork(13);
    let mut r_calls = rng.fork(14);
    let mut r_events = rng.fork(15);
    let agents = agent_ids(core.users);

    let rng = &mut r_teams;
    let mut teams = Vec::new();
    let mut id = 30 + rng.range(0, 20);
    for (name, emoji, description) in TEAMS {
        id += rng.range(1, 4);
        let st = Style::draw(rng);
        let created = st.t(START - rng.range(30 * DAY, 300 * DAY));
        let k = rng.range(1, 5) as usize;
        let members: Vec<Value> = rng
            .sample(agents.len(), k.min(agents.len()))
            .into_iter()
            .map(|i| {
                let u = &agents[i].1;
                json!({"id": u["id"], "name": u["name"], "email": u["email"], "meta": Value::Null})
            })
            .collect();
        teams.push(Item::new(
            id,
            created,
            created,
            &json!({
                "id": id,
                "uri": format!("/api/teams/{id}/"),
                "name": name,
                "description": description,
                "decoration": {"emoji": emoji},
                "members": members,
                "created_datetime": ts(st, created),
            }),
        ));
    }

    let rng = &mut r_macros;
    let count = (n / 25).clamp(12, 120);
    let mut macros = Vec::with_capacity(count);
    let mut id = 80_000 + rng.range(0, 500);
    for i in 0..count {
        id += if rng.chance(0.85) { 1 } else { rng.range(2, 6) };
        let (base, intent) = MACROS[i % MACROS.len()];
        let name = if i < MACROS.len() {
            base.to_string()
        } else {
            format!("{base} (v{})", i / MACROS.len() + 1)
        };
        let st = Style::draw(rng);
        let created = st.t(START + rng.range(0, 600 * DAY));
        let updated = st.t(created + rng.range(0, 120 * DAY)).max(created);
        let archived = rng
            .chance(0.1)
            .then(|| st.t(updated + rng.range(0, DAY)).max(updated));
        let updated = archived.unwrap_or(updated);
        let mut actions = vec![json!({
            "name": "setResponseText",
            "title": "Add response text",
            "type": "user",
            "arguments": {"body_text": format!("Hi {{{{ticket.customer.firstname}}}}, {}", base.to_lowercase()),
                          "body_html": format!("<div>Hi {{{{ticket.customer.firstname}}}}, {}</div>", base.to_lowercase())},
        })];
        if rng.chance(0.5) {
            actions.push(
                json!({"name": "addTags", "title": "Add tags", "type": "user",
                "arguments": {"tags": *rng.pick(&["refund", "shipping", "return", "vip"])}}),
            );
        }
        macros.push(Item::new(
            id,
            created,
            updated,
            &json!({
                "id": id,
                "uri": format!("/api/macros/{id}/"),
                "external_id": rng.chance(0.2).then(|| format!("mc-{id}")),
                "name": name,
                "intent": intent,
                "language": *rng.pick(&[Some("en"), Some("en"), Some("fr"), None]),
                "actions": actions,
                "usage": rng.range(0, 5000),
                "archived_datetime": st.o(archived),
                "created_datetime": ts(st, created),
                "updated_datetime": ts(st, updated),
            }),
        ));
    }

    let rng = &mut r_views;
    let mut views = Vec::new();
    let mut view_preds = Vec::new();
    let mut id = 1_000 + rng.range(0, 100);
    for (name, category, filters, pred) in VIEWS {
        id += rng.range(1, 4);
        let st = Style::draw(rng);
        let created = st.t(START - rng.range(0, 300 * DAY));
        let slug: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let shared_teams: Vec<i64> = if category == "user" && rng.chance(0.4) {
            vec![teams[rng.below(teams.len() as u64) as usize].id]
        } else {
            Vec::new()
        };
        views.push(Item::new(
            id,
            created,
            created,
            &json!({
                "id": id,
                "uri": format!("/api/views/{id}/"),
                "name": name,
                "slug": slug,
                "category": category,
                "type": "ticket-list",
                "visibility": if shared_teams.is_empty() { "public" } else { "shared" },
                "filters": filters,
                "filters_ast": {"type": "Program", "body": [{"type": "ExpressionStatement", "expression": {"type": "Literal", "raw": filters}}]},
                "order_by": "updated_datetime",
                "order_dir": "desc",
                "fields": ["details", "tags", "customer", "updated"],
                "decoration": if category == "user" { json!({"emoji": *rng.pick(&["📥", "🙋", "✅", "⭐", "📞"])}) } else { Value::Null },
                "search": Value::Null,
                "shared_with_teams": shared_teams,
                "shared_with_users": [],
                "deactivated_datetime": Value::Null,
                "created_datetime": ts(st, created),
            }),
        ));
        view_preds.push((id, pred));
    }

    let rng = &mut r_rules;
    let mut rules = Vec::new();
    let mut id = 200 + rng.range(0, 50);
    for (i, (name, events, code)) in RULES.iter().enumerate() {
        id += rng.range(1, 3);
        let st = Style::draw(rng);
        let created = st.t(START + rng.range(0, 500 * DAY));
        let updated = st.t(created + rng.range(0, 200 * DAY)).max(created);
        let deactivated = (i == RULES.len() - 1).then_some(updated);
        rules.push(Item::new(
            id,
            created,
            updated,
            &json!({
                "id": id,
                "uri": format!("/api/rules/{id}/"),
                "name": name,
                "description": rng.chance(0.5).then(|| format!("{name}, set up by the support lead.")),
                "code": code,
                "code_ast": {"type": "Program", "sourceType": "script", "body": []},
                "event_types": events,
                "priority": 1000 - 10 * i as i64,
                "deactivated_datetime": st.o(deactivated),
                "created_datetime": ts(st, created),
                "updated_datetime": ts(st, updated),
            }),
        ));
    }

    let rng = &mut r_fields;
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

    let rng = &mut r_jobs;
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
                json!({"ticket_ids": core.tickets.iter().take(3).map(|t| t.id).collect::<Vec<_>>(),
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

    let rng = &mut r_calls;
    let mut voice_calls = Vec::new();
    let mut id = 600_000 + rng.range(0, 100);
    for t in core.tickets {
        let v = t.value();
        if v["channel"] != "phone" {
            continue;
        }
        id += rng.range(1, 3);
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
        voice_calls.push(Item::new(
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
        ));
    }

    // History: each object's creation (and last update) as the event log
    // would have recorded it, so a first read of events has years to cover.
    let mut drafts: Vec<(i64, &str, &str, i64, Value, Value)> = Vec::new();
    for t in core.tickets {
        let v = t.value();
        let by = if v["from_agent"] == true {
            v["assignee_user"]["id"].clone()
        } else {
            Value::Null
        };
        drafts.push((
            t.created,
            "ticket-created",
            "Ticket",
            t.id,
            by,
            json!({"channel": v["channel"]}),
        ));
        if t.updated > t.created {
            drafts.push((
                t.updated,
                "ticket-updated",
                "Ticket",
                t.id,
                v["assignee_user"]["id"].clone(),
                Value::Null,
            ));
        }
    }
    for c in core.customers {
        drafts.push((
            c.created,
            "customer-created",
            "Customer",
            c.id,
            Value::Null,
            Value::Null,
        ));
    }
    for u in core.users {
        drafts.push((
            u.created,
            "user-created",
            "User",
            u.id,
            Value::Null,
            Value::Null,
        ));
    }
    for g in core.tags {
        drafts.push((
            g.created,
            "tag-created",
            "Tag",
            g.id,
            Value::Null,
            Value::Null,
        ));
    }
    for m in &macros {
        let by = json!(agents.first().map(|a| a.0));
        drafts.push((m.created, "macro-created", "Macro", m.id, by, Value::Null));
    }
    drafts.sort_by_key(|d| (d.0, d.3));
    let rng = &mut r_events;
    let mut events = Vec::with_capacity(drafts.len());
    let mut id = 70_000_000 + rng.range(0, 1000);
    for (t, ty, object_type, object_id, user_id, data) in drafts {
        id += if rng.chance(0.95) { 1 } else { rng.range(2, 5) };
        events.push(event_item(
            id,
            t,
            ty,
            object_type,
            object_id,
            user_id,
            data,
            rng,
        ));
    }

    Extras {
        teams,
        macros,
        views,
        view_preds,
        rules,
        custom_fields,
        jobs,
        voice_call_events: voice_call_events(&voice_calls),
        voice_call_recordings: voice_call_recordings(&voice_calls),
        voice_calls,
        events,
    }
}

/// A call's life as `/api/phone/voice-call-events` lists it: the ring, the
/// answer, the recording, the end. Drawn from the call alone (no random
/// draw), so the rest of the dataset stays as it was.
fn voice_call_events(calls: &[Item]) -> Vec<Item> {
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
fn voice_call_recordings(calls: &[Item]) -> Vec<Item> {
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

/// One event as `/api/events` lists it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn event_item(
    id: i64,
    t: i64,
    ty: &str,
    object_type: &str,
    object_id: i64,
    user_id: Value,
    data: Value,
    rng: &mut Rng,
) -> Item {
    Item::new(
        id,
        t,
        t,
        &json!({
            "id": id,
            "uri": format!("/api/events/{id}/"),
            "type": ty,
            "object_type": object_type,
            "object_id": object_id,
            "user_id": user_id,
            "context": uuid(rng),
            "data": data,
            "created_datetime": render(t, Form::Offset),
        }),
    )
}
