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
    crate::refresher::map_large_blocks_on_their_own();
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
        for tenant in &summary.tenants {
            println!("  tenant   {} {}", tenant.id, tenant.name);
        }
        println!();
        println!("# Paste into a shell to run the README's examples (tokens valid 24 h):");
        println!("export MM={url}");
        let ttl_secs = 24 * 3600;
        let export = |variable: &str, subject: &str, tenant, roles: &[Role]| -> super::CliResult {
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
            let role_names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            println!("export {variable}={token}  # {}", role_names.join(", "));
            Ok(())
        };
        for tenant in &summary.tenants {
            let prefix = tenant_variable(tenant.name);
            println!("export {prefix}_TID={}  # {}", tenant.id, tenant.name);
            export(
                &format!("{prefix}_READER"),
                "reader@demo",
                Some(tenant.id),
                &[Role::CatalogReader],
            )?;
            export(
                &format!("{prefix}_ADMIN"),
                "admin@demo",
                Some(tenant.id),
                &[Role::TenantAdmin],
            )?;
        }
        export("CATALOG_ADMIN", "catalog-admin@modelmart", None, &[Role::CatalogAdmin])?;
        export("ALICE", "alice@modelmart", None, &[Role::ComplianceOfficer])?;
        export("BOB", "bob@modelmart", None, &[Role::ComplianceOfficer])?;
        export("AUDITOR", "auditor@modelmart", None, &[Role::Auditor])?;
        export("PLATFORM_ADMIN", "support@modelmart", None, &[Role::PlatformAdmin])?;
        println!("# The README's examples act as Northwind Traders, the tenant without restrictions:");
        println!("export TID=\"$NORTHWIND_TID\" READER=\"$NORTHWIND_READER\" ADMIN=\"$NORTHWIND_ADMIN\"");
    }
    application.run_until_stopped().await?;
    drop(database);
    Ok(())
}

/// A shell variable prefix for a demo tenant: the first word of its name,
/// upper-case (`Northwind Traders (global)` is `NORTHWIND`).
fn tenant_variable(name: &str) -> String {
    name.split_whitespace()
        .next()
        .unwrap_or("TENANT")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
