//! Secrets in every form they could leak in, and the search for them.

/// Every form a secret could leak in: as it is, percent-encoded (upper and
/// lower case escapes, `+` for a space), escaped inside a JSON string, and,
/// given the e-mail it goes with, the base64 of `email:secret` that a Basic
/// Authorization header carries.
pub fn leak_forms(email: Option<&str>, secret: &str) -> Vec<String> {
    use base64::Engine;
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    let upper = utf8_percent_encode(secret, NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%5F", "_")
        .replace("%2E", ".")
        .replace("%7E", "~");
    let lower = upper
        .split('%')
        .enumerate()
        .map(|(i, part)| match i {
            0 => part.to_string(),
            _ => format!(
                "{}{}",
                part.get(..2).unwrap_or(part).to_lowercase(),
                part.get(2..).unwrap_or("")
            ),
        })
        .collect::<Vec<_>>()
        .join("%");
    let json = serde_json::to_string(secret).unwrap();
    let mut forms = vec![
        secret.to_string(),
        upper.clone(),
        lower,
        upper.replace("%20", "+"),
        json[1..json.len() - 1].to_string(),
    ];
    if let Some(email) = email {
        forms.push(base64::engine::general_purpose::STANDARD.encode(format!("{email}:{secret}")));
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Fails, naming the form and the line, when any output holds any form of a
/// secret: a form of 8 characters or more anywhere, a shorter one where it
/// stands as a whole token (no letter or digit touching it), since `k3y`
/// inside `k3yboard` is no leak.
pub fn assert_no_leak(what: &str, outputs: &[&str], forms: &[String]) {
    for output in outputs {
        for form in forms {
            let leaked = output.match_indices(form.as_str()).any(|(at, _)| {
                let touches = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
                form.chars().count() >= 8
                    || !(touches(output[..at].chars().next_back())
                        || touches(output[at + form.len()..].chars().next()))
            });
            if leaked {
                let line = output
                    .lines()
                    .find(|l| l.contains(form.as_str()))
                    .unwrap_or("");
                panic!("{what}: a secret leaked as `{form}` in: {line}");
            }
        }
    }
}
