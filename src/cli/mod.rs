//! The `modelmart` command line.

mod database;
mod serve;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use uuid::Uuid;

use crate::auth::jwt::{mint_dev_token, DevTokenRequest};
use crate::auth::Role;
use crate::config::Settings;
use crate::domain::actor::Actor;
use crate::import::{self, FeedFormat};

/// The backend of the modelmart AI model catalog and marketplace.
///
/// Configuration comes from the environment (DATABASE_URL, MODELMART_*); see
/// the README. Without DATABASE_URL, commands use a private PostgreSQL kept
/// in MODELMART_DATA_DIR (default .modelmart).
#[derive(Debug, Parser)]
#[command(name = "modelmart", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on (default MODELMART_LISTEN or 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Seed the demo catalog, tenants and tokens; without DATABASE_URL,
        /// run a private PostgreSQL in MODELMART_DATA_DIR.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and reference data, then exit.
    Migrate,
    /// Import a catalog feed file.
    Import {
        /// The feed's format.
        #[arg(long, value_enum)]
        format: FeedFormat,
        /// The feed file.
        file: PathBuf,
        /// Print the report as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// The file holds only some of the source's entries: add or update
        /// them, withdraw nothing. Without it the file is the source's whole
        /// catalog and offers it no longer carries are withdrawn.
        #[arg(long)]
        partial: bool,
    },
    /// Print a development token signed with MODELMART_JWT_SECRET (or the
    /// demo's own secret in MODELMART_DATA_DIR).
    Token {
        /// The role to grant: catalog.reader, tenant.admin, catalog.admin,
        /// compliance.officer, auditor, platform.admin.
        #[arg(long, value_parser = parse_role)]
        role: Vec<Role>,
        /// The tenant (tid claim); required for tenant roles, refused for platform roles.
        #[arg(long)]
        tenant: Option<Uuid>,
        /// The subject (sub claim).
        #[arg(long, default_value = "dev-user")]
        sub: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Fill the database with a synthetic catalog for scale tests.
    Seed {
        /// How many synthetic listings to write.
        #[arg(long, value_name = "N")]
        synthetic: usize,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit chain; exits 1 and names the first broken event if it does not verify.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role {text:?}; expected one of {}", names.join(", "))
    })
}

pub type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Imports the feed in `file` as the command line's catalog admin.
async fn import_file(
    settings: &Settings,
    format: import::FeedFormat,
    mode: import::ImportMode,
    file: &std::path::Path,
) -> Result<import::ImportReport, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let database = database::open(settings).await?;
    crate::db::prepare(&database.pool).await?;
    let actor = Actor {
        name: "cli:import".to_owned(),
        roles: vec![Role::CatalogAdmin.as_str().to_owned()],
        request_id: None,
    };
    Ok(import::import(&database.pool, format, mode, &bytes, &actor).await?)
}

pub async fn run(cli: Cli) -> CliResult {
    let settings = Settings::from_env()?;
    match cli.command {
        Command::Serve { listen, demo } => serve::serve(settings, listen, demo).await,
        Command::Migrate => {
            let database = database::open(&settings).await?;
            crate::db::migrate(&database.pool).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Import {
            format,
            file,
            json,
            partial,
        } => {
            let mode = if partial {
                import::ImportMode::Partial
            } else {
                import::ImportMode::Full
            };
            let started = std::time::Instant::now();
            let outcome = import_file(&settings, format, mode, &file).await;
            let elapsed = started.elapsed();
            let report = match outcome {
                Ok(report) => report,
                Err(error) if json => {
                    // `--json` answers in JSON whatever happens, so a script
                    // reading stdout never meets prose.
                    let body = serde_json::json!({ "error": { "message": error.to_string() } });
                    println!("{}", serde_json::to_string_pretty(&body)?);
                    return Err(error);
                }
                Err(error) => return Err(error),
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for rejection in &report.rejections {
                    println!("rejected {:?}: {}", rejection.key, rejection.reason);
                }
                if report.rejections_omitted > 0 {
                    println!("... and {} more rejected entries", report.rejections_omitted);
                }
                let line = |name: &str, c: &crate::db::catalog_write::ChangeCounts| {
                    println!(
                        "{name:<11} created {:>6}  updated {:>6}  unchanged {:>6}",
                        c.created, c.updated, c.unchanged
                    );
                };
                line("publishers", &report.publishers);
                line("listings", &report.listings);
                line("offers", &report.offers);
                println!(
                    "listings {}  other spellings merged into them (kept as aliases) {}",
                    report.listings_described, report.aliases
                );
                println!(
                    "price changes {}  withdrawn {}  owned by other sources {}",
                    report.price_changes, report.offers_withdrawn, report.offers_owned_elsewhere
                );
                println!(
                    "offers with unknown prices {}  self-hosted offers {}",
                    report.offers_unpriced, report.offers_self_hosted
                );
                println!(
                    "entries {}  rejected {}  in {:.2}s",
                    report.entries,
                    report.rejected,
                    elapsed.as_secs_f64()
                );
            }
            Ok(())
        }
        Command::Token { role, tenant, sub, ttl } => {
            if role.is_empty() {
                return Err("give at least one --role".into());
            }
            for r in &role {
                match (r.is_tenant_role(), tenant.is_some()) {
                    (true, false) => return Err(format!("{r} is a tenant role: give --tenant UUID").into()),
                    (false, true) => return Err(format!("{r} is a platform role: it takes no --tenant").into()),
                    _ => {}
                }
            }
            let secret = database::dev_secret(&settings, false)?;
            let token = mint_dev_token(
                &secret,
                &settings.auth.issuer,
                &settings.auth.audience,
                &DevTokenRequest {
                    subject: sub,
                    tenant_id: tenant,
                    roles: role.iter().map(|r| r.as_str().to_owned()).collect(),
                    ttl_secs: ttl,
                },
            )?;
            println!("{token}");
            Ok(())
        }
        Command::Seed { synthetic } => {
            let database = database::open(&settings).await?;
            crate::db::prepare(&database.pool).await?;
            let started = std::time::Instant::now();
            let (listings, offers) = crate::seed::seed_synthetic(&database.pool, synthetic).await?;
            println!(
                "seeded {listings} synthetic listings and {offers} offers in {:.1}s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { json },
        } => {
            let database = database::open(&settings).await?;
            let mut conn = database.pool.acquire().await?;
            let report = crate::db::audit::verify(&mut conn).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if report.verified {
                println!(
                    "audit chains verified: {} sealed events in {} chains",
                    report.events - report.unsealed,
                    report.chains
                );
            } else {
                for broken in &report.breaks {
                    match broken.seq {
                        Some(seq) => println!(
                            "audit chain {} BROKEN at seq {seq} (its event {})",
                            broken.chain, broken.chain_seq
                        ),
                        None => println!(
                            "audit chain {} BROKEN at its end: its head names event {}, which the chain does not end with",
                            broken.chain, broken.chain_seq
                        ),
                    }
                }
                println!(
                    "{} sealed events checked in {} chains",
                    report.events - report.unsealed,
                    report.chains
                );
            }
            if let (false, Some(since)) = (json, report.oldest_unsealed_at) {
                println!(
                    "{} events wait for their seal (not yet checked), the oldest written at {since}",
                    report.unsealed
                );
            }
            if report.verified {
                Ok(())
            } else {
                Err(format!("{} of the audit log's chains do not verify", report.breaks.len()).into())
            }
        }
        Command::Openapi => {
            print!("{}", crate::openapi::document_json());
            Ok(())
        }
    }
}
