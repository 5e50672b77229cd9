//! Full-text search over listings: an inverted index from lower-case tokens
//! to (listing, weight), where the weight says which field the token came
//! from. A query matches a listing when every query term is a prefix of one
//! of its tokens; the score adds the best field weight per term, doubled for
//! a whole-token match, so `deepseek` ranks DeepSeek's own listings (name,
//! slug and publisher all match) above a fine-tune that mentions it once.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
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
    /// Each listing's name, lower-cased, its first bytes: the name-prefix
    /// bonus reads these side by side instead of each listing's own name.
    name_heads: Vec<NameHead>,
}

/// How many bytes of a name [`NameHead`] keeps.
const HEAD: usize = 16;

/// The first [`HEAD`] bytes of a name, ASCII-lower-cased and padded with
/// zeros (a term never holds a zero byte); `None` when they are not all
/// ASCII, and the name itself must be read.
type NameHead = Option<[u8; HEAD]>;

fn name_head(name: &str) -> NameHead {
    let bytes = &name.as_bytes()[..name.len().min(HEAD)];
    if !bytes.is_ascii() {
        return None;
    }
    let mut head = [0u8; HEAD];
    for (slot, byte) in head.iter_mut().zip(bytes) {
        *slot = byte.to_ascii_lowercase();
    }
    Some(head)
}

/// Whether the name `head` was kept from starts with `term`, ignoring
/// case: from the head when it answers, else from the name itself.
fn head_starts_with<'n>(head: NameHead, term: &str, name: impl FnOnce() -> &'n str) -> bool {
    match head {
        Some(head) if term.len() <= HEAD && term.is_ascii() => head.starts_with(term.as_bytes()),
        _ => starts_with_ignoring_case(name(), term),
    }
}

/// Relevance scores by listing position.
pub type Scores = HashMap<u32, u32, BuildHasherDefault<PositionHasher>>;

/// Hashes a listing position with one multiplication: positions are small
/// distinct integers, and a search can score tens of thousands of them.
#[derive(Default)]
pub struct PositionHasher(u64);

impl Hasher for PositionHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u32(&mut self, position: u32) {
        self.0 = u64::from(position).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Per-listing working arrays of a search, kept per thread between
/// searches so a search neither allocates nor zeroes arrays the size of the
/// catalog: each search resets what it touched.
#[derive(Default)]
struct Scratch {
    total: Vec<u32>,
    terms_matched: Vec<u8>,
    best: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
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
/// without allocating the lower-cased copy. ASCII on both sides, the common
/// case, is a byte comparison; anything else lowers character by character.
fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    let (text_bytes, prefix_bytes) = (text.as_bytes(), prefix.as_bytes());
    if prefix.is_ascii() {
        match text_bytes.get(..prefix_bytes.len()) {
            Some(head) if head.is_ascii() => return head.eq_ignore_ascii_case(prefix_bytes),
            // Shorter in bytes than an ASCII prefix: shorter in characters, and
            // lowering (which may lengthen) an ASCII text cannot reach it.
            None if text.is_ascii() => return false,
            _ => {}
        }
    }
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
        let name_heads = listings.iter().map(|listing| name_head(&listing.name)).collect();
        SearchIndex { postings, name_heads }
    }

    /// Whether listing `position`'s name starts with `term` (lower-case),
    /// ignoring case.
    fn name_starts_with(&self, position: u32, listings: &[Listing], term: &str) -> bool {
        let head = self.name_heads.get(position as usize).copied().flatten();
        head_starts_with(head, term, || &listings[position as usize].name)
    }

    /// Scores of the listings matching every term of `query`, by listing
    /// index. An empty query matches nothing.
    ///
    /// Scores accumulate in arrays indexed by listing rather than in hash
    /// maps: a prefix such as `deep` can touch tens of thousands of postings
    /// at 100,000 listings, and an array update is a fraction of a hash.
    pub fn search(&self, query: &str, listings: &[Listing]) -> Scores {
        let terms: Vec<String> = tokenize(query).into_iter().take(MAX_TERMS).collect();
        let Some(first) = terms.first() else {
            return Scores::default();
        };
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let Scratch {
                total,
                terms_matched,
                best,
            } = &mut *scratch;
            if total.len() != listings.len() {
                *total = vec![0; listings.len()];
                *terms_matched = vec![0; listings.len()];
                *best = vec![0; listings.len()];
            }
            // Which listings the current term touched, and the first term's
            // (every listing any later term can touch): what is reset after.
            let mut touched: Vec<u32> = Vec::new();
            let mut touched_first: Vec<u32> = Vec::new();
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
                if number == 0 {
                    touched_first.clone_from(&touched);
                }
                if number + 1 < terms.len() {
                    touched.clear();
                }
            }
            // The listings touched by the last term matched every term.
            let mut scores = Scores::with_capacity_and_hasher(touched.len(), Default::default());
            for listing in touched {
                let mut score = total[listing as usize];
                if self.name_starts_with(listing, listings, first) {
                    score += NAME_PREFIX_BONUS;
                }
                scores.insert(listing, score);
            }
            for listing in touched_first {
                total[listing as usize] = 0;
                terms_matched[listing as usize] = 0;
            }
            scores
        })
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
    fn the_kept_head_of_a_name_answers_as_the_name_would() {
        for name in ["DeepSeek R1", "A very long model name indeed", "Éclair", "ab", ""] {
            for term in [
                "deepseek",
                "a very long model name",
                "a very long model",
                "éclair",
                "ab",
                "abc",
                "a",
            ] {
                assert_eq!(
                    head_starts_with(name_head(name), term, || name),
                    starts_with_ignoring_case(name, term),
                    "{name:?} {term:?}"
                );
            }
        }
    }

    #[test]
    fn a_name_prefix_is_found_ignoring_case_in_ascii_and_beyond() {
        for (text, prefix, expected) in [
            ("DeepSeek R1", "deepseek", true),
            ("DeepSeek R1", "deepseek r1", true),
            ("Deep", "deepseek", false),
            ("Llama", "deepseek", false),
            ("ÉCLAIR-1", "éclair", true),
            ("Ünïcode", "ün", true),
            ("DEEPSEEKİ", "deepseeki", true),
            ("İstanbul", "i", true),
            ("Zeta", "zé", false),
        ] {
            assert_eq!(starts_with_ignoring_case(text, prefix), expected, "{text:?} {prefix:?}");
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
