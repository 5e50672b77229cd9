//! Reading discovery parameters from a request's query string: a list
//! parameter may be repeated (`publisher=a&publisher=b`, as generated
//! clients send OpenAPI's exploded arrays) or comma-separated, or both; any
//! other parameter given twice is refused.

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use crate::catalog::query::{DiscoveryParams, LIST_PARAMETERS};
use crate::error::ApiError;

/// Reads a query string, joining a repeated list parameter's values with
/// commas.
pub fn read(query: &str) -> Result<DiscoveryParams, ApiError> {
    let parse = |query: &str| {
        web::Query::<DiscoveryParams>::from_query(query)
            .map(web::Query::into_inner)
            .map_err(|error| crate::http::query_error(&error))
    };
    // Most queries name each list once: the query string itself is then
    // read as it is, without copying its parameters and encoding them again.
    let keys: Vec<_> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(key, _)| key)
        .collect();
    let a_list_repeated = keys
        .iter()
        .enumerate()
        .any(|(n, key)| LIST_PARAMETERS.contains(&key.as_ref()) && keys[..n].contains(key));
    if !a_list_repeated {
        return parse(query);
    }
    let mut merged: Vec<(String, String)> = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if LIST_PARAMETERS.contains(&key.as_ref()) {
            if let Some((_, joined)) = merged.iter_mut().find(|(k, _)| *k == key) {
                joined.push(',');
                joined.push_str(&value);
                continue;
            }
        }
        merged.push((key.into_owned(), value.into_owned()));
    }
    parse(
        &url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&merged)
            .finish(),
    )
}

impl FromRequest for DiscoveryParams {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(read(req.query_string()))
    }
}
