//! The dataset: generated once from (seed, ticket count) by `gen`, then
//! changed only by mutations. Objects are stored as the JSON the API serves,
//! next to the canonical instants they sort by.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::config::{Mutation, MutationSummary, SandboxConfig};
use crate::gen::custom_fields;
use crate::gen::events::event_item;
use crate::gen::messages::{
    compose, first_name, integration_for, message_json, receiver_json, sender_json, subject_for,
    MsgSpec, SUBJECTS,
};
use crate::gen::people::{FIRST, LAST};
use crate::gen::tags::tag_summary;
use crate::gen::tickets::CHANNELS;
use crate::gen::views::ViewPred;
use crate::gen::{self, weighted, Dataset};
use crate::item::{Coll, Item, Key};
use crate::rng::Rng;
use crate::time::{now_us, render, Form, Style, END, SEC};

pub(crate) struct Store {
    /// Every collection, as generated and then changed.
    pub(crate) data: Dataset,
    /// Mutation instants never go backwards, even if the clock does or the
    /// clock is behind the generated data.
    last_stamp: i64,
    /// Sorted listing indexes (performance only), rebuilt after changes.
    pub(crate) indexes: crate::index::Indexes<Coll, Key>,
    /// The same for each view's tickets, by view id.
    pub(crate) view_indexes: crate::index::Indexes<i64, Key>,
}

/// Sets a datetime field in the object's own rendering, so a naive-form
/// object stays naive after a change.
fn set_time(v: &mut Value, field: &str, us: Option<i64>) {
    let form = match v["created_datetime"].as_str() {
        Some(s) if s.contains(' ') => Form::Space,
        Some(s) if !s.ends_with("+00:00") => Form::Naive,
        _ => Form::Offset,
    };
    v[field] = us.map_or(Value::Null, |us| Value::String(render(us, form)));
}

impl Store {
    pub(crate) fn generate(cfg: &SandboxConfig) -> Store {
        let data = gen::dataset(cfg);
        let all = [
            &data.users,
            &data.tickets,
            &data.integrations,
            &data.tags,
            &data.messages,
            &data.surveys,
            &data.customers,
            &data.teams,
            &data.events,
            &data.macros,
            &data.views,
            &data.rules,
            &data.custom_fields,
            &data.jobs,
            &data.voice_calls,
            &data.voice_call_events,
            &data.voice_call_recordings,
        ];
        let last_stamp = all
            .iter()
            .flat_map(|c| c.iter())
            .map(|i| i.updated.max(i.created))
            .max()
            .unwrap_or(END);
        Store {
            data,
            last_stamp,
            indexes: Default::default(),
            view_indexes: Default::default(),
        }
    }

    /// Changes whenever the data may have: every change is stamped (see
    /// [`Store::stamp`]) and collections only grow. Keys the listing indexes.
    pub(crate) fn version(&self, c: Coll) -> (i64, usize) {
        (self.last_stamp, self.items(c).len())
    }

    pub(crate) fn items(&self, c: Coll) -> &[Item] {
        match c {
            Coll::Users => &self.data.users,
            Coll::Tickets => &self.data.tickets,
            Coll::Integrations => &self.data.integrations,
            Coll::Tags => &self.data.tags,
            Coll::Messages => &self.data.messages,
            Coll::Surveys => &self.data.surveys,
            Coll::Customers => &self.data.customers,
            Coll::Teams => &self.data.teams,
            Coll::Events => &self.data.events,
            Coll::Macros => &self.data.macros,
            Coll::Views => &self.data.views,
            Coll::ViewItems => &self.data.tickets,
            Coll::Rules => &self.data.rules,
            Coll::CustomFields => &self.data.custom_fields,
            Coll::Jobs => &self.data.jobs,
            Coll::VoiceCalls => &self.data.voice_calls,
            Coll::VoiceCallEvents => &self.data.voice_call_events,
            Coll::VoiceCallRecordings => &self.data.voice_call_recordings,
        }
    }

    pub(crate) fn view_pred(&self, view_id: i64) -> Option<ViewPred> {
        self.data
            .view_preds
            .iter()
            .find(|(id, _)| *id == view_id)
            .map(|(_, p)| *p)
    }

    pub(crate) fn snapshot(&self, collection: &str) -> Vec<Value> {
        if collection == "account" {
            return vec![self.data.account.clone()];
        }
        if let Some(pred) = collection
            .strip_prefix("views/")
            .and_then(|r| r.strip_suffix("/items"))
            .and_then(|id| id.parse().ok())
            .and_then(|id| self.view_pred(id))
        {
            return self
                .data
                .tickets
                .iter()
                .filter(|t| pred.matches(&t.meta))
                .map(Item::value)
                .collect();
        }
        Coll::from_name(collection).map_or_else(Vec::new, |c| {
            self.items(c).iter().map(Item::value).collect()
        })
    }

    /// A fresh instant for a change: the wall clock, but never earlier than
    /// anything already stored and never on a whole second, so it always
    /// renders with microseconds.
    fn stamp(&mut self) -> i64 {
        let mut t = now_us().max(self.last_stamp + 1);
        if t.rem_euclid(SEC) == 0 {
            t += 1;
        }
        self.last_stamp = t;
        t
    }

    /// A change cue: `n` objects of `c`, evenly spread over it, get a new
    /// `updated_datetime` (those without one are left as they are).
    pub(crate) fn touch_spread(&mut self, c: Coll, n: usize) {
        let len = self.items(c).len();
        if n == 0 || len == 0 {
            return;
        }
        let mut ids: Vec<(i64, usize)> = self
            .items(c)
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id, i))
            .collect();
        ids.sort_unstable();
        let step = (len / n.min(len)).max(1);
        for &(_, idx) in ids.iter().step_by(step).take(n) {
            let t = self.stamp();
            let Some(item) = self.items_mut(c).get_mut(idx) else {
                continue;
            };
            if !item.raw.contains("\"updated_datetime\"") {
                continue;
            }
            item.updated = t;
            item.edit(|v| set_time(v, "updated_datetime", Some(t)));
        }
    }

    fn items_mut(&mut self, c: Coll) -> &mut Vec<Item> {
        match c {
            Coll::Users => &mut self.data.users,
            Coll::Tickets | Coll::ViewItems => &mut self.data.tickets,
            Coll::Integrations => &mut self.data.integrations,
            Coll::Tags => &mut self.data.tags,
            Coll::Messages => &mut self.data.messages,
            Coll::Surveys => &mut self.data.surveys,
            Coll::Customers => &mut self.data.customers,
            Coll::Teams => &mut self.data.teams,
            Coll::Events => &mut self.data.events,
            Coll::Macros => &mut self.data.macros,
            Coll::Views => &mut self.data.views,
            Coll::Rules => &mut self.data.rules,
            Coll::CustomFields => &mut self.data.custom_fields,
            Coll::Jobs => &mut self.data.jobs,
            Coll::VoiceCalls => &mut self.data.voice_calls,
            Coll::VoiceCallEvents => &mut self.data.voice_call_events,
            Coll::VoiceCallRecordings => &mut self.data.voice_call_recordings,
        }
    }

    /// `update_custom_fields` tickets and as many customers each get one
    /// value changed and one removed, bumping `updated_datetime`; drawn from
    /// their own stream so the other changes stay as they were.
    fn change_custom_fields(
        &mut self,
        m: &Mutation,
        tickets: &mut BTreeSet<i64>,
        customers: &mut BTreeSet<i64>,
    ) {
        let mut rng = Rng::new(m.seed ^ 0xC0_57F1_E1D5);
        for idx in rng.sample(self.data.tickets.len(), m.update_custom_fields) {
            let pick = rng.next_u64() % 1000;
            let item = &mut self.data.tickets[idx];
            custom_fields::change(item, &self.data.custom_fields, "Ticket", pick);
            self.touch_ticket(idx);
            tickets.insert(self.data.tickets[idx].id);
        }
        for idx in rng.sample(self.data.customers.len(), m.update_custom_fields) {
            let pick = rng.next_u64() % 1000;
            let t = self.stamp();
            let item = &mut self.data.customers[idx];
            custom_fields::change(item, &self.data.custom_fields, "Customer", pick);
            item.updated = t;
            item.edit(|v| set_time(v, "updated_datetime", Some(t)));
            let id = item.id;
            customers.insert(id);
            let changes = json!({"changes": ["custom_fields"]});
            self.record(t, "customer-updated", "Customer", id, changes);
        }
    }

    fn touch_ticket(&mut self, idx: usize) {
        let t = self.stamp();
        let item = &mut self.data.tickets[idx];
        item.updated = t;
        item.edit(|v| set_time(v, "updated_datetime", Some(t)));
        let id = item.id;
        self.record(
            t,
            "ticket-updated",
            "Ticket",
            id,
            json!({"changes": ["tags"]}),
        );
    }

    /// Appends to the event log what a change at `t` would have written there.
    fn record(&mut self, t: i64, ty: &str, object_type: &str, object_id: i64, data: Value) {
        let id = self.data.events.last().map_or(70_000_000, |e| e.id) + 1;
        let user = json!(self.data.users.first().map(|u| u.id));
        let ev = event_item(
            id,
            t,
            ty,
            object_type,
            object_id,
            user,
            data,
            &mut self.data.event_rng,
        );
        self.data.events.push(ev);
    }

    fn add_message(&mut self, rng: &mut Rng, idx: usize, from_agent: bool) -> i64 {
        let created = self.stamp();
        let id = self.data.messages.last().map_or(30_000_000, |m| m.id) + 1;
        let t = self.data.tickets[idx].value();
        let tid = self.data.tickets[idx].id;
        let channel = t["channel"].as_str().unwrap_or("email").to_string();
        let via = t["via"].as_str().unwrap_or("email").to_string();
        let (cust, agent) = self.two_parties(&t);
        let order = 10_000 + rng.below(90_000);
        let (body, stripped) = compose(
            rng,
            from_agent,
            true,
            &first_name(&cust),
            &first_name(&agent),
            order,
        );
        let (sender, receiver) = if from_agent {
            (sender_json(&agent, true, rng), receiver_json(&cust))
        } else {
            (sender_json(&cust, false, rng), receiver_json(&agent))
        };
        let subject = (channel == "email")
            .then(|| t["subject"].as_str().map(|s| format!("Re: {s}")))
            .flatten();
        let integration_id = integration_for(&self.data.int_types, &channel, &via);
        let value = message_json(
            MsgSpec {
                id,
                ticket_id: tid,
                channel: &channel,
                via: &via,
                from_agent,
                public: true,
                sender,
                receiver,
                integration_id,
                subject,
                body,
                stripped,
                created,
                style: Style::PLAIN,
                domain: &self.data.domain,
            },
            rng,
        );
        self.data
            .messages
            .push(Item::new(id, created, created, &value));
        self.record(
            created,
            "message-created",
            "Message",
            id,
            json!({"ticket_id": tid}),
        );
        self.count_message(idx, created, from_agent);
        id
    }

    /// (customer, agent) of ticket `t`, as a message names them: a ticket
    /// without customer or assignee still needs two parties.
    fn two_parties(&self, t: &Value) -> (Value, Value) {
        let cust = if t["customer"].is_null() {
            self.data.customers[0].value()
        } else {
            t["customer"].clone()
        };
        let agent = if t["assignee_user"].is_null() {
            self.data.users[0].value()
        } else {
            t["assignee_user"].clone()
        };
        let summary = |p: &Value| json!({"id": p["id"], "email": p["email"], "name": p["name"], "firstname": p["firstname"], "lastname": p["lastname"]});
        (summary(&cust), summary(&agent))
    }

    /// The ticket as a new message at `created` leaves it.
    fn count_message(&mut self, idx: usize, created: i64, from_agent: bool) {
        let item = &mut self.data.tickets[idx];
        item.updated = created;
        item.edit(|v| {
            let count = v["messages_count"].as_i64().unwrap_or(0) + 1;
            v["messages_count"] = json!(count);
            set_time(v, "last_message_datetime", Some(created));
            if !from_agent {
                set_time(v, "last_received_message_datetime", Some(created));
                v["is_unread"] = json!(true);
            }
            set_time(v, "updated_datetime", Some(created));
        });
    }

    pub(crate) fn mutate(&mut self, m: &Mutation) -> MutationSummary {
        let mut rng = Rng::new(m.seed ^ 0x5EED_0FC0_FFEE);
        let rng = &mut rng;
        let mut c = Changed::default();
        self.update_tickets(rng, m.update_tickets, &mut c);
        self.add_tags(rng, m.add_tags, &mut c);
        self.remove_tags(rng, m.remove_tags, &mut c);
        if !self.data.tickets.is_empty() {
            for _ in 0..m.add_messages {
                let idx = rng.below(self.data.tickets.len() as u64) as usize;
                let from_agent = rng.chance(0.5);
                c.messages.insert(self.add_message(rng, idx, from_agent));
                c.tickets.insert(self.data.tickets[idx].id);
            }
        }
        self.score_surveys(rng, m.score_surveys, &mut c);
        for _ in 0..m.new_tickets {
            if self.data.customers.is_empty() {
                break;
            }
            self.new_ticket(rng, &mut c);
        }
        self.update_users(rng, m.update_users, &mut c);
        self.update_customers(rng, m.update_customers, &mut c);
        if m.update_custom_fields > 0 {
            self.change_custom_fields(m, &mut c.tickets, &mut c.customers);
        }
        self.delete_tickets(rng, m.delete_tickets, &mut c);
        self.delete_customers(rng, m.delete_customers, &mut c);
        MutationSummary {
            ticket_ids: c.tickets.difference(&c.deleted_tickets).copied().collect(),
            message_ids: c.messages.into_iter().collect(),
            survey_ids: c.surveys.into_iter().collect(),
            user_ids: c.users.into_iter().collect(),
            customer_ids: c.customers.into_iter().collect(),
            deleted_ticket_ids: c.deleted_tickets.into_iter().collect(),
            deleted_customer_ids: c.deleted_customers.into_iter().collect(),
        }
    }

    fn update_tickets(&mut self, rng: &mut Rng, count: usize, c: &mut Changed) {
        for idx in rng.sample(self.data.tickets.len(), count) {
            let t = self.stamp();
            let priority = *rng.pick(&["normal", "high", "low"]);
            let subject = rng
                .pick(&SUBJECTS)
                .replace("{n}", &rng.range(10_000, 99_999).to_string());
            let item = &mut self.data.tickets[idx];
            item.updated = t;
            item.edit(|v| {
                let open = v["status"] == "open";
                v["status"] = json!(if open { "closed" } else { "open" });
                set_time(v, "closed_datetime", open.then_some(t));
                v["priority"] = json!(priority);
                v["subject"] = json!(format!("{subject} (edited)"));
                set_time(v, "updated_datetime", Some(t));
            });
            let id = item.id;
            c.tickets.insert(id);
            self.record(
                t,
                "ticket-updated",
                "Ticket",
                id,
                json!({"changes": ["status", "priority", "subject"]}),
            );
        }
    }

    fn add_tags(&mut self, rng: &mut Rng, count: usize, c: &mut Changed) {
        let with_room: Vec<usize> = (0..self.data.tickets.len())
            .filter(|&i| self.data.tickets[i].meta.tag_count < 3)
            .collect();
        for k in rng.sample(with_room.len(), count) {
            let idx = with_room[k];
            let present: Vec<i64> = self.data.tickets[idx].value()["tags"]
                .as_array()
                .map(|a| a.iter().filter_map(|t| t["id"].as_i64()).collect())
                .unwrap_or_default();
            let free: Vec<usize> = (0..self.data.tags.len())
                .filter(|&t| !present.contains(&self.data.tags[t].id))
                .collect();
            let tag = free[rng.below(free.len() as u64) as usize];
            let summary = tag_summary(&self.data.tags[tag].value());
            self.data.tags[tag].edit(|v| {
                let usage = v["usage"].as_i64().unwrap_or(0) + 1;
                v["usage"] = json!(usage);
            });
            self.data.tickets[idx].edit(|v| {
                if let Some(a) = v["tags"].as_array_mut() {
                    a.push(summary);
                }
            });
            self.touch_ticket(idx);
            c.tickets.insert(self.data.tickets[idx].id);
        }
    }

    fn remove_tags(&mut self, rng: &mut Rng, count: usize, c: &mut Changed) {
        let tagged: Vec<usize> = (0..self.data.tickets.len())
            .filter(|&i| self.data.tickets[i].meta.tag_count > 0)
            .collect();
        for k in rng.sample(tagged.len(), count) {
            let idx = tagged[k];
            let mut removed = None;
            let pick = rng.next_u64();
            self.data.tickets[idx].edit(|v| {
                if let Some(a) = v["tags"].as_array_mut() {
                    if !a.is_empty() {
                        removed = Some(a.remove(pick as usize % a.len()));
                    }
                }
            });
            if let Some(tag_id) = removed.and_then(|t| t["id"].as_i64()) {
                self.untag(tag_id);
            }
            self.touch_ticket(idx);
            c.tickets.insert(self.data.tickets[idx].id);
        }
    }

    /// One use fewer of the tag, as a ticket loses it.
    fn untag(&mut self, tag_id: i64) {
        if let Some(t) = self.data.tags.iter_mut().find(|t| t.id == tag_id) {
            t.edit(|v| {
                let usage = (v["usage"].as_i64().unwrap_or(1) - 1).max(0);
                v["usage"] = json!(usage);
            });
        }
    }

    fn score_surveys(&mut self, rng: &mut Rng, count: usize, c: &mut Changed) {
        let unscored: Vec<usize> = (0..self.data.surveys.len())
            .filter(|&i| self.data.surveys[i].meta.unscored)
            .collect();
        for k in rng.sample(unscored.len(), count) {
            let t = self.stamp();
            let score = rng.range(1, 6);
            let comment = rng.chance(0.5);
            let item = &mut self.data.surveys[unscored[k]];
            // Only score fields change: created_datetime, the one sort key,
            // stays put, which is what makes surveys hard to sync.
            item.edit(|v| {
                v["score"] = json!(score);
                if v["sent_datetime"].is_null() {
                    set_time(v, "sent_datetime", Some(t));
                }
                set_time(v, "scored_datetime", Some(t));
                if comment {
                    v["body_text"] = json!("Thanks for the quick reply!");
                }
            });
            let id = item.id;
            c.surveys.insert(id);
            self.record(
                t,
                "satisfaction-survey-responded",
                "SatisfactionSurvey",
                id,
                Value::Null,
            );
        }
    }

    /// A customer's new ticket with its first message.
    fn new_ticket(&mut self, rng: &mut Rng, c: &mut Changed) {
        let t = self.stamp();
        let id = self.data.tickets.last().map_or(100_000, |t| t.id) + 1;
        let cust =
            self.data.customers[rng.below(self.data.customers.len() as u64) as usize].value();
        let customer = json!({"id": cust["id"], "email": cust["email"], "name": cust["name"], "firstname": cust["firstname"], "lastname": cust["lastname"]});
        let channel = weighted(rng, &CHANNELS);
        let order = 10_000 + rng.below(90_000);
        let subject = subject_for(rng, channel, false, order);
        let value = fresh_ticket(id, t, customer, channel, subject);
        self.data.tickets.push(Item::new(id, t, t, &value));
        let idx = self.data.tickets.len() - 1;
        let mid = self.add_message(rng, idx, false);
        // The first message carries the ticket's creation instant, so the
        // ticket stays created == updated as a brand-new ticket is.
        let first = self.data.messages[self.data.messages.len() - 1].value();
        let created = self.data.messages[self.data.messages.len() - 1].created;
        let excerpt: String = first["stripped_text"]
            .as_str()
            .unwrap_or("")
            .chars()
            .take(100)
            .collect();
        let item = &mut self.data.tickets[idx];
        item.created = created;
        item.edit(|v| {
            set_time(v, "created_datetime", Some(created));
            v["excerpt"] = json!(excerpt);
        });
        c.messages.insert(mid);
        c.tickets.insert(id);
        self.record(
            created,
            "ticket-created",
            "Ticket",
            id,
            json!({"channel": channel}),
        );
    }

    fn update_users(&mut self, rng: &mut Rng, count: usize, c: &mut Changed) {
        for idx in rng.sample(self.data.users.len(), count) {
            let t = self.stamp();
            let first = rng.pick(&FIRST).to_string();
            let last = rng.pick(&LAST).to_string();
            let item = &mut self.data.users[idx];
            item.updated = t;
            item.edit(|v| {
                v["firstname"] = json!(first);
                v["lastname"] = json!(last);
                v["name"] = json!(format!("{first} {last}"));
                set_time(v, "updated_datetime", Some(t));
            });
            let id = item.id;
            c.users.insert(id);
            self.record(
                t,
                "user-updated",
                "User",
                id,
                json!({"changes": ["firstname", "lastname", "name"]}),
            );
        }
    }

    fn update_customers(&mut self, rng: &mut Rng, count: usize, c: &mut Changed) {
        for idx in rng.sample(self.data.customers.len(), count) {
            let t = self.stamp();
            let note = rng
                .pick(&[
                    "Prefers e-mail.",
                    "VIP — always ship express",
                    "Asked for a callback.",
                ])
                .to_string();
            let language = *rng.pick(&["en", "fr", "de"]);
            let item = &mut self.data.customers[idx];
            item.updated = t;
            item.edit(|v| {
                v["note"] = json!(note);
                v["language"] = json!(language);
                set_time(v, "updated_datetime", Some(t));
            });
            let id = item.id;
            c.customers.insert(id);
            self.record(
                t,
                "customer-updated",
                "Customer",
                id,
                json!({"changes": ["note", "language"]}),
            );
        }
    }

    /// Hard deletes: the object leaves every list; only the event log
    /// still tells a reader it existed.
    fn delete_tickets(&mut self, rng: &mut Rng, count: usize, c: &mut Changed) {
        let mut gone: Vec<usize> = rng.sample(self.data.tickets.len(), count);
        gone.sort_unstable();
        for &idx in gone.iter().rev() {
            let item = self.data.tickets.remove(idx);
            let v = item.value();
            for tag in v["tags"].as_array().into_iter().flatten() {
                self.untag(tag["id"].as_i64().unwrap_or(-1));
            }
            self.forget_ticket(item.id);
            c.deleted_tickets.insert(item.id);
        }
        for &id in &c.deleted_tickets {
            let t = self.stamp();
            self.record(t, "ticket-deleted", "Ticket", id, Value::Null);
        }
    }

    /// What hangs off a deleted ticket goes with it: its messages, survey,
    /// calls and their events and recordings.
    fn forget_ticket(&mut self, id: i64) {
        let d = &mut self.data;
        d.messages.retain(|m| m.meta.ticket_id != Some(id));
        d.surveys.retain(|s| s.meta.ticket_id != Some(id));
        let calls: BTreeSet<i64> = d
            .voice_calls
            .iter()
            .filter(|c| c.meta.ticket_id == Some(id))
            .map(|c| c.id)
            .collect();
        d.voice_calls.retain(|c| c.meta.ticket_id != Some(id));
        d.voice_call_events
            .retain(|e| e.meta.call_id.is_none_or(|c| !calls.contains(&c)));
        d.voice_call_recordings
            .retain(|r| r.meta.call_id.is_none_or(|c| !calls.contains(&c)));
    }

    /// Only customers without tickets are deleted, so no ticket or survey
    /// is left pointing at a customer that no longer exists.
    fn delete_customers(&mut self, rng: &mut Rng, count: usize, c: &mut Changed) {
        let with_tickets: BTreeSet<i64> = self
            .data
            .tickets
            .iter()
            .filter_map(|t| t.meta.customer_id)
            .chain(self.data.surveys.iter().filter_map(|s| s.meta.customer_id))
            .collect();
        let free: Vec<usize> = (0..self.data.customers.len())
            .filter(|&i| !with_tickets.contains(&self.data.customers[i].id))
            .collect();
        let mut gone: Vec<usize> = rng
            .sample(free.len(), count.min(free.len()))
            .into_iter()
            .map(|k| free[k])
            .collect();
        gone.sort_unstable();
        for &idx in gone.iter().rev() {
            c.deleted_customers
                .insert(self.data.customers.remove(idx).id);
        }
        for &id in &c.deleted_customers {
            c.customers.remove(&id);
            let t = self.stamp();
            self.record(t, "customer-deleted", "Customer", id, Value::Null);
        }
    }
}

/// The ids a mutation touched, as its summary lists them.
#[derive(Default)]
struct Changed {
    tickets: BTreeSet<i64>,
    messages: BTreeSet<i64>,
    surveys: BTreeSet<i64>,
    users: BTreeSet<i64>,
    customers: BTreeSet<i64>,
    deleted_tickets: BTreeSet<i64>,
    deleted_customers: BTreeSet<i64>,
}

/// A ticket as a customer's first message opens it, before that message.
fn fresh_ticket(id: i64, t: i64, customer: Value, channel: &str, subject: Option<String>) -> Value {
    let st = Style::PLAIN;
    json!({
        "id": id,
        "uri": format!("/api/tickets/{id}/"),
        "external_id": Value::Null,
        "language": "en",
        "status": "open",
        "priority": "normal",
        "channel": channel,
        "via": channel,
        "from_agent": false,
        "customer": customer,
        "assignee_user": Value::Null,
        "assignee_team": Value::Null,
        "subject": subject,
        "excerpt": "",
        "integrations": [],
        "meta": Value::Null,
        "tags": [],
        "messages_count": 0,
        "is_unread": true,
        "spam": false,
        "created_datetime": st.s(t),
        "opened_datetime": Value::Null,
        "last_received_message_datetime": Value::Null,
        "last_message_datetime": Value::Null,
        "updated_datetime": st.s(t),
        "closed_datetime": Value::Null,
        "snooze_datetime": Value::Null,
        "trashed_datetime": Value::Null,
    })
}
