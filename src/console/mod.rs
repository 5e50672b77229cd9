//! The compliance console: a static single-page app served at `/console/`,
//! embedded in the binary so it works offline and ships with the server it
//! talks to. It is public (the page holds no data); everything it shows
//! comes from the public API with the bearer token the user signs in with.
//! It is not part of the OpenAPI document: it is a client of it.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::{ApiError, ErrorCode};

/// Scripts and styles only from the console itself (no inline code, no
/// eval), API calls only to this origin, no framing, no plugins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Assets are not fingerprinted, so a browser may keep them but must
/// revalidate (a cheap 304 by ETag) so a new server version is seen at once.
const CACHE_CONTROL: &str = "no-cache";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// The body's FNV-1a hash, computed at compile time: the ETag.
    hash: u64,
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!("assets/", $name)),
            hash: fnv1a(include_bytes!(concat!("assets/", $name))),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("api.js", "text/javascript; charset=utf-8"),
    asset!("contract.js", "text/javascript; charset=utf-8"),
    asset!("dom.js", "text/javascript; charset=utf-8"),
    asset!("session.js", "text/javascript; charset=utf-8"),
    asset!("signin.js", "text/javascript; charset=utf-8"),
    asset!("holds.js", "text/javascript; charset=utf-8"),
    asset!("catalog.js", "text/javascript; charset=utf-8"),
    asset!("audit.js", "text/javascript; charset=utf-8"),
    asset!("tenants.js", "text/javascript; charset=utf-8"),
];

/// FNV-1a, 64 bits: a version tag for an asset, not a security measure.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.name == name)
}

/// Registers `/console` (a redirect), `/console/` (the page) and
/// `/console/{asset}`.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route(
            "/console",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/console/"))
                    .finish()
            }),
        )
        .route("/console/", web::get().to(index))
        .route("/console/{asset}", web::get().to(serve_asset));
}

async fn index(req: HttpRequest) -> HttpResponse {
    respond(&req, find("index.html").expect("the console page is embedded"))
}

async fn serve_asset(req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    match find(&name) {
        Some(asset) => respond(&req, asset),
        None => ApiError::new(
            ErrorCode::RouteNotFound,
            format!("The console has no file {}.", req.path()),
        )
        .render(Some(req.path())),
    }
}

fn respond(req: &HttpRequest, asset: &Asset) -> HttpResponse {
    let etag = format!("\"{:016x}\"", asset.hash);
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let mut response = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
    if matches {
        return response.finish();
    }
    response
        .insert_header((header::CONTENT_TYPE, asset.content_type))
        .body(asset.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_distinct_name_and_the_page_names_only_embedded_files() {
        let page = std::str::from_utf8(find("index.html").unwrap().body).unwrap();
        for asset in ASSETS {
            assert_eq!(
                ASSETS.iter().filter(|a| a.name == asset.name).count(),
                1,
                "{}",
                asset.name
            );
        }
        for reference in page.split(['"', '\'']).filter(|part| part.starts_with("/console/")) {
            let name = reference.trim_start_matches("/console/");
            assert!(
                find(name).is_some(),
                "index.html names {reference}, which is not embedded"
            );
        }
    }

    #[test]
    fn every_file_of_the_assets_folder_is_embedded() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/console/assets");
        for entry in std::fs::read_dir(folder).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(find(&name).is_some(), "src/console/assets/{name} is not in ASSETS");
        }
    }

    #[test]
    fn every_script_import_names_an_embedded_module() {
        for asset in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
            let code = std::str::from_utf8(asset.body).unwrap();
            for line in code.lines().filter(|l| l.trim_start().starts_with("import ")) {
                let Some(from) = line.split("from").nth(1) else {
                    continue;
                };
                let module = from.trim().trim_matches(|c| c == '\'' || c == '"' || c == ';');
                let name = module.trim_start_matches("./");
                assert!(
                    find(name).is_some(),
                    "{} imports {module}, which is not embedded",
                    asset.name
                );
            }
        }
    }
}
