//! What discovery keeps between requests, each part for the catalog content
//! it was computed on (`ContentCache`): a hold placed or lifted, or a
//! tenant's policy edited, swaps in a snapshot of the same content under
//! other rules, and leaves all of it in place. Within one memory budget:
//! - whole pages by (rules, query), from their second request on
//!   (`SecondRequest`): the same page asked again under the same rules is
//!   served as it was. The rules are the fingerprint of the asker's policy
//!   and of the holds that apply to it (staff: none), the same one its ETag
//!   names: what a page depends on besides the content and the query. A
//!   hold changes the fingerprint of the tenants it applies to, whose pages
//!   are then composed afresh, and no one else's;
//! - each listing's JSON: a page no one asked for before is mostly listings
//!   served before, and serialising them is most of a page's cost. The
//!   tenant's `availability` is never kept with them: it is decided for the
//!   page and written after the listing's fields;
//! - facet counts by match set: the next page of a query, or the same
//!   filters sorted another way, match the same listings;
//! - search rankings by search text: what a text finds, and in which
//!   order, whatever the filters and page.

use std::sync::Arc;

use actix_web::web::Bytes;
use serde::Serialize;
use uuid::Uuid;

use super::content_cache::{ContentCache, IdHash};
use super::models::Model;
use super::second_request::SecondRequest;
use crate::catalog::bitset::Bitset;
use crate::catalog::query::{DiscoveryPage, FacetCount, Facets, Ranking};
use crate::catalog::Snapshot;
use crate::domain::decision::Decision;
use crate::metrics::DiscoveryCacheLookups;

/// Pages, listings, facets and rankings together stay within 64 MiB.
const PAGE_BUDGET: usize = 52 << 20;
const LISTING_BUDGET: usize = 6 << 20;
const FACET_BUDGET: usize = 2 << 20;
const RANKING_BUDGET: usize = 4 << 20;
/// What a kept value costs besides its bytes: its `Bytes` handle and
/// allocation header, its key and its share of the table.
const ENTRY_OVERHEAD: usize = 96;

/// A match set as the facets' key, its hash taken once: a lookup, the
/// insertion after a miss and each growth of the table would otherwise each
/// read the whole set again (12.5 KB at 100,000 listings).
#[derive(Clone, PartialEq, Eq)]
struct MatchSet {
    fingerprint: u64,
    /// Shared, so the cache's note of its keys' order holds no copy.
    set: Arc<Bitset>,
}

impl std::hash::Hash for MatchSet {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.fingerprint);
    }
}

pub struct DiscoveryCache {
    pages: ContentCache<String, Bytes>,
    /// Which pages `pages` keeps.
    admission: SecondRequest,
    listings: ContentCache<Uuid, Bytes, IdHash>,
    facets: ContentCache<MatchSet, Bytes>,
    rankings: ContentCache<String, Arc<Ranking>>,
}

impl Default for DiscoveryCache {
    fn default() -> Self {
        DiscoveryCache {
            pages: ContentCache::with_budget(PAGE_BUDGET),
            admission: SecondRequest::default(),
            listings: ContentCache::with_budget(LISTING_BUDGET),
            facets: ContentCache::with_budget(FACET_BUDGET),
            rankings: ContentCache::with_budget(RANKING_BUDGET),
        }
    }
}

impl DiscoveryCache {
    /// The body of a page served before under `key` on `snapshot`'s content
    /// (the key names the rules it was composed under).
    pub fn page(&self, snapshot: &Arc<Snapshot>, key: &str) -> Option<Bytes> {
        self.pages.get(snapshot, key)
    }

    /// What the search text `q` finds on `snapshot`, in relevance order.
    pub fn ranking(&self, snapshot: &Arc<Snapshot>, q: &str) -> Arc<Ranking> {
        if let Some(ranking) = self.rankings.get(snapshot, q) {
            return ranking;
        }
        let ranking = Arc::new(Ranking::of(&snapshot.content, q));
        let bytes = q.len() + ranking.heap_bytes() + ENTRY_OVERHEAD;
        self.rankings
            .remember(snapshot, [(q.to_owned(), ranking.clone(), bytes)]);
        ranking
    }

    /// Serialises `page` (a `ModelPage`) from the listings' and facets' kept
    /// JSON where there is some, keeping what it computes, and the page
    /// itself under `key` once it is asked for a second time.
    pub fn compose(
        &self,
        snapshot: &Arc<Snapshot>,
        key: String,
        page: DiscoveryPage<'_>,
    ) -> Result<Bytes, serde_json::Error> {
        let mut fresh = Vec::new();
        // A page of 50 listings is tens of kilobytes: one buffer of about
        // that size instead of growing (and copying) from a few bytes.
        let mut body = Vec::with_capacity(16 * 1024 + 1536 * page.items.len());
        // The fields in `ModelPage`'s order, as serde would write them.
        body.extend_from_slice(b"{\"items\":[");
        // Kept listings are copied into the page where they are kept, under
        // the cache's read lock; a listing not kept stops the copy, and is
        // serialised after the lock is let go (a writer waiting for it would
        // hold up every other reader meanwhile), then the copy goes on.
        let mut next = 0;
        while next < page.items.len() {
            let copied = self.listings.visit_each(
                snapshot,
                page.items[next..].iter().map(|(listing, _)| &listing.id),
                |kept| {
                    let json = kept.ok_or(None)?;
                    write_item(&mut body, next, json, page.items[next].1.as_ref()).map_err(Some)?;
                    next += 1;
                    Ok(())
                },
            );
            match copied {
                Ok(()) => {}
                Err(Some(error)) => return Err(error),
                Err(None) => {
                    let (listing, decision) = &page.items[next];
                    let json = Bytes::from(serde_json::to_vec(&Model::view(listing, None))?);
                    write_item(&mut body, next, &json, decision.as_ref())?;
                    let bytes = json.len() + ENTRY_OVERHEAD;
                    fresh.push((listing.id, json, bytes));
                    next += 1;
                }
            }
        }
        self.listings.remember(snapshot, fresh);
        body.extend_from_slice(b"],\"next_cursor\":");
        serde_json::to_writer(&mut body, &page.next_cursor)?;
        body.extend_from_slice(b",\"total\":");
        serde_json::to_writer(&mut body, &page.total)?;
        body.extend_from_slice(b",\"facets\":");
        body.extend_from_slice(&self.facets_of(snapshot, page.matches, page.total)?);
        body.push(b'}');
        if !self.admission.admits(&key) {
            return Ok(Bytes::from(body));
        }
        // Kept, the page would hold its whole first guess at a size (a
        // third more than most pages need): the bytes it counts against the
        // budget would not be the bytes it holds. Giving the rest back
        // shrinks the allocation where it is, without a copy.
        body.shrink_to_fit();
        let body = Bytes::from(body);
        let bytes = key.len() + body.len() + ENTRY_OVERHEAD;
        self.pages.remember(snapshot, [(key, body.clone(), bytes)]);
        Ok(body)
    }

    /// The facets' JSON for `matches`, which hold `total` listings.
    fn facets_of(&self, snapshot: &Arc<Snapshot>, matches: Bitset, total: usize) -> Result<Bytes, serde_json::Error> {
        let matches = MatchSet {
            fingerprint: matches.fingerprint(),
            set: Arc::new(matches),
        };
        if let Some(json) = self.facets.get(snapshot, &matches) {
            return Ok(json);
        }
        let facets = snapshot.content.facets(&matches.set, total);
        // About 6 KB at 100,000 listings: grown from 4 KB, it was copied.
        let mut json = Vec::with_capacity(8192);
        write_facets(&mut json, &facets)?;
        let json = Bytes::from(json);
        let bytes = matches.set.heap_bytes() + json.len() + ENTRY_OVERHEAD;
        self.facets.remember(snapshot, [(matches, json.clone(), bytes)]);
        Ok(json)
    }

    /// Each part's lookups since start, for `/metrics`.
    pub fn lookups(&self) -> DiscoveryCacheLookups {
        DiscoveryCacheLookups {
            pages: self.pages.lookups(),
            listings: self.listings.lookups(),
            facets: self.facets.lookups(),
            rankings: self.rankings.lookups(),
        }
    }
}

/// Writes `facets` byte for byte as serde writes them as `DiscoveryFacets`,
/// without building that (a hundred or more values, each a string) first.
fn write_facets(body: &mut Vec<u8>, facets: &Facets<'_>) -> Result<(), serde_json::Error> {
    // `DiscoveryFacets`' fields, in its order.
    let named: [(&str, &[FacetCount<'_>]); 11] = [
        ("publisher", &facets.publisher),
        ("task", &facets.task),
        ("license", &facets.license),
        ("origin_country", &facets.origin_country),
        ("region", &facets.region),
        ("capability", &facets.capability),
        ("input_modality", &facets.input_modality),
        ("output_modality", &facets.output_modality),
        ("deployment_type", &facets.deployment_type),
        ("lifecycle", &facets.lifecycle),
        ("input_price_band", &facets.input_price_band),
    ];
    body.push(b'{');
    for (n, (name, counts)) in named.into_iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.push(b'"');
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(b"\":[");
        for (n, count) in counts.iter().enumerate() {
            if n > 0 {
                body.push(b',');
            }
            body.extend_from_slice(b"{\"value\":");
            write_str(body, count.value)?;
            body.extend_from_slice(b",\"count\":");
            serde_json::to_writer(&mut *body, &count.count)?;
            body.push(b'}');
        }
        body.push(b']');
    }
    body.push(b'}');
    Ok(())
}

/// Writes `text` as a JSON string, as serde does: a facet value or a field
/// name almost never holds what serde escapes (a quote, a backslash, a
/// control character), and is then copied between its quotes without the
/// escaping pass (a few hundred strings a page).
fn write_str(body: &mut Vec<u8>, text: &str) -> Result<(), serde_json::Error> {
    let plain = text.bytes().all(|byte| byte >= 0x20 && byte != b'"' && byte != b'\\');
    if !plain {
        return serde_json::to_writer(body, text);
    }
    body.reserve(text.len() + 2);
    body.push(b'"');
    body.extend_from_slice(text.as_bytes());
    body.push(b'"');
    Ok(())
}

/// Writes the `n`th item of a page's `items` (a comma before all but the
/// first).
fn write_item(
    body: &mut Vec<u8>,
    n: usize,
    listing: &[u8],
    decision: Option<&Decision>,
) -> Result<(), serde_json::Error> {
    if n > 0 {
        body.push(b',');
    }
    write_model(body, listing, decision)
}

/// Writes a `Model` from its listing's JSON (serialised without
/// `availability`) and the asker's decision, byte for byte as serde would
/// write `Model::view(listing, decision)`: `availability` is `Model`'s last
/// field, so it goes where the listing's object closes.
fn write_model(body: &mut Vec<u8>, listing: &[u8], decision: Option<&Decision>) -> Result<(), serde_json::Error> {
    match decision {
        None => body.extend_from_slice(listing),
        // A tenant's page is mostly (by default only) listings it may
        // enable, each told the same: that field is serialised once.
        Some(decision) if *decision == Decision::enableable() => {
            static ENABLEABLE: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
                let mut field = Vec::new();
                write_field(&mut field, "availability", &Decision::enableable()).expect("a decision serialises");
                field
            });
            write_with_last_field_as(body, listing, |body| {
                body.extend_from_slice(&ENABLEABLE);
                Ok(())
            })?
        }
        Some(decision) => write_with_last_field(body, listing, "availability", decision)?,
    }
    Ok(())
}

fn write_with_last_field(
    body: &mut Vec<u8>,
    object: &[u8],
    name: &str,
    value: &impl Serialize,
) -> Result<(), serde_json::Error> {
    write_with_last_field_as(body, object, |body| write_field(body, name, value))
}

/// Writes `"name":value`.
fn write_field(body: &mut Vec<u8>, name: &str, value: &impl Serialize) -> Result<(), serde_json::Error> {
    write_str(body, name)?;
    body.push(b':');
    serde_json::to_writer(body, value)
}

/// Writes `object` with one more field, which `write_field` writes.
fn write_with_last_field_as(
    body: &mut Vec<u8>,
    object: &[u8],
    write_field: impl FnOnce(&mut Vec<u8>) -> Result<(), serde_json::Error>,
) -> Result<(), serde_json::Error> {
    let (&closing, fields) = object.split_last().expect("a serialised object");
    debug_assert_eq!(closing, b'}');
    body.extend_from_slice(fields);
    if fields.len() > 1 {
        body.push(b',');
    }
    write_field(body)?;
    body.push(b'}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Shaped {
        name: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        last: Option<Vec<&'static str>>,
    }

    #[derive(Serialize)]
    struct OnlyOptional {
        #[serde(skip_serializing_if = "Option::is_none")]
        last: Option<u8>,
    }

    #[test]
    fn facets_written_directly_are_the_bytes_serde_writes_for_them() {
        let count = |value, count| FacetCount { value, count };
        let facets = Facets {
            publisher: vec![count("deepseek", 12), count("a \"quoted\" \\ name", 3)],
            region: vec![
                count("eu-west-1", 7),
                count("zürich-1", 1),
                count("tab\there", 1),
                count("bell\u{7}", 1),
                count("del\u{7f}", 1),
                count("", 1),
                count("slash/ and ~", 1),
            ],
            input_price_band: vec![count("over_20", u64::MAX)],
            ..Facets::default()
        };
        for facets in [facets, Facets::default()] {
            let mut written = Vec::new();
            write_facets(&mut written, &facets).unwrap();
            let by_serde = serde_json::to_vec(&super::super::models::DiscoveryFacets::from(facets)).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(by_serde).unwrap()
            );
        }
    }

    #[test]
    fn a_last_field_written_after_the_object_is_the_bytes_serde_writes_with_it() {
        let without = serde_json::to_vec(&Shaped {
            name: "a \"quoted\" } name",
            last: None,
        })
        .unwrap();
        let mut spliced = Vec::new();
        write_with_last_field(&mut spliced, &without, "last", &["x", "y"]).unwrap();
        let whole = Shaped {
            name: "a \"quoted\" } name",
            last: Some(vec!["x", "y"]),
        };
        assert_eq!(spliced, serde_json::to_vec(&whole).unwrap());

        let mut spliced = Vec::new();
        write_with_last_field(&mut spliced, b"{}", "last", &7u8).unwrap();
        assert_eq!(spliced, serde_json::to_vec(&OnlyOptional { last: Some(7) }).unwrap());
    }
}
