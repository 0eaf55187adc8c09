//! Message bodies, senders and subjects, for generated tickets and for the
//! messages mutations add.

use serde_json::{json, Value};

use crate::rng::Rng;
use crate::time::{Style, DAY, MIN, SEC};

pub(crate) const SUBJECTS: [&str; 20] = [
    "Where is my order #{n}?",
    "Refund request for order #{n}",
    "Wrong size received",
    "Problème de livraison 📦",
    "Rückerstattung für Bestellung {n}",
    "注文について質問があります",
    "Can I change my shipping address?",
    "Damaged item 😞",
    "Question about your return policy",
    "Discount code not working",
    "Facture manquante — commande {n}",
    "¿Dónde está mi pedido?",
    "Order arrived late",
    "Product question: size guide",
    "Cancel my subscription",
    "Help!! 🙏🙏",
    "Tracking number shows delivered but nothing here",
    "Exchange for a different colour",
    "快递什么时候到？",
    "Account login issue",
];

const PRODUCTS: [&str; 6] = [
    "the linen shirt",
    "a pair of running shoes",
    "the ceramic mug set",
    "the wool scarf",
    "the yoga mat",
    "a gift card",
];

pub(crate) fn sender_json(summary: &Value, agent: bool, rng: &mut Rng) -> Value {
    let mut s = summary.clone();
    let meta = if agent {
        json!({"name_set_via": "agent"})
    } else {
        match rng.below(10) {
            0..=5 => json!({"name_set_via": "email"}),
            6 => json!({"name_set_via": "shopify"}),
            _ => Value::Null,
        }
    };
    s["meta"] = meta;
    s
}

pub(crate) fn receiver_json(summary: &Value) -> Value {
    json!({"id": summary["id"], "name": summary["name"], "email": summary["email"]})
}

pub(crate) fn first_name(summary: &Value) -> String {
    summary["firstname"].as_str().unwrap_or("there").to_string()
}

pub(crate) fn long_body(rng: &mut Rng) -> String {
    let para = "Here is the full history of my order, copied from the previous e-mails so you have everything in one place. \
                Voici l'historique complet — ça fait trois semaines que j'attends. 🙂 ";
    let mut s = String::with_capacity(20_500);
    while s.len() < 20_000 {
        s.push_str(para);
        s.push_str(&format!("(ref {})\n", rng.below(1_000_000)));
    }
    s
}

/// (body_text, stripped_text): stripped drops the quoted signature as Gorgias does.
pub(crate) fn compose(
    rng: &mut Rng,
    from_agent: bool,
    public: bool,
    customer: &str,
    agent: &str,
    order: u64,
) -> (String, String) {
    if !public {
        let note = match rng.below(3) {
            0 => "Checked with the warehouse — shipping is delayed.".to_string(),
            1 => format!("@{agent} can you take this one?"),
            _ => format!("Refund for order #{order} approved by finance."),
        };
        return (note.clone(), note);
    }
    if rng.chance(0.005) {
        let b = long_body(rng);
        return (b.clone(), b);
    }
    let stripped = if from_agent {
        match rng.below(4) {
            0 => format!("Hi {customer},\n\nThanks for reaching out! I've checked order #{order} and it is on its way. Track it here: https://track.example.com/{order}"),
            1 => format!("Hello {customer}, I've issued a refund of ${}.{:02}. It should appear within 5-7 business days.", rng.range(5, 300), rng.below(100)),
            2 => format!("Bonjour {customer}, nous avons bien reçu votre demande 👍 Nous revenons vers vous très vite."),
            _ => format!("Hi {customer}, could you send us a photo of the item? Thanks!"),
        }
    } else {
        match rng.below(7) {
            0 => format!("Hi,\n\nI ordered {} and haven't received it yet. Could you check order #{order}?\n\nThanks,\n{customer}", PRODUCTS[rng.below(6) as usize]),
            1 => format!("Bonjour, je n'ai toujours pas reçu ma commande n°{order}. Merci d'avance !"),
            2 => format!("こんにちは、注文番号{order}の配送状況を教えてください。"),
            3 => "Hallo, die Größe passt leider nicht. Können Sie mir helfen? 🙂".to_string(),
            4 => "The box was crushed 😡 see photo".to_string(),
            5 if rng.chance(0.15) => format!("Line one\u{2028}line two\u{2029}Order #{order}"),
            _ => format!("Any update on order #{order}? It's been a week."),
        }
    };
    let body = if from_agent {
        format!("{stripped}\n\n--\n{agent} from Acme Support")
    } else {
        stripped.clone()
    };
    (body, stripped)
}

pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "<br>")
}

pub(crate) struct MsgSpec<'a> {
    pub(crate) id: i64,
    pub(crate) ticket_id: i64,
    pub(crate) channel: &'a str,
    pub(crate) via: &'a str,
    pub(crate) from_agent: bool,
    pub(crate) public: bool,
    pub(crate) sender: Value,
    pub(crate) receiver: Value,
    pub(crate) integration_id: Option<i64>,
    pub(crate) subject: Option<String>,
    pub(crate) body: String,
    pub(crate) stripped: String,
    pub(crate) created: i64,
    pub(crate) style: Style,
    pub(crate) domain: &'a str,
}

/// (sent, failed, opened, deleted): an agent's public message may fail or
/// be opened, a customer's may arrive without a sent instant.
type Delivery = (Option<i64>, Option<i64>, Option<i64>, Option<i64>);

fn delivery(m: &MsgSpec, rng: &mut Rng) -> Delivery {
    let st = m.style;
    let (sent, failed) = if m.from_agent {
        if m.public && rng.chance(0.03) {
            (None, Some(st.t(m.created + rng.range(SEC, MIN))))
        } else {
            (
                Some(st.t(m.created + rng.range(0, 5 * SEC)).max(m.created)),
                None,
            )
        }
    } else if rng.chance(0.85) {
        (Some(m.created), None)
    } else {
        (None, None)
    };
    let opened = match sent {
        Some(s) if m.from_agent && m.public && rng.chance(0.4) => {
            Some(st.t(s + rng.range(MIN, DAY)).max(s))
        }
        _ => None,
    };
    let deleted = rng
        .chance(0.01)
        .then(|| st.t(m.created + rng.range(MIN, 10 * DAY)).max(m.created));
    (sent, failed, opened, deleted)
}

pub(crate) fn message_json(m: MsgSpec, rng: &mut Rng) -> Value {
    let st = m.style;
    let (sent, failed, opened, deleted) = delivery(&m, rng);
    let (channel, via) = if m.public {
        (m.channel, m.via)
    } else {
        ("internal-note", "helpdesk")
    };
    let addr = |v: &Value| json!({"name": v["name"], "address": v["email"]});
    let to = if m.receiver.is_null() {
        json!([])
    } else {
        json!([addr(&m.receiver)])
    };
    json!({
        "id": m.id,
        "uri": format!("/api/tickets/{}/messages/{}/", m.ticket_id, m.id),
        "message_id": (channel == "email").then(|| format!("<{}.{}@mail.{}.com>", m.id, m.ticket_id, m.domain)),
        "ticket_id": m.ticket_id,
        "external_id": Value::Null,
        "public": m.public,
        "channel": channel,
        "via": via,
        "source": {"type": channel, "from": addr(&m.sender), "to": to},
        "sender": m.sender,
        "receiver": m.receiver,
        "integration_id": m.integration_id,
        "rule_id": Value::Null,
        "intents": [],
        "from_agent": m.from_agent,
        "subject": m.subject,
        "body_text": m.body,
        "body_html": format!("<div>{}</div>", html_escape(&m.body)),
        "stripped_text": m.stripped,
        "stripped_html": format!("<div>{}</div>", html_escape(&m.stripped)),
        "stripped_signature": Value::Null,
        "attachments": [],
        "actions": Value::Null,
        "macros": [],
        "meta": if channel == "chat" { json!({"current_page": "https://shop.example.com/cart"}) } else { Value::Null },
        "created_datetime": st.s(m.created),
        "sent_datetime": st.o(sent),
        "opened_datetime": st.o(opened),
        "failed_datetime": st.o(failed),
        "deleted_datetime": st.o(deleted),
        "last_sending_error": if failed.is_some() { json!({"error": "Mailbox unavailable"}) } else { Value::Null },
        "is_retriable": failed.is_some(),
    })
}

pub(crate) fn subject_for(
    rng: &mut Rng,
    channel: &str,
    from_agent: bool,
    order: u64,
) -> Option<String> {
    if from_agent {
        return Some(format!("Following up on your order #{order}"));
    }
    match channel {
        "phone" => Some(format!("Incoming call from +1 555 {:04}", order % 10_000)),
        "sms" => Some(format!("SMS from +1 555 {:04}", order % 10_000)),
        _ if rng.chance(0.02) => None,
        _ => Some(rng.pick(&SUBJECTS).replace("{n}", &order.to_string())),
    }
}

pub(crate) fn integration_for(
    integrations: &[(i64, String)],
    channel: &str,
    via: &str,
) -> Option<i64> {
    let ty = match (channel, via) {
        ("email", "gmail") => "gmail",
        ("email", _) => "email",
        ("chat", _) => "smooch_inside",
        ("facebook", _) => "facebook",
        _ => return None,
    };
    integrations.iter().find(|i| i.1 == ty).map(|i| i.0)
}
