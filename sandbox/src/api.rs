//! The Gorgias-shaped endpoints: parameter validation, keyset pagination and
//! the admin endpoints used to drive the sandbox from outside the process.

use serde_json::{json, Value};

use crate::b64;
use crate::config::{Mutation, MutationSummary, RequestRecord};
use crate::data::Store;
use crate::gen::views::ViewPred;
use crate::index::Entry;
use crate::item::{Coll, Item, Key};
use crate::lock::lock;
use crate::resp::{parse_query, Resp};
use crate::shared::Shared;
use crate::time;

struct Spec {
    fields: &'static [&'static str],
    default: &'static str,
    filters: &'static [&'static str],
}

fn spec(c: Coll) -> Spec {
    const CREATED: &[&str] = &["created_datetime"];
    match c {
        Coll::Users => Spec {
            fields: &["created_datetime", "name", "email", "role.name"],
            default: "name:asc",
            filters: &["roles", "email", "external_id"],
        },
        Coll::Tickets => Spec {
            fields: &["created_datetime", "updated_datetime"],
            default: "created_datetime:desc",
            filters: &["customer_id", "ticket_ids", "trashed", "external_id"],
        },
        Coll::Integrations => Spec {
            fields: CREATED,
            default: "created_datetime:desc",
            filters: &["type"],
        },
        Coll::Tags => Spec {
            fields: &["created_datetime", "name", "usage"],
            default: "created_datetime:desc",
            filters: &[],
        },
        Coll::Messages => Spec {
            fields: CREATED,
            default: "created_datetime:desc",
            filters: &["ticket_id"],
        },
        Coll::Surveys => Spec {
            fields: CREATED,
            default: "created_datetime:desc",
            filters: &["ticket_id"],
        },
        Coll::Customers => Spec {
            fields: &["created_datetime", "updated_datetime"],
            default: "created_datetime:desc",
            filters: &["email", "external_id"],
        },
        Coll::Teams => Spec {
            fields: &["created_datetime", "name"],
            default: "created_datetime:desc",
            filters: &[],
        },
        Coll::Events => Spec {
            fields: CREATED,
            default: "created_datetime:desc",
            filters: &[
                "created_datetime[gt]",
                "created_datetime[gte]",
                "created_datetime[lt]",
                "created_datetime[lte]",
                "object_type",
                "object_id",
                "types",
            ],
        },
        Coll::Macros => Spec {
            fields: &["created_datetime", "updated_datetime", "name", "usage"],
            default: "created_datetime:desc",
            filters: &["archived"],
        },
        Coll::Views => Spec {
            fields: CREATED,
            default: "created_datetime:desc",
            filters: &["category"],
        },
        // Its own pagination: `direction` says which way from `cursor`, and
        // `ignored_item` leaves one item out (the one the cursor names).
        Coll::ViewItems => Spec {
            fields: &["created_datetime", "updated_datetime"],
            default: "updated_datetime:desc",
            filters: &["direction", "ignored_item"],
        },
        Coll::Rules => Spec {
            fields: CREATED,
            default: "created_datetime:desc",
            filters: &[],
        },
        Coll::CustomFields => Spec {
            fields: &["priority"],
            default: "priority:asc",
            filters: &["object_type", "archived"],
        },
        Coll::Jobs => Spec {
            fields: CREATED,
            default: "created_datetime:desc",
            filters: &["status", "type"],
        },
        // The voice-call list takes no `order_by` at all: its one order is
        // the default.
        Coll::VoiceCalls => Spec {
            fields: &[],
            default: "created_datetime:desc",
            filters: &["ticket_id"],
        },
        // Like the calls: `cursor`, `limit` and `call_id`, nothing else.
        Coll::VoiceCallEvents | Coll::VoiceCallRecordings => Spec {
            fields: &[],
            default: "created_datetime:desc",
            filters: &["call_id"],
        },
    }
}

/// The list-valued parameters: sent as repeated keys (`roles=admin&roles=agent`),
/// the one form the reference documents; `roles[]` is not a form of them.
const LIST_PARAMS: &[&str] = &["roles", "types", "ticket_ids"];

const ROLE_NAMES: [&str; 7] = [
    "admin",
    "agent",
    "basic-agent",
    "bot",
    "internal-agent",
    "lite-agent",
    "observer-agent",
];

fn str_key(v: &Option<Box<str>>) -> Key {
    v.as_deref().map_or(Key::Null, |s| Key::Str(s.to_string()))
}

fn sort_key(field: &str, item: &Item) -> Key {
    match field {
        "created_datetime" => Key::Int(item.created),
        "updated_datetime" => Key::Int(item.updated),
        "usage" => Key::Int(item.meta.usage),
        "priority" => Key::Int(item.meta.priority),
        "role.name" => str_key(&item.meta.role),
        "name" => str_key(&item.meta.name),
        "email" => str_key(&item.meta.email),
        _ => Key::Null,
    }
}

fn is_int_field(field: &str) -> bool {
    matches!(
        field,
        "created_datetime" | "updated_datetime" | "usage" | "priority"
    )
}

#[derive(Default)]
struct Filters {
    customer_id: Option<i64>,
    ticket_ids: Option<Vec<i64>>,
    trashed: Option<bool>,
    ticket_id: Option<i64>,
    call_id: Option<i64>,
    roles: Option<Vec<String>>,
    email: Option<String>,
    external_id: Option<String>,
    kind: Option<String>,
    /// `created_datetime[gt|gte|lt|lte]`, in microseconds.
    created: [Option<i64>; 4],
    object_type: Option<String>,
    object_id: Option<i64>,
    types: Option<Vec<String>>,
    category: Option<String>,
    status: Option<String>,
    archived: Option<bool>,
    /// `ignored_item` of a view's items: left out of the page.
    ignored: Option<i64>,
}

impl Filters {
    fn matches(&self, it: &Item) -> bool {
        let m = &it.meta;
        let eq = |want: &Option<String>, have: &Option<Box<str>>| {
            want.as_ref()
                .is_none_or(|w| have.as_deref() == Some(w.as_str()))
        };
        self.customer_id.is_none_or(|c| m.customer_id == Some(c))
            && self.ticket_ids.as_ref().is_none_or(|ids| ids.contains(&it.id))
            // Gorgias includes trashed tickets unless told otherwise.
            && !(self.trashed == Some(false) && m.trashed)
            && self.ticket_id.is_none_or(|t| m.ticket_id == Some(t))
            && self.call_id.is_none_or(|c| m.call_id == Some(c))
            && self.roles.as_ref().is_none_or(|roles| {
                m.role.as_deref().is_some_and(|r| roles.iter().any(|x| x == r))
            })
            && self.email.as_ref().is_none_or(|e| {
                m.email.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(e))
            })
            && eq(&self.external_id, &m.external_id)
            && eq(&self.kind, &m.kind)
            && self.created[0].is_none_or(|t| it.created > t)
            && self.created[1].is_none_or(|t| it.created >= t)
            && self.created[2].is_none_or(|t| it.created < t)
            && self.created[3].is_none_or(|t| it.created <= t)
            && eq(&self.object_type, &m.object_type)
            && self.object_id.is_none_or(|o| m.object_id == Some(o))
            && self.types.as_ref().is_none_or(|ts| {
                m.kind.as_deref().is_some_and(|k| ts.iter().any(|x| x == k))
            })
            && eq(&self.category, &m.category)
            && eq(&self.status, &m.status)
            && self.archived.is_none_or(|a| m.archived == a)
            && self.ignored.is_none_or(|i| it.id != i)
    }
}

fn parse_bool(name: &str, v: &str) -> Result<bool, String> {
    match v {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("Invalid value for {name}: {v:?} is not a boolean.")),
    }
}

fn parse_int(name: &str, v: &str) -> Result<i64, String> {
    v.parse::<i64>()
        .map_err(|_| format!("Invalid value for {name}: {v:?} is not an integer."))
}

struct Cursor {
    forward: bool,
    key: Key,
    id: i64,
}

fn encode_cursor(forward: bool, order: &str, key: &Key, id: i64) -> String {
    let raw = json!([if forward { "n" } else { "p" }, order, key.to_json(), id]).to_string();
    b64::encode_url(raw.as_bytes())
}

fn decode_cursor(s: &str, order: &str, field: &str) -> Result<Cursor, String> {
    let bad = || "Invalid cursor.".to_string();
    let raw = b64::decode_url(s).ok_or_else(bad)?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    let a = v.as_array().filter(|a| a.len() == 4).ok_or_else(bad)?;
    let forward = match a[0].as_str() {
        Some("n") => true,
        Some("p") => false,
        _ => return Err(bad()),
    };
    if a[1].as_str() != Some(order) {
        return Err("Invalid cursor: it was issued for a different order_by.".to_string());
    }
    let key = match &a[2] {
        Value::Null => Key::Null,
        Value::Number(n) if is_int_field(field) => Key::Int(n.as_i64().ok_or_else(bad)?),
        Value::String(s) if !is_int_field(field) => Key::Str(s.clone()),
        _ => return Err(bad()),
    };
    let id = a[3].as_i64().ok_or_else(bad)?;
    Ok(Cursor { forward, key, id })
}

/// Serves one page. Pages are keyset-based: a cursor names the last (or
/// first) row served, so rows added or moved between requests never shift
/// the rows that follow, as with the live API.
///
/// `view` is the view (id and rule) whose items `c` = `ViewItems` lists.
pub(crate) fn list(
    store: &Store,
    c: Coll,
    uri: &str,
    query: &str,
    view: Option<(i64, ViewPred)>,
    lenient: bool,
) -> Resp {
    match list_inner(store, c, uri, query, view, lenient) {
        Ok(body) => Resp {
            status: 200,
            content_type: "application/json",
            headers: Vec::new(),
            body: body.into_bytes(),
        },
        Err(msg) => Resp::error(400, &msg),
    }
}

/// A list request's parameters, read and checked.
#[derive(Default)]
struct ListQuery {
    limit: Option<usize>,
    cursor: Option<String>,
    order: Option<String>,
    direction: Option<bool>,
    f: Filters,
}

/// Reads the query in its order, so the first bad parameter is the one
/// the error names.
fn read_query(c: Coll, sp: &Spec, query: &str, lenient: bool) -> Result<ListQuery, String> {
    let params = parse_query(query)?;
    let mut q = ListQuery::default();
    for (k, v) in &params {
        let known = matches!(k.as_str(), "limit" | "cursor")
            || (k == "order_by" && !sp.fields.is_empty())
            || sp.filters.contains(&k.as_str());
        if !known && lenient {
            continue;
        }
        let repeatable = LIST_PARAMS.contains(&k.as_str());
        let dup = !repeatable && params.iter().filter(|(k2, _)| k2 == k).count() > 1;
        if dup {
            return Err(format!("Query parameter {k} was given more than once."));
        }
        match k.as_str() {
            "limit" => {
                let n = v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=100).contains(n))
                    .ok_or_else(|| {
                        format!("Invalid limit {v:?}: must be an integer between 1 and 100.")
                    })?;
                q.limit = Some(n as usize);
            }
            "cursor" => q.cursor = Some(v.clone()),
            "order_by" if !sp.fields.is_empty() => q.order = Some(v.clone()),
            k if !sp.filters.contains(&k) => {
                return Err(format!("Unknown query parameter: {k}."));
            }
            "direction" => {
                q.direction = Some(match v.as_str() {
                    "next" => true,
                    "prev" => false,
                    _ => return Err(format!("Invalid direction {v:?}: expected prev or next.")),
                })
            }
            k => read_filter(&mut q.f, c, k, v, lenient)?,
        }
    }
    if c == Coll::CustomFields && q.f.object_type.is_none() {
        return Err("object_type is required: Ticket or Customer.".to_string());
    }
    // Macros and custom fields list one side of `archived` per call: the
    // live side unless `archived=true` is asked for.
    if matches!(c, Coll::Macros | Coll::CustomFields) {
        q.f.archived = Some(q.f.archived.unwrap_or(false));
    }
    Ok(q)
}

/// A filter the endpoint documents: ids, flags and plain strings here,
/// those with a closed set of values in `read_checked_filter`.
fn read_filter(f: &mut Filters, c: Coll, k: &str, v: &str, lenient: bool) -> Result<(), String> {
    match k {
        "customer_id" => f.customer_id = Some(parse_int(k, v)?),
        "ticket_id" => f.ticket_id = Some(parse_int(k, v)?),
        "call_id" => f.call_id = Some(parse_int(k, v)?),
        "ticket_ids" => {
            let ids = f.ticket_ids.get_or_insert_with(Vec::new);
            ids.push(parse_int(k, v)?);
            if ids.len() > 100 {
                return Err("ticket_ids accepts at most 100 ids.".to_string());
            }
        }
        "trashed" => f.trashed = Some(parse_bool(k, v)?),
        "archived" => f.archived = Some(parse_bool(k, v)?),
        "ignored_item" => f.ignored = Some(parse_int(k, v)?),
        "email" => f.email = Some(v.to_string()),
        "external_id" => f.external_id = Some(v.to_string()),
        "type" => f.kind = Some(v.to_string()),
        "object_type" if c != Coll::CustomFields => f.object_type = Some(v.to_string()),
        "object_id" => f.object_id = Some(parse_int(k, v)?),
        // A forgiving server may drop a filter: the client must check
        // each event's type itself.
        "types" if lenient => {}
        "types" => f.types.get_or_insert_with(Vec::new).push(v.to_string()),
        "status" => f.status = Some(v.to_string()),
        _ => read_checked_filter(f, k, v)?,
    }
    Ok(())
}

fn read_checked_filter(f: &mut Filters, k: &str, v: &str) -> Result<(), String> {
    match k {
        "roles" => {
            if !ROLE_NAMES.contains(&v) {
                return Err(format!("Invalid role: {v:?}."));
            }
            f.roles.get_or_insert_with(Vec::new).push(v.to_string());
        }
        "created_datetime[gt]"
        | "created_datetime[gte]"
        | "created_datetime[lt]"
        | "created_datetime[lte]" => {
            let at =
                time::parse_param(v).ok_or_else(|| format!("Invalid datetime for {k}: {v:?}."))?;
            let slot = match &k[k.len() - 4..] {
                "[gt]" => 0,
                "gte]" => 1,
                "[lt]" => 2,
                _ => 3,
            };
            f.created[slot] = Some(at);
        }
        // Custom fields' own: one of the two kinds of object.
        "object_type" => {
            if !matches!(v, "Ticket" | "Customer") {
                return Err(format!(
                    "Invalid object_type {v:?}: expected Ticket or Customer."
                ));
            }
            f.object_type = Some(v.to_string());
        }
        "category" => {
            if !matches!(v, "system" | "user") {
                return Err(format!("Invalid category {v:?}: expected system or user."));
            }
            f.category = Some(v.to_string());
        }
        _ => return Err(format!("Unknown query parameter: {k}.")),
    }
    Ok(())
}

/// `field:asc|desc`, the field one the endpoint sorts on (or its default).
fn order_field<'a>(sp: &Spec, order: &'a str) -> Result<(&'a str, bool), String> {
    let allowed = |fl: &str| sp.fields.contains(&fl) || order == sp.default;
    match order.split_once(':') {
        Some((fl, "asc")) if allowed(fl) => Ok((fl, false)),
        Some((fl, "desc")) if allowed(fl) => Ok((fl, true)),
        _ => Err(format!(
            "Unsupported order_by {order:?}: expected one of {} followed by :asc or :desc.",
            sp.fields.join(", ")
        )),
    }
}

fn list_inner(
    store: &Store,
    c: Coll,
    uri: &str,
    query: &str,
    view: Option<(i64, ViewPred)>,
    lenient: bool,
) -> Result<String, String> {
    let sp = spec(c);
    let q = read_query(c, &sp, query, lenient)?;
    let limit = q.limit.unwrap_or(30);
    let order = q.order.unwrap_or_else(|| sp.default.to_string());
    let (field, desc) = order_field(&sp, &order)?;
    let current_cursor = q.cursor.clone();
    let mut cursor = q
        .cursor
        .map(|s| decode_cursor(&s, &order, field))
        .transpose()?;
    if let (Some(c), Some(forward)) = (cursor.as_mut(), q.direction) {
        c.forward = forward;
    }
    let items = store.items(c);
    let idx = sorted(store, c, field, view);
    let (page, has_prev, has_next) = crate::index::page(
        &idx,
        desc,
        cursor.as_ref().map(|c| (c.forward, &c.key, c.id)),
        limit,
        |i| q.f.matches(&items[i]),
    );
    let (next, prev) = match (page.first(), page.last()) {
        (Some(first), Some(last)) => (
            has_next.then(|| encode_cursor(true, &order, &last.0, last.1)),
            has_prev.then(|| encode_cursor(false, &order, &first.0, first.1)),
        ),
        _ => (None, None),
    };
    let meta = if c == Coll::ViewItems {
        view_links(uri, current_cursor, &next, &prev, &page)
    } else {
        json!({"next_cursor": next, "prev_cursor": prev})
    };
    Ok(page_body(uri, items, &page, &meta))
}

/// A sorted index instead of a scan of the whole collection per page;
/// same rows, order and cursors (see `index`).
fn sorted(
    store: &Store,
    c: Coll,
    field: &str,
    view: Option<(i64, ViewPred)>,
) -> std::sync::Arc<Vec<Entry<Key>>> {
    let items = store.items(c);
    let version = store.version(c);
    let idx = store.indexes.get(c, field, version, || {
        items
            .iter()
            .enumerate()
            .map(|(i, it)| (sort_key(field, it), it.id, i))
            .collect()
    });
    let Some((id, pred)) = view else {
        return idx;
    };
    // Only the view's tickets, so a page never walks past the (often
    // far more numerous) others, nor do the `next`/`prev` flags.
    store.view_indexes.get(id, field, version, || {
        idx.iter()
            .filter(|e| pred.matches(&items[e.2].meta))
            .cloned()
            .collect()
    })
}

/// A view's items page by URL: the next (previous) page is the same
/// path with the cursor, the direction and the item to leave out.
fn view_links(
    uri: &str,
    current_cursor: Option<String>,
    next: &Option<String>,
    prev: &Option<String>,
    page: &[&Entry<Key>],
) -> Value {
    let path = uri.split_once('?').map_or(uri, |(p, _)| p);
    let link = |cursor: &Option<String>, dir: &str, item: Option<&Entry<Key>>| {
        cursor
            .as_ref()
            .zip(item)
            .map(|(c, it)| format!("{path}?cursor={c}&direction={dir}&ignored_item={}", it.1))
    };
    json!({
        "current_cursor": current_cursor,
        "next_items": link(next, "next", page.last().copied()),
        "prev_items": link(prev, "prev", page.first().copied()),
    })
}

/// Stored objects are already JSON text: splice them in rather than
/// parse and re-serialise every row of every page.
fn page_body(uri: &str, items: &[Item], page: &[&Entry<Key>], meta: &Value) -> String {
    let mut body =
        String::with_capacity(page.iter().map(|x| items[x.2].raw.len() + 1).sum::<usize>() + 512);
    body.push_str(r#"{"object":"list","uri":"#);
    body.push_str(&json!(uri).to_string());
    body.push_str(r#","data":["#);
    for (i, x) in page.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&items[x.2].raw);
    }
    body.push_str(r#"],"meta":"#);
    body.push_str(&meta.to_string());
    body.push('}');
    body
}

/// Routes an authenticated-or-not `/api` request; auth is checked here so a
/// wrong path still answers 404 like a bad subdomain does.
pub(crate) fn route(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &str,
    auth: Option<&str>,
) -> Resp {
    let rest = path.strip_prefix("/api").unwrap_or(path);
    let name = rest.trim_matches('/');
    // `views/{id}/items`: the id is checked once authenticated, as the API
    // answers an unknown view with a JSON 404 rather than the HTML one.
    let view_id = name
        .strip_prefix("views/")
        .and_then(|r| r.strip_suffix("/items"))
        .map(|id| id.parse::<i64>().ok());
    let values =
        crate::field_values::route(shared, method, name, query, || authorized(shared, auth));
    if let Some(resp) = values {
        return resp;
    }
    let coll = match view_id {
        Some(_) => Some(Coll::ViewItems),
        None => Coll::from_name(name),
    };
    if name != "account" && coll.is_none() {
        return Resp::not_found();
    }
    if !authorized(shared, auth) {
        return Resp::error(401, "Unauthorized.");
    }
    if method != "GET" {
        return Resp::error(405, "Method not allowed.");
    }
    let mut store = lock(&shared.store);
    match coll {
        None => account(&store, query, shared.cfg.lenient),
        Some(c) => {
            let uri = if query.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{query}")
            };
            let view = match view_id {
                None => None,
                Some(id) => match id.and_then(|id| store.view_pred(id).map(|p| (id, p))) {
                    Some(v) => Some(v),
                    None => return Resp::error(404, "View not found."),
                },
            };
            let resp = list(&store, c, &uri, query, view, shared.cfg.lenient);
            if resp.status == 200 {
                shared.page_served(&mut store, name, c);
            }
            resp
        }
    }
}

/// `/api/account`: a single object, and no query parameter is documented.
fn account(store: &Store, query: &str, lenient: bool) -> Resp {
    if !query.is_empty() && !lenient {
        if let Ok(params) = parse_query(query) {
            if let Some((k, _)) = params.first() {
                return Resp::error(400, &format!("Unknown query parameter: {k}."));
            }
        }
    }
    Resp::json(200, &store.data.account)
}

fn authorized(shared: &Shared, auth: Option<&str>) -> bool {
    let Some(h) = auth else {
        return false;
    };
    let Some((scheme, cred)) = h.trim().split_once(' ') else {
        return false;
    };
    if scheme.eq_ignore_ascii_case("bearer") {
        return lock(&shared.tokens).iter().any(|t| t == cred.trim());
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Some(raw) = b64::decode_std(cred.trim()) else {
        return false;
    };
    let expected = format!("{}:{}", shared.cfg.email, shared.cfg.api_key);
    raw == expected.as_bytes()
}

/// `POST /oauth/token` with `grant_type=refresh_token`: the app's client
/// credentials in HTTP Basic, the refresh token in the form body.
pub(crate) fn oauth_token(shared: &Shared, method: &str, auth: Option<&str>, body: &[u8]) -> Resp {
    if method != "POST" {
        return Resp::error(405, "Method not allowed.");
    }
    let client = auth
        .and_then(|h| h.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, cred)| b64::decode_std(cred.trim()));
    let expected = format!(
        "{}:{}",
        crate::config::OAUTH_CLIENT_ID,
        crate::config::OAUTH_CLIENT_SECRET
    );
    if client.as_deref() != Some(expected.as_bytes()) {
        return Resp::json(401, &json!({"error": "invalid_client"}));
    }
    let form = String::from_utf8_lossy(body);
    let params = parse_query(&form).unwrap_or_default();
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if get("grant_type") != Some("refresh_token") {
        return Resp::json(400, &json!({"error": "unsupported_grant_type"}));
    }
    if get("refresh_token") != Some(crate::config::OAUTH_REFRESH_TOKEN) {
        return Resp::json(400, &json!({"error": "invalid_grant"}));
    }
    let mut tokens = lock(&shared.tokens);
    let token = format!("{}-{}", crate::config::OAUTH_ACCESS_TOKEN, tokens.len());
    tokens.push(token.clone());
    Resp::json(
        200,
        &json!({"access_token": token, "token_type": "Bearer", "expires_in": 86400,
                "refresh_token": crate::config::OAUTH_REFRESH_TOKEN, "scope": "account:read tickets:read"}),
    )
}

fn mutation_from_json(body: &[u8]) -> Result<Mutation, String> {
    let v: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|e| format!("Invalid JSON body: {e}"))?
    };
    let obj = v.as_object().ok_or("The body must be a JSON object.")?;
    let mut m = Mutation::default();
    for (k, val) in obj {
        let n = val
            .as_u64()
            .ok_or_else(|| format!("Field {k} must be a non-negative integer."))?;
        let slot = match k.as_str() {
            "seed" => {
                m.seed = n;
                continue;
            }
            "update_tickets" => &mut m.update_tickets,
            "add_tags" => &mut m.add_tags,
            "remove_tags" => &mut m.remove_tags,
            "add_messages" => &mut m.add_messages,
            "score_surveys" => &mut m.score_surveys,
            "new_tickets" => &mut m.new_tickets,
            "update_users" => &mut m.update_users,
            "update_customers" => &mut m.update_customers,
            "delete_tickets" => &mut m.delete_tickets,
            "delete_customers" => &mut m.delete_customers,
            "update_custom_fields" => &mut m.update_custom_fields,
            _ => return Err(format!("Unknown field: {k}.")),
        };
        *slot = n as usize;
    }
    Ok(m)
}

pub(crate) fn summary_json(s: &MutationSummary) -> Value {
    json!({
        "ticket_ids": s.ticket_ids,
        "message_ids": s.message_ids,
        "survey_ids": s.survey_ids,
        "user_ids": s.user_ids,
        "customer_ids": s.customer_ids,
        "deleted_ticket_ids": s.deleted_ticket_ids,
        "deleted_customer_ids": s.deleted_customer_ids,
    })
}

fn record_json(r: &RequestRecord) -> Value {
    json!({"method": r.method, "path": r.path, "query": r.query, "status": r.status})
}

/// The `/_sandbox/...` endpoints: unauthenticated, never rate limited or
/// faulted, and kept out of the request log so driving the sandbox does not
/// disturb what a test counts.
pub(crate) fn admin(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Resp {
    let rest = path.strip_prefix("/_sandbox/").unwrap_or("");
    match (method, rest.trim_end_matches('/')) {
        ("POST", "mutate") => match mutation_from_json(body) {
            Ok(m) => Resp::json(200, &summary_json(&lock(&shared.store).mutate(&m))),
            Err(e) => Resp::error(400, &e),
        },
        ("GET", "requests") => {
            let log = lock(&shared.log);
            Resp::json(200, &Value::Array(log.iter().map(record_json).collect()))
        }
        ("DELETE", "requests") => {
            lock(&shared.log).clear();
            Resp::json(200, &json!({"cleared": true}))
        }
        ("GET", r) if r.starts_with("dump/") => {
            let name = &r["dump/".len()..];
            let view_items = name.starts_with("views/") && name.ends_with("/items");
            if name != "account" && !view_items && Coll::from_name(name).is_none() {
                return Resp::error(404, &format!("Unknown collection: {name}."));
            }
            Resp::json(200, &Value::Array(lock(&shared.store).snapshot(name)))
        }
        _ => Resp::not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Mutation, SandboxConfig};
    use crate::rng::Rng;

    /// A view's rule read straight from the ticket's JSON, as the view's
    /// filter text states it: the reference for the facts `Item::new` pulls
    /// out for `ViewPred::matches`.
    fn rule(p: ViewPred, t: &Value) -> bool {
        let trashed = !t["trashed_datetime"].is_null();
        let spam = t["spam"] == true;
        let live = !trashed && !spam;
        match p {
            ViewPred::Open => live && t["status"] == "open",
            ViewPred::Unassigned => live && t["status"] == "open" && t["assignee_user"].is_null(),
            ViewPred::Closed => live && t["status"] == "closed",
            ViewPred::Tag(name) => {
                live && t["tags"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|g| g["name"] == name))
            }
            ViewPred::Channel(c) => live && t["channel"] == c,
            ViewPred::Spam => spam && !trashed,
            ViewPred::Trashed => trashed,
        }
    }

    /// One page of a view by the plain scan its index replaced: sort the
    /// view's tickets (`view`, as the rule on the JSON picks them), cut at
    /// the cursor. Returns the ids and the next and previous cursors the page
    /// must carry.
    fn scan(
        store: &Store,
        view: &[bool],
        order: &str,
        cursor: Option<&(bool, Key, i64)>,
        limit: usize,
    ) -> (Vec<i64>, Option<String>, Option<String>) {
        let (field, dir) = order.split_once(':').unwrap();
        let desc = dir == "desc";
        let listing = |a: &(Key, i64), b: &(Key, i64)| {
            let o = a.cmp(b);
            if desc {
                o.reverse()
            } else {
                o
            }
        };
        let mut all: Vec<(Key, i64)> = store
            .data
            .tickets
            .iter()
            .zip(view)
            .filter(|(_, &m)| m)
            .map(|(t, _)| (sort_key(field, t), t.id))
            .collect();
        all.sort_by(listing);
        let page: Vec<&(Key, i64)> = match cursor {
            None => all.iter().take(limit).collect(),
            Some((true, k, id)) => all
                .iter()
                .filter(|x| listing(x, &(k.clone(), *id)).is_gt())
                .take(limit)
                .collect(),
            Some((false, k, id)) => {
                let before: Vec<&(Key, i64)> = all
                    .iter()
                    .filter(|x| listing(x, &(k.clone(), *id)).is_lt())
                    .collect();
                before[before.len().saturating_sub(limit)..].to_vec()
            }
        };
        let (next, prev) = match (page.first(), page.last()) {
            (Some(f), Some(l)) => (
                all.iter()
                    .any(|x| listing(x, l).is_gt())
                    .then(|| encode_cursor(true, order, &l.0, l.1)),
                all.iter()
                    .any(|x| listing(x, f).is_lt())
                    .then(|| encode_cursor(false, order, &f.0, f.1)),
            ),
            _ => (None, None),
        };
        (page.iter().map(|x| x.1).collect(), next, prev)
    }

    #[test]
    fn view_pages_match_the_full_scan_across_changes() {
        let mut store = Store::generate(&SandboxConfig {
            tickets: 300,
            ..SandboxConfig::default()
        });
        let mut rng = Rng::new(11);
        let views = store.data.view_preds.clone();
        let mut seen = 0;
        for round in 0..3 {
            if round > 0 {
                // Moves tickets in and out of views after their indexes
                // were built, so a stale index would show.
                store.mutate(&Mutation {
                    seed: round,
                    update_tickets: 40,
                    add_tags: 30,
                    remove_tags: 30,
                    new_tickets: 20,
                    delete_tickets: 15,
                    ..Mutation::default()
                });
            }
            let tickets: Vec<(i64, i64, i64)> = store
                .data
                .tickets
                .iter()
                .map(|t| (t.created, t.updated, t.id))
                .collect();
            for &(view_id, pred) in &views {
                let members: Vec<bool> = store
                    .data
                    .tickets
                    .iter()
                    .map(|t| rule(pred, &t.value()))
                    .collect();
                for order in [
                    "created_datetime:asc",
                    "created_datetime:desc",
                    "updated_datetime:asc",
                    "updated_datetime:desc",
                ] {
                    for _ in 0..8 {
                        let limit = 1 + rng.below(12) as usize;
                        // On a row (of the view or not), or anywhere.
                        let (created, updated, id) =
                            tickets[rng.below(tickets.len() as u64) as usize];
                        let key = if order.starts_with("created") {
                            created
                        } else {
                            updated
                        };
                        let (key, id) = if rng.below(2) == 0 {
                            (key, id)
                        } else {
                            (key + rng.below(3) as i64 - 1, rng.below(3000) as i64)
                        };
                        for cursor in [None, Some((true, key, id)), Some((false, key, id))] {
                            let cursor = cursor.map(|(f, k, id)| (f, Key::Int(k), id));
                            let mut query = format!("limit={limit}&order_by={order}");
                            if let Some((f, k, id)) = &cursor {
                                query.push_str("&cursor=");
                                query.push_str(&encode_cursor(*f, order, k, *id));
                            }
                            let body = list_inner(
                                &store,
                                Coll::ViewItems,
                                "/x",
                                &query,
                                Some((view_id, pred)),
                                false,
                            )
                            .unwrap();
                            let v: Value = serde_json::from_str(&body).unwrap();
                            let ids: Vec<i64> = v["data"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|t| t["id"].as_i64().unwrap())
                                .collect();
                            seen += ids.len();
                            // The cursor a page link carries.
                            let cur = |k: &str| {
                                let link = v["meta"][k].as_str()?;
                                let (_, q) = link.split_once('?')?;
                                let params = parse_query(q).ok()?;
                                params.into_iter().find(|(k, _)| k == "cursor").map(|p| p.1)
                            };
                            assert_eq!(
                                (ids, cur("next_items"), cur("prev_items")),
                                scan(&store, &members, order, cursor.as_ref(), limit),
                                "round {round}, view {pred:?}, {query}"
                            );
                        }
                    }
                }
            }
        }
        // Most pages must hold rows, or the comparison proves little.
        assert!(seen > 3000, "{seen}");
    }
}
