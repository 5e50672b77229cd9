//! The version-2 hash of a sealed audit event, computed in the server
//! byte for byte as `audit_event_hash_v2()` computes it in SQL: SHA-256
//! over the text PostgreSQL prints for a `jsonb` array of the version, the
//! event's chain and place in it, its fields and the previous hash.
//!
//! The sealer hashes here, so PostgreSQL no longer builds, prints and hashes
//! a `jsonb` array for every event it seals: that was about 60 % of a
//! sealing pass's time in the database, and sealing an event now costs
//! PostgreSQL about a third less CPU (it still finds the events, prints
//! `before` and `after`, and stores the seals). Verification stays in SQL
//! (`audit_chain_breaks()`): an event this module rendered differently from
//! the SQL function would not verify, which the test of awkward fields
//! checks.

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// An event's fields as the hash covers them. `before` and `after` are the
/// text PostgreSQL prints for the stored `jsonb` values (`before::text`),
/// which is what it prints for them inside the hashed array; `occurred_at`
/// is in microseconds since the epoch, as the SQL function rounds it.
#[derive(Debug, sqlx::FromRow)]
pub struct SealableEvent {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at_micros: i64,
    pub actor: String,
    pub actor_roles: Vec<Option<String>>,
    pub tenant_id: Option<Uuid>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
}

/// The hashes of `events` chained one after another onto `chain`, the first
/// at `first_place` after `previous`: each event's hash is the next one's
/// previous hash.
pub fn chain_hashes(chain: i16, first_place: i64, events: &[SealableEvent], previous: [u8; 32]) -> Vec<[u8; 32]> {
    let mut previous = previous;
    (first_place..)
        .zip(events)
        .map(|(place, event)| {
            previous = hash_v2(chain, place, event, &previous);
            previous
        })
        .collect()
}

/// The hash of `event` at `chain_seq` in `chain`, after `previous`.
fn hash_v2(chain: i16, chain_seq: i64, event: &SealableEvent, previous: &[u8; 32]) -> [u8; 32] {
    Sha256::digest(render_v2(chain, chain_seq, event, previous).as_bytes()).into()
}

/// The hashed text: `jsonb_build_array(2, chain, chain_seq, seq, id,
/// micros, actor, actor_roles, tenant_id, action, target_type, target_id,
/// before, after, reason, request_id, hex(previous))::text`.
fn render_v2(chain: i16, chain_seq: i64, event: &SealableEvent, previous: &[u8; 32]) -> String {
    let mut out = String::with_capacity(
        256 + event.before.as_ref().map_or(0, String::len) + event.after.as_ref().map_or(0, String::len),
    );
    let mut items = Items::new(&mut out);
    items.raw("2");
    items.raw(&chain.to_string());
    items.raw(&chain_seq.to_string());
    items.raw(&event.seq.to_string());
    items.string(Some(&event.id.to_string()));
    items.raw(&event.occurred_at_micros.to_string());
    items.string(Some(&event.actor));
    let mut roles = String::new();
    let mut role_items = Items::new(&mut roles);
    for role in &event.actor_roles {
        role_items.string(role.as_deref());
    }
    role_items.close();
    items.raw(&roles);
    items.string(event.tenant_id.map(|id| id.to_string()).as_deref());
    items.string(Some(&event.action));
    items.string(Some(&event.target_type));
    items.string(Some(&event.target_id));
    items.raw(event.before.as_deref().unwrap_or("null"));
    items.raw(event.after.as_deref().unwrap_or("null"));
    items.string(event.reason.as_deref());
    items.string(event.request_id.as_deref());
    items.string(Some(&hex::encode(previous)));
    items.close();
    out
}

/// A `jsonb` array as PostgreSQL prints it: `[a, b]`, elements separated
/// by a comma and a space.
struct Items<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Items<'a> {
    fn new(out: &'a mut String) -> Self {
        out.push('[');
        Self { out, first: true }
    }

    fn separate(&mut self) {
        if !self.first {
            self.out.push_str(", ");
        }
        self.first = false;
    }

    fn raw(&mut self, text: &str) {
        self.separate();
        self.out.push_str(text);
    }

    fn string(&mut self, text: Option<&str>) {
        self.separate();
        match text {
            None => self.out.push_str("null"),
            Some(text) => escape_into(self.out, text),
        }
    }

    fn close(self) {
        self.out.push(']');
    }
}

/// A JSON string as PostgreSQL's `escape_json()` writes it: the quote, the
/// backslash and the five named controls escaped by name, every other
/// control below U+0020 as `\u00xx` in lower-case hex, everything else
/// (U+007F and all non-ASCII included) as it is.
fn escape_into(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> SealableEvent {
        SealableEvent {
            seq: 42,
            id: Uuid::parse_str("01234567-89ab-cdef-0123-456789abcdef").unwrap(),
            occurred_at_micros: 1_764_000_000_123_456,
            actor: "alice".into(),
            actor_roles: vec![Some("compliance.officer".into()), None],
            tenant_id: None,
            action: "hold.approved".into(),
            target_type: "hold".into(),
            target_id: "h-1".into(),
            before: None,
            after: Some(r#"{"a": [1, 2.50], "b": null}"#.into()),
            reason: Some("say \"why\"\\\n\t\u{1}\u{7f}é".into()),
            request_id: None,
        }
    }

    #[test]
    fn the_rendered_array_is_what_postgresql_prints_for_the_jsonb_array() {
        let text = render_v2(3, 7, &event(), &[0xab; 32]);
        assert_eq!(
            text,
            format!(
                "[2, 3, 7, 42, \"01234567-89ab-cdef-0123-456789abcdef\", 1764000000123456, \"alice\", \
                 [\"compliance.officer\", null], null, \"hold.approved\", \"hold\", \"h-1\", null, \
                 {{\"a\": [1, 2.50], \"b\": null}}, \"say \\\"why\\\"\\\\\\n\\t\\u0001\u{7f}é\", null, \"{}\"]",
                "ab".repeat(32)
            )
        );
    }

    #[test]
    fn an_empty_role_list_is_an_empty_array() {
        let mut empty = event();
        empty.actor_roles = Vec::new();
        assert!(render_v2(0, 1, &empty, &[0; 32]).contains("\"alice\", [], null"));
    }

    #[test]
    fn the_hash_changes_with_the_place_in_the_chain_and_the_previous_hash() {
        let event = event();
        let base = hash_v2(0, 1, &event, &[0; 32]);
        assert_ne!(base, hash_v2(0, 2, &event, &[0; 32]));
        assert_ne!(base, hash_v2(1, 1, &event, &[0; 32]));
        assert_ne!(base, hash_v2(0, 1, &event, &[1; 32]));
        assert_eq!(base, hash_v2(0, 1, &event, &[0; 32]));
    }

    #[test]
    fn a_chain_links_each_hash_to_the_one_before_from_its_first_place() {
        let events = vec![event(), event(), event()];
        let chained = chain_hashes(0, 5, &events, [7; 32]);
        let first = hash_v2(0, 5, &events[0], &[7; 32]);
        let second = hash_v2(0, 6, &events[1], &first);
        let third = hash_v2(0, 7, &events[2], &second);
        assert_eq!(chained, vec![first, second, third]);
        assert!(chain_hashes(0, 1, &[], [0; 32]).is_empty());
    }
}
