//! `modelmart serve`.

use std::net::{SocketAddr, TcpListener};

use crate::auth::jwt::{mint_dev_token, DevTokenRequest};
use crate::auth::Role;
use crate::config::Settings;
use crate::seed;
use crate::startup::Application;

use super::database;

pub async fn serve(mut settings: Settings, listen: Option<SocketAddr>, demo: bool) -> super::CliResult {
    if settings.database_url.is_none() && !demo {
        return Err(
            "DATABASE_URL is not set: set it, or run `modelmart serve --demo` for a private demo database".into(),
        );
    }
    if demo && settings.auth.hs256_secret.is_none() {
        settings.auth.hs256_secret = Some(database::dev_secret(&settings, true)?);
    }
    let database = database::open(&settings).await?;
    crate::db::prepare(&database.pool).await?;
    let summary = if demo {
        Some(seed::seed_demo(&database.pool).await?)
    } else {
        None
    };

    let address = listen.unwrap_or(settings.listen);
    let listener = TcpListener::bind(address).map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let application = Application::build(settings.clone(), database.pool.clone(), listener).await?;
    let url = format!("http://{address}");
    tracing::info!(%url, "modelmart is serving");
    if let (Some(summary), Some(secret)) = (summary, settings.auth.hs256_secret.as_ref()) {
        println!(
            "modelmart demo catalog: {} listings, {} offers",
            summary.listings, summary.offers
        );
        println!("  API      {url}/v1/models");
        println!("  docs     {url}/docs/");
        println!("  database {}", database.url);
        println!("development tokens (valid 24 h):");
        let ttl_secs = 24 * 3600;
        let mint = |label: &str, subject: &str, tenant, roles: &[Role]| -> super::CliResult {
            let token = mint_dev_token(
                secret,
                &settings.auth.issuer,
                &settings.auth.audience,
                &DevTokenRequest {
                    subject: subject.to_owned(),
                    tenant_id: tenant,
                    roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
                    ttl_secs,
                },
            )?;
            println!("  {label:<44} {token}");
            Ok(())
        };
        for tenant in &summary.tenants {
            mint(
                &format!("catalog.reader  {}", tenant.name),
                "reader@demo",
                Some(tenant.id),
                &[Role::CatalogReader],
            )?;
            mint(
                &format!("tenant.admin    {}", tenant.name),
                "admin@demo",
                Some(tenant.id),
                &[Role::TenantAdmin],
            )?;
        }
        mint("catalog.admin", "catalog-admin@modelmart", None, &[Role::CatalogAdmin])?;
        mint(
            "compliance.officer (alice)",
            "alice@modelmart",
            None,
            &[Role::ComplianceOfficer],
        )?;
        mint(
            "compliance.officer (bob)",
            "bob@modelmart",
            None,
            &[Role::ComplianceOfficer],
        )?;
        mint("auditor", "auditor@modelmart", None, &[Role::Auditor])?;
        mint("platform.admin", "support@modelmart", None, &[Role::PlatformAdmin])?;
    }
    application.run_until_stopped().await?;
    drop(database);
    Ok(())
}
