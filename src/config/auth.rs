//! How the connector signs in: the spec's `credentials` forms, the
//! validated [`Auth`], and [`Secret`], which never prints.

use super::written::{optional_string, required_string, type_name};
use crate::datetime;
use crate::error::{quote, Error, Result};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::fmt;

/// How the connector signs in.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "auth_type")]
#[allow(dead_code)]
pub(super) enum RawCredentials {
    /// # REST API key
    /// HTTP Basic with the e-mail of a Gorgias user and its REST API key
    /// (Settings → REST API). The key acts with that user's permissions: an
    /// admin key sees every stream.
    #[serde(rename = "api_key")]
    ApiKey {
        /// # Account e-mail
        /// The e-mail of the Gorgias user who owns the API key.
        #[schemars(extend("order" = 0, "examples" = ["data@acme.com"]))]
        email: String,
        /// # REST API key
        /// The REST API key shown beside the e-mail in Gorgias (Settings → REST API).
        #[schemars(extend("order" = 1, "airbyte_secret" = true))]
        api_key: String,
    },
    /// # OAuth2
    /// A Gorgias OAuth2 app's access token (Bearer). With a refresh token and
    /// the app's client id and secret, the token is refreshed before it
    /// expires.
    #[serde(rename = "oauth2")]
    OAuth2 {
        /// # Access token
        /// The app's access token for this account; Airbyte's OAuth flow fills it.
        #[schemars(extend("order" = 0, "airbyte_secret" = true))]
        access_token: String,
        /// # Access token expiry
        /// When the access token expires (RFC 3339); it is refreshed 5 minutes before.
        #[schemars(extend("order" = 1))]
        token_expiry_date: Option<String>,
        /// # Refresh token
        /// Gets a new access token when this one expires (the `offline` scope);
        /// needs the client id and secret.
        #[schemars(extend("order" = 2, "airbyte_secret" = true))]
        refresh_token: Option<String>,
        /// # Client id
        /// The OAuth2 app's client id (Gorgias Developer Portal).
        #[schemars(extend("order" = 3))]
        client_id: Option<String>,
        /// # Client secret
        /// The OAuth2 app's client secret.
        #[schemars(extend("order" = 4, "airbyte_secret" = true))]
        client_secret: Option<String>,
    },
}

/// How requests are signed.
#[derive(Debug, Clone)]
pub enum Auth {
    /// HTTP Basic: e-mail and REST API key.
    ApiKey { email: String, api_key: Secret },
    /// OAuth2 Bearer token, refreshable when the app's credentials are given.
    OAuth {
        access_token: Secret,
        expires_at: Option<DateTime<Utc>>,
        refresh: Option<OAuthRefresh>,
    },
}

#[derive(Debug, Clone)]
pub struct OAuthRefresh {
    pub refresh_token: Secret,
    pub client_id: String,
    pub client_secret: Secret,
}

/// A secret that never prints: its Debug and Display are a mask, so it cannot
/// reach a log line or an error chain by accident, and making one remembers
/// it for the redactor, so it cannot reach output through text either.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        let s = s.into();
        crate::redact::remember_secret(&s);
        Secret(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

pub(super) fn check_email(email: &str, field: &str) -> Result<()> {
    if !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(Error::config(format!(
            "Config field `{field}` is not an e-mail address: use the e-mail of the Gorgias user who owns the API key."
        )));
    }
    Ok(())
}

pub(super) fn check_secret(secret: &str, field: &str) -> Result<()> {
    if secret.chars().any(|c| c.is_control()) {
        return Err(Error::config(format!(
            "Config field `{field}` contains control characters: paste it exactly as Gorgias shows it."
        )));
    }
    Ok(())
}

/// `credentials` in the spec's form, or the flat `email` + `api_key`.
pub(super) fn parse_auth(
    credentials: Option<&Value>,
    email: Option<&Value>,
    api_key: Option<&Value>,
) -> Result<Auth> {
    let creds = match credentials {
        None => None,
        Some(Value::Object(c)) => Some(c),
        Some(other) => {
            return Err(Error::config(format!(
                "Config field `credentials` must be an object, not {}.",
                type_name(other)
            )))
        }
    };
    let Some(creds) = creds else {
        if email.is_none() && api_key.is_none() {
            return Err(Error::config(
                "Config field `credentials` is missing: set it with your `email` and REST `api_key` (or an OAuth2 `access_token`).",
            ));
        }
        let email = required_string(email, "email")?;
        check_email(&email, "email")?;
        let api_key = required_string(api_key, "api_key")?;
        check_secret(&api_key, "api_key")?;
        return Ok(Auth::ApiKey {
            email,
            api_key: Secret::new(api_key),
        });
    };
    let kind = optional_string(creds.get("auth_type"), "auth_type")?;
    let oauth = match kind.as_deref() {
        Some("oauth2") | Some("oauth2.0") | Some("oauth") => true,
        Some("api_key") => false,
        None => creds.contains_key("access_token"),
        Some(other) => {
            return Err(Error::config(format!(
                "Config field `credentials.auth_type` is `{}`: use `api_key` or `oauth2`.",
                quote(other)
            )))
        }
    };
    let field = |name: &str| format!("credentials.{name}");
    let required = |name: &str| -> Result<String> {
        optional_string(creds.get(name), name)
            .map_err(|_| Error::config(format!("Config field `{}` must be a string.", field(name))))?
            .ok_or_else(|| {
                Error::config(format!(
                    "Config field `{}` is missing or empty: set it (see the connector's spec for what it holds).",
                    field(name)
                ))
            })
    };
    if !oauth {
        let email = required("email")?;
        check_email(&email, &field("email"))?;
        let api_key = required("api_key")?;
        check_secret(&api_key, &field("api_key"))?;
        return Ok(Auth::ApiKey {
            email,
            api_key: Secret::new(api_key),
        });
    }
    let access_token = required("access_token")?;
    check_secret(&access_token, &field("access_token"))?;
    let expires_at = match optional_string(creds.get("token_expiry_date"), "token_expiry_date")? {
        None => None,
        Some(s) => Some(datetime::parse_user(&s).ok_or_else(|| {
            Error::config(format!(
                "Config field `credentials.token_expiry_date` is `{}`, which is not a date: write an RFC 3339 instant.",
                quote(&s)
            ))
        })?),
    };
    let refresh_token = optional_string(creds.get("refresh_token"), "refresh_token")?;
    let refresh = match refresh_token {
        None => None,
        Some(refresh_token) => {
            let client_id = required("client_id")?;
            let client_secret = required("client_secret")?;
            check_secret(&refresh_token, &field("refresh_token"))?;
            check_secret(&client_secret, &field("client_secret"))?;
            Some(OAuthRefresh {
                refresh_token: Secret::new(refresh_token),
                client_id,
                client_secret: Secret::new(client_secret),
            })
        }
    };
    Ok(Auth::OAuth {
        access_token: Secret::new(access_token),
        expires_at,
        refresh,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_formats() {
        let s = Secret::new("very-secret-key");
        assert!(!format!("{s:?} {s}").contains("very"));
    }
}
