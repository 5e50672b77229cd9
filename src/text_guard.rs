//! Text PostgreSQL cannot store is refused at the edge, naming where it
//! was: a NUL in a query parameter is 400 `invalid_parameter`, a NUL in a
//! JSON body 422 `validation_failed` with the field's path. Handlers and
//! the database then never see one, whatever the operation.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::web;
use serde_json::Value;

use crate::error::ApiError;

const NUL_MESSAGE: &str = "must not contain NUL characters";

/// Feeds are judged row by row by the importer, which reports a NUL in
/// one entry without refusing the others.
const ROW_BY_ROW: &[&str] = &["/v1/admin/imports"];

pub async fn text_guard_middleware(
    mut req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(name) = parameter_with_nul(req.query_string()) {
        return Err(ApiError::invalid_parameter(&name, NUL_MESSAGE).into());
    }
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
    if json && !ROW_BY_ROW.contains(&req.path()) {
        let limit = req
            .app_data::<web::Data<crate::state::AppState>>()
            .map_or(DEFAULT_BODY_LIMIT, |state| state.settings.max_body_bytes);
        let body = read_body(&mut req, limit).await?;
        // Only a body that spells a NUL is parsed here; the handler's own
        // extractor judges everything else.
        if contains(&body, b"\\u0000") {
            if let Some(path) = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|value| nul_path(&value, String::new()))
            {
                return Err(ApiError::validation(&path, NUL_MESSAGE).into());
            }
        }
        req.set_payload(bytes_payload(body));
    }
    next.call(req).await
}

/// The JSON body limit when no application state says otherwise.
const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// Reads the body, but never more than `limit` bytes: a larger one is 413
/// here, as the JSON extractor would answer, so guarding a body never
/// means holding one larger than the operation accepts.
async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<web::Bytes, actix_web::Error> {
    use actix_web::HttpMessage;
    use futures_util::StreamExt;
    let too_large = |detail: String| ApiError::new(crate::error::ErrorCode::PayloadTooLarge, detail);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(length) = declared.filter(|length| *length > limit) {
        return Err(too_large(format!("The body is {length} bytes; the limit is {limit}.")).into());
    }
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(format!("The body exceeds the limit of {limit} bytes.")).into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn bytes_payload(body: web::Bytes) -> actix_web::dev::Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body);
    actix_web::dev::Payload::from(payload)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// The first query parameter whose name or value holds a NUL.
fn parameter_with_nul(query: &str) -> Option<String> {
    if !query.contains("%00") {
        return None;
    }
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        .map(|(name, _)| name.replace('\0', "\\0"))
}

/// The path (`scope.models[0]`) of the first string or key holding a NUL.
fn nul_path(value: &Value, at: String) -> Option<String> {
    let field = |name: &str| {
        if at.is_empty() {
            name.to_owned()
        } else {
            format!("{at}.{name}")
        }
    };
    match value {
        Value::String(text) if text.contains('\0') => Some(if at.is_empty() { "body".into() } else { at }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_path(item, format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                Some(field(&key.replace('\0', "\\0")))
            } else {
                nul_path(item, field(key))
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_path_of_a_nul_names_the_field() {
        let body = json!({"scope": {"models": ["deepseek/deepseek-r1", "bad\u{0}"]}, "kind": "legal"});
        assert_eq!(nul_path(&body, String::new()).as_deref(), Some("scope.models[1]"));
        assert_eq!(nul_path(&json!({"a": "fine"}), String::new()), None);
        assert_eq!(nul_path(&json!("x\u{0}"), String::new()).as_deref(), Some("body"));
    }

    #[test]
    fn a_query_parameter_with_a_nul_is_named() {
        assert_eq!(parameter_with_nul("actor=%00&limit=5").as_deref(), Some("actor"));
        assert_eq!(parameter_with_nul("actor=alice"), None);
        assert_eq!(parameter_with_nul("actor=100%25"), None);
    }
}
