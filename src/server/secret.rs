//! The token signing secret of `granola serve` and `granola token`: never a built-in one.
//!
//! In order: `--secret S`, else `$GRANOLA_SECRET`, else the file `secret` in the data
//! directory, created on first use with 32 random bytes (64 hex digits) and owner-only
//! permissions (0600, in a 0700 directory). A given secret must be at least
//! [`MIN_SECRET_BYTES`] long; a secret file readable by others is refused. Both commands
//! resolve it the same way, so `granola token --data DIR` signs for `granola serve --data DIR`.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Environment variable read for the secret when `--secret` is not given (both commands).
pub const SECRET_ENV: &str = "GRANOLA_SECRET";
/// Name of the generated secret file in the data directory.
pub const SECRET_FILE: &str = "secret";
/// Shortest secret accepted (bytes).
pub const MIN_SECRET_BYTES: usize = 32;
/// The data directory when `--data` is not given (relative to the working directory).
pub const DEFAULT_DATA_DIR: &str = "granola-data";

/// Where the secret in use came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    Flag,
    Env,
    /// Read from this file.
    File(PathBuf),
    /// Generated into this file just now.
    Generated(PathBuf),
    /// Generated in memory for this process only (an in-process server without a data directory).
    Ephemeral,
}

impl std::fmt::Display for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretSource::Flag => write!(f, "--secret"),
            SecretSource::Env => write!(f, "${SECRET_ENV}"),
            SecretSource::File(p) => write!(f, "{}", p.display()),
            SecretSource::Generated(p) => write!(f, "{} (generated now)", p.display()),
            SecretSource::Ephemeral => write!(f, "a random secret for this process"),
        }
    }
}

fn check_len(secret: &str, what: &str) -> Result<(), String> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(format!(
            "{what} is {} bytes; a signing secret must be at least {MIN_SECRET_BYTES} bytes \
             (e.g. `openssl rand -hex 32`), or leave it unset to use the data directory's generated secret",
            secret.len()
        ));
    }
    Ok(())
}

/// Resolve the secret: `flag`, else `env` (the value of `$GRANOLA_SECRET`, if set), else the
/// data directory's file (created if missing), else (no data directory) a random one.
pub fn resolve(
    flag: Option<&str>,
    env: Option<String>,
    data_dir: Option<&Path>,
) -> Result<(String, SecretSource), String> {
    if let Some(s) = flag {
        check_len(s, "--secret")?;
        return Ok((s.to_string(), SecretSource::Flag));
    }
    if let Some(s) = env {
        check_len(&s, &format!("${SECRET_ENV}"))?;
        return Ok((s, SecretSource::Env));
    }
    match data_dir {
        Some(dir) => from_data_dir(dir),
        None => Ok((crate::bridge::random_secret(), SecretSource::Ephemeral)),
    }
}

/// `$GRANOLA_SECRET` as the process sees it (`None` when unset).
pub fn env_secret() -> Option<String> {
    std::env::var_os(SECRET_ENV).map(|v| v.to_string_lossy().into_owned())
}

/// Create `dir` (owner-only when new).
pub fn ensure_dir(dir: &Path) -> Result<(), String> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|e| format!("cannot create the data directory {}: {e}", dir.display()))
}

fn from_data_dir(dir: &Path) -> Result<(String, SecretSource), String> {
    ensure_dir(dir)?;
    let path = dir.join(SECRET_FILE);
    if !path.exists() {
        match create(dir, &path) {
            Ok(secret) => return Ok((secret, SecretSource::Generated(path))),
            // Someone else created it first (a `granola token` next to a starting server).
            Err(_) if path.exists() => {}
            Err(e) => return Err(e),
        }
    }
    read(&path).map(|s| (s, SecretSource::File(path)))
}

/// Write a new random secret to `path` atomically: a private temporary file, then a hard link
/// (which fails if `path` appeared meanwhile, so two processes never disagree).
fn create(dir: &Path, path: &Path) -> Result<String, String> {
    let secret = crate::bridge::random_secret();
    let tmp = dir.join(format!(".{SECRET_FILE}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(secret.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    linked.map_err(|e| format!("cannot write the secret file {}: {e}", path.display()))?;
    Ok(secret)
}

fn read(path: &Path) -> Result<String, String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "the secret file {} is readable by others (mode {:o}); make it owner-only: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the secret file {}: {e}", path.display()))?;
    let secret = text.trim().to_string();
    check_len(&secret, &format!("the secret in {}", path.display()))?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("granola-secret-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn generated_once_owner_only_and_reused() {
        let dir = temp("gen");
        let (a, src) = resolve(None, None, Some(&dir)).unwrap();
        assert_eq!(src, SecretSource::Generated(dir.join(SECRET_FILE)));
        assert_eq!(a.len(), 64);
        let (b, src) = resolve(None, None, Some(&dir)).unwrap();
        assert_eq!((a.as_str(), src), (b.as_str(), SecretSource::File(dir.join(SECRET_FILE))));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(SECRET_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(dir.join(SECRET_FILE), std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(resolve(None, None, Some(&dir)).unwrap_err().contains("readable by others"));
        }
        // Another directory, another secret.
        let other = temp("gen2");
        assert_ne!(resolve(None, None, Some(&other)).unwrap().0, a);
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&other);
    }

    #[test]
    fn given_secrets_must_be_long_enough() {
        let long = "x".repeat(32);
        assert_eq!(resolve(Some(&long), None, None).unwrap().1, SecretSource::Flag);
        assert_eq!(resolve(None, Some(long.clone()), None).unwrap().1, SecretSource::Env);
        assert!(resolve(Some("short"), None, None).unwrap_err().contains("at least 32 bytes"));
        assert!(resolve(None, Some("x".repeat(31)), None).unwrap_err().contains("GRANOLA_SECRET"));
        assert!(resolve(None, Some(String::new()), None).is_err(), "a set but empty variable is refused");
        assert_eq!(resolve(None, None, None).unwrap().1, SecretSource::Ephemeral);
    }
}
