//! Full-text search over listings: an inverted index from lower-case tokens
//! to (listing, weight), where the weight says which field the token came
//! from. A query matches a listing when every query term is a prefix of one
//! of its tokens; the score adds the best field weight per term, doubled for
//! a whole-token match, so `deepseek` ranks DeepSeek's own listings (name,
//! slug and publisher all match) above a fine-tune that mentions it once.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use super::snapshot::Listing;

/// Field weights: where a term is found matters more than how often.
const NAME: u16 = 12;
const SLUG: u16 = 10;
const PUBLISHER: u16 = 8;
const FAMILY: u16 = 6;
const TAG: u16 = 4;
const DESCRIPTION: u16 = 1;
/// A listing whose name starts with the first query term ranks higher still.
const NAME_PREFIX_BONUS: u32 = 20;
/// At most this many query terms are considered.
pub const MAX_TERMS: usize = 8;

#[derive(Debug, Default)]
pub struct SearchIndex {
    /// token → postings (listing index, best weight of that token in it).
    postings: BTreeMap<String, Vec<(u32, u16)>>,
}

/// Splits text into lower-case alphanumeric tokens; `DeepSeek-R1` gives
/// `deepseek`, `r1` and, for compound names, the joined `deepseekr1` too.
pub fn tokenize(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut tokens: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .flat_map(|word| {
            let parts: Vec<&str> = word.split('.').filter(|p| !p.is_empty()).collect();
            let mut out: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
            // Keep versions such as `3.5` whole as well as split.
            if parts.len() > 1 {
                out.push(word.trim_matches('.').to_owned());
            }
            out
        })
        .filter(|token| !token.is_empty())
        .collect();
    let words: Vec<&str> = lower.split(|c: char| c.is_whitespace() || c == '/').collect();
    for word in words {
        let joined: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
        if !joined.is_empty() && !tokens.contains(&joined) {
            tokens.push(joined);
        }
    }
    tokens
}

/// Whether `text` starts with `prefix` (lower-case) once lower-cased,
/// without allocating the lower-cased copy.
fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    let mut lowered = text.chars().flat_map(char::to_lowercase);
    prefix.chars().all(|expected| lowered.next() == Some(expected))
}

impl SearchIndex {
    pub fn build(listings: &[Listing]) -> Self {
        let mut postings: BTreeMap<String, Vec<(u32, u16)>> = BTreeMap::new();
        for (index, listing) in listings.iter().enumerate() {
            let mut best: HashMap<String, u16> = HashMap::new();
            let mut add = |text: &str, weight: u16| {
                for token in tokenize(text) {
                    let entry = best.entry(token).or_insert(0);
                    *entry = (*entry).max(weight);
                }
            };
            add(&listing.name, NAME);
            add(&listing.slug, SLUG);
            for alias in &listing.aliases {
                add(alias, SLUG);
            }
            add(&listing.publisher.slug, PUBLISHER);
            add(&listing.publisher.name, PUBLISHER);
            if let Some(family) = &listing.family {
                add(family, FAMILY);
            }
            for tag in &listing.tags {
                add(tag, TAG);
            }
            add(&listing.description, DESCRIPTION);
            for (token, weight) in best {
                postings.entry(token).or_default().push((index as u32, weight));
            }
        }
        SearchIndex { postings }
    }

    /// Scores of the listings matching every term of `query`, by listing
    /// index. An empty query matches nothing.
    ///
    /// Scores accumulate in arrays indexed by listing rather than in hash
    /// maps: a prefix such as `deep` can touch tens of thousands of postings
    /// at 100,000 listings, and an array update is a fraction of a hash.
    pub fn search(&self, query: &str, listings: &[Listing]) -> HashMap<u32, u32> {
        let terms: Vec<String> = tokenize(query).into_iter().take(MAX_TERMS).collect();
        let Some(first) = terms.first() else {
            return HashMap::new();
        };
        let mut total = vec![0u32; listings.len()];
        let mut terms_matched = vec![0u8; listings.len()];
        // The best score of the current term per listing, and which
        // listings it touched, so resetting costs what the term touched.
        let mut best = vec![0u32; listings.len()];
        let mut touched: Vec<u32> = Vec::new();
        for (number, term) in terms.iter().enumerate() {
            for (token, postings) in self
                .postings
                .range::<str, _>((Bound::Included(term.as_str()), Bound::Unbounded))
            {
                if !token.starts_with(term.as_str()) {
                    break;
                }
                let multiplier = if token == term { 2 } else { 1 };
                for &(listing, weight) in postings {
                    // Only listings that matched every earlier term can match.
                    if usize::from(terms_matched[listing as usize]) != number {
                        continue;
                    }
                    let slot = &mut best[listing as usize];
                    if *slot == 0 {
                        touched.push(listing);
                    }
                    *slot = (*slot).max(u32::from(weight) * multiplier);
                }
            }
            for &listing in &touched {
                total[listing as usize] += best[listing as usize];
                terms_matched[listing as usize] += 1;
                best[listing as usize] = 0;
            }
            if number + 1 < terms.len() {
                touched.clear();
            }
        }
        // The listings touched by the last term matched every term.
        touched
            .into_iter()
            .map(|listing| {
                let mut score = total[listing as usize];
                if starts_with_ignoring_case(&listings[listing as usize].name, first) {
                    score += NAME_PREFIX_BONUS;
                }
                (listing, score)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compound_names_yield_parts_and_the_joined_word() {
        let tokens = tokenize("DeepSeek-R1 Distill");
        for expected in ["deepseek", "r1", "distill", "deepseekr1"] {
            assert!(tokens.contains(&expected.to_string()), "{expected} in {tokens:?}");
        }
    }

    #[test]
    fn versions_stay_whole_as_well_as_split() {
        let tokens = tokenize("claude-3.5-sonnet");
        assert!(tokens.contains(&"3.5".to_string()));
        assert!(tokens.contains(&"3".to_string()));
        assert!(tokens.contains(&"sonnet".to_string()));
    }
}
