//! The tap's way to pass a rotated refresh token on. Singer has no message
//! for it, so the tap writes the new tokens back into its `--config` file,
//! as Singer taps with rotating tokens do (Meltano and the Singer SDK keep
//! the config in that file). The rewrite is atomic: a temporary file in the
//! same directory, with the config's permissions, renamed over it, so a
//! crash leaves the old file or the new one, never half of one.

use crate::client::{Rotation, RotationSlot};
use crate::face;
use serde_json::Value;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The config file and what it held, for the rotations of one run.
pub struct ConfigWriteBack {
    pub slot: Arc<RotationSlot>,
    pub path: PathBuf,
    pub raw: Value,
}

impl ConfigWriteBack {
    /// Writes a rotation waiting in the slot, if any, and says so on `log`
    /// in one line without the token.
    pub fn pass_on(&self, log: &mut dyn Write) -> io::Result<()> {
        match self.slot.take() {
            Some(rotation) => write_rotation(&self.path, &self.raw, &rotation, log),
            None => Ok(()),
        }
    }
}

/// Writes `rotation` into the config file at `path` (read as `raw`) and
/// logs the outcome: a file that cannot be written makes the sync go on,
/// but the user must know the refresh token in it is now void.
pub fn write_rotation(
    path: &Path,
    raw: &Value,
    rotation: &Rotation,
    log: &mut dyn Write,
) -> io::Result<()> {
    let shown = path.display();
    match replace_file(path, &face::rotated_config(raw, rotation)) {
        Ok(()) => writeln!(
            log,
            "INFO Gorgias replaced the OAuth2 refresh token (the old one no longer works): the new tokens are written into the config file `{shown}`."
        ),
        Err(e) => writeln!(
            log,
            "WARN Gorgias replaced the OAuth2 refresh token, and the config file `{shown}` could not be rewritten ({e}): the refresh token in it is now void, so authorize the app again and put the new tokens in the config."
        ),
    }
}

/// Replaces the file at `path` with `config`, in the layout it had
/// (indented or on one line), atomically.
fn replace_file(path: &Path, config: &Value) -> io::Result<()> {
    // A symlinked config is rewritten where it lives, the link kept.
    let target = fs::canonicalize(path)?;
    let old = fs::read(&target)?;
    let permissions = fs::metadata(&target)?.permissions();
    let indented = old.trim_ascii_end().contains(&b'\n');
    let mut bytes = if indented {
        serde_json::to_vec_pretty(config)?
    } else {
        serde_json::to_vec(config)?
    };
    bytes.push(b'\n');
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = write_new(&temp, &bytes, permissions).and_then(|()| fs::rename(&temp, &target));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// A new file holding `bytes`, synced, with `permissions`; readable only by
/// its owner until then, since it holds the tokens.
fn write_new(path: &Path, bytes: &[u8], permissions: fs::Permissions) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    file.set_permissions(permissions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use serde_json::json;

    fn rotation() -> Rotation {
        Rotation {
            access_token: Secret::new("new-access-token-0001"),
            refresh_token: Secret::new("new-refresh-token-0002"),
            expires_at: None,
        }
    }

    #[test]
    fn the_file_keeps_its_other_keys_its_layout_and_its_mode() {
        let dir = std::env::temp_dir().join(format!("tap-write-back-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.json");
        let raw = json!({"domain": "acme", "x_unknown": [1],
            "credentials": {"auth_type": "oauth2", "access_token": "a", "refresh_token": "r",
                "token_expiry_date": "2020-01-01T00:00:00Z", "client_id": "app", "client_secret": "s"}});
        fs::write(&path, serde_json::to_vec(&raw).unwrap()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        let mut log = Vec::new();
        write_rotation(&path, &raw, &rotation(), &mut log).unwrap();
        let log = String::from_utf8(log).unwrap();
        assert!(
            log.starts_with("INFO ") && !log.contains("new-refresh"),
            "{log}"
        );
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.trim_end().lines().count(),
            1,
            "one line as before: {text}"
        );
        let got: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            got["credentials"]["refresh_token"],
            "new-refresh-token-0002"
        );
        assert_eq!(got["credentials"]["access_token"], "new-access-token-0001");
        assert!(got["credentials"].get("token_expiry_date").is_none());
        assert_eq!(
            (&got["x_unknown"], &got["credentials"]["client_secret"]),
            (&json!([1]), &json!("s"))
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
        let left: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_that_cannot_be_written_says_the_token_in_it_is_void() {
        let path = Path::new("/nonexistent-dir-for-tap-gorgias/config.json");
        let mut log = Vec::new();
        write_rotation(path, &json!({}), &rotation(), &mut log).unwrap();
        let log = String::from_utf8(log).unwrap();
        assert!(
            log.starts_with("WARN ") && log.contains("now void"),
            "{log}"
        );
        assert!(!log.contains("new-refresh-token"), "{log}");
    }
}
