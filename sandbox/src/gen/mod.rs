//! Generation: the dataset drawn from (seed, ticket count), one generator per
//! collection or family. Each draws from its own fork of the seed, forked in
//! a fixed order, so a generator that draws more never moves another's data;
//! the extra collections (teams onwards) are forked after the core seven, so
//! adding them never moved a ticket or message.

mod account;
pub(crate) mod custom_fields;
mod customers;
pub(crate) mod events;
mod integrations;
mod jobs;
mod macros;
pub(crate) mod messages;
pub(crate) mod people;
mod rules;
mod surveys;
pub(crate) mod tags;
mod teams;
pub(crate) mod tickets;
mod users;
pub(crate) mod views;
mod voice;

use serde_json::Value;

use crate::config::SandboxConfig;
use crate::item::Item;
use crate::rng::Rng;
use crate::time::Style;
use views::ViewPred;

/// An object while the dataset is being generated.
pub(super) struct Obj {
    id: i64,
    created: i64,
    updated: i64,
    value: Value,
}

impl Item {
    fn from_obj(o: Obj) -> Item {
        Item::new(o.id, o.created, o.updated, &o.value)
    }
}

/// Every collection, as generated.
pub(crate) struct Dataset {
    /// The account's subdomain, in e-mail addresses and message ids.
    pub(crate) domain: String,
    /// (id, type) of each integration, to pick a new message's integration.
    pub(crate) int_types: Vec<(i64, String)>,
    pub(crate) account: Value,
    pub(crate) users: Vec<Item>,
    pub(crate) tickets: Vec<Item>,
    pub(crate) integrations: Vec<Item>,
    pub(crate) tags: Vec<Item>,
    pub(crate) messages: Vec<Item>,
    pub(crate) surveys: Vec<Item>,
    pub(crate) customers: Vec<Item>,
    pub(crate) teams: Vec<Item>,
    pub(crate) events: Vec<Item>,
    pub(crate) macros: Vec<Item>,
    pub(crate) views: Vec<Item>,
    pub(crate) view_preds: Vec<(i64, ViewPred)>,
    pub(crate) rules: Vec<Item>,
    pub(crate) custom_fields: Vec<Item>,
    pub(crate) jobs: Vec<Item>,
    pub(crate) voice_calls: Vec<Item>,
    pub(crate) voice_call_events: Vec<Item>,
    pub(crate) voice_call_recordings: Vec<Item>,
    /// Seeds the `context` of events that mutations record.
    pub(crate) event_rng: Rng,
}

/// The core seven collections and the account.
struct Core {
    int_types: Vec<(i64, String)>,
    account: Value,
    users: Vec<Item>,
    tickets: Vec<Item>,
    integrations: Vec<Item>,
    tags: Vec<Item>,
    messages: Vec<Item>,
    surveys: Vec<Item>,
    customers: Vec<Item>,
}

pub(crate) fn dataset(cfg: &SandboxConfig) -> Dataset {
    let mut root = Rng::new(cfg.seed);
    let core = core(&mut root, cfg.tickets, &cfg.domain);
    extend(&mut root, cfg.tickets, &cfg.domain, core)
}

fn core(root: &mut Rng, n: usize, domain: &str) -> Core {
    let mut r_users = root.fork(1);
    let mut r_integrations = root.fork(2);
    let mut r_tags = root.fork(3);
    let mut r_customers = root.fork(4);
    let mut r_tickets = root.fork(5);
    let mut r_messages = root.fork(6);
    let mut r_surveys = root.fork(7);
    let u = users::generate(&mut r_users, n, domain);
    let integrations = integrations::generate(&mut r_integrations, domain, &u.users, &u.agents);
    let int_types: Vec<(i64, String)> = integrations
        .iter()
        .map(|i| (i.id, i.value["type"].as_str().unwrap_or("").to_string()))
        .collect();
    let mut tags = tags::generate(&mut r_tags);
    let customer_people = customers::people(&mut r_customers, n);
    let parties = tickets::Parties {
        domain,
        customer_people: &customer_people,
        user_people: &u.people,
        agents: &u.agents,
        tags: &tags,
        int_types: &int_types,
    };
    let t = tickets::generate(&mut r_tickets, &mut r_messages, n, &parties);
    for (g, usage) in tags.iter_mut().zip(t.tag_usage) {
        g.value["usage"] = serde_json::json!(usage);
    }
    let surveys = surveys::generate(&mut r_surveys, &t.closings, &customer_people);
    let customers = customers::generate(&mut r_customers, &customer_people, &t.span, &integrations);
    let conv = |v: Vec<Obj>| v.into_iter().map(Item::from_obj).collect::<Vec<_>>();
    Core {
        int_types,
        account: account::generate(domain),
        users: conv(u.users),
        tickets: t.tickets,
        integrations: conv(integrations),
        tags: conv(tags),
        messages: t.messages,
        surveys,
        customers,
    }
}

/// The collections beyond the core seven, from forks taken after theirs;
/// then the custom-field values the core's tickets and customers carry.
fn extend(root: &mut Rng, n: usize, domain: &str, core: Core) -> Dataset {
    let mut r_teams = root.fork(8);
    let mut r_macros = root.fork(9);
    let mut r_views = root.fork(10);
    let mut r_rules = root.fork(11);
    let mut r_fields = root.fork(12);
    let mut r_jobs = root.fork(13);
    let mut r_calls = root.fork(14);
    let mut r_events = root.fork(15);
    let agents = agent_ids(&core.users);
    let teams = teams::generate(&mut r_teams, &agents);
    let macros = macros::generate(&mut r_macros, n);
    let (views, view_preds) = views::generate(&mut r_views, &teams);
    let rules = rules::generate(&mut r_rules);
    let custom_fields = custom_fields::generate(&mut r_fields);
    let jobs = jobs::generate(&mut r_jobs, n, &macros, &views, &core.tickets);
    let voice_calls = voice::calls(&mut r_calls, &core.tickets);
    let logged = events::Logged {
        tickets: &core.tickets,
        customers: &core.customers,
        users: &core.users,
        tags: &core.tags,
        macros: &macros,
    };
    let events = events::generate(&mut r_events, &logged, &agents);
    let (mut tickets, mut customers) = (core.tickets, core.customers);
    custom_fields::assign(&mut tickets, &custom_fields, "Ticket");
    custom_fields::assign(&mut customers, &custom_fields, "Customer");
    Dataset {
        domain: domain.to_string(),
        int_types: core.int_types,
        account: core.account,
        users: core.users,
        tickets,
        integrations: core.integrations,
        tags: core.tags,
        messages: core.messages,
        surveys: core.surveys,
        customers,
        teams,
        events,
        macros,
        views,
        view_preds,
        rules,
        custom_fields,
        jobs,
        voice_call_events: voice::voice_call_events(&voice_calls),
        voice_call_recordings: voice::voice_call_recordings(&voice_calls),
        voice_calls,
        event_rng: root.fork(16),
    }
}

pub(crate) fn weighted<'a>(rng: &mut Rng, items: &'a [(&'a str, u64)]) -> &'a str {
    let total: u64 = items.iter().map(|i| i.1).sum();
    let mut x = rng.below(total);
    for (name, w) in items {
        if x < *w {
            return name;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// Id sequences with occasional gaps, as deletions leave in a real account.
pub(crate) fn next_id(rng: &mut Rng, id: &mut i64) -> i64 {
    *id += if rng.chance(0.9) { 1 } else { rng.range(2, 5) };
    *id
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
