//! Configuration from environment variables, with development defaults.
//! Every variable is documented in the README's Configuration section.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The smallest HS256 secret accepted: 256 bits, the strength of the hash.
pub const MIN_HS256_SECRET_BYTES: usize = 32;

#[derive(Clone)]
pub struct Settings {
    /// `DATABASE_URL`; when unset, `serve --demo` runs its own PostgreSQL.
    pub database_url: Option<String>,
    /// `MODELMART_DATABASE_READ_URL`: a read replica that full catalog
    /// loads read from; rules, version checks, LISTEN and writes stay on
    /// the primary.
    pub database_read_url: Option<String>,
    /// `MODELMART_LISTEN`, overridden by `serve --listen`.
    pub listen: SocketAddr,
    pub auth: AuthSettings,
    pub database: DatabaseSettings,
    /// `MODELMART_DATA_DIR`: where the embedded PostgreSQL and the development
    /// signing secret of `serve --demo` are kept between runs.
    pub data_dir: PathBuf,
    /// `MODELMART_MAX_BODY_BYTES`: JSON request bodies larger than this are 413.
    pub max_body_bytes: usize,
    /// `MODELMART_MAX_IMPORT_BYTES`: the limit for `POST /v1/admin/imports`.
    pub max_import_bytes: usize,
    /// `MODELMART_WEBHOOKS_ALLOW_PRIVATE`: development only; lets webhooks
    /// use http and loopback or private addresses.
    pub webhooks_allow_private: bool,
    /// `MODELMART_SCHEDULER_TICK_MS`: how often the scheduler looks for holds
    /// due to take effect or expire and listings due to retire (1 s).
    pub scheduler_tick: Duration,
    /// `MODELMART_AUDIT_SEAL_INTERVAL_MS`: how often the sealer chains the
    /// audit events committed since its last pass (250 ms): the longest an
    /// event waits to become tamper-evident while a sealer runs.
    pub audit_seal_interval: Duration,
    /// `MODELMART_CORS_ORIGINS`: comma-separated browser origins (portals)
    /// allowed to call the API; none by default.
    pub cors_origins: Vec<String>,
    /// `MODELMART_RATE_LIMIT_PER_SECOND` (sustained, per verified caller; 0
    /// turns limiting off) and `MODELMART_RATE_LIMIT_BURST`.
    pub rate_limit: crate::ratelimit::RateLimit,
    /// `MODELMART_SHUTDOWN_GRACE_MS`: after SIGTERM, how long `/readyz`
    /// fails while requests are still served, before the listener closes.
    pub shutdown_grace: Duration,
}

#[derive(Clone)]
pub struct AuthSettings {
    /// `MODELMART_JWT_SECRET`: enables HS256 with this shared secret.
    pub hs256_secret: Option<Secret>,
    /// `MODELMART_JWKS`: a JWKS file path or an http(s) URL; enables RS256 and ES256.
    pub jwks: Option<String>,
    /// `MODELMART_JWT_ISSUER`.
    pub issuer: String,
    /// `MODELMART_JWT_AUDIENCE`.
    pub audience: String,
    /// `MODELMART_JWT_LEEWAY_SECS`: clock skew tolerated on `exp`, `nbf`, `iat`.
    pub leeway_secs: u64,
    /// `MODELMART_JWKS_REFRESH_SECS`: the least time between two fetches of
    /// a JWKS URL (a token naming an unknown `kid` triggers one), and the
    /// longest a verified token is reused without checking it again.
    pub jwks_refresh: Duration,
    /// `MODELMART_JWKS_MAX_AGE_SECS`: a remote JWKS is refetched this often
    /// even when every `kid` is known, so withdrawn keys stop verifying.
    pub jwks_max_age: Duration,
}

#[derive(Clone)]
pub struct DatabaseSettings {
    /// `MODELMART_DB_MAX_CONNECTIONS`.
    pub max_connections: u32,
    /// `MODELMART_DB_ACQUIRE_TIMEOUT_MS`: how long a request waits for a connection.
    pub acquire_timeout: Duration,
    /// `MODELMART_DB_STATEMENT_TIMEOUT_MS`: PostgreSQL `statement_timeout`.
    pub statement_timeout: Duration,
    /// `MODELMART_DB_LOCK_TIMEOUT_MS`: PostgreSQL `lock_timeout`.
    pub lock_timeout: Duration,
}

/// A secret that never appears in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} must be {expected}, got {value:?}")]
    Invalid {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
    #[error("MODELMART_JWT_SECRET must be at least {MIN_HS256_SECRET_BYTES} bytes long (it is {0})")]
    SecretTooShort(usize),
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let rate_limit = crate::ratelimit::RateLimit {
            per_second: parse_or(
                &non_empty,
                "MODELMART_RATE_LIMIT_PER_SECOND",
                "a non-negative number",
                || 50.0,
            )?,
            burst: parse_or(
                &non_empty,
                "MODELMART_RATE_LIMIT_BURST",
                "a number of at least 1",
                || 100.0,
            )?,
        };
        if !(rate_limit.per_second.is_finite() && rate_limit.per_second >= 0.0) {
            return Err(ConfigError::Invalid {
                name: "MODELMART_RATE_LIMIT_PER_SECOND",
                expected: "a non-negative number",
                value: rate_limit.per_second.to_string(),
            });
        }
        if !(rate_limit.burst.is_finite() && rate_limit.burst >= 1.0) {
            return Err(ConfigError::Invalid {
                name: "MODELMART_RATE_LIMIT_BURST",
                expected: "a number of at least 1",
                value: rate_limit.burst.to_string(),
            });
        }
        let hs256_secret = match non_empty("MODELMART_JWT_SECRET") {
            Some(secret) => Some(validate_secret(secret)?),
            None => None,
        };
        Ok(Settings {
            database_url: non_empty("DATABASE_URL"),
            database_read_url: non_empty("MODELMART_DATABASE_READ_URL"),
            listen: parse_or(
                &non_empty,
                "MODELMART_LISTEN",
                "an address such as 127.0.0.1:8080",
                || SocketAddr::from(([127, 0, 0, 1], 8080)),
            )?,
            auth: AuthSettings {
                hs256_secret,
                jwks: non_empty("MODELMART_JWKS"),
                issuer: non_empty("MODELMART_JWT_ISSUER").unwrap_or_else(|| "modelmart-dev".into()),
                audience: non_empty("MODELMART_JWT_AUDIENCE").unwrap_or_else(|| "modelmart".into()),
                leeway_secs: parse_or(&non_empty, "MODELMART_JWT_LEEWAY_SECS", "a number of seconds", || 30)?,
                jwks_refresh: Duration::from_secs(parse_or(
                    &non_empty,
                    "MODELMART_JWKS_REFRESH_SECS",
                    "a number of seconds",
                    || 30,
                )?),
                jwks_max_age: Duration::from_secs(
                    parse_or(&non_empty, "MODELMART_JWKS_MAX_AGE_SECS", "a number of seconds", || 300)?.max(1),
                ),
            },
            database: DatabaseSettings {
                max_connections: parse_or(&non_empty, "MODELMART_DB_MAX_CONNECTIONS", "a positive integer", || 10)?,
                acquire_timeout: millis(&non_empty, "MODELMART_DB_ACQUIRE_TIMEOUT_MS", 2_000)?,
                statement_timeout: millis(&non_empty, "MODELMART_DB_STATEMENT_TIMEOUT_MS", 10_000)?,
                lock_timeout: millis(&non_empty, "MODELMART_DB_LOCK_TIMEOUT_MS", 3_000)?,
            },
            data_dir: non_empty("MODELMART_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".modelmart")),
            max_body_bytes: parse_or(&non_empty, "MODELMART_MAX_BODY_BYTES", "a number of bytes", || {
                256 * 1024
            })?,
            max_import_bytes: parse_or(&non_empty, "MODELMART_MAX_IMPORT_BYTES", "a number of bytes", || {
                32 * 1024 * 1024
            })?,
            webhooks_allow_private: parse_or(&non_empty, "MODELMART_WEBHOOKS_ALLOW_PRIVATE", "true or false", || {
                false
            })?,
            scheduler_tick: millis(&non_empty, "MODELMART_SCHEDULER_TICK_MS", 1_000)?.max(Duration::from_millis(10)),
            audit_seal_interval: millis(&non_empty, "MODELMART_AUDIT_SEAL_INTERVAL_MS", 250)?
                .max(Duration::from_millis(10)),
            cors_origins: non_empty("MODELMART_CORS_ORIGINS")
                .map(|list| list.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            rate_limit,
            shutdown_grace: millis(&non_empty, "MODELMART_SHUTDOWN_GRACE_MS", 5_000)?,
        })
    }
}

pub fn validate_secret(secret: String) -> Result<Secret, ConfigError> {
    if secret.len() < MIN_HS256_SECRET_BYTES {
        return Err(ConfigError::SecretTooShort(secret.len()));
    }
    Ok(Secret::new(secret))
}

fn parse_or<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    expected: &'static str,
    default: impl FnOnce() -> T,
) -> Result<T, ConfigError> {
    match lookup(name) {
        None => Ok(default()),
        Some(value) => value
            .trim()
            .parse()
            .map_err(|_| ConfigError::Invalid { name, expected, value }),
    }
}

fn millis(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default_ms: u64,
) -> Result<Duration, ConfigError> {
    parse_or(lookup, name, "a number of milliseconds", || default_ms).map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let settings = settings(&[]).unwrap();
        assert!(settings.database_url.is_none());
        assert_eq!(settings.listen.port(), 8080);
        assert_eq!(settings.auth.issuer, "modelmart-dev");
        assert_eq!(settings.auth.audience, "modelmart");
    }

    #[test]
    fn a_short_jwt_secret_is_refused() {
        let error = settings(&[("MODELMART_JWT_SECRET", "too-short")]).err().unwrap();
        assert!(matches!(error, ConfigError::SecretTooShort(9)));
    }

    #[test]
    fn a_malformed_number_names_its_variable() {
        let error = settings(&[("MODELMART_DB_MAX_CONNECTIONS", "many")]).err().unwrap();
        assert!(error.to_string().contains("MODELMART_DB_MAX_CONNECTIONS"));
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let secret = Secret::new("s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t");
        assert!(!format!("{secret:?}").contains("s3cr3t"));
    }
}
