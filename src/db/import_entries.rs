//! The feed entries each import source last sent that became offers, kept
//! as the feed spelled them. A partial import merges its entries into these
//! and maps the union, so a listing's merged fields are derived from every
//! host the source knows, not from the few in the partial feed.

use std::collections::BTreeMap;

use sqlx::PgConnection;

/// A source's entries by feed key, each the entry's JSON text.
pub type StoredEntries = BTreeMap<String, String>;

pub async fn load(conn: &mut PgConnection, source: &str) -> Result<StoredEntries, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, entry FROM import_entries WHERE source = $1")
        .bind(source)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Writes `wanted` over `stored`: entries that differ are upserted and, when
/// `replace_all`, stored entries `wanted` lacks are deleted. Equal entries
/// are not written, so importing the same feed again writes nothing.
pub async fn save(
    conn: &mut PgConnection,
    source: &str,
    stored: &StoredEntries,
    wanted: &StoredEntries,
    replace_all: bool,
) -> Result<(), sqlx::Error> {
    let (keys, entries): (Vec<&str>, Vec<&str>) = wanted
        .iter()
        .filter(|(key, entry)| stored.get(*key) != Some(*entry))
        .map(|(key, entry)| (key.as_str(), entry.as_str()))
        .unzip();
    if !keys.is_empty() {
        sqlx::query(
            "INSERT INTO import_entries (source, key, entry)
             SELECT $1, key, entry FROM unnest($2::text[], $3::text[]) AS e(key, entry)
             ON CONFLICT (source, key) DO UPDATE SET entry = excluded.entry, updated_at = now()",
        )
        .bind(source)
        .bind(&keys)
        .bind(&entries)
        .execute(&mut *conn)
        .await?;
    }
    if replace_all {
        let gone: Vec<&str> = stored
            .keys()
            .filter(|key| !wanted.contains_key(*key))
            .map(String::as_str)
            .collect();
        if !gone.is_empty() {
            sqlx::query("DELETE FROM import_entries WHERE source = $1 AND key = ANY($2)")
                .bind(source)
                .bind(&gone)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
