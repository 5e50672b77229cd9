//! Reading the catalog a snapshot is built from: on up to three connections
//! in one exported snapshot where the pool has them, on one otherwise, and never
//! cut short by the statement timeout meant for requests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use modelmart::catalog::snapshot::{CatalogContent, Reuse};
use modelmart::catalog::Snapshot;
use modelmart::config::DatabaseSettings;
use modelmart::db::catalog_read::{self, CatalogRows};
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use crate::helpers::{fresh_database, TestDatabase};

/// The server's pool on `database`, with these limits.
async fn pool(database: &str, max_connections: u32, statement_timeout: Duration) -> PgPool {
    let settings = DatabaseSettings {
        max_connections,
        acquire_timeout: Duration::from_secs(5),
        statement_timeout,
        lock_timeout: Duration::from_secs(30),
    };
    modelmart::db::connect(database, &settings).await.expect("pool")
}

/// What a read found, in a form two reads can be compared by.
fn summary(rows: &CatalogRows) -> (i64, usize, usize, usize, usize) {
    (
        rows.version,
        rows.publishers.len(),
        rows.models.len(),
        rows.offers.len(),
        rows.prices.len(),
    )
}

async fn demo_database() -> TestDatabase {
    let database = fresh_database().await;
    let seeding = PgPool::connect(&database).await.expect("connect");
    modelmart::seed::seed_demo(&seeding)
        .await
        .expect("seed the demo catalog");
    seeding.close().await;
    database
}

#[tokio::test]
async fn pools_of_one_two_and_more_connections_read_the_same_catalog() {
    let database = demo_database().await;

    // One connection reads everything in turn; two read the models beside
    // the offers and prices; three or more read all three side by side.
    let mut reads = Vec::new();
    for connections in [1, 2, 4] {
        let pool = pool(&database, connections, Duration::from_secs(10)).await;
        let rows = catalog_read::load(&pool).await.expect("read the catalog");
        reads.push((connections, rows));
        pool.close().await;
    }

    let (_, alone) = &reads[0];
    assert!(!alone.offers.is_empty() && !alone.prices.is_empty());
    for (connections, rows) in &reads[1..] {
        assert_eq!(summary(rows), summary(alone), "read on {connections} connections");
        assert_eq!(offers(rows), offers(alone), "read on {connections} connections");
        assert_eq!(prices(rows), prices(alone), "read on {connections} connections");
    }
}

#[tokio::test]
async fn a_read_on_several_connections_sees_one_snapshot_though_a_change_commits_as_it_starts() {
    let database = demo_database().await;

    for connections in [2, 4] {
        let pool = pool(&database, connections, Duration::from_secs(10)).await;
        let before = catalog_read::load(&pool).await.expect("read before the change");
        // The read's first statement takes its snapshot, then waits for
        // this lock; the change commits while it waits, and so before the
        // read's other connections begin. They must read the first
        // connection's snapshot, not the state they begin in.
        let mut blocker = holding_lock(&database, "catalog_state").await;
        let reading = tokio::spawn({
            let pool = pool.clone();
            async move { catalog_read::load(&pool).await }
        });
        let mut observer = PgConnection::connect(&database).await.expect("connect");
        let waits_for_the_lock =
            "SELECT count(*) FROM pg_locks WHERE relation = 'catalog_state'::regclass AND NOT granted";
        while sqlx::query_scalar::<_, i64>(waits_for_the_lock)
            .fetch_one(&mut observer)
            .await
            .expect("locks")
            == 0
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        sqlx::query("UPDATE offer_prices SET amount = amount + 1")
            .execute(&mut blocker)
            .await
            .expect("change the prices");
        sqlx::query(
            "UPDATE offers SET status = 'withdrawn'
             WHERE id = (SELECT id FROM offers WHERE status <> 'withdrawn' ORDER BY id LIMIT 1)",
        )
        .execute(&mut blocker)
        .await
        .expect("withdraw an offer");
        sqlx::query("COMMIT").execute(&mut blocker).await.expect("commit");

        let during = reading.await.unwrap().expect("the read completes");
        let after = catalog_read::load(&pool).await.expect("read after the change");
        let on = format!("read on {connections} connections");
        assert_eq!(summary(&during), summary(&before), "{on}");
        assert_eq!(offers(&during), offers(&before), "{on}");
        assert_eq!(prices(&during), prices(&before), "{on}");
        // The change is there for a read that begins after it.
        assert_eq!(after.offers.len(), before.offers.len() - 1, "{on}");
        assert_ne!(prices(&after), prices(&before), "{on}");
        pool.close().await;
    }
}

/// The column a read of the demo catalog refuses to decode once
/// `statements` have run on it (one after the other, each committed on its
/// own), and why; a read that goes on fails the test.
async fn column_the_read_refuses(statements: &[&str]) -> (String, sqlx::error::BoxDynError) {
    let database = demo_database().await;
    let mut admin = PgConnection::connect(&database).await.expect("connect");
    for statement in statements {
        sqlx::query(statement)
            .execute(&mut admin)
            .await
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
    let pool = pool(&database, 4, Duration::from_secs(10)).await;
    match catalog_read::load(&pool).await {
        Err(sqlx::Error::ColumnDecode { index, source }) => (index, source),
        refused => panic!("the read went on: {:?}", refused.map(|rows| summary(&rows))),
    }
}

/// A connection in a transaction that holds `table` locked against every
/// other transaction, readers included, until it ends.
async fn holding_lock(database: &str, table: &str) -> PgConnection {
    let mut blocker = PgConnection::connect(database).await.expect("connect");
    sqlx::query("BEGIN").execute(&mut blocker).await.expect("begin");
    sqlx::query(&format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        .execute(&mut blocker)
        .await
        .expect("lock");
    blocker
}

/// Every offer as read, in an order that does not depend on the order the
/// rows arrived in.
fn offers(rows: &CatalogRows) -> Vec<String> {
    sorted(rows.offers.iter().map(|offer| format!("{offer:?}")))
}

/// Every price period as read, in the same way.
fn prices(rows: &CatalogRows) -> Vec<String> {
    sorted(rows.prices.iter().map(|price| format!("{price:?}")))
}

fn sorted(rows: impl Iterator<Item = String>) -> Vec<String> {
    let mut rows: Vec<String> = rows.collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn a_catalog_read_slower_than_the_request_statement_timeout_still_completes() {
    let database = demo_database().await;
    // Requests get 200 ms per statement. The prices are locked away for
    // longer than that, so the read's statement on them waits past it.
    let pool = pool(&database, 4, Duration::from_millis(200)).await;
    let mut blocker = holding_lock(&database, "offer_prices").await;
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        sqlx::query("COMMIT").execute(&mut blocker).await.expect("commit");
    });

    let started = Instant::now();
    let rows = catalog_read::load(&pool)
        .await
        .expect("the read outlasts the request timeout");
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "the read waited for the lock"
    );
    assert!(!rows.prices.is_empty());
    release.await.unwrap();
}

/// A reload keeps each listing it finds as the content in force holds it
/// (the same listing, shared), and serves exactly what a build from scratch
/// serves: also where an edit elsewhere changes a listing whose own row did
/// not change (its base model's slug, its publisher's name, an offer, an
/// alias).
#[tokio::test]
async fn a_reload_shares_the_listings_it_finds_unchanged_and_serves_what_a_build_from_scratch_serves() {
    let database = demo_database().await;
    let pool = pool(&database, 4, Duration::from_secs(10)).await;
    let before = Snapshot::build(catalog_read::load(&pool).await.expect("load"))
        .expect("build")
        .content
        .clone();
    let scalar = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, Uuid>(sql).fetch_one(&pool).await.expect(sql) }
    };
    let derived = scalar("SELECT id FROM models WHERE base_model_id IS NOT NULL ORDER BY slug LIMIT 1").await;
    let base = scalar("SELECT base_model_id FROM models WHERE base_model_id IS NOT NULL ORDER BY slug LIMIT 1").await;
    let edited = scalar("SELECT id FROM models WHERE base_model_id IS NULL ORDER BY slug DESC LIMIT 1").await;
    let unavailable = scalar(
        "SELECT model_id FROM offers WHERE status = 'available' AND model_id IN
           (SELECT id FROM models WHERE base_model_id IS NULL) ORDER BY model_id DESC LIMIT 1",
    )
    .await;
    let publisher = scalar("SELECT publisher_id FROM models ORDER BY slug LIMIT 1").await;
    let aliased = scalar("SELECT id FROM models ORDER BY slug LIMIT 1 OFFSET 7").await;
    for (sql, id) in [
        ("UPDATE models SET slug = slug || '-renamed' WHERE id = $1", base),
        (
            "UPDATE models SET description = 'Edited while serving.' WHERE id = $1",
            edited,
        ),
        (
            "UPDATE offers SET status = 'unavailable'
             WHERE id = (SELECT id FROM offers WHERE model_id = $1 AND status = 'available' LIMIT 1)",
            unavailable,
        ),
        (
            "UPDATE publishers SET name = name || ' Renamed' WHERE id = $1",
            publisher,
        ),
        (
            "INSERT INTO model_aliases (alias, model_id, source) VALUES ('reloaded/an-alias', $1, 'test')",
            aliased,
        ),
    ] {
        sqlx::query(sql).bind(id).execute(&pool).await.expect(sql);
    }

    let mut reuse = Reuse::of(before.clone());
    let rows = catalog_read::load_with(&pool, &mut |row| reuse.take(row))
        .await
        .expect("load");
    let kept_aside = before.listings.len() - rows.models.len();
    let reloaded = Snapshot::build_reusing(rows, Some(reuse))
        .expect("build")
        .content
        .clone();
    let fresh = Snapshot::build(catalog_read::load(&pool).await.expect("load"))
        .expect("build")
        .content
        .clone();

    assert_eq!(reloaded.listings.len(), fresh.listings.len());
    for (reloaded, fresh) in reloaded.listings.iter().zip(&fresh.listings) {
        assert!(
            reloaded == fresh,
            "{} reloaded differs from {} built afresh",
            reloaded.slug,
            fresh.slug
        );
    }
    for q in ["renamed", "edited while serving", "deepseek", "llama", "an-alias"] {
        assert_eq!(reloaded.search_scores(q), fresh.search_scores(q), "scores for {q:?}");
    }
    let publisher_name = &fresh
        .publishers
        .iter()
        .find(|p| p.id == publisher)
        .expect("publisher")
        .name;
    assert!(publisher_name.ends_with(" Renamed"));

    // Shared where nothing about the listing changed; rebuilt where it did,
    // its own row unchanged or not.
    let shared = |id: Uuid| {
        let position = |content: &CatalogContent| {
            content
                .listings
                .iter()
                .position(|listing| listing.id == id)
                .expect("listed")
        };
        Arc::ptr_eq(
            &before.listings[position(&before)],
            &reloaded.listings[position(&reloaded)],
        )
    };
    for changed in [base, derived, edited, unavailable, aliased] {
        assert!(
            !shared(changed),
            "{changed} changed and is still the listing read before"
        );
    }
    let of_publisher: Vec<Uuid> = before
        .listings
        .iter()
        .filter(|listing| listing.publisher.id == publisher)
        .map(|listing| listing.id)
        .collect();
    assert!(!of_publisher.is_empty());
    assert!(of_publisher.iter().all(|&id| !shared(id)));
    let untouched: Vec<Uuid> = before
        .listings
        .iter()
        .map(|listing| listing.id)
        .filter(|id| ![base, derived, edited, unavailable, aliased].contains(id) && !of_publisher.contains(id))
        .filter(|id| {
            // Those derived from the renamed base model change with it.
            !fresh
                .find_by_id(*id)
                .is_some_and(|listing| listing.ancestors.iter().any(|a| a.model_id == base))
        })
        .collect();
    assert!(
        untouched.len() > before.listings.len() / 2,
        "{} untouched",
        untouched.len()
    );
    assert!(untouched.iter().all(|&id| shared(id)));
    // Their rows were not kept while the rest was read.
    assert!(kept_aside >= untouched.len(), "{kept_aside} rows set aside");
}

#[tokio::test]
async fn a_column_of_a_type_the_read_does_not_decode_fails_the_read_by_name_even_when_every_value_is_null() {
    // The read decodes a listing's context window as a 32-bit integer.
    // Every value null, sqlx's per-value check would never see the type.
    let (index, source) = column_the_read_refuses(&[
        "UPDATE models SET context_window = NULL",
        "ALTER TABLE models ALTER COLUMN context_window TYPE bigint",
    ])
    .await;
    assert_eq!(index, "context_window (10)");
    assert!(source.to_string().contains("INT8"), "{source}");
}

#[tokio::test]
async fn a_value_outside_a_vocabulary_fails_the_read_naming_its_column() {
    // A newer schema (or a hand edit) with a task this binary does not know.
    let (index, source) = column_the_read_refuses(&[
        "ALTER TABLE models DROP CONSTRAINT models_task_check",
        "UPDATE models SET task = 'teleportation' WHERE slug = 'deepseek/deepseek-r1'",
    ])
    .await;
    assert_eq!(index, "task (7)");
    assert_eq!(
        source.to_string(),
        "\"teleportation\" is not a value this version of modelmart knows"
    );
}

#[tokio::test]
async fn a_result_is_decoded_with_each_column_checked_once_whatever_its_values() {
    use modelmart::db::row_values::{CheckedColumns, RowValues};
    let database = fresh_database().await;
    let pool = pool(&database, 1, Duration::from_secs(10)).await;
    let rows = sqlx::query("SELECT n, t FROM (VALUES (NULL::int4, 'first'), (7, NULL::text)) AS r(n, t)")
        .fetch_all(&pool)
        .await
        .expect("rows");

    let checked = CheckedColumns::default();
    let first = RowValues::new(&rows[0], &checked);
    let second = RowValues::new(&rows[1], &checked);
    assert_eq!(first.get::<Option<i32>>(0).unwrap(), None);
    assert_eq!(first.get::<Option<&str>>(1).unwrap(), Some("first"));
    assert_eq!(second.get::<Option<i32>>(0).unwrap(), Some(7));
    assert_eq!(second.get::<Option<&str>>(1).unwrap(), None);

    // Another result: its first null is checked against the type asked for.
    let unchecked = CheckedColumns::default();
    let widened = RowValues::new(&rows[0], &unchecked).get::<Option<i64>>(0);
    let Err(sqlx::Error::ColumnDecode { index, .. }) = widened else {
        panic!("{widened:?}")
    };
    assert_eq!(index, "n (0)");
}
