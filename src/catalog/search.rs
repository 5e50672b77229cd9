//! Full-text search over listings: an inverted index from lower-case tokens
//! to (listing, weight), where the weight says which field the token came
//! from. A query matches a listing when every query term is a prefix of one
//! of its tokens; the score adds the best field weight per term, doubled for
//! a whole-token match, so `deepseek` ranks DeepSeek's own listings (name,
//! slug and publisher all match) above a fine-tune that mentions it once.

use std::collections::{BTreeMap, HashMap};

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
    pub fn search(&self, query: &str, listings: &[Listing]) -> HashMap<u32, u32> {
        let terms: Vec<String> = tokenize(query).into_iter().take(MAX_TERMS).collect();
        let mut scores: Option<HashMap<u32, u32>> = None;
        for term in &terms {
            let mut term_scores: HashMap<u32, u32> = HashMap::new();
            for (token, postings) in self.postings.range(term.clone()..) {
                if !token.starts_with(term.as_str()) {
                    break;
                }
                let exact = token == term;
                for &(listing, weight) in postings {
                    let score = u32::from(weight) * if exact { 2 } else { 1 };
                    let entry = term_scores.entry(listing).or_insert(0);
                    *entry = (*entry).max(score);
                }
            }
            scores = Some(match scores {
                None => term_scores,
                Some(previous) => previous
                    .into_iter()
                    .filter_map(|(listing, score)| term_scores.get(&listing).map(|s| (listing, score + s)))
                    .collect(),
            });
        }
        let mut scores = scores.unwrap_or_default();
        if let Some(first) = terms.first() {
            for (listing, score) in scores.iter_mut() {
                if listings[*listing as usize]
                    .name
                    .to_lowercase()
                    .starts_with(first.as_str())
                {
                    *score += NAME_PREFIX_BONUS;
                }
            }
        }
        scores
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
