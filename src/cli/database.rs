//! Which database a command uses: `DATABASE_URL`, or the private embedded
//! server kept in `MODELMART_DATA_DIR`.

use crate::config::{validate_secret, Secret, Settings};
use crate::embedded_pg::{EmbeddedOptions, EmbeddedPostgres};

/// The embedded server's port: fixed, so a restarted demo keeps its URL, and
/// away from 5432 so it never collides with a system server.
pub const EMBEDDED_PORT_ENV: &str = "MODELMART_EMBEDDED_PG_PORT";
const EMBEDDED_DEFAULT_PORT: u16 = 54329;

pub struct Database {
    pub pool: sqlx::PgPool,
    pub url: String,
    /// The private server, if one was started: kept (not read) so that it
    /// runs for as long as the pool is used and stops when this is dropped.
    _embedded: Option<EmbeddedPostgres>,
}

pub async fn open(settings: &Settings) -> Result<Database, Box<dyn std::error::Error>> {
    let (url, embedded) = match &settings.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let port = std::env::var(EMBEDDED_PORT_ENV)
                .ok()
                .and_then(|p| p.parse().ok())
                .unwrap_or(EMBEDDED_DEFAULT_PORT);
            std::fs::create_dir_all(&settings.data_dir)?;
            eprintln!(
                "DATABASE_URL is not set: starting a private PostgreSQL in {} on port {port}",
                settings.data_dir.join("pg").display()
            );
            let server = EmbeddedPostgres::start(EmbeddedOptions {
                data_dir: settings.data_dir.join("pg"),
                port,
                durable: true,
            })
            .await?;
            ensure_database(&server, "modelmart").await?;
            (server.url("modelmart"), Some(server))
        }
    };
    let pool = crate::db::connect(&url, &settings.database).await?;
    Ok(Database {
        pool,
        url,
        _embedded: embedded,
    })
}

async fn ensure_database(server: &EmbeddedPostgres, name: &str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&server.url("postgres")).await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&mut conn)
        .await?;
    if !exists {
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}

/// The development signing secret: `MODELMART_JWT_SECRET`, else the one kept
/// in the data folder (created by `serve --demo` when `create` is set).
pub fn dev_secret(settings: &Settings, create: bool) -> Result<Secret, Box<dyn std::error::Error>> {
    if let Some(secret) = &settings.auth.hs256_secret {
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join("dev-jwt-secret");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(validate_secret(text.trim().to_owned())?);
    }
    if !create {
        return Err(format!(
            "no signing secret: set MODELMART_JWT_SECRET (32+ bytes) or run `modelmart serve --demo` once to create {}",
            path.display()
        )
        .into());
    }
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)?;
    let secret = hex::encode(bytes);
    std::fs::create_dir_all(&settings.data_dir)?;
    write_private(&path, &secret)?;
    Ok(Secret::new(secret))
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}
