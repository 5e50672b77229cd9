//! The one error type of the API and its rendering as RFC 9457
//! `application/problem+json`.
//!
//! Policy: every failure a client can cause maps to a stable snake_case
//! `code` in [`ErrorCode`] (codes are never renamed; new ones may be added).
//! Framework errors (JSON body, query, path, unknown route, method) are
//! converted here too, so nothing answers `text/plain`. Server-side failures
//! are logged with their cause chain and answered with a generic message that
//! never reveals SQL or internals.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

macro_rules! error_codes {
    ($($variant:ident => ($status:expr, $code:literal, $title:literal)),+ $(,)?) => {
        /// Stable, machine-readable error codes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $($variant),+ }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            pub fn status(self) -> StatusCode {
                match self { $(ErrorCode::$variant => $status),+ }
            }

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),+ }
            }

            pub fn title(self) -> &'static str {
                match self { $(ErrorCode::$variant => $title),+ }
            }
        }
    };
}

error_codes! {
    InvalidParameter => (StatusCode::BAD_REQUEST, "invalid_parameter", "A query or path parameter is invalid"),
    InvalidCursor => (StatusCode::BAD_REQUEST, "invalid_cursor", "The pagination cursor is invalid"),
    MalformedBody => (StatusCode::BAD_REQUEST, "malformed_body", "The request body is not valid JSON for this operation"),
    InvalidHeader => (StatusCode::BAD_REQUEST, "invalid_header", "A request header is invalid"),
    MalformedRequest => (StatusCode::BAD_REQUEST, "malformed_request", "The request is not well-formed HTTP/1.1"),
    RequestTimeout => (StatusCode::REQUEST_TIMEOUT, "request_timeout", "The request took too long to arrive"),
    Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication is required"),
    InvalidToken => (StatusCode::UNAUTHORIZED, "invalid_token", "The bearer token is invalid"),
    Forbidden => (StatusCode::FORBIDDEN, "forbidden", "The principal lacks the role this operation needs"),
    SelfApprovalForbidden => (StatusCode::FORBIDDEN, "self_approval_forbidden", "The proposer of a hold cannot approve it"),
    OriginNotAllowed => (StatusCode::FORBIDDEN, "origin_not_allowed", "The request's origin may not call this API from a browser"),
    NotFound => (StatusCode::NOT_FOUND, "not_found", "The resource does not exist"),
    RouteNotFound => (StatusCode::NOT_FOUND, "route_not_found", "No operation exists at this path"),
    MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "The method is not allowed at this path"),
    Conflict => (StatusCode::CONFLICT, "conflict", "The request conflicts with the current state"),
    NotEnableable => (StatusCode::CONFLICT, "not_enableable", "The tenant may not enable this model there"),
    AlreadyEnabled => (StatusCode::CONFLICT, "already_enabled", "The model is already enabled there"),
    InvalidHoldTransition => (StatusCode::CONFLICT, "invalid_hold_transition", "The hold is not in a state that allows this"),
    InvalidLifecycleTransition => (StatusCode::CONFLICT, "invalid_lifecycle_transition", "The listing cannot move to that lifecycle state"),
    Gone => (StatusCode::GONE, "gone", "The resource is retired"),
    PreconditionFailed => (StatusCode::PRECONDITION_FAILED, "precondition_failed", "The resource has changed since it was read"),
    PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "The request body is too large"),
    UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "The request body must be application/json"),
    ValidationFailed => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "The request is well-formed but some values are invalid"),
    IdempotencyKeyReused => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", "The Idempotency-Key was used with a different request"),
    PreconditionRequired => (StatusCode::PRECONDITION_REQUIRED, "precondition_required", "This update needs an If-Match header"),
    RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests"),
    HeadersTooLarge => (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", "The request's headers are too large"),
    UnavailableForLegalReasons => (StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS, "unavailable_for_legal_reasons", "The resource is unavailable for legal reasons"),
    Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "An internal error occurred"),
    ServiceUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "The service is temporarily unavailable"),
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The parameter name or JSON pointer of the field, e.g. `limit` or `/scope/regions/0`.
    #[schema(example = "limit")]
    pub field: String,
    #[schema(example = "must be an integer from 1 to 200")]
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:modelmart:problem:invalid_parameter",
    "title": "A query or path parameter is invalid",
    "status": 400,
    "detail": "limit: must be an integer from 1 to 200",
    "instance": "/v1/models",
    "code": "invalid_parameter",
    "errors": [{"field": "limit", "message": "must be an integer from 1 to 200"}]
}))]
pub struct Problem {
    /// `urn:modelmart:problem:{code}`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request path that produced the problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The stable machine-readable code.
    pub code: String,
    /// The invalid fields, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Extra machine-readable context (e.g. the reasons a model is unavailable).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<HashMap<String, Value>>)]
    pub context: Option<serde_json::Value>,
}

/// The API's error: a code, a human detail, and what else the response needs.
/// Boxed, so `Result<T, ApiError>` stays one pointer wide on the happy path.
#[derive(Debug)]
pub struct ApiError(Box<ApiErrorParts>);

#[derive(Debug)]
pub struct ApiErrorParts {
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub context: Option<serde_json::Value>,
    pub headers: Vec<(HeaderName, String)>,
    /// The underlying cause, logged for 5xx and never sent to the client.
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl std::ops::Deref for ApiError {
    type Target = ApiErrorParts;
    fn deref(&self) -> &ApiErrorParts {
        &self.0
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError(Box::new(ApiErrorParts {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            context: None,
            headers: Vec::new(),
            source: None,
        }))
    }

    /// The same problem without its (unclonable) source, for re-rendering.
    pub fn without_source(&self) -> Self {
        ApiError(Box::new(ApiErrorParts {
            code: self.code,
            detail: self.detail.clone(),
            errors: self.errors.clone(),
            context: self.context.clone(),
            headers: self.headers.clone(),
            source: None,
        }))
    }

    pub fn with_source(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        self.0.source = Some(source.into());
        self
    }

    pub fn invalid_parameter(field: &str, message: impl Into<String>) -> Self {
        Self::field(ErrorCode::InvalidParameter, field, message)
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::field(ErrorCode::ValidationFailed, field, message)
    }

    /// A problem about one named field; the detail repeats it for humans.
    pub fn field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut error = ApiError::new(code, format!("{field}: {message}"));
        error.0.errors.push(FieldError {
            field: field.to_owned(),
            message,
        });
        error
    }

    /// A problem about several fields at once.
    pub fn fields(code: ErrorCode, errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut error = ApiError::new(code, detail);
        error.0.errors = errors;
        error
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        ApiError::new(ErrorCode::NotFound, format!("{what} was not found"))
    }

    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        ApiError::new(
            ErrorCode::Internal,
            "The server failed to complete the request; it has been logged.",
        )
        .with_source(source)
    }

    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.0.headers.push((name, value.into()));
        self
    }

    pub fn with_context(mut self, context: serde_json::Value) -> Self {
        self.0.context = Some(context);
        self
    }

    pub fn problem(&self, instance: Option<&str>) -> Problem {
        Problem {
            type_uri: format!("urn:modelmart:problem:{}", self.code.as_str()),
            title: self.code.title().to_owned(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            instance: instance.map(str::to_owned),
            code: self.code.as_str().to_owned(),
            errors: self.errors.clone(),
            context: self.context.clone(),
        }
    }

    /// Renders the problem; `instance` is the request path when known.
    pub fn render(&self, instance: Option<&str>) -> HttpResponse {
        let mut response = HttpResponse::build(self.code.status());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.append_header((name.clone(), value));
            }
        }
        response.body(serde_json::to_vec(&self.problem(instance)).unwrap_or_default())
    }
}

fn log_server_error(error: &ApiError) {
    let mut chain = Vec::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = error.source.as_deref().map(|e| e as _);
    while let Some(current) = cause {
        chain.push(current.to_string());
        cause = current.source();
    }
    tracing::error!(code = error.code.as_str(), causes = ?chain, "request failed on the server side");
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        // Logged here, once, where the cause is still attached. The
        // `instance` member is filled in by `problem_middleware`, which
        // knows the request path; this is the fallback without it.
        if self.code.status().is_server_error() {
            log_server_error(self);
        }
        self.render(None)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => unavailable(error),
            sqlx::Error::Database(db) if is_transient(db.code().as_deref()) => unavailable(error),
            // Class 22, data exceptions: a value from the request that
            // PostgreSQL cannot store (a NUL character, a number out of
            // range). The request is at fault, and nothing was written.
            sqlx::Error::Database(db) if db.code().is_some_and(|code| code.starts_with("22")) => ApiError::new(
                ErrorCode::ValidationFailed,
                format!("A value in the request cannot be stored: {}.", db.message()),
            ),
            _ => ApiError::internal(error),
        }
    }
}

/// SQLSTATEs that mean "try again shortly": lock or statement timeouts,
/// serialization failures, deadlocks, and a server going away.
fn is_transient(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("55P03" | "57014" | "40001" | "40P01" | "57P01" | "57P02" | "57P03" | "53300")
    )
}

fn unavailable(error: sqlx::Error) -> ApiError {
    ApiError::new(
        ErrorCode::ServiceUnavailable,
        "The database is unavailable or busy; retry shortly.",
    )
    .with_source(error)
    .with_header(header::RETRY_AFTER, "2")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut codes: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert!(codes
            .iter()
            .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn a_field_error_names_the_field_in_detail_and_errors() {
        let problem = ApiError::invalid_parameter("limit", "must be an integer").problem(Some("/v1/models"));
        assert_eq!(problem.status, 400);
        assert_eq!(problem.code, "invalid_parameter");
        assert_eq!(problem.detail, "limit: must be an integer");
        assert_eq!(problem.errors[0].field, "limit");
        assert_eq!(problem.type_uri, "urn:modelmart:problem:invalid_parameter");
    }

    #[test]
    fn internal_errors_do_not_reveal_their_cause() {
        let error = ApiError::internal(std::io::Error::other("relation \"secret_table\" does not exist"));
        let body = serde_json::to_string(&error.problem(None)).unwrap();
        assert!(!body.contains("secret_table"));
    }
}
