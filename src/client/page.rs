//! A list endpoint's page: its objects, and the way on it gives (the next
//! cursor and query, the end, or a dead end that is neither). Pure: the
//! client hands over the parsed body and the `limit` it asked for.

use crate::error::{Error, Result};
use crate::json::{Doc, Elements, Kind, Node};

/// One page of a list endpoint: the parsed body, whose list is either the
/// body itself or its `data`.
#[derive(Debug)]
pub struct Page {
    doc: Doc,
    /// The cursor of the next page: `meta.next_cursor`, or the `cursor` of
    /// `meta.next_items` (a view's items); `None` on the last page.
    pub next_cursor: Option<String>,
    /// What else the next page's request must carry besides `cursor`: the
    /// other query pairs of `meta.next_items` (`direction`, `ignored_item`);
    /// empty for lists paged by `next_cursor` alone.
    pub next_query: Vec<(String, String)>,
    /// Why this page, which names no next page, is not the list's end
    /// either: it filled the `limit` asked without saying the list ends
    /// there, or it names a next page in a form that cannot be asked for.
    /// Ending the list on it would report a part as the whole.
    pub dead_end: Option<String>,
}

impl Page {
    pub fn objects(&self) -> Elements<'_> {
        let root = self.doc.root();
        match root.get("data") {
            Some(data) => data.elements(),
            None => root.elements(),
        }
    }

    pub fn len(&self) -> usize {
        self.objects().count()
    }

    pub fn is_empty(&self) -> bool {
        self.objects().next().is_none()
    }
}

/// What a page says of the page after it.
enum WayOn {
    Next(String, Vec<(String, String)>),
    /// `null` or empty: the list ends here, however full the page.
    End,
    /// Nothing at all (a bare array, no `meta`, no `next_cursor`): the
    /// end, unless the page is full. The text says what was missing.
    Unsaid(&'static str),
    /// A next page the connector cannot ask for.
    Unusable(&'static str),
}

/// `limit`: what the request asked for, which makes a page "full".
pub(super) fn page_from(path: &str, doc: Doc, limit: Option<usize>) -> Result<Page> {
    let way_on = body_way_on(path, doc.root())?;
    let mut page = Page {
        doc,
        next_cursor: None,
        next_query: Vec::new(),
        dead_end: None,
    };
    let len = page.len();
    match way_on {
        WayOn::Next(cursor, query) => {
            page.next_cursor = Some(cursor);
            page.next_query = query;
        }
        WayOn::End => {}
        // Exactly the `limit`: there may be more. More than it: the server
        // did not page at all (the reference shows some lists as one bare
        // array), so this is the whole list.
        WayOn::Unsaid(what) if limit.is_some_and(|l| l > 0 && len == l) => {
            page.dead_end = Some(format!(
                "sent a full page ({len} records, the `limit` asked for) that names no next page ({what})"
            ));
        }
        WayOn::Unsaid(_) => {}
        WayOn::Unusable(what) => {
            page.dead_end = Some(format!(
                "sent a page whose next page cannot be asked for ({what})"
            ));
        }
    }
    Ok(page)
}

/// The way on a body gives, or why it is no page at all.
fn body_way_on(path: &str, root: Node<'_>) -> Result<WayOn> {
    if root.is_array() {
        return Ok(WayOn::Unsaid("it is a bare array"));
    }
    if !root.is_object() {
        return Err(Error::system(format!(
            "Gorgias answered {path} with neither a list nor a page: the API may have changed; please report it."
        )));
    }
    if !root.get("data").is_some_and(|d| d.is_array()) {
        return Err(Error::system(format!(
            "Gorgias answered {path} without a `data` list: the API may have changed; please report it."
        )));
    }
    Ok(way_on(root.get("meta")))
}

/// Gorgias's cursors are short base64 text. One far longer cannot be sent
/// back: a URL has a bound (the `http` crate's is 64 KiB), and a server
/// that echoes the request into its cursor would grow it past that.
const MAX_CURSOR: usize = 8 * 1024;
const CURSOR_TOO_LONG: &str = "the next page's cursor is longer than 8 KiB, far beyond Gorgias's";

/// The way on that an envelope's `meta` gives.
fn way_on(meta: Option<Node<'_>>) -> WayOn {
    let Some(meta) = meta.filter(|m| m.is_object()) else {
        return WayOn::Unsaid("no `meta`");
    };
    // A view's items: the next page is a link (null on the last page)
    // whose query is what the next request sends.
    if let Some(link) = meta.get("next_items") {
        return items_way_on(link);
    }
    let Some(cursor) = meta.get("next_cursor") else {
        return WayOn::Unsaid("no `meta.next_cursor`");
    };
    // Opaque, so any scalar is a cursor as its text: a number read as
    // "no cursor" once ended lists silently.
    match cursor.kind() {
        Kind::Null => WayOn::End,
        Kind::Str("") => WayOn::End,
        Kind::Str(c) if c.len() > MAX_CURSOR => WayOn::Unusable(CURSOR_TOO_LONG),
        Kind::Str(c) => WayOn::Next(c.to_string(), Vec::new()),
        Kind::Int(n) => WayOn::Next(n.to_string(), Vec::new()),
        Kind::UInt(n) => WayOn::Next(n.to_string(), Vec::new()),
        Kind::Float(f) => WayOn::Next(f.to_string(), Vec::new()),
        // `false` says "no next page" as `null` does; `true` names none.
        Kind::Bool(false) => WayOn::End,
        Kind::Bool(true) => WayOn::Unusable("`meta.next_cursor` is `true`, which names no page"),
        Kind::Array | Kind::Object => WayOn::Unusable("`meta.next_cursor` is not a single value"),
    }
}

/// The way on a view's `meta.next_items` link gives.
fn items_way_on(link: Node<'_>) -> WayOn {
    if link.is_null() || link.as_str() == Some("") {
        return WayOn::End;
    }
    let Some(link) = link.as_str() else {
        return WayOn::Unusable("`meta.next_items` is not a link");
    };
    let query = link.split_once('?').map_or("", |(_, q)| q);
    let (cursor, rest): (Vec<_>, Vec<_>) = parse_query(query)
        .into_iter()
        .partition(|(k, _)| k == "cursor");
    match cursor.into_iter().next() {
        Some((_, c)) if c.len() > MAX_CURSOR => WayOn::Unusable(CURSOR_TOO_LONG),
        Some((_, c)) if !c.is_empty() => WayOn::Next(c, rest),
        _ => WayOn::Unusable("the `meta.next_items` link has no cursor"),
    }
}

/// The pairs of a URL's query string, percent-decoded (`+` is a space).
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let s = s.replace('+', " ");
        percent_encoding::percent_decode_str(&s)
            .decode_utf8_lossy()
            .into_owned()
    }
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use crate::config::Config;
    use serde_json::json;

    #[test]
    fn pages_accept_envelope_and_bare_array() {
        let p = page_from(
            "/x",
            Doc::from_value(&json!({"data":[{"id":1}],"meta":{"next_cursor":"abc"}})),
            None,
        )
        .unwrap();
        assert_eq!((p.len(), p.next_cursor.as_deref()), (1, Some("abc")));
        let p = page_from(
            "/x",
            Doc::from_value(&json!({"data":[],"meta":{"next_cursor":""}})),
            None,
        )
        .unwrap();
        assert_eq!(p.next_cursor, None);
        let p = page_from("/x", Doc::from_value(&json!([{"id":1},{"id":2}])), None).unwrap();
        assert_eq!((p.len(), p.next_cursor), (2, None));
        assert!(page_from("/x", Doc::from_value(&json!({"meta":{}})), None)
            .unwrap_err()
            .message
            .contains("without a `data` list"));
    }

    #[test]
    fn a_view_page_names_its_next_page_in_a_link() {
        let p = page_from(
            "/views/7/items",
            Doc::from_value(&json!({"data":[{"id":1}],"meta":{"current_cursor":null,
                "next_items":"/api/views/7/items?cursor=ab%3D&direction=next&ignored_item=1",
                "prev_items":null}})),
            None,
        )
        .unwrap();
        assert_eq!(p.next_cursor.as_deref(), Some("ab="));
        assert_eq!(
            p.next_query,
            vec![
                ("direction".to_string(), "next".to_string()),
                ("ignored_item".to_string(), "1".to_string())
            ]
        );
        let p = page_from(
            "/views/7/items",
            Doc::from_value(&json!({"data":[],"meta":{"next_items":null,"next_cursor":"zz"}})),
            None,
        )
        .unwrap();
        assert_eq!((p.next_cursor, p.next_query.len()), (None, 0));
    }

    /// The page `body` makes as an answer to a request with `limit=2`:
    /// (its next cursor, its dead end).
    fn way_on_of(body: serde_json::Value) -> (Option<String>, Option<String>) {
        let p = page_from("/x", Doc::from_value(&body), Some(2)).unwrap();
        (p.next_cursor, p.dead_end)
    }

    #[test]
    fn a_cursor_too_long_to_send_back_is_a_dead_end_not_a_panic() {
        let two = json!([{"id": 1}, {"id": 2}]);
        let long = "c".repeat(70_000);
        for meta in [
            json!({"next_cursor": long}),
            json!({"next_items": format!("/api/views/1/items?cursor={long}")}),
        ] {
            let (next, dead_end) = way_on_of(json!({"data": two, "meta": meta}));
            assert_eq!(next, None);
            assert!(dead_end.unwrap().contains("longer than 8 KiB"));
        }
        // And a request that would still be too long is refused, not sent.
        let config = Config::from_value(&json!({"domain": "acme", "email": "a@b.c",
            "api_key": "k", "base_url": "http://127.0.0.1:9/api", "retry_budget_ms": 10}))
        .unwrap();
        let e = Client::new(&config)
            .get_page("/tickets", &[("cursor", &long)])
            .unwrap_err();
        assert_eq!(e.failure, crate::FailureType::System);
        assert!(
            e.message.contains("longer than a URL can be"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_cursor_of_any_scalar_type_is_its_text() {
        let two = json!([{"id": 1}, {"id": 2}]);
        for (cursor, text) in [
            (json!(1), "1"),
            (json!(18446744073709551615u64), "18446744073709551615"),
            (json!(2.5), "2.5"),
            (json!("c2"), "c2"),
        ] {
            let got = way_on_of(json!({"data": two, "meta": {"next_cursor": cursor}}));
            assert_eq!(got, (Some(text.to_string()), None), "{cursor}");
        }
    }

    #[test]
    fn a_full_page_that_names_no_next_page_is_a_dead_end_and_a_short_one_the_end() {
        let full = json!([{"id": 1}, {"id": 2}]);
        let short = json!([{"id": 1}]);
        for (body, why) in [
            (json!({"data": full}), "no `meta`"),
            (json!({"data": full, "meta": null}), "no `meta`"),
            (json!({"data": full, "meta": {}}), "no `meta.next_cursor`"),
            (full.clone(), "it is a bare array"),
        ] {
            let (next, dead_end) = way_on_of(body.clone());
            assert_eq!(next, None, "{body}");
            let dead_end = dead_end.unwrap_or_else(|| panic!("{body}: taken as the end"));
            assert!(
                dead_end.contains("full page (2 records") && dead_end.contains(why),
                "{dead_end}"
            );
        }
        for body in [
            json!({"data": short}),
            json!({"data": short, "meta": {}}),
            short.clone(),
            // More than the `limit`: a server that did not page.
            json!([{"id": 1}, {"id": 2}, {"id": 3}]),
            json!({"data": [{"id": 1}, {"id": 2}, {"id": 3}]}),
            // The server said so: the end, however full the page.
            json!({"data": full, "meta": {"next_cursor": null}}),
            json!({"data": full, "meta": {"next_cursor": ""}}),
            json!({"data": full, "meta": {"next_items": null}}),
            json!({"data": full, "meta": {"next_cursor": false}}),
        ] {
            assert_eq!(way_on_of(body.clone()), (None, None), "{body}");
        }
        // Without a `limit` asked, no page is known to be full.
        let p = page_from("/x", Doc::from_value(&json!({"data": full})), None).unwrap();
        assert_eq!((p.next_cursor, p.dead_end), (None, None));
    }

    #[test]
    fn a_next_page_that_cannot_be_asked_for_is_a_dead_end_on_any_page() {
        for body in [
            json!({"data": [], "meta": {"next_cursor": {"after": 3}}}),
            json!({"data": [], "meta": {"next_cursor": [3]}}),
            json!({"data": [], "meta": {"next_items": 7}}),
            json!({"data": [], "meta": {"next_items": "/api/views/7/items?direction=next"}}),
        ] {
            let (next, dead_end) = way_on_of(body.clone());
            assert_eq!(next, None, "{body}");
            assert!(
                dead_end.is_some_and(|d| d.contains("cannot be asked for")),
                "{body}"
            );
        }
    }
}
