//! One listing per model whatever the punctuation: hosts spell one model
//! `llama-3.1-8b`, `llama3.1-8b` and `llama3-1-8b`, `qwen2.5` and `qwen25`,
//! `flux.1` and `flux-1`. Slugs that differ only in punctuation name one
//! model; its entries are merged under one spelling and the others become
//! aliases that resolve to it.

use std::cmp::Reverse;

use super::*;

/// What is left of a slug when punctuation is ignored, and a `v` that only
/// marks a version (`llama-v3.3` is `llama-3.3`): slugs with the same
/// identity name one model.
pub(super) fn identity(slug: &str) -> String {
    let chars: Vec<char> = slug.chars().map(|c| c.to_ascii_lowercase()).collect();
    (0..chars.len())
        .filter(|&i| (chars[i].is_ascii_alphanumeric() || chars[i] == '/') && !is_version_mark(&chars, i))
        .map(|i| chars[i])
        .collect()
}

/// Whether `chars[i]` is a `v` that only says a version follows (`-v3`).
fn is_version_mark(chars: &[char], i: usize) -> bool {
    chars[i] == 'v'
        && (i == 0 || matches!(chars[i - 1], '-' | '.' | '_' | '/'))
        && chars.get(i + 1).is_some_and(char::is_ascii_digit)
}

/// Ranks spellings of one model: a version written with a dot (`3.5`,
/// `flux.1`, `v4.0`: the makers' own spelling) first, then without a
/// version `v` (`llama-2` over `llama-v2`), then words kept apart
/// (`llama-3`, `code-llama`), then the spelling most entries use, then
/// alphabetically.
type Preference<'a> = (usize, Reverse<usize>, usize, usize, Reverse<&'a str>);

fn preference(slug: &str, entries: usize) -> Preference<'_> {
    let chars: Vec<char> = slug.chars().collect();
    let version_marks = (0..chars.len()).filter(|&i| is_version_mark(&chars, i)).count();
    let version_dots = (1..chars.len().saturating_sub(1))
        .filter(|&i| chars[i] == '.' && chars[i - 1].is_ascii_alphanumeric() && chars[i + 1].is_ascii_digit())
        .count();
    let separators = slug.chars().filter(|c| matches!(c, '-' | '.' | '_')).count();
    (version_dots, Reverse(version_marks), separators, entries, Reverse(slug))
}

/// Puts every entry under its model's preferred spelling and returns the
/// other spellings as aliases of it.
pub(super) fn merge_spellings(parsed: &mut [Entry]) -> Vec<AliasRecord> {
    let mut spellings: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for entry in parsed.iter() {
        *spellings
            .entry(identity(&entry.model_slug))
            .or_default()
            .entry(entry.model_slug.clone())
            .or_default() += 1;
    }
    let mut canonical: HashMap<String, String> = HashMap::new();
    let mut aliases = Vec::new();
    for variants in spellings.values().filter(|v| v.len() > 1) {
        let Some(chosen) = variants
            .iter()
            .max_by_key(|(slug, entries)| preference(slug, **entries))
            .map(|(slug, _)| slug.clone())
        else {
            continue;
        };
        for slug in variants.keys().filter(|slug| **slug != chosen) {
            canonical.insert(slug.clone(), chosen.clone());
            aliases.push(AliasRecord {
                alias: slug.clone(),
                model_slug: chosen.clone(),
            });
        }
    }
    for entry in parsed.iter_mut() {
        if let Some(chosen) = canonical.get(&entry.model_slug) {
            entry.model_slug = chosen.clone();
        }
    }
    aliases.sort();
    aliases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_ignores_punctuation_and_case_but_not_the_publisher() {
        assert_eq!(identity("qwen/Qwen2.5-72B"), identity("qwen/qwen25-72b"));
        assert_eq!(identity("bfl/flux.1-schnell"), identity("bfl/flux-1-schnell"));
        assert_eq!(identity("meta/llama-v3.3-70b"), identity("meta/llama-3.3-70b"));
        assert_ne!(identity("acme/dev3-7b"), identity("acme/de3-7b"));
        assert_ne!(identity("meta/llama-3-8b"), identity("acme/llama-3-8b"));
        assert_ne!(identity("meta/llama-3-8b"), identity("meta/llama-3-70b"));
    }

    #[test]
    fn the_dotted_version_is_preferred_then_separated_words_then_the_common_spelling() {
        let best = |candidates: &[(&'static str, usize)]| {
            candidates
                .iter()
                .max_by_key(|(slug, n)| preference(slug, *n))
                .map(|(slug, _)| *slug)
                .unwrap()
        };
        assert_eq!(
            best(&[("openai/gpt-35-turbo", 9), ("openai/gpt-3.5-turbo", 1)]),
            "openai/gpt-3.5-turbo"
        );
        assert_eq!(
            best(&[("cohere/embed-v-4-0", 1), ("cohere/embed-v4.0", 1)]),
            "cohere/embed-v4.0"
        );
        assert_eq!(
            best(&[("meta/llama3.1-8b", 4), ("meta/llama-3.1-8b", 2)]),
            "meta/llama-3.1-8b"
        );
        assert_eq!(
            best(&[("meta/codellama-7b", 1), ("meta/code-llama-7b", 1)]),
            "meta/code-llama-7b"
        );
        assert_eq!(
            best(&[("bfl/flux-1-schnell", 5), ("bfl/flux.1-schnell", 1)]),
            "bfl/flux.1-schnell"
        );
        assert_eq!(
            best(&[("qwen/qwen-v2.5-14b", 3), ("qwen/qwen2.5-14b", 1)]),
            "qwen/qwen2.5-14b"
        );
        assert_eq!(best(&[("x/a-b", 1), ("x/a_b", 3)]), "x/a_b");
        assert_eq!(best(&[("x/a-b", 2), ("x/a_b", 2)]), "x/a-b");
    }
}
