//! Reconciles a [`CatalogBatch`] from one source with the database in one
//! transaction: new rows are inserted, changed rows updated (their
//! row_version bumped), equal rows left alone, and a changed price closes
//! the current period and opens a new one. Offers belong to the source that
//! wrote them: a batch never rewrites another source's offer, and, when the
//! batch is the source's whole catalog ([`Missing::Withdraw`]), the source's
//! offers it no longer names are withdrawn (kept with their history, and
//! announced), never deleted. Writing only what differs makes a second
//! import of the same feed a no-op.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::types::Json;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use super::audit::AuditEntry;
use super::models::ModelFields;
use crate::domain::actor::Actor;
use crate::domain::batch::{CatalogBatch, ModelRecord, OfferRecord, PriceRecord, PublisherRecord, Rejection};
use crate::domain::vocab::LifecycleStatus;

/// Created / updated / unchanged counts for one kind of row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChangeCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// What applying a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApplyOutcome {
    pub publishers: ChangeCounts,
    pub listings: ChangeCounts,
    pub offers: ChangeCounts,
    /// Offers whose price components changed (a new price period was opened).
    pub price_changes: u64,
    /// Offers the batch names that another source owns: left as they are.
    pub offers_owned_elsewhere: u64,
    /// The source's offers the batch no longer names, now withdrawn.
    pub offers_withdrawn: u64,
}

impl ChangeCounts {
    fn add(&mut self, other: &ChangeCounts) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

impl ApplyOutcome {
    fn add(&mut self, other: &ApplyOutcome) {
        self.publishers.add(&other.publishers);
        self.listings.add(&other.listings);
        self.offers.add(&other.offers);
        self.price_changes += other.price_changes;
        self.offers_owned_elsewhere += other.offers_owned_elsewhere;
        self.offers_withdrawn += other.offers_withdrawn;
    }

    pub fn changed_anything(&self) -> bool {
        let touched = |c: &ChangeCounts| c.created + c.updated > 0;
        touched(&self.publishers)
            || touched(&self.listings)
            || touched(&self.offers)
            || self.price_changes > 0
            || self.offers_withdrawn > 0
    }
}

/// What a write does with the source's offers that the batch does not name.
#[derive(Debug, Clone, Copy)]
pub enum Missing<'a> {
    /// Leave them: the batch is part of the source's catalog (a partial
    /// import, a seed written in chunks).
    Keep,
    /// Withdraw them: the batch is the source's whole catalog. Offers whose
    /// source key is in `except_keys` (entries the import rejected this
    /// time) stay as they were: a bad row does not take a good offer away.
    Withdraw { except_keys: &'a BTreeSet<String> },
}

#[derive(Debug, Clone, PartialEq, FromRow, Serialize)]
struct PublisherRow {
    id: Uuid,
    slug: String,
    name: String,
    country: Option<String>,
    website: Option<String>,
}

/// A listing as this writer compares and writes it: the columns staff and
/// feeds set (`db::models::ModelFields`) and its id.
#[derive(Debug, Clone, PartialEq, FromRow, Serialize)]
struct ModelRow {
    id: Uuid,
    #[sqlx(flatten)]
    #[serde(flatten)]
    fields: ModelFields,
}

#[derive(Debug, Clone, PartialEq, FromRow, Serialize)]
struct OfferRow {
    id: Uuid,
    model_id: Uuid,
    region_code: String,
    deployment_type: String,
    processing_scope: String,
    operator_name: String,
    operator_country: Option<String>,
    status: String,
    source_key: Option<String>,
    source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, FromRow)]
struct PriceRow {
    offer_id: Uuid,
    dimension: String,
    unit: String,
    tier_min_context_tokens: Option<i32>,
    amount: Decimal,
    currency: String,
}

/// `offer_prices.amount` is NUMERIC(24, 12): amounts are rounded to that
/// scale before they are compared or written, so what the database stores is
/// exactly what the next import compares against (feeds carry float noise
/// such as 0.20000000000000002 per 1M tokens).
const PRICE_SCALE: u32 = 12;

fn stored_amount(amount: Decimal) -> Decimal {
    amount.round_dp(PRICE_SCALE).normalize()
}

/// A price component as compared between feed and database: the amount is
/// normalised so `3.00` and `3` are the same price.
type PriceKey = (String, String, Option<i32>, Decimal, String);

fn price_key(price: &PriceRecord) -> PriceKey {
    (
        price.dimension.as_str().to_owned(),
        price.unit.as_str().to_owned(),
        price.tier_min_context_tokens,
        stored_amount(price.amount),
        price.currency.clone(),
    )
}

#[derive(Debug, Serialize)]
struct NewPrice<'a> {
    id: Uuid,
    offer_id: Uuid,
    dimension: &'a str,
    unit: &'a str,
    amount: Decimal,
    currency: &'a str,
    tier_min_context_tokens: Option<i32>,
}

/// Applies `batch` from `source` (e.g. `litellm`, `demo-seed`) inside the
/// caller's transaction and appends one audit event when anything changed.
pub async fn apply(
    conn: &mut PgConnection,
    batch: &CatalogBatch,
    actor: &Actor,
    source: &str,
) -> Result<ApplyOutcome, sqlx::Error> {
    let outcome = write(conn, batch, source).await?;
    audit_apply(conn, actor, source, &outcome).await?;
    Ok(outcome)
}

/// As [`apply`], but a row the database still refuses (a rule
/// `domain::rules` does not know yet) costs only itself: the batch is
/// written under a savepoint and, on a refusal, halved until the refused
/// listings stand alone; each is returned as a rejection naming the
/// database's reason, and the rest is written. The happy path is one
/// savepoint. (After a split, publishers shared by both halves count once
/// as created and once as unchanged.) Then the source's offers the batch
/// does not name are treated as `missing` says; a refused listing's offers
/// are named, so a refusal never withdraws what was there.
pub async fn apply_isolating_refusals(
    conn: &mut PgConnection,
    batch: &CatalogBatch,
    actor: &Actor,
    source: &str,
    missing: Missing<'_>,
) -> Result<(ApplyOutcome, Vec<Rejection>), sqlx::Error> {
    let mut total = ApplyOutcome::default();
    let mut rejected = Vec::new();
    let mut parts = vec![batch.clone()];
    while let Some(part) = parts.pop() {
        sqlx::query("SAVEPOINT catalog_part").execute(&mut *conn).await?;
        match write(conn, &part, source).await {
            Ok(outcome) => {
                sqlx::query("RELEASE SAVEPOINT catalog_part")
                    .execute(&mut *conn)
                    .await?;
                total.add(&outcome);
            }
            Err(error) if is_refusal(&error) => {
                sqlx::query("ROLLBACK TO SAVEPOINT catalog_part")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("RELEASE SAVEPOINT catalog_part")
                    .execute(&mut *conn)
                    .await?;
                if part.models.len() <= 1 {
                    rejected.extend(refused(&part, &error));
                } else {
                    let (first, second) = halves(&part);
                    parts.push(second);
                    parts.push(first);
                }
            }
            Err(error) => return Err(error),
        }
    }
    if let Missing::Withdraw { except_keys } = missing {
        total.offers_withdrawn = withdraw_unnamed(conn, batch, source, except_keys).await?;
    }
    audit_apply(conn, actor, source, &total).await?;
    Ok((total, rejected))
}

/// An offer withdrawn because its source no longer carries it.
#[derive(Debug, FromRow)]
struct WithdrawnOffer {
    id: Uuid,
    model_id: Uuid,
    slug: String,
    region_code: String,
    deployment_type: String,
    operator_name: String,
    operator_country: Option<String>,
}

/// Withdraws `source`'s offers that `batch` does not name (and whose source
/// key is not in `except_keys`), and tells every tenant with one
/// `offer.withdrawn` event per listing; returns how many.
async fn withdraw_unnamed(
    conn: &mut PgConnection,
    batch: &CatalogBatch,
    source: &str,
    except_keys: &BTreeSet<String>,
) -> Result<u64, sqlx::Error> {
    // Compared here rather than in SQL: an anti-join against thousands of
    // unnested keys is planned as a nested loop and takes seconds.
    let named: BTreeSet<(&str, &str, &str, &str)> = batch
        .offers
        .iter()
        .map(|o| {
            (
                o.model_slug.as_str(),
                o.region.as_str(),
                o.deployment_type.as_str(),
                o.operator_name.as_str(),
            )
        })
        .collect();
    let current: Vec<(Uuid, String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT o.id, m.slug, o.region_code, o.deployment_type, o.operator_name, o.source_key
         FROM offers o JOIN models m ON m.id = o.model_id
         WHERE o.source = $1 AND o.status <> 'withdrawn'",
    )
    .bind(source)
    .fetch_all(&mut *conn)
    .await?;
    let gone: Vec<Uuid> = current
        .iter()
        .filter(|(_, slug, region, deployment, operator, key)| {
            !named.contains(&(slug.as_str(), region.as_str(), deployment.as_str(), operator.as_str()))
                && !key.as_ref().is_some_and(|key| except_keys.contains(key))
        })
        .map(|(id, ..)| *id)
        .collect();
    if gone.is_empty() {
        return Ok(0);
    }
    let withdrawn: Vec<WithdrawnOffer> = sqlx::query_as(
        "UPDATE offers o SET status = 'withdrawn', row_version = o.row_version + 1, updated_at = now()
         FROM models m
         WHERE m.id = o.model_id AND o.id = ANY($1)
         RETURNING o.id, o.model_id, m.slug, o.region_code, o.deployment_type, o.operator_name,
                   o.operator_country",
    )
    .bind(&gone)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_listing: BTreeMap<(Uuid, &str), Vec<serde_json::Value>> = BTreeMap::new();
    for offer in &withdrawn {
        by_listing
            .entry((offer.model_id, &offer.slug))
            .or_default()
            .push(serde_json::json!({
                "offer_id": offer.id,
                "region": offer.region_code,
                "deployment_type": offer.deployment_type,
                "operator": { "name": offer.operator_name, "country": offer.operator_country },
            }));
    }
    for ((model_id, slug), offers) in by_listing {
        super::outbox::append(
            conn,
            None,
            "offer.withdrawn",
            serde_json::json!({ "model_id": model_id, "slug": slug, "source": source, "offers": offers }),
        )
        .await?;
    }
    Ok(withdrawn.len() as u64)
}

async fn audit_apply(
    conn: &mut PgConnection,
    actor: &Actor,
    source: &str,
    outcome: &ApplyOutcome,
) -> Result<(), sqlx::Error> {
    if outcome.changed_anything() {
        AuditEntry::new(actor, "catalog.imported", "catalog", source)
            .after(outcome)
            .append(conn)
            .await?;
    }
    Ok(())
}

/// A refusal of the data (SQLSTATE class 22, data exception, or 23,
/// integrity constraint violation), as opposed to the database failing.
fn is_refusal(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.code().is_some_and(|code| code.starts_with("22") || code.starts_with("23")))
}

/// The rejections of a part the database refused whole (at most one
/// listing): each of its offers under its source key, or the listing.
fn refused(part: &CatalogBatch, error: &sqlx::Error) -> Vec<Rejection> {
    let why = match error {
        sqlx::Error::Database(db) => match db.constraint() {
            Some(constraint) => format!("the database refused it ({constraint})"),
            None => format!("the database refused it: {}", db.message()),
        },
        other => other.to_string(),
    };
    let mut keys: Vec<String> = part.offers.iter().filter_map(|o| o.source_key.clone()).collect();
    if keys.is_empty() {
        keys = part.models.iter().map(|m| m.slug.clone()).collect();
    }
    if keys.is_empty() {
        keys = part.publishers.iter().map(|p| p.slug.clone()).collect();
    }
    keys.into_iter()
        .map(|key| Rejection {
            key,
            reason: why.clone(),
        })
        .collect()
}

/// Two parts of about half the listings each, with their offers and the
/// publishers they name.
fn halves(part: &CatalogBatch) -> (CatalogBatch, CatalogBatch) {
    let middle = part.models.len() / 2;
    let half = |models: &[crate::domain::batch::ModelRecord]| {
        let slugs: BTreeSet<&str> = models.iter().map(|m| m.slug.as_str()).collect();
        let publishers: BTreeSet<&str> = models.iter().map(|m| m.publisher_slug.as_str()).collect();
        CatalogBatch {
            publishers: part
                .publishers
                .iter()
                .filter(|p| publishers.contains(p.slug.as_str()))
                .cloned()
                .collect(),
            models: models.to_vec(),
            offers: part
                .offers
                .iter()
                .filter(|o| slugs.contains(o.model_slug.as_str()))
                .cloned()
                .collect(),
            aliases: part
                .aliases
                .iter()
                .filter(|a| slugs.contains(a.model_slug.as_str()))
                .cloned()
                .collect(),
            rejected: Vec::new(),
        }
    };
    (half(&part.models[..middle]), half(&part.models[middle..]))
}

/// Makes the caller's transaction the one catalog writer until it ends: two
/// concurrent imports would otherwise race on the same slugs and both try
/// to insert them. Taking it again in the same transaction is free.
pub async fn lock_writer(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('modelmart.catalog_write'))")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Points each alias at its listing. An alias that is some listing's own
/// slug is left out (the listing wins); one that pointed elsewhere follows
/// the batch; aliases the batch no longer names are kept, so a link that
/// worked keeps working.
async fn apply_aliases(
    conn: &mut PgConnection,
    aliases: &[crate::domain::batch::AliasRecord],
    model_ids: &HashMap<String, Uuid>,
    source: &str,
) -> Result<(), sqlx::Error> {
    let (names, ids): (Vec<&str>, Vec<Uuid>) = aliases
        .iter()
        .filter_map(|a| Some((a.alias.as_str(), *model_ids.get(&a.model_slug)?)))
        .unzip();
    if names.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO model_aliases (alias, model_id, source)
         SELECT a.alias, a.model_id, $3 FROM unnest($1::text[], $2::uuid[]) AS a(alias, model_id)
         WHERE NOT EXISTS (SELECT 1 FROM models m WHERE m.slug = a.alias)
         ON CONFLICT (alias) DO UPDATE SET model_id = EXCLUDED.model_id, source = EXCLUDED.source
         WHERE model_aliases.model_id <> EXCLUDED.model_id",
    )
    .bind(&names)
    .bind(&ids)
    .bind(source)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Reconciles the database with `batch` from `source`, without auditing.
async fn write(conn: &mut PgConnection, batch: &CatalogBatch, source: &str) -> Result<ApplyOutcome, sqlx::Error> {
    lock_writer(conn).await?;
    let now: DateTime<Utc> = sqlx::query_scalar("SELECT now()").fetch_one(&mut *conn).await?;
    let mut outcome = ApplyOutcome::default();

    let publisher_ids = apply_publishers(conn, &batch.publishers, &mut outcome).await?;
    let alias_targets: Vec<&str> = batch.aliases.iter().map(|a| a.model_slug.as_str()).collect();
    let model_ids = apply_models(conn, &batch.models, &alias_targets, &publisher_ids, &mut outcome).await?;
    apply_aliases(conn, &batch.aliases, &model_ids, source).await?;
    apply_offers(conn, &batch.offers, &model_ids, source, now, &mut outcome).await?;

    Ok(outcome)
}

async fn apply_publishers(
    conn: &mut PgConnection,
    publishers: &[PublisherRecord],
    outcome: &mut ApplyOutcome,
) -> Result<HashMap<String, Uuid>, sqlx::Error> {
    let existing: Vec<PublisherRow> = sqlx::query_as("SELECT id, slug, name, country, website FROM publishers")
        .fetch_all(&mut *conn)
        .await?;
    let mut by_slug: HashMap<String, PublisherRow> = existing.into_iter().map(|p| (p.slug.clone(), p)).collect();
    let (mut inserts, mut updates) = (Vec::new(), Vec::new());
    for record in publishers {
        match by_slug.get(&record.slug) {
            None => {
                let row = PublisherRow {
                    id: Uuid::now_v7(),
                    slug: record.slug.clone(),
                    name: record.name.clone(),
                    country: record.country.clone(),
                    website: record.website.clone(),
                };
                by_slug.insert(row.slug.clone(), row.clone());
                inserts.push(row);
            }
            Some(current) => {
                // A source that does not know a fact does not erase it.
                let wanted = PublisherRow {
                    name: record.name.clone(),
                    country: record.country.clone().or_else(|| current.country.clone()),
                    website: record.website.clone().or_else(|| current.website.clone()),
                    ..current.clone()
                };
                if &wanted == current {
                    outcome.publishers.unchanged += 1;
                } else {
                    by_slug.insert(wanted.slug.clone(), wanted.clone());
                    updates.push(wanted);
                }
            }
        }
    }
    outcome.publishers.created += inserts.len() as u64;
    outcome.publishers.updated += updates.len() as u64;
    if !inserts.is_empty() {
        sqlx::query(
            "INSERT INTO publishers (id, slug, name, country, website)
             SELECT id, slug, name, country, website
             FROM jsonb_to_recordset($1) AS r(id uuid, slug text, name text, country text, website text)",
        )
        .bind(Json(&inserts))
        .execute(&mut *conn)
        .await?;
    }
    if !updates.is_empty() {
        sqlx::query(
            "UPDATE publishers p SET name = r.name, country = r.country, website = r.website, updated_at = now()
             FROM jsonb_to_recordset($1) AS r(id uuid, name text, country text, website text)
             WHERE p.id = r.id",
        )
        .bind(Json(&updates))
        .execute(&mut *conn)
        .await?;
    }
    Ok(by_slug.into_iter().map(|(slug, row)| (slug, row.id)).collect())
}

const MODEL_COLUMNS: &str = "id, slug, publisher_id, name, family, version, description, task, input_modalities,
    output_modalities, context_window, max_output_tokens, capabilities, license, open_weights, origin_country,
    lineage, base_model_id, model_card_url, weights_digest, release_date, lifecycle_status, deprecation_date,
    retirement_date, successor_id, tags";

const MODEL_RECORDSET: &str = "r(id uuid, slug text, publisher_id uuid, name text, family text, version text,
    description text, task text, input_modalities text[], output_modalities text[], context_window int,
    max_output_tokens int, capabilities text[], license text, open_weights boolean, origin_country text,
    lineage text, base_model_id uuid, model_card_url text, weights_digest text, release_date date,
    lifecycle_status text, deprecation_date date, retirement_date date, successor_id uuid, tags text[])";

fn strings<T: std::fmt::Display>(items: &[T]) -> Vec<String> {
    // Sets are stored sorted and without repeats so equal sets compare equal.
    items
        .iter()
        .map(|item| item.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

async fn apply_models(
    conn: &mut PgConnection,
    models: &[ModelRecord],
    alias_targets: &[&str],
    publisher_ids: &HashMap<String, Uuid>,
    outcome: &mut ApplyOutcome,
) -> Result<HashMap<String, Uuid>, sqlx::Error> {
    // Only the listings the batch writes or points at (as base model,
    // successor or an alias's listing) are read: reading the whole table for
    // each batch made writing a catalog in batches quadratic in its size.
    let touched: Vec<&str> = models
        .iter()
        .flat_map(|m| {
            [
                Some(&m.slug),
                m.provenance.base_model_slug.as_ref(),
                m.lifecycle.successor_slug.as_ref(),
            ]
        })
        .flatten()
        .map(String::as_str)
        .chain(alias_targets.iter().copied())
        .collect();
    let existing: Vec<ModelRow> = sqlx::query_as(&format!("SELECT {MODEL_COLUMNS} FROM models WHERE slug = ANY($1)"))
        .bind(&touched)
        .fetch_all(&mut *conn)
        .await?;
    let mut ids: HashMap<String, Uuid> = existing.iter().map(|m| (m.fields.slug.clone(), m.id)).collect();
    let current: HashMap<Uuid, ModelRow> = existing.into_iter().map(|m| (m.id, m)).collect();
    for record in models {
        ids.entry(record.slug.clone()).or_insert_with(Uuid::now_v7);
    }

    let (mut inserts, mut updates) = (Vec::new(), Vec::new());
    for record in models {
        let Some(&publisher_id) = publisher_ids.get(&record.publisher_slug) else {
            return Err(sqlx::Error::Protocol(format!(
                "listing {} names publisher {} that the batch does not define",
                record.slug, record.publisher_slug
            )));
        };
        let id = ids[&record.slug];
        let resolve = |slug: &Option<String>| slug.as_ref().and_then(|s| ids.get(s).copied());
        let previous = current.get(&id);
        let keep = |new: Option<String>, old: Option<&Option<String>>| new.or_else(|| old.cloned().flatten());
        let row = ModelRow {
            id,
            fields: ModelFields {
                slug: record.slug.clone(),
                publisher_id,
                name: record.name.clone(),
                family: keep(record.family.clone(), previous.map(|p| &p.fields.family)),
                version: keep(record.version.clone(), previous.map(|p| &p.fields.version)),
                description: record.description.clone(),
                task: record.task.as_str().to_owned(),
                input_modalities: strings(&record.input_modalities),
                output_modalities: strings(&record.output_modalities),
                context_window: record.context_window.or(previous.and_then(|p| p.fields.context_window)),
                max_output_tokens: record
                    .max_output_tokens
                    .or(previous.and_then(|p| p.fields.max_output_tokens)),
                capabilities: strings(&record.capabilities),
                license: record.license.clone(),
                open_weights: record.open_weights,
                origin_country: keep(
                    record.provenance.origin_country.clone(),
                    previous.map(|p| &p.fields.origin_country),
                ),
                lineage: record.provenance.lineage.as_str().to_owned(),
                base_model_id: resolve(&record.provenance.base_model_slug)
                    .or(previous.and_then(|p| p.fields.base_model_id)),
                model_card_url: keep(
                    record.provenance.model_card_url.clone(),
                    previous.map(|p| &p.fields.model_card_url),
                ),
                weights_digest: keep(
                    record.provenance.weights_digest.clone(),
                    previous.map(|p| &p.fields.weights_digest),
                ),
                release_date: record
                    .provenance
                    .release_date
                    .or(previous.and_then(|p| p.fields.release_date)),
                // Retirement is final: a feed that still lists a retired
                // listing as deprecated does not bring it back.
                lifecycle_status: match previous {
                    Some(old) if old.fields.lifecycle_status == LifecycleStatus::Retired.as_str() => {
                        old.fields.lifecycle_status.clone()
                    }
                    _ => record.lifecycle.status.as_str().to_owned(),
                },
                deprecation_date: record.lifecycle.deprecation_date,
                retirement_date: record.lifecycle.retirement_date,
                successor_id: resolve(&record.lifecycle.successor_slug),
                tags: strings(&record.tags),
            },
        };
        match previous {
            None => inserts.push(row),
            Some(old) if *old == row => outcome.listings.unchanged += 1,
            Some(_) => updates.push(row),
        }
    }
    outcome.listings.created += inserts.len() as u64;
    outcome.listings.updated += updates.len() as u64;
    if !inserts.is_empty() {
        sqlx::query(&format!(
            "INSERT INTO models ({MODEL_COLUMNS}) SELECT {MODEL_COLUMNS} FROM jsonb_to_recordset($1) AS {MODEL_RECORDSET}"
        ))
        .bind(Json(&inserts))
        .execute(&mut *conn)
        .await?;
    }
    if !updates.is_empty() {
        let assignments = MODEL_COLUMNS
            .split(',')
            .map(str::trim)
            .filter(|column| *column != "id")
            .map(|column| format!("{column} = r.{column}"))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!(
            "UPDATE models m SET {assignments}, row_version = m.row_version + 1, updated_at = now()
             FROM jsonb_to_recordset($1) AS {MODEL_RECORDSET} WHERE m.id = r.id"
        ))
        .bind(Json(&updates))
        .execute(&mut *conn)
        .await?;
    }
    Ok(ids)
}

type OfferKey = (Uuid, String, String, String);

async fn apply_offers(
    conn: &mut PgConnection,
    offers: &[OfferRecord],
    model_ids: &HashMap<String, Uuid>,
    source: &str,
    now: DateTime<Utc>,
    outcome: &mut ApplyOutcome,
) -> Result<(), sqlx::Error> {
    // Only the offers of the batch's listings, and their prices, are read:
    // an offer is matched by its listing, so no other row can be its previous
    // state, and reading them all made batched writes quadratic.
    let listings: Vec<Uuid> = offers
        .iter()
        .filter_map(|offer| model_ids.get(&offer.model_slug).copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let existing: Vec<OfferRow> = sqlx::query_as(
        "SELECT id, model_id, region_code, deployment_type, processing_scope, operator_name, operator_country,
                status, source_key, source FROM offers WHERE model_id = ANY($1)",
    )
    .bind(&listings)
    .fetch_all(&mut *conn)
    .await?;
    let existing_ids: Vec<Uuid> = existing.iter().map(|offer| offer.id).collect();
    let prices: Vec<PriceRow> = sqlx::query_as(
        "SELECT offer_id, dimension, unit, tier_min_context_tokens, amount, currency FROM offer_prices
         WHERE offer_id = ANY($2) AND effective_from <= $1 AND (effective_to IS NULL OR effective_to > $1)",
    )
    .bind(now)
    .bind(&existing_ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut current_prices: HashMap<Uuid, BTreeSet<PriceKey>> = HashMap::new();
    for price in prices {
        current_prices.entry(price.offer_id).or_default().insert((
            price.dimension,
            price.unit,
            price.tier_min_context_tokens,
            price.amount.normalize(),
            price.currency,
        ));
    }
    let by_key: HashMap<OfferKey, OfferRow> = existing
        .into_iter()
        .map(|o| {
            (
                (
                    o.model_id,
                    o.region_code.clone(),
                    o.deployment_type.clone(),
                    o.operator_name.clone(),
                ),
                o,
            )
        })
        .collect();

    let (mut inserts, mut updates, mut repriced) = (Vec::new(), Vec::new(), Vec::new());
    let mut repriced_models = BTreeSet::new();
    let mut new_prices = Vec::new();
    for record in offers {
        let Some(&model_id) = model_ids.get(&record.model_slug) else {
            return Err(sqlx::Error::Protocol(format!(
                "offer names listing {} that the batch does not define",
                record.model_slug
            )));
        };
        let key = (
            model_id,
            record.region.clone(),
            record.deployment_type.as_str().to_owned(),
            record.operator_name.clone(),
        );
        let previous = by_key.get(&key);
        if previous.is_some_and(|p| p.source != source) {
            outcome.offers_owned_elsewhere += 1;
            continue;
        }
        let row = OfferRow {
            id: previous.map(|p| p.id).unwrap_or_else(Uuid::now_v7),
            model_id,
            region_code: key.1.clone(),
            deployment_type: key.2.clone(),
            processing_scope: record.processing_scope.as_str().to_owned(),
            operator_name: key.3.clone(),
            operator_country: record
                .operator_country
                .clone()
                .or_else(|| previous.and_then(|p| p.operator_country.clone())),
            status: record.status.as_str().to_owned(),
            source_key: record.source_key.clone(),
            source: source.to_owned(),
        };
        let wanted_prices: BTreeSet<PriceKey> = record.prices.iter().map(price_key).collect();
        let prices_changed = current_prices.get(&row.id).cloned().unwrap_or_default() != wanted_prices;
        if prices_changed {
            if previous.is_some() {
                repriced.push(row.id);
                repriced_models.insert((model_id, record.model_slug.clone()));
                outcome.price_changes += 1;
            }
            new_prices.extend(record.prices.iter().map(|price| NewPrice {
                id: Uuid::now_v7(),
                offer_id: row.id,
                dimension: price.dimension.as_str(),
                unit: price.unit.as_str(),
                amount: stored_amount(price.amount),
                currency: &price.currency,
                tier_min_context_tokens: price.tier_min_context_tokens,
            }));
        }
        match previous {
            None => inserts.push(row),
            Some(old) if *old == row && !prices_changed => outcome.offers.unchanged += 1,
            Some(old) if *old == row => outcome.offers.updated += 1,
            Some(_) => updates.push(row),
        }
    }
    outcome.offers.created += inserts.len() as u64;
    outcome.offers.updated += updates.len() as u64;

    const OFFER_RECORDSET: &str = "r(id uuid, model_id uuid, region_code text, deployment_type text,
        processing_scope text, operator_name text, operator_country text, status text, source_key text,
        source text)";
    if !inserts.is_empty() {
        sqlx::query(&format!(
            "INSERT INTO offers (id, model_id, region_code, deployment_type, processing_scope, operator_name,
                                 operator_country, status, source_key, source)
             SELECT id, model_id, region_code, deployment_type, processing_scope, operator_name, operator_country,
                    status, source_key, source
             FROM jsonb_to_recordset($1) AS {OFFER_RECORDSET}"
        ))
        .bind(Json(&inserts))
        .execute(&mut *conn)
        .await?;
    }
    if !updates.is_empty() {
        sqlx::query(&format!(
            "UPDATE offers o SET processing_scope = r.processing_scope, operator_country = r.operator_country,
                    status = r.status, source_key = r.source_key, row_version = o.row_version + 1, updated_at = now()
             FROM jsonb_to_recordset($1) AS {OFFER_RECORDSET} WHERE o.id = r.id"
        ))
        .bind(Json(&updates))
        .execute(&mut *conn)
        .await?;
    }
    if !repriced.is_empty() {
        // Close the current period; the new one below starts at the same
        // instant, so history has no gap and no overlap.
        sqlx::query(
            "UPDATE offer_prices SET effective_to = $2
             WHERE offer_id = ANY($1) AND effective_from <= $2 AND (effective_to IS NULL OR effective_to > $2)",
        )
        .bind(&repriced)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE offers SET row_version = row_version + 1, updated_at = now() WHERE id = ANY($1)")
            .bind(&repriced)
            .execute(&mut *conn)
            .await?;
    }
    if !new_prices.is_empty() {
        sqlx::query(
            "INSERT INTO offer_prices (id, offer_id, dimension, unit, amount, currency, tier_min_context_tokens,
                                       effective_from)
             SELECT id, offer_id, dimension, unit, amount, currency, tier_min_context_tokens, $2
             FROM jsonb_to_recordset($1) AS r(id uuid, offer_id uuid, dimension text, unit text, amount numeric,
                                             currency text, tier_min_context_tokens int)",
        )
        .bind(Json(&new_prices))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    // Tenants hear of a price change once per listing, whatever the number of offers.
    for (model_id, slug) in repriced_models {
        super::outbox::append(
            conn,
            None,
            "price.changed",
            serde_json::json!({ "model_id": model_id, "slug": slug, "effective_from": now }),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_noise_is_rounded_to_the_stored_scale() {
        let noisy: Decimal = "0.20000000000000002".parse().unwrap();
        assert_eq!(stored_amount(noisy), "0.2".parse::<Decimal>().unwrap());
        let exact: Decimal = "0.000000123456".parse().unwrap();
        assert_eq!(stored_amount(exact), exact);
    }
}
