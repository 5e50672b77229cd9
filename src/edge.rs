//! What every response carries, whatever produced it: security headers and
//! CORS for the portal origins the operator configured (none by default,
//! which keeps browsers on other origins out entirely).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::Method;
use actix_web::{web, HttpResponse};

use crate::error::{ApiError, ErrorCode};

/// The origins allowed to call the API from a browser, exactly as browsers
/// send them (`https://portal.example.com`).
#[derive(Debug, Clone, Default)]
pub struct CorsPolicy {
    origins: Vec<String>,
}

/// Request headers a portal may send cross-origin.
const ALLOWED_HEADERS: &str = "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id";
/// Response headers a portal may read cross-origin.
const EXPOSED_HEADERS: &str =
    "ETag, Location, Link, Retry-After, X-Request-Id, Deprecation, Sunset, Idempotent-Replayed";
const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

impl CorsPolicy {
    pub fn new(origins: Vec<String>) -> Self {
        CorsPolicy {
            origins: origins
                .into_iter()
                .map(|origin| origin.trim().trim_end_matches('/').to_owned())
                .filter(|origin| !origin.is_empty())
                .collect(),
        }
    }

    fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|allowed| allowed == origin)
    }
}

/// Middleware: answers CORS preflights, and adds the CORS and security
/// headers to every response, errors included.
pub async fn edge_middleware(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let policy = req.app_data::<web::Data<CorsPolicy>>().cloned().unwrap_or_default();
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let allowed_origin = origin.filter(|origin| policy.allows(origin));
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);

    let is_preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if is_preflight {
        let path = req.path().to_owned();
        let answer = match &allowed_origin {
            Some(_) => HttpResponse::NoContent()
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE))
                .finish(),
            None => ApiError::new(
                ErrorCode::OriginNotAllowed,
                "This origin may not call the API from a browser; an operator lists portal origins in MODELMART_CORS_ORIGINS.",
            )
            .render(Some(&path)),
        };
        req.into_response(answer)
    } else {
        next.call(req).await?.map_into_boxed_body()
    };
    let headers = response.headers_mut();
    if let Some(origin) = allowed_origin.and_then(|origin| HeaderValue::from_str(&origin).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    // The answer differs by origin, so caches must key on it.
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    add_security_headers(headers, authenticated);
    Ok(response)
}

/// `nosniff` everywhere; `no-store` on answers to authenticated requests
/// unless the handler chose a policy (catalog reads choose `private,
/// no-cache`, so a client may keep a page and revalidate it by ETag, while
/// no shared cache ever holds it).
fn add_security_headers(headers: &mut HeaderMap, authenticated: bool) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if authenticated && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_match_exactly_ignoring_a_trailing_slash_in_the_configuration() {
        let policy = CorsPolicy::new(vec!["https://portal.example.com/".into(), " ".into()]);
        assert!(policy.allows("https://portal.example.com"));
        assert!(!policy.allows("https://portal.example.com.evil.test"));
        assert!(!policy.allows("http://portal.example.com"));
        assert!(!policy.allows(""));
    }
}
