//! Reading the catalog a snapshot is built from: on two connections in one
//! exported snapshot where the pool has them, on one otherwise, and never
//! cut short by the statement timeout meant for requests.

use std::time::{Duration, Instant};

use modelmart::config::DatabaseSettings;
use modelmart::db::catalog_read::{self, CatalogRows};
use sqlx::{Connection, PgConnection, PgPool};

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
async fn a_pool_of_one_connection_reads_the_same_catalog_as_a_pool_that_reads_on_two() {
    let database = demo_database().await;

    let two = pool(&database, 4, Duration::from_secs(10)).await;
    let one = pool(&database, 1, Duration::from_secs(10)).await;
    let side_by_side = catalog_read::load(&two).await.expect("read on two connections");
    let alone = catalog_read::load(&one).await.expect("read on one connection");

    assert!(!side_by_side.offers.is_empty() && !side_by_side.prices.is_empty());
    assert_eq!(summary(&side_by_side), summary(&alone));
    let offer_ids = |rows: &CatalogRows| {
        let mut ids: Vec<_> = rows.offers.iter().map(|o| o.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(offer_ids(&side_by_side), offer_ids(&alone));
}

#[tokio::test]
async fn a_catalog_read_slower_than_the_request_statement_timeout_still_completes() {
    let database = demo_database().await;
    // Requests get 200 ms per statement. The prices are locked away for
    // longer than that, so the read's statement on them waits past it.
    let pool = pool(&database, 4, Duration::from_millis(200)).await;
    let mut blocker = PgConnection::connect(&database).await.expect("connect");
    sqlx::query("BEGIN").execute(&mut blocker).await.expect("begin");
    sqlx::query("LOCK TABLE offer_prices IN ACCESS EXCLUSIVE MODE")
        .execute(&mut blocker)
        .await
        .expect("lock");
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
