//! The OpenAPI document, collected from the registered handlers and then
//! completed with what every operation shares: the bearer scheme and the
//! problem responses any request can meet (authentication, authorisation,
//! rate limiting, server trouble).

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, RefOr, Response};
use utoipa::{OpenApi, PartialSchema, ToSchema};

use crate::error::{ErrorCode, Problem, PROBLEM_CONTENT_TYPE};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "modelmart",
        description = "The catalog and marketplace of AI models: discovery, enablement and compliance holds.\n\n\
            Errors are RFC 9457 `application/problem+json` documents with a stable `code`.\n\
            Lists are `{\"items\": [...], \"next_cursor\": ...}`; pass `next_cursor` back as `cursor`.\n\
            Money amounts are decimal strings with a `currency`.",
        version = "0.1.0",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    components(schemas(
        Problem,
        crate::error::FieldError,
        crate::catalog::query::FilterValue,
        crate::catalog::query::CountryCode,
        crate::catalog::query::SortChoice
    )),
    tags(
        (name = "discovery", description = "Browse the catalog: listings, offers, publishers, regions"),
        (name = "tenants", description = "A tenant's policy and enablements (tenant principals; platform.admin reads)"),
        (name = "catalog administration", description = "Curate listings and import feeds (catalog.admin)"),
        (name = "compliance", description = "Compliance holds that delist models (compliance.officer; auditor and platform.admin read)"),
        (name = "notifications", description = "A tenant's events, pulled or pushed to signed webhooks"),
        (name = "audit", description = "The hash-chained platform audit log (auditor)"),
        (name = "operations", description = "Health and readiness probes")
    )
)]
pub struct ApiDoc;

fn with_retry_after(mut response: Response) -> Response {
    response.headers.insert(
        "Retry-After".to_owned(),
        RefOr::T(
            utoipa::openapi::header::HeaderBuilder::new()
                .schema(Some(i32::schema()))
                .description(Some("Seconds to wait before retrying"))
                .build(),
        ),
    );
    response
}

fn problem_response(description: &str, code: ErrorCode, detail: &str) -> Response {
    let example = serde_json::json!({
        "type": format!("urn:modelmart:problem:{}", code.as_str()),
        "title": code.title(),
        "status": code.status().as_u16(),
        "detail": detail,
        "instance": "/v1/models",
        "code": code.as_str(),
    });
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_CONTENT_TYPE,
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(
                    utoipa::openapi::Ref::from_schema_name(Problem::name()),
                )))
                .example(Some(example))
                .build(),
        )
        .build()
}

/// The shared responses, by component name.
fn shared_responses() -> Vec<(&'static str, Response)> {
    vec![
        (
            "Unauthenticated",
            problem_response(
                "The bearer token is missing, malformed, expired, not yet valid, or has a wrong signature, \
                 issuer, audience or algorithm. `WWW-Authenticate: Bearer` says which.",
                ErrorCode::InvalidToken,
                "The bearer token was refused: the token has expired.",
            ),
        ),
        (
            "Forbidden",
            problem_response(
                "The token is valid but lacks a role this operation needs.",
                ErrorCode::Forbidden,
                "This operation needs one of the roles: catalog.admin.",
            ),
        ),
        (
            "RateLimited",
            with_retry_after(problem_response(
                "Too many requests from this principal; `Retry-After` says when to retry.",
                ErrorCode::RateLimited,
                "Retry after 1 second.",
            )),
        ),
        (
            "MalformedBody",
            problem_response(
                "The body is not JSON, or not JSON of this operation's shape; `errors` names where.",
                ErrorCode::MalformedBody,
                "body: missing field `region` at line 1 column 40",
            ),
        ),
        (
            "PayloadTooLarge",
            problem_response(
                "The body is larger than the server accepts (MODELMART_MAX_BODY_BYTES).",
                ErrorCode::PayloadTooLarge,
                "The request body exceeds the limit of 262144 bytes.",
            ),
        ),
        (
            "UnsupportedMediaType",
            problem_response(
                "The body is not declared as application/json.",
                ErrorCode::UnsupportedMediaType,
                "The request body must be application/json.",
            ),
        ),
        (
            "InternalError",
            problem_response(
                "The server failed; the cause is logged, never returned.",
                ErrorCode::Internal,
                "The server failed to complete the request; it has been logged.",
            ),
        ),
        (
            "ServiceUnavailable",
            with_retry_after(problem_response(
                "The database is unavailable or busy; `Retry-After` says when to retry.",
                ErrorCode::ServiceUnavailable,
                "The database is unavailable or busy; retry shortly.",
            )),
        ),
    ]
}

fn add_response_ref(operation: &mut Operation, status: &str, component: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| RefOr::Ref(utoipa::openapi::Ref::from_response_name(component)));
}

/// Adds the bearer scheme, the shared problem responses, and to every
/// operation the responses it can meet whatever its handler does.
pub fn complete(mut document: Document) -> Document {
    let components = document.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "A JWT from the identity provider (RS256/ES256 by `kid` from the JWKS) or, in development, \
                     HS256 from `modelmart token`. Claims: sub, tid (tenants only), roles, iss, aud, exp; \
                     nbf and iat are checked when present.",
                ))
                .build(),
        ),
    );
    for (name, response) in shared_responses() {
        components.responses.insert(name.to_owned(), RefOr::T(response));
    }
    if !components.schemas.contains_key(Problem::name().as_ref()) {
        components
            .schemas
            .insert(Problem::name().into_owned(), Problem::schema());
    }
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            if secured {
                add_response_ref(operation, "401", "Unauthenticated");
                add_response_ref(operation, "403", "Forbidden");
                add_response_ref(operation, "429", "RateLimited");
                add_response_ref(operation, "503", "ServiceUnavailable");
            }
            if operation.request_body.is_some() {
                add_response_ref(operation, "400", "MalformedBody");
                add_response_ref(operation, "413", "PayloadTooLarge");
                add_response_ref(operation, "415", "UnsupportedMediaType");
            }
            add_response_ref(operation, "500", "InternalError");
            for parameter in operation.parameters.iter_mut().flatten() {
                if let RefOr::T(parameter) = parameter {
                    never_null(parameter);
                }
            }
        }
    }
    document
}

/// A parameter is present or absent; it has no null. Optional header
/// parameters come out of the derive typed `["string", "null"]`, which
/// generated clients turn into a header they will send as `None`.
fn never_null(parameter: &mut utoipa::openapi::path::Parameter) {
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut() {
        if let SchemaType::Array(types) = &object.schema_type {
            let present: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
            if let [only] = present.as_slice() {
                object.schema_type = SchemaType::Type(only.clone());
            }
        }
    }
}

/// What the document starts from before the routes add their operations:
/// info, tags and the schemas every operation shares.
pub fn base() -> Document {
    ApiDoc::openapi()
}

/// The whole document, as served at `/openapi.json`.
pub fn document() -> Document {
    let (_, collected) = crate::routes::router(actix_web::App::new(), base()).split_for_parts();
    complete(collected)
}

/// The document as committed in `openapi/openapi.json`: pretty JSON and a
/// final newline.
pub fn document_json() -> String {
    let mut text = document().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod reference_tests {
    /// A `$ref` to a schema nobody registered breaks every generated SDK.
    #[test]
    fn every_schema_reference_resolves() {
        let document = serde_json::to_value(super::document()).unwrap();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        let text = document.to_string();
        let mut missing: Vec<&str> = text
            .split("\"#/components/schemas/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|name| !schemas.contains_key(*name))
            .collect();
        missing.dedup();
        assert!(missing.is_empty(), "unresolved schema references: {missing:?}");
    }
}
