//! HTTP plumbing shared by every route: request ids, the problem+json
//! rendering of framework errors, and the fallback for unknown routes.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::{error, web, HttpMessage, HttpRequest, HttpResponse};

#[cfg(test)]
use crate::error::PROBLEM_CONTENT_TYPE;
use crate::error::{ApiError, ErrorCode};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id: the caller's `X-Request-Id` when it is sane, a fresh
/// UUID v7 otherwise. Returned on every response and written to the audit log.
#[derive(Debug, Clone)]
pub struct RequestId(String);

impl RequestId {
    fn from_header(value: Option<&HeaderValue>) -> Self {
        let supplied = value
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()));
        RequestId(supplied.map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned))
    }

    pub fn of(req: &HttpRequest) -> RequestId {
        req.extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId::from_header(req.headers().get(REQUEST_ID_HEADER)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl actix_web::FromRequest for RequestId {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(RequestId::of(req)))
    }
}

/// Middleware: assigns the request id, and renders every error response as
/// problem+json with `instance` set to the request path, whatever raised it.
/// HEAD wherever GET exists (RFC 9110 §9.3.2): a HEAD request is routed as
/// the GET it asks about. The connection knows it was a HEAD and sends the
/// GET's status and headers (`Content-Length`, `ETag`...) without the body.
pub async fn head_as_get_middleware(
    mut req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

pub async fn problem_middleware(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = RequestId::from_header(req.headers().get(REQUEST_ID_HEADER));
    req.extensions_mut().insert(request_id.clone());
    let path = req.path().to_owned();
    let method = req.method().clone();
    let started = std::time::Instant::now();
    let mut response = match next.call(req).await {
        Ok(response) => rerender_error(response.map_into_boxed_body(), &path),
        Err(error) => {
            // An error that escaped the service: render it ourselves.
            let api = to_api_error(&error);
            if api.code.status().is_server_error() {
                tracing::error!(%error, path = %path, "request failed outside a handler");
            }
            return Err(
                actix_web::error::InternalError::from_response(api.to_string(), api.render(Some(&path))).into(),
            );
        }
    };
    if let Ok(value) = HeaderValue::from_str(request_id.as_str()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    tracing::info!(
        request_id = request_id.as_str(),
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        elapsed_us = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(response)
}

fn rerender_error(response: ServiceResponse<BoxBody>, path: &str) -> ServiceResponse<BoxBody> {
    let Some(error) = response.response().error() else {
        return response;
    };
    let api = to_api_error(error);
    let (request, _) = response.into_parts();
    ServiceResponse::new(request, api.render(Some(path)))
}

/// Maps any actix error onto the API's error model.
fn to_api_error(error: &actix_web::Error) -> ApiError {
    if let Some(api) = error.as_error::<ApiError>() {
        return api.without_source();
    }
    let status = error.as_response_error().status_code();
    let code = match status.as_u16() {
        400 => ErrorCode::MalformedBody,
        404 => ErrorCode::RouteNotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        503 => ErrorCode::ServiceUnavailable,
        _ if status.is_client_error() => ErrorCode::MalformedBody,
        _ => ErrorCode::Internal,
    };
    if code == ErrorCode::Internal {
        return ApiError::internal(std::io::Error::other(error.to_string()));
    }
    ApiError::new(code, error.to_string())
}

/// A strong ETag for a row version: `"7"`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The row version an update's `If-Match` names: 428 without one, 412 when
/// it cannot match (a weak or malformed tag). `*` matches any version. A
/// listing's public ETag (`"7-…"`) names its row version first, so it may be
/// sent as is.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Err(ApiError::new(
            ErrorCode::PreconditionRequired,
            "This update needs an If-Match header with the ETag from a GET of the resource.",
        ));
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.split_once('-').map_or(t, |(version, _)| version).parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::PreconditionFailed,
                format!("If-Match {text:?} does not match the resource's current ETag."),
            )
        })
}

pub fn stale(current: i64) -> ApiError {
    ApiError::new(
        ErrorCode::PreconditionFailed,
        format!(
            "The resource has changed since it was read; its current ETag is {}.",
            etag(current)
        ),
    )
    .with_header(header::ETAG, etag(current))
}

/// JSON bodies: size limit, content type and syntax errors as problems.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(|err, _req| {
        let api = match &err {
            error::JsonPayloadError::OverflowKnownLength { length, limit } => ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("The body is {length} bytes; the limit is {limit}."),
            ),
            error::JsonPayloadError::Overflow { limit } => ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("The body exceeds the limit of {limit} bytes."),
            ),
            error::JsonPayloadError::ContentType => ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "The request body must be sent with Content-Type: application/json.",
            ),
            error::JsonPayloadError::Deserialize(inner) => body_error(inner),
            other => ApiError::new(ErrorCode::MalformedBody, other.to_string()),
        };
        api.into()
    })
}

/// A JSON body that parsed as JSON but not as the operation's schema names
/// the offending field where serde says which.
pub fn body_error(inner: &serde_json::Error) -> ApiError {
    let message = inner.to_string();
    match inner.classify() {
        serde_json::error::Category::Data => {
            let field = backticked(&message).unwrap_or("body");
            ApiError::field(ErrorCode::MalformedBody, field, message.clone())
        }
        _ => ApiError::new(
            ErrorCode::MalformedBody,
            format!("The body is not valid JSON: {message}"),
        ),
    }
}

/// The first name between backticks in a serde message (`unknown field `x``).
fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(&message[start..end])
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| query_error(&err).into())
}

/// A query string that does not fit its parameters, as a 400 naming the
/// parameter.
pub fn query_error(err: &error::QueryPayloadError) -> ApiError {
    let message = err.to_string();
    let field = backticked(&message).unwrap_or("query");
    ApiError::invalid_parameter(field, message.replace("Query deserialize error: ", ""))
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("A path parameter is invalid: {err}"),
        )
        .into()
    })
}

/// The route table's fallback: 405 with `Allow` when the path exists under
/// other methods, 404 otherwise.
pub async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    let allowed = routes.methods_for(req.path());
    let error = if allowed.is_empty() {
        ApiError::new(
            ErrorCode::RouteNotFound,
            format!("No operation exists at {}.", req.path()),
        )
    } else {
        let allow = allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
        ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!("{} is not allowed at {}; allowed: {allow}.", req.method(), req.path()),
        )
        .with_header(header::ALLOW, allow)
    };
    error.render(Some(req.path()))
}

/// The documented paths and their methods, for 405 answers.
#[derive(Default)]
pub struct RouteTable {
    routes: Vec<(actix_router::ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    pub fn from_openapi(document: &utoipa::openapi::OpenApi) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                let pairs = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ];
                for (operation, method) in pairs {
                    if operation.is_some() {
                        methods.push(method);
                    }
                }
                // HEAD is served wherever GET is (`head_as_get_middleware`).
                if item.get.is_some() {
                    methods.insert(1, Method::HEAD);
                }
                (actix_router::ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods documented at `path`. A literal path wins over a
    /// template that also matches it (`/v1/admin/holds/impact` is not
    /// `/v1/admin/holds/{id}`), as the router's own choice does.
    pub fn methods_for(&self, path: &str) -> Vec<Method> {
        let matching: Vec<&(actix_router::ResourceDef, Vec<Method>)> =
            self.routes.iter().filter(|(def, _)| def.is_match(path)).collect();
        let literal = |def: &actix_router::ResourceDef| !def.pattern().is_some_and(|p| p.contains('{'));
        let has_literal = matching.iter().any(|(def, _)| literal(def));
        matching
            .into_iter()
            .filter(|(def, _)| !has_literal || literal(def))
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect()
    }
}

/// The start of a 200 a client may keep and revalidate with
/// `If-None-Match`: its ETag, and a caching policy private to the caller.
pub fn revalidatable(tag: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::ETAG, tag.to_owned()))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::VARY, "Authorization"));
    response
}

/// 304 Not Modified for `tag`, with the caching policy of the
/// [`revalidatable`] 200 it stands for (a 304's headers update the stored
/// response's).
pub fn not_modified(tag: String) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::VARY, "Authorization"))
        .finish()
}

/// A GET of a resource without a row version (a webhook, a tenant's
/// directory entry): 200 with its JSON and an ETag drawn from that JSON, or
/// 304 when `If-None-Match` already names it.
pub fn revalidated_json(req: &HttpRequest, body: &impl serde::Serialize) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let tag = content_etag(&bytes);
    if if_none_match(req, &tag) {
        return Ok(not_modified(tag));
    }
    Ok(revalidatable(&tag).content_type("application/json").body(bytes))
}

/// A strong ETag drawn from a representation's bytes, for resources that
/// keep no row version.
pub fn content_etag(representation: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(representation);
    format!("\"c-{}\"", hex::encode(&digest[..12]))
}

/// Whether the request's body is declared JSON: `application/json` or a
/// JSON-based type (`application/merge-patch+json`).
pub fn sent_as_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<actix_web::mime::Mime>().ok())
        .is_some_and(|mime| {
            mime.type_() == actix_web::mime::APPLICATION
                && (mime.subtype() == actix_web::mime::JSON || mime.suffix() == Some(actix_web::mime::JSON))
        })
}

/// Whether `If-None-Match` names `tag` (weak comparison) or is `*`.
pub fn if_none_match(req: &actix_web::HttpRequest, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    req.headers()
        .get_all(actix_web::http::header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|candidate| candidate.trim() == "*" || opaque(candidate) == opaque(tag))
}

#[cfg(test)]
mod tests {
    use actix_web::{test, App};
    use serde_json::Value;

    use super::*;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
    }

    async fn post(body: &'static str, content_type: &str) -> (u16, Value, String) {
        let app = test::init_service(
            App::new()
                .app_data(json_config(64))
                .route(
                    "/things",
                    web::post().to(|_: web::Json<Body>| async { HttpResponse::Ok().finish() }),
                )
                .wrap(actix_web::middleware::from_fn(problem_middleware)),
        )
        .await;
        let request = test::TestRequest::post()
            .uri("/things")
            .insert_header((header::CONTENT_TYPE, content_type))
            .set_payload(body)
            .to_request();
        let response = test::call_service(&app, request).await;
        let status = response.status().as_u16();
        let content = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body: Value = test::read_body_json(response).await;
        assert_eq!(content, PROBLEM_CONTENT_TYPE);
        (status, body, content)
    }

    #[actix_web::test]
    async fn json_that_does_not_parse_is_a_400_problem() {
        let (status, body, _) = post("{\"name\": ", "application/json").await;
        assert_eq!((status, body["code"].as_str()), (400, Some("malformed_body")));
        assert_eq!(body["instance"], "/things");
    }

    #[actix_web::test]
    async fn json_with_an_unknown_field_is_a_400_naming_it() {
        let (status, body, _) = post("{\"name\": \"a\", \"status\": \"active\"}", "application/json").await;
        assert_eq!(status, 400);
        assert_eq!(body["errors"][0]["field"], "status", "{body}");
    }

    #[actix_web::test]
    async fn a_body_over_the_limit_is_a_413_problem() {
        let big = Box::leak(format!("{{\"name\": \"{}\"}}", "x".repeat(100)).into_boxed_str());
        let (status, body, _) = post(big, "application/json").await;
        assert_eq!((status, body["code"].as_str()), (413, Some("payload_too_large")));
    }

    #[actix_web::test]
    async fn a_body_that_is_not_declared_json_is_a_415_problem() {
        let (status, body, _) = post("name=a", "application/x-www-form-urlencoded").await;
        assert_eq!((status, body["code"].as_str()), (415, Some("unsupported_media_type")));
    }

    #[actix_web::test]
    async fn a_literal_path_answers_with_its_own_methods_not_a_matching_templates() {
        let table = RouteTable::from_openapi(&crate::openapi::document());
        assert_eq!(table.methods_for("/v1/admin/holds/impact"), vec![Method::POST]);
        assert_eq!(
            table.methods_for("/v1/admin/holds/0193a0c4-0000-7000-8000-000000000001"),
            vec![Method::GET, Method::HEAD]
        );
        assert!(table.methods_for("/v1/nothing/here").is_empty());
    }
}
