//! Page sizes and cursors shared by the list operations.

use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiError, ErrorCode};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// The query of a list with nothing to filter by: a page size and a cursor.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size (default 50).
    #[param(value_type = Option<i32>, minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 1024)]
    pub cursor: Option<String>,
}

/// The `limit` parameter: 1 to 200, 50 when absent.
pub fn limit(text: Option<&str>) -> Result<i64, ApiError> {
    match text {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_parameter(
                "limit",
                format!("must be an integer from 1 to {MAX_LIMIT}"),
            )),
        },
    }
}

fn bad_cursor() -> ApiError {
    ApiError::field(ErrorCode::InvalidCursor, "cursor", "is not a cursor this list returned")
}

/// An opaque cursor naming the last id served (UUID v7 ids sort by time).
pub fn encode_id(id: Uuid) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

pub fn decode_id(text: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    use base64::Engine;
    let Some(text) = text else { return Ok(None) };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| bad_cursor())?;
    Uuid::from_slice(&bytes).map(Some).map_err(|_| bad_cursor())
}

/// A cursor naming the last sequence number served, exactly as it was
/// written (`42`, not `042` or `+42`): anything else is not a cursor this
/// list returned.
pub fn decode_seq(text: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(text) = text else { return Ok(None) };
    text.parse::<i64>()
        .ok()
        .filter(|n| *n >= 0 && n.to_string() == text)
        .map(Some)
        .ok_or_else(bad_cursor)
}

/// Splits `rows` (fetched with `limit + 1`) into the page and the cursor
/// of the next one, made from the last row served.
pub fn page<T>(mut rows: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        let next = rows.last().map(cursor_of);
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sequence_cursor_is_only_the_number_as_written() {
        assert_eq!(decode_seq(Some("42")).unwrap(), Some(42));
        assert_eq!(decode_seq(Some("0")).unwrap(), Some(0));
        for text in ["042", "+42", "-1", " 42", "4x", &"0".repeat(1025)] {
            assert!(decode_seq(Some(text)).is_err(), "{text:.10}");
        }
    }

    #[test]
    fn id_cursors_round_trip_and_garbage_is_refused() {
        let id = Uuid::now_v7();
        assert_eq!(decode_id(Some(&encode_id(id))).unwrap(), Some(id));
        assert!(decode_id(Some("not-a-cursor!")).is_err());
        assert!(decode_seq(Some("-1")).is_err());
        assert_eq!(decode_seq(Some("42")).unwrap(), Some(42));
    }

    #[test]
    fn a_page_has_a_next_cursor_only_when_more_rows_remain() {
        let (rows, next) = page(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!((rows, next.as_deref()), (vec![1, 2], Some("2")));
        let (rows, next) = page(vec![1, 2], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], None));
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).unwrap(), 50);
        assert_eq!(limit(Some("200")).unwrap(), 200);
        assert!(limit(Some("0")).is_err());
        assert!(limit(Some("abc")).is_err());
    }
}
