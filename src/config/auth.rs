//! How the connector signs in: the spec's `credentials` forms, the
//! validated [`Auth`], and [`Secret`], which never prints.

use super::written::{optional_string, required_string, type_name};
use crate::datetime;
use crate::error::{quote, Error, Result};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
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
        None => return flat_api_key(email, api_key),
        Some(Value::Object(c)) => Credentials(c),
        Some(other) => {
            return Err(Error::config(format!(
                "Config field `credentials` must be an object, not {}.",
                type_name(other)
            )))
        }
    };
    if creds.is_oauth()? {
        oauth(&creds)
    } else {
        api_key_auth(|name| creds.required(name), Credentials::field)
    }
}

/// The flat `email` + `api_key` of the configs written before `credentials`.
fn flat_api_key(email: Option<&Value>, api_key: Option<&Value>) -> Result<Auth> {
    if email.is_none() && api_key.is_none() {
        return Err(Error::config(
            "Config field `credentials` is missing: set it with your `email` and REST `api_key` (or an OAuth2 `access_token`).",
        ));
    }
    let written = |name: &str| if name == "email" { email } else { api_key };
    api_key_auth(|name| required_string(written(name), name), str::to_string)
}

/// An e-mail and a REST API key, each checked as soon as it is read, under
/// the name (`field`) the user wrote it as.
fn api_key_auth(
    read: impl Fn(&str) -> Result<String>,
    field: impl Fn(&str) -> String,
) -> Result<Auth> {
    let email = read("email")?;
    check_email(&email, &field("email"))?;
    let api_key = read("api_key")?;
    check_secret(&api_key, &field("api_key"))?;
    Ok(Auth::ApiKey {
        email,
        api_key: Secret::new(api_key),
    })
}

/// The spec's `credentials` object, whose refusals name `credentials.<key>`.
struct Credentials<'a>(&'a Map<String, Value>);

impl Credentials<'_> {
    fn field(name: &str) -> String {
        format!("credentials.{name}")
    }

    fn optional(&self, name: &str) -> Result<Option<String>> {
        optional_string(self.0.get(name), name)
    }

    fn required(&self, name: &str) -> Result<String> {
        self.optional(name)
            .map_err(|_| {
                Error::config(format!(
                    "Config field `{}` must be a string.",
                    Self::field(name)
                ))
            })?
            .ok_or_else(|| {
                Error::config(format!(
                    "Config field `{}` is missing or empty: set it (see the connector's spec for what it holds).",
                    Self::field(name)
                ))
            })
    }

    /// OAuth2 by its `auth_type`, or, without one, by its access token.
    fn is_oauth(&self) -> Result<bool> {
        match self.optional("auth_type")?.as_deref() {
            Some("oauth2") | Some("oauth2.0") | Some("oauth") => Ok(true),
            Some("api_key") => Ok(false),
            None => Ok(self.0.contains_key("access_token")),
            Some(other) => Err(Error::config(format!(
                "Config field `credentials.auth_type` is `{}`: use `api_key` or `oauth2`.",
                quote(other)
            ))),
        }
    }
}

fn oauth(creds: &Credentials) -> Result<Auth> {
    let access_token = creds.required("access_token")?;
    check_secret(&access_token, &Credentials::field("access_token"))?;
    let expires_at = match creds.optional("token_expiry_date")? {
        None => None,
        Some(s) => Some(datetime::parse_user(&s).ok_or_else(|| {
            Error::config(format!(
                "Config field `credentials.token_expiry_date` is `{}`, which is not a date: write an RFC 3339 instant.",
                quote(&s)
            ))
        })?),
    };
    Ok(Auth::OAuth {
        access_token: Secret::new(access_token),
        expires_at,
        refresh: oauth_refresh(creds)?,
    })
}

/// With a refresh token, the app's credentials that go with it.
fn oauth_refresh(creds: &Credentials) -> Result<Option<OAuthRefresh>> {
    let Some(refresh_token) = creds.optional("refresh_token")? else {
        return Ok(None);
    };
    let client_id = creds.required("client_id")?;
    let client_secret = creds.required("client_secret")?;
    check_secret(&refresh_token, &Credentials::field("refresh_token"))?;
    check_secret(&client_secret, &Credentials::field("client_secret"))?;
    Ok(Some(OAuthRefresh {
        refresh_token: Secret::new(refresh_token),
        client_id,
        client_secret: Secret::new(client_secret),
    }))
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
