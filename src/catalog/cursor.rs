//! Opaque pagination cursors. A cursor carries the sort key and id of the
//! last item served, so the next page starts strictly after it whatever was
//! added or removed in between, plus a fingerprint of the query it belongs
//! to, so it cannot be replayed against a different filter or sort.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A listing's value for the active sort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v")]
pub enum SortValue {
    Null,
    Int(i64),
    Text(String),
    Dec(Decimal),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Format version.
    pub v: u8,
    /// Fingerprint of the query (filters and sort) the cursor belongs to.
    pub f: String,
    /// Sort value of the last item served.
    pub k: SortValue,
    /// Id of the last item served.
    pub id: Uuid,
}

/// Cursors longer than this are refused before decoding.
pub const MAX_CURSOR_LEN: usize = 1024;

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        if text.len() > MAX_CURSOR_LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let cursor: Cursor = serde_json::from_slice(&bytes).ok()?;
        (cursor.v == 1).then_some(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sort_value() -> impl Strategy<Value = SortValue> {
        prop_oneof![
            Just(SortValue::Null),
            any::<i64>().prop_map(SortValue::Int),
            ".{0,40}".prop_map(SortValue::Text),
            (any::<i64>(), 0u32..12).prop_map(|(n, scale)| SortValue::Dec(Decimal::new(n, scale))),
        ]
    }

    proptest! {
        #[test]
        fn every_cursor_round_trips(k in sort_value(), f in "[0-9a-f]{16}", id in any::<u128>()) {
            let cursor = Cursor { v: 1, f, k, id: Uuid::from_u128(id) };
            prop_assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }

        #[test]
        fn arbitrary_text_never_panics_the_decoder(text in ".{0,200}") {
            let _ = Cursor::decode(&text);
        }
    }

    #[test]
    fn a_cursor_of_another_format_version_is_refused() {
        let cursor = Cursor {
            v: 2,
            f: String::new(),
            k: SortValue::Null,
            id: Uuid::nil(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), None);
    }
}
