//! Tickets and their messages, drawn together: a ticket's instants follow
//! from its messages'.

use serde_json::{json, Value};

use super::messages::{
    compose, first_name, integration_for, message_json, receiver_json, sender_json, subject_for,
    MsgSpec,
};
use super::people::Person;
use super::tags::tag_summary;
use super::{next_id, weighted, Obj};
use crate::item::Item;
use crate::rng::Rng;
use crate::time::{Style, DAY, END, HOUR, MIN, SEC, START};

pub(crate) const CHANNELS: [(&str, u64); 6] = [
    ("email", 45),
    ("chat", 25),
    ("phone", 8),
    ("sms", 5),
    ("facebook", 10),
    ("api", 7),
];

struct MDraft {
    ticket: usize,
    seq: usize,
    created: i64,
    from_agent: bool,
    public: bool,
    style: Style,
}

/// A ticket's first draws: when, where, who, and whether still open.
struct TDraft {
    style: Style,
    created: i64,
    channel: &'static str,
    via: &'static str,
    from_agent: bool,
    customer: Option<usize>,
    assignee: Option<usize>,
    open: bool,
    order: u64,
}

/// A ticket's instants, derived from its messages'.
struct TTimes {
    opened: Option<i64>,
    last_recv: Option<i64>,
    last_msg: i64,
    closed: Option<i64>,
    updated: i64,
    trashed: Option<i64>,
}

/// What surveys read of a ticket.
pub(super) struct Closing {
    pub(super) id: i64,
    pub(super) customer: Option<usize>,
    pub(super) closed: Option<i64>,
}

pub(super) struct Drawn {
    pub(super) tickets: Vec<Item>,
    pub(super) messages: Vec<Item>,
    /// Each customer's first and last ticket creation, by customer index.
    pub(super) span: Vec<Option<(i64, i64)>>,
    pub(super) tag_usage: Vec<i64>,
    pub(super) closings: Vec<Closing>,
}

/// Who and what the tickets refer to.
pub(super) struct Parties<'a> {
    pub(super) domain: &'a str,
    pub(super) customer_people: &'a [Person],
    pub(super) user_people: &'a [Person],
    pub(super) agents: &'a [usize],
    pub(super) tags: &'a [Obj],
    pub(super) int_types: &'a [(i64, String)],
}

pub(super) fn generate(rng: &mut Rng, r_messages: &mut Rng, n: usize, p: &Parties) -> Drawn {
    let span = (END - 10 * DAY) - START;
    let mut created_at: Vec<i64> = (0..n).map(|_| START + rng.range(0, span)).collect();
    created_at.sort_unstable();
    let mut id = 100_000 + rng.range(0, 100);
    let ticket_ids: Vec<i64> = (0..n).map(|_| next_id(rng, &mut id)).collect();
    let (drafts, mut msgs) = draft(rng, &created_at, p);
    if n >= 8 {
        tie_bulk_import(&mut msgs, n);
    }
    let mut per_ticket: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (j, m) in msgs.iter().enumerate() {
        per_ticket[m.ticket].push(j);
    }
    let mut times = instants(rng, &drafts, &msgs, &per_ticket);
    tie_bulk_actions(rng, &mut times);
    let msg_ids = message_ids(r_messages, &msgs);
    let mut out = Drawn {
        tickets: Vec::with_capacity(n),
        messages: Vec::with_capacity(msgs.len()),
        span: vec![None; p.customer_people.len()],
        tag_usage: vec![0i64; p.tags.len()],
        closings: Vec::new(),
    };
    for (i, d) in drafts.iter().enumerate() {
        let thread = thread(rng, p, i, ticket_ids[i], d, n);
        if let Some(c) = d.customer {
            let span = out.span[c].get_or_insert((d.created, d.created));
            span.0 = span.0.min(d.created);
            span.1 = span.1.max(d.created);
        }
        let members: Vec<(&MDraft, i64)> = per_ticket[i]
            .iter()
            .map(|&j| (&msgs[j], msg_ids[j]))
            .collect();
        let excerpt = write_messages(r_messages, &thread, &members, p.domain, &mut out.messages);
        let tags = draw_tags(rng, p.tags, &mut out.tag_usage);
        let v = ticket_json(rng, &thread, &times[i], tags, excerpt, members.len(), p, n);
        out.tickets.push(Item::from_obj(Obj {
            id: thread.id,
            created: d.created,
            updated: times[i].updated,
            value: v,
        }));
    }
    out.messages.sort_by_key(|m| m.id);
    out.closings = drafts
        .iter()
        .zip(&times)
        .zip(&ticket_ids)
        .map(|((d, t), &id)| Closing {
            id,
            customer: d.customer,
            closed: t.closed,
        })
        .collect();
    out
}

/// Each ticket's first draws, and its messages' (in `MDraft`s, by ticket).
fn draft(rng: &mut Rng, created_at: &[i64], p: &Parties) -> (Vec<TDraft>, Vec<MDraft>) {
    let n = created_at.len();
    let customer_count = p.customer_people.len();
    let agents = p.agents;
    let mut drafts = Vec::with_capacity(n);
    let mut msgs: Vec<MDraft> = Vec::with_capacity(n * 4);
    for (i, created) in created_at.iter().enumerate() {
        let style = Style::draw(rng);
        let created = style.t(*created);
        let channel = weighted(rng, &CHANNELS);
        let from_agent = rng.chance(0.15);
        let via = match channel {
            _ if from_agent => "helpdesk",
            "email" if rng.chance(0.3) => "gmail",
            c => c,
        };
        let customer = (!rng.chance(0.01)).then(|| rng.below(customer_count as u64) as usize);
        let assignee = rng
            .chance(0.7)
            .then(|| agents[rng.below(agents.len() as u64) as usize]);
        let open = rng.chance(0.08 + 0.45 * i as f64 / n as f64);
        draft_messages(rng, i, created, from_agent, &mut msgs);
        drafts.push(TDraft {
            style,
            created,
            channel,
            via,
            from_agent,
            customer,
            assignee,
            open,
            order: 10_000 + rng.below(90_000),
        });
    }
    (drafts, msgs)
}

/// One to six messages, the customer and the agents taking turns.
fn draft_messages(
    rng: &mut Rng,
    ticket: usize,
    created: i64,
    from_agent: bool,
    msgs: &mut Vec<MDraft>,
) {
    let k = match rng.below(100) {
        0..=9 => 1,
        10..=24 => 2,
        25..=49 => 3,
        50..=74 => 4,
        75..=89 => 5,
        _ => 6,
    };
    let mut t = created;
    let mut agent_turn = from_agent;
    for seq in 0..k {
        let style = Style::draw(rng);
        if seq > 0 {
            t += rng.range(5 * MIN, 2 * DAY);
            agent_turn = if agent_turn {
                rng.chance(0.3)
            } else {
                rng.chance(0.8)
            };
        }
        let public = !(seq > 0 && agent_turn && rng.chance(0.08));
        msgs.push(MDraft {
            ticket,
            seq,
            created: if seq == 0 {
                created
            } else {
                style.t(t).max(created)
            },
            from_agent: agent_turn,
            public,
            style,
        });
    }
}

/// A bulk import gave many messages one created instant, so ties on
/// messages' only sort key straddle page boundaries.
fn tie_bulk_import(msgs: &mut [MDraft], n: usize) {
    let target = (msgs.len() / 4).clamp(2, 150);
    let start = msgs.partition_point(|m| m.ticket < n * 35 / 100);
    let mut end = start;
    while end < msgs.len() && (end - start < target || msgs[end].ticket == msgs[end - 1].ticket) {
        end += 1;
    }
    let max = msgs[start..end]
        .iter()
        .map(|m| m.created)
        .max()
        .unwrap_or(START);
    let tie = max - max.rem_euclid(SEC) + SEC + 271_828;
    for m in &mut msgs[start..end] {
        m.created = tie;
    }
}

fn instants(
    rng: &mut Rng,
    drafts: &[TDraft],
    msgs: &[MDraft],
    per_ticket: &[Vec<usize>],
) -> Vec<TTimes> {
    let mut times = Vec::with_capacity(drafts.len());
    for (d, ms) in drafts.iter().zip(per_ticket) {
        let st = d.style;
        let last_msg = ms
            .iter()
            .map(|&j| msgs[j].created)
            .max()
            .unwrap_or(d.created);
        let last_recv = ms
            .iter()
            .filter(|&&j| !msgs[j].from_agent)
            .map(|&j| msgs[j].created)
            .max();
        let opened = rng
            .chance(0.85)
            .then(|| st.t(d.created + rng.range(MIN, DAY)).max(d.created));
        let closed = (!d.open).then(|| st.t(last_msg + rng.range(MIN, 2 * DAY)).max(last_msg));
        let base = closed
            .unwrap_or(last_msg)
            .max(opened.unwrap_or(0))
            .max(last_msg);
        let mut updated = st.t(base + rng.range(0, 6 * HOUR)).max(base);
        let trashed = rng.chance(0.02).then(|| {
            let t = updated;
            updated = st.t(t + rng.range(0, MIN)).max(t);
            t
        });
        times.push(TTimes {
            opened,
            last_recv,
            last_msg,
            closed,
            updated,
            trashed,
        });
    }
    times
}

/// Bulk actions (a macro, a tag rename) set one updated instant on a
/// run of consecutive tickets; runs longer than a page make ties that
/// straddle page boundaries in updated_datetime order.
fn tie_bulk_actions(rng: &mut Rng, times: &mut [TTimes]) {
    let n = times.len();
    let groups: Vec<(usize, usize)> = if n >= 300 {
        let g = (n / 300).min(3);
        (0..g)
            .map(|k| {
                let size = rng.range(130, 171) as usize;
                let center = n * (2 * k + 1) / (2 * g);
                let start = center.saturating_sub(size / 2);
                (start, (start + size).min(n))
            })
            .collect()
    } else if n >= 4 {
        let size = (n / 4).max(2);
        vec![(n / 2 - size / 2, n / 2 - size / 2 + size)]
    } else {
        Vec::new()
    };
    for (a, b) in groups {
        let max = times[a..b].iter().map(|t| t.updated).max().unwrap_or(START);
        let tie = max - max.rem_euclid(SEC) + HOUR + 514_848;
        for t in &mut times[a..b] {
            t.updated = tie;
        }
    }
}

/// Message ids follow creation order, as the live API's do.
fn message_ids(r_messages: &mut Rng, msgs: &[MDraft]) -> Vec<i64> {
    let mut order: Vec<usize> = (0..msgs.len()).collect();
    order.sort_by_key(|&j| (msgs[j].created, msgs[j].ticket, msgs[j].seq));
    let mut msg_ids = vec![0i64; msgs.len()];
    let mut id = 30_000_000 + r_messages.range(0, 1000);
    for &j in &order {
        msg_ids[j] = next_id(r_messages, &mut id);
    }
    msg_ids
}

/// A ticket as its messages are written: its draft, the two parties they
/// name, and its subject.
struct Thread<'a> {
    index: usize,
    id: i64,
    draft: &'a TDraft,
    customer: Value,
    agent: Value,
    subject: Option<String>,
    integration_id: Option<i64>,
}

fn thread<'a>(
    rng: &mut Rng,
    p: &Parties,
    i: usize,
    id: i64,
    d: &'a TDraft,
    n: usize,
) -> Thread<'a> {
    let customer = d.customer.map(|c| &p.customer_people[c]);
    // Tickets whose customer was merged away still have a sender.
    let customer = customer
        .unwrap_or(&p.customer_people[i % p.customer_people.len()])
        .summary();
    let agent = p.user_people[d.assignee.unwrap_or(p.agents[i % p.agents.len()])].summary();
    let subject = subject_for(rng, d.channel, d.from_agent, d.order);
    let subject = if i == n / 3 {
        Some(format!(
            "Order #{}\u{2028}second line of the subject",
            d.order
        ))
    } else {
        subject
    };
    Thread {
        index: i,
        id,
        draft: d,
        customer,
        agent,
        subject,
        integration_id: integration_for(p.int_types, d.channel, d.via),
    }
}

/// Writes the ticket's messages (`(draft, id)` in thread order) into `out`;
/// returns the ticket's excerpt, from its first message.
fn write_messages(
    r: &mut Rng,
    t: &Thread,
    members: &[(&MDraft, i64)],
    domain: &str,
    out: &mut Vec<Item>,
) -> String {
    let d = t.draft;
    let mut excerpt = String::new();
    for (pos, &(m, mid)) in members.iter().enumerate() {
        let (body, stripped) = compose(
            r,
            m.from_agent,
            m.public,
            &first_name(&t.customer),
            &first_name(&t.agent),
            d.order,
        );
        if pos == 0 {
            excerpt = stripped.chars().take(100).collect();
        }
        let (sender, receiver) = parties(r, t, m);
        let msg_subject = if d.channel == "email" {
            t.subject.as_ref().map(|s| {
                if pos == 0 {
                    s.clone()
                } else {
                    format!("Re: {s}")
                }
            })
        } else {
            None
        };
        let spec = MsgSpec {
            id: mid,
            ticket_id: t.id,
            channel: d.channel,
            via: d.via,
            from_agent: m.from_agent,
            public: m.public,
            sender,
            receiver,
            integration_id: t.integration_id,
            subject: msg_subject,
            body,
            stripped,
            created: m.created,
            style: m.style,
            domain,
        };
        out.push(Item::from_obj(Obj {
            id: mid,
            created: m.created,
            updated: m.created,
            value: message_json(spec, r),
        }));
    }
    excerpt
}

/// (sender, receiver) of one message: an internal note has no receiver,
/// nor has a customer's message to an unassigned ticket.
fn parties(r: &mut Rng, t: &Thread, m: &MDraft) -> (Value, Value) {
    if m.from_agent {
        (
            sender_json(&t.agent, true, r),
            if m.public {
                receiver_json(&t.customer)
            } else {
                Value::Null
            },
        )
    } else {
        (
            sender_json(&t.customer, false, r),
            if t.draft.assignee.is_some() {
                receiver_json(&t.agent)
            } else {
                Value::Null
            },
        )
    }
}

/// Up to three tags, counted in their usage.
fn draw_tags(rng: &mut Rng, tags: &[Obj], usage: &mut [i64]) -> Vec<Value> {
    let tag_count = match rng.below(100) {
        0..=34 => 0,
        35..=69 => 1,
        70..=89 => 2,
        _ => 3,
    };
    let tag_idx = rng.sample(tags.len(), tag_count);
    for &t in &tag_idx {
        usage[t] += 1;
    }
    tag_idx
        .iter()
        .map(|&t| tag_summary(&tags[t].value))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn ticket_json(
    rng: &mut Rng,
    t: &Thread,
    tm: &TTimes,
    tags: Vec<Value>,
    excerpt: String,
    messages_count: usize,
    p: &Parties,
    n: usize,
) -> Value {
    let (d, st, tid) = (t.draft, t.draft.style, t.id);
    let mut v = json!({
        "id": tid,
        "uri": format!("/api/tickets/{tid}/"),
        "external_id": rng.chance(0.15).then(|| format!("ext-{}", d.order)),
        "language": rng.pick(&["en", "en", "en", "fr", "de", "ja"]),
        "status": if d.open { "open" } else { "closed" },
        "priority": weighted(rng, &[("normal", 75), ("high", 15), ("low", 10)]),
        "channel": d.channel,
        "via": d.via,
        "from_agent": d.from_agent,
        "customer": d.customer.map(|c| p.customer_people[c].summary()),
        "assignee_user": d.assignee.map(|u| p.user_people[u].summary()),
        "assignee_team": Value::Null,
        "subject": t.subject,
        "excerpt": excerpt,
        "integrations": [],
        "meta": if rng.chance(0.3) { json!({"sla": {"policy": "standard"}}) } else { Value::Null },
        "tags": tags,
        "messages_count": messages_count,
        "is_unread": d.open && rng.chance(0.4),
        "spam": rng.chance(0.01),
        "created_datetime": st.s(d.created),
        "opened_datetime": st.o(tm.opened),
        "last_received_message_datetime": st.o(tm.last_recv),
        "last_message_datetime": st.s(tm.last_msg),
        "updated_datetime": st.s(tm.updated),
        "closed_datetime": st.o(tm.closed),
        "snooze_datetime": Value::Null,
        "trashed_datetime": st.o(tm.trashed),
    });
    // Legacy field: only the oldest tickets carry it at all.
    if t.index < n / 4 && rng.chance(0.4) {
        let req = if rng.chance(0.8) {
            t.customer.clone()
        } else {
            p.customer_people[rng.below(p.customer_people.len() as u64) as usize].summary()
        };
        v["requester"] = req;
    }
    v
}
