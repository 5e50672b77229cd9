//! Full-text search over listings: an inverted index from lower-case tokens
//! to (listing, weight), where the weight says which field the token came
//! from. A query matches a listing when every query term is a prefix of one
//! of its tokens; the score adds the best field weight per term, doubled for
//! a whole-token match, so `deepseek` ranks DeepSeek's own listings (name,
//! slug and publisher all match) above a fine-tune that mentions it once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::snapshot::{Listing, Publisher};

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

/// The index is held flat: the distinct tokens, sorted, in one string, and
/// each token's postings as one run of two parallel arrays. A map of
/// `String` to `Vec` per token cost 64 MiB at 100,000 listings (300,000
/// tokens, each with its own allocations and spare capacity, in tree nodes);
/// this layout holds the same in about a third of that, and a prefix is
/// found by binary search over the sorted tokens.
#[derive(Debug, Default, PartialEq)]
pub struct SearchIndex {
    /// Every distinct token, concatenated in sorted order.
    token_text: String,
    /// Token `t` is `token_text[token_starts[t]..token_starts[t + 1]]`.
    token_starts: Vec<u32>,
    /// Token `t`'s postings are `posting_starts[t]..posting_starts[t + 1]`
    /// in the two arrays below, by listing index.
    posting_starts: Vec<u32>,
    /// The listing (its index) of each posting.
    posting_listings: Vec<u32>,
    /// The best field weight of the token in that listing.
    posting_weights: Vec<u16>,
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
/// Other keys (the index's tokens while it is built) are hashed by FNV-1a,
/// a byte at a time: fine for short words, and far cheaper than SipHash.
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
    let mut lower = String::new();
    lowercase_into(text, &mut lower);
    let mut tokens: Vec<String> = Vec::new();
    each_piece(&lower, |piece| tokens.push(piece.to_owned()));
    each_joined(&lower, &mut String::new(), |joined| {
        if !tokens.iter().any(|token| token == joined) {
            tokens.push(joined.to_owned());
        }
    });
    tokens
}

/// Each token [`tokenize`] finds in `text` (some more than once), handed
/// out without allocating one string per token: building the index
/// tokenizes every field of every listing. `lower` and `joined` are working
/// buffers kept between calls.
fn each_token(text: &str, lower: &mut String, joined: &mut String, mut emit: impl FnMut(&str)) {
    lowercase_into(text, lower);
    each_piece(lower, &mut emit);
    each_joined(lower, joined, emit);
}

/// `text` lower-cased into `lower`, a byte at a time when it is ASCII.
fn lowercase_into(text: &str, lower: &mut String) {
    lower.clear();
    if text.is_ascii() {
        lower.extend(text.bytes().map(|byte| char::from(byte.to_ascii_lowercase())));
    } else {
        lower.push_str(&text.to_lowercase());
    }
}

/// The alphanumeric pieces of lower-cased text, with versions such as `3.5`
/// kept whole as well as split.
fn each_piece(lower: &str, mut emit: impl FnMut(&str)) {
    for word in lower.split(|c: char| !c.is_alphanumeric() && c != '.') {
        let mut parts = 0;
        for part in word.split('.').filter(|part| !part.is_empty()) {
            emit(part);
            parts += 1;
        }
        if parts > 1 {
            emit(word.trim_matches('.'));
        }
    }
}

/// Each whitespace- or slash-separated word of lower-cased text with its
/// punctuation removed (`deepseek-r1` → `deepseekr1`), built in `joined`.
/// A word that had nothing to remove is not handed out: it is one of the
/// pieces [`each_piece`] hands out already (most words of a description).
fn each_joined(lower: &str, joined: &mut String, mut emit: impl FnMut(&str)) {
    for word in lower.split(|c: char| c.is_whitespace() || c == '/') {
        joined.clear();
        joined.extend(word.chars().filter(|c| c.is_alphanumeric()));
        if !joined.is_empty() && joined.len() != word.len() {
            emit(joined);
        }
    }
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

/// What search reads of a listing: its name (for the name-prefix bonus) and
/// its text fields with their weights.
pub trait Searchable {
    fn name(&self) -> &str;
    fn fields(&self, add: &mut dyn FnMut(&str, u16));
}

impl Searchable for Listing {
    fn name(&self) -> &str {
        &self.name
    }

    fn fields(&self, add: &mut dyn FnMut(&str, u16)) {
        listing_fields(
            &self.name,
            &self.slug,
            self.aliases.iter().map(String::as_str),
            &self.publisher,
            self.family.as_deref(),
            self.tags.iter().map(|tag| &**tag),
            &self.description,
            add,
        );
    }
}

/// What a shared listing gives the index is the listing's.
impl<T: Searchable> Searchable for std::sync::Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn fields(&self, add: &mut dyn FnMut(&str, u16)) {
        (**self).fields(add)
    }
}

/// A listing's searchable text with each field's weight, for whatever holds
/// it (a built listing, or a listing kept from the content a reload replaces
/// under its publisher and aliases as read now).
#[allow(clippy::too_many_arguments)]
pub(super) fn listing_fields<'a>(
    name: &str,
    slug: &str,
    aliases: impl Iterator<Item = &'a str>,
    publisher: &Publisher,
    family: Option<&str>,
    tags: impl Iterator<Item = &'a str>,
    description: &str,
    add: &mut dyn FnMut(&str, u16),
) {
    add(name, NAME);
    add(slug, SLUG);
    for alias in aliases {
        add(alias, SLUG);
    }
    add(&publisher.slug, PUBLISHER);
    add(&publisher.name, PUBLISHER);
    if let Some(family) = family {
        add(family, FAMILY);
    }
    for tag in tags {
        add(tag, TAG);
    }
    add(description, DESCRIPTION);
}

impl SearchIndex {
    /// The index of `listings`: their tokens read, then merged. A snapshot
    /// does the two steps itself, with other work between them.
    pub fn build<D: Searchable + Sync>(listings: &[D]) -> Self {
        SearchTokens::read(listings).index()
    }

    fn token_count(&self) -> usize {
        self.token_starts.len().saturating_sub(1)
    }

    fn token(&self, t: usize) -> &str {
        &self.token_text[self.token_starts[t] as usize..self.token_starts[t + 1] as usize]
    }

    /// The tokens starting with `prefix`, with their postings (listing and
    /// weight, side by side), in token order.
    fn tokens_starting_with<'s>(&'s self, prefix: &'s str) -> impl Iterator<Item = (&'s str, &'s [u32], &'s [u16])> {
        let first = partition_point(self.token_count(), |t| self.token(t) < prefix);
        (first..self.token_count())
            .map(|t| (t, self.token(t)))
            .take_while(move |(_, token)| token.starts_with(prefix))
            .map(|(t, token)| {
                let run = self.posting_starts[t] as usize..self.posting_starts[t + 1] as usize;
                (token, &self.posting_listings[run.clone()], &self.posting_weights[run])
            })
    }

    /// Whether listing `position`'s name starts with `term` (lower-case),
    /// ignoring case.
    fn name_starts_with<D: Searchable>(&self, position: u32, listings: &[D], term: &str) -> bool {
        let head = self.name_heads.get(position as usize).copied().flatten();
        head_starts_with(head, term, || listings[position as usize].name())
    }

    /// Scores of the listings matching every term of `query`, by listing
    /// index. An empty query matches nothing.
    ///
    /// Scores accumulate in arrays indexed by listing rather than in hash
    /// maps: a prefix such as `deep` can touch tens of thousands of postings
    /// at 100,000 listings, and an array update is a fraction of a hash.
    pub fn search<D: Searchable>(&self, query: &str, listings: &[D]) -> Scores {
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
                for (token, postings, weights) in self.tokens_starting_with(term) {
                    let multiplier = if token == term { 2 } else { 1 };
                    for (&listing, &weight) in postings.iter().zip(weights) {
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

/// What reading some listings' text found: each distinct token with the
/// number it got when first seen, sorted by token, and a posting per token
/// and listing, `(token number, listing, weight)`.
struct Tokens {
    sorted: Vec<(String, u32)>,
    entries: Vec<(u32, u32, u16)>,
}

impl Tokens {
    /// Reads `listings`, the first at position `first`. A listing's tokens
    /// are deduped in a reused vector, not a map of strings per listing,
    /// and the dictionary hashes with FNV rather than SipHash: at 100,000
    /// listings that took the build from 1.4 s to a fraction of it.
    fn read<D: Searchable>(listings: &[D], first: usize) -> Self {
        let mut numbers: HashMap<String, u32, BuildHasherDefault<PositionHasher>> = HashMap::default();
        let mut entries: Vec<(u32, u32, u16)> = Vec::new();
        let mut seen: Vec<(u32, u16)> = Vec::new();
        let (mut lower, mut joined) = (String::new(), String::new());
        // The token numbers of each shared field's text, tokenised once: a
        // publisher's slug and name, a family and each tag are the same text
        // in many listings (at 100,000 synthetic listings, nine of a
        // listing's twelve fields or so).
        let mut shared: HashMap<String, (u32, u32), BuildHasherDefault<PositionHasher>> = HashMap::default();
        let mut shared_numbers: Vec<u32> = Vec::new();
        for (position, listing) in (first..).zip(listings) {
            seen.clear();
            listing.fields(&mut |text: &str, weight: u16| {
                let is_shared = matches!(weight, PUBLISHER | FAMILY | TAG);
                if is_shared {
                    if let Some(&(start, end)) = shared.get(text) {
                        let known = &shared_numbers[start as usize..end as usize];
                        seen.extend(known.iter().map(|&number| (number, weight)));
                        return;
                    }
                }
                let start = offset(shared_numbers.len());
                each_token(text, &mut lower, &mut joined, |token| {
                    let number = match numbers.get(token) {
                        Some(&number) => number,
                        None => {
                            let number = offset(numbers.len());
                            numbers.insert(token.to_owned(), number);
                            number
                        }
                    };
                    seen.push((number, weight));
                    if is_shared {
                        shared_numbers.push(number);
                    }
                });
                if is_shared {
                    shared.insert(text.to_owned(), (start, offset(shared_numbers.len())));
                }
            });
            // Per token its best weight: sorted by token, heaviest first.
            seen.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            seen.dedup_by_key(|(number, _)| *number);
            entries.extend(seen.iter().map(|&(number, weight)| (number, offset(position), weight)));
        }
        let mut sorted: Vec<(String, u32)> = numbers.into_iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Tokens { sorted, entries }
    }
}

/// Every listing's tokens, read but not yet merged into a [`SearchIndex`]:
/// reading needs the listings, merging does not, so a snapshot can complete
/// its listings while the tokens are merged.
pub struct SearchTokens {
    first: Tokens,
    second: Tokens,
    name_heads: Vec<NameHead>,
}

impl SearchTokens {
    pub fn read<D: Searchable + Sync>(listings: &[D]) -> Self {
        // Tokenising is most of a start's search index (half a second at
        // 100,000 listings): a large catalog's two halves are read side by
        // side and their dictionaries merged.
        let parts = if super::parallel::worth_it(listings.len()) {
            2
        } else {
            1
        };
        Self::read_in(listings, parts)
    }

    /// [`read`](Self::read) on the calling thread alone: it holds less
    /// memory at once than two halves read side by side.
    pub fn read_on_one_thread<D: Searchable + Sync>(listings: &[D]) -> Self {
        Self::read_in(listings, 1)
    }

    /// [`read`](Self::read) with the listings read in `parts` (one or two)
    /// side by side: the same index either way.
    fn read_in<D: Searchable + Sync>(listings: &[D], parts: usize) -> Self {
        let half = if parts > 1 { listings.len() / 2 } else { listings.len() };
        let (first, second) = super::parallel::join(
            parts > 1,
            || Tokens::read(&listings[..half], 0),
            || Tokens::read(&listings[half..], half),
        );
        SearchTokens {
            first,
            second,
            name_heads: listings.iter().map(|listing| name_head(listing.name())).collect(),
        }
    }

    /// The index: the two parts' dictionaries merged, and their postings.
    pub fn index(self) -> SearchIndex {
        let SearchTokens {
            first,
            second,
            name_heads,
        } = self;
        // The merged dictionary in sorted order, and where each part's
        // token numbers land in it.
        let mut tokens: Vec<&str> = Vec::with_capacity(first.sorted.len().max(second.sorted.len()));
        let mut first_rank = vec![0u32; first.sorted.len()];
        let mut second_rank = vec![0u32; second.sorted.len()];
        let (mut a, mut b) = (first.sorted.iter().peekable(), second.sorted.iter().peekable());
        loop {
            let rank = offset(tokens.len());
            match (a.peek(), b.peek()) {
                (Some((x, nx)), Some((y, ny))) if x == y => {
                    first_rank[*nx as usize] = rank;
                    second_rank[*ny as usize] = rank;
                    tokens.push(x);
                    a.next();
                    b.next();
                }
                (Some((x, nx)), Some((y, _))) if x < y => {
                    first_rank[*nx as usize] = rank;
                    tokens.push(x);
                    a.next();
                }
                (_, Some((y, ny))) => {
                    second_rank[*ny as usize] = rank;
                    tokens.push(y);
                    b.next();
                }
                (Some((x, nx)), None) => {
                    first_rank[*nx as usize] = rank;
                    tokens.push(x);
                    a.next();
                }
                (None, None) => break,
            }
        }
        // Where each token's run of postings starts (a counting sort: the
        // parts' entries are in listing order, the first part's listings
        // before the second's, so each run comes out sorted by listing).
        let entries = || {
            let first_entries = first.entries.iter().map(|&(n, l, w)| (first_rank[n as usize], l, w));
            first_entries.chain(second.entries.iter().map(|&(n, l, w)| (second_rank[n as usize], l, w)))
        };
        let mut posting_starts = vec![0u32; tokens.len() + 1];
        for (rank, _, _) in entries() {
            posting_starts[rank as usize + 1] += 1;
        }
        for t in 0..tokens.len() {
            posting_starts[t + 1] += posting_starts[t];
        }
        let mut next = posting_starts.clone();
        let postings = first.entries.len() + second.entries.len();
        let mut posting_listings = vec![0u32; postings];
        let mut posting_weights = vec![0u16; postings];
        for (rank, listing, weight) in entries() {
            let slot = &mut next[rank as usize];
            posting_listings[*slot as usize] = listing;
            posting_weights[*slot as usize] = weight;
            *slot += 1;
        }
        let mut token_text = String::with_capacity(tokens.iter().map(|token| token.len()).sum());
        let mut token_starts = Vec::with_capacity(tokens.len() + 1);
        for token in &tokens {
            token_starts.push(offset(token_text.len()));
            token_text.push_str(token);
        }
        token_starts.push(offset(token_text.len()));
        SearchIndex {
            token_text,
            token_starts,
            posting_starts,
            posting_listings,
            posting_weights,
            name_heads,
        }
    }
}

/// A position in the index's arrays: they stay far below 4 billion entries
/// (a million listings hold about 35 million postings).
fn offset(len: usize) -> u32 {
    u32::try_from(len).expect("search index beyond u32 positions")
}

/// The first of `0..len` for which `before` is false (it must be true for
/// a prefix of the range, then false).
fn partition_point(len: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, len);
    while low < high {
        let middle = low + (high - low) / 2;
        if before(middle) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
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

    /// A listing reduced to what search reads.
    struct Document {
        name: String,
        fields: Vec<(String, u16)>,
    }

    impl Searchable for Document {
        fn name(&self) -> &str {
            &self.name
        }

        fn fields(&self, add: &mut dyn FnMut(&str, u16)) {
            add(&self.name, NAME);
            for (text, weight) in &self.fields {
                add(text, *weight);
            }
        }
    }

    /// What a search must answer, read off the documents one by one: every
    /// term a prefix of some token; per term the best weight, doubled for a
    /// whole-token match; the bonus when the name starts with the first term.
    fn scan(documents: &[Document], query: &str) -> Scores {
        let terms: Vec<String> = tokenize(query).into_iter().take(MAX_TERMS).collect();
        let mut scores = Scores::default();
        if terms.is_empty() {
            return scores;
        }
        'documents: for (position, document) in documents.iter().enumerate() {
            let mut tokens: Vec<(String, u16)> = Vec::new();
            document.fields(&mut |text, weight| tokens.extend(tokenize(text).into_iter().map(|t| (t, weight))));
            let mut total = 0;
            for term in &terms {
                let best = tokens
                    .iter()
                    .filter(|(token, _)| token.starts_with(term.as_str()))
                    .map(|(token, weight)| u32::from(*weight) * if token == term { 2 } else { 1 })
                    .max();
                match best {
                    Some(best) => total += best,
                    None => continue 'documents,
                }
            }
            if starts_with_ignoring_case(&document.name, &terms[0]) {
                total += NAME_PREFIX_BONUS;
            }
            scores.insert(position as u32, total);
        }
        scores
    }

    #[test]
    fn the_flat_index_finds_and_scores_exactly_what_reading_every_document_does() {
        let words = [
            "deepseek",
            "deep",
            "deeper",
            "llama",
            "llamaguard",
            "mistral",
            "mixtral",
            "r1",
            "v3",
            "chat",
            "coder",
            "instruct",
            "3.5",
            "vision",
            "Überset",
            "über",
            "qwen",
            "qwen2",
            "claude-3.5-sonnet",
            "meta/llama-3",
            "v1.2.3",
            "GPT-4o",
        ];
        // A deterministic spread of names and fields over those words.
        let state = std::cell::Cell::new(0x2545_f491_4f6c_dd1du64);
        let next = |bound: usize| {
            let mut x = state.get();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            state.set(x);
            (x % bound as u64) as usize
        };
        let phrase = |len: usize| (0..len).map(|_| words[next(words.len())]).collect::<Vec<_>>().join(" ");
        let documents: Vec<Document> = (0..1500)
            .map(|i| {
                let mut name = phrase(1 + next(3));
                if i % 7 == 0 {
                    // A token of its own, found in one half of the catalog only.
                    name.push_str(&format!(" only{i}"));
                }
                let fields = (0..next(4))
                    .map(|_| {
                        let weight = [SLUG, PUBLISHER, FAMILY, TAG, DESCRIPTION][next(5)];
                        (phrase(1 + next(4)), weight)
                    })
                    .collect();
                Document { name, fields }
            })
            .collect();
        // Read whole, and in two halves side by side: the same index.
        let index = SearchTokens::read_in(&documents, 1).index();
        assert_eq!(SearchTokens::read_in(&documents, 2).index(), index);
        for query in [
            "only7",
            "only1491",
            "only14",
            "deep",
            "deepseek",
            "deepseek r1",
            "llama",
            "l",
            "qwen2 chat",
            "über",
            "ÜBER",
            "3",
            "3.5",
            "mi",
            "zzz",
            "d c i",
            "",
        ] {
            assert_eq!(index.search(query, &documents), scan(&documents, query), "{query:?}");
        }
    }

    #[test]
    fn tokens_keep_versions_whole_join_compound_words_and_skip_stray_dots() {
        let cases: [(&str, &[&str]); 4] = [
            (
                "claude-3.5-sonnet v1.2.3 ..x.. a..b",
                &[
                    "claude",
                    "3",
                    "5",
                    "3.5",
                    "sonnet",
                    "v1",
                    "2",
                    "3",
                    "v1.2.3",
                    "x",
                    "a",
                    "b",
                    "a..b",
                    "claude35sonnet",
                    "v123",
                    "ab",
                ],
            ),
            ("Überset: GPT-4o (mini)", &["überset", "gpt", "4o", "mini", "gpt4o"]),
            ("deepseek deepseek r1", &["deepseek", "deepseek", "r1"]),
            ("...", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(tokenize(text), expected, "{text:?}");
            // The index builder meets the same tokens, without the joined
            // words' deduplication.
            let (mut lower, mut joined) = (String::new(), String::new());
            let mut found = std::collections::BTreeSet::new();
            each_token(text, &mut lower, &mut joined, |token| {
                found.insert(token.to_owned());
            });
            assert_eq!(found, expected.iter().map(|t| t.to_string()).collect(), "{text:?}");
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
