//! Bearer token verification. Algorithms are pinned by configuration: HS256
//! when a shared secret is set (development and tests), RS256 and ES256 with
//! keys from a JWKS document chosen by `kid` (production identity providers).
//! A token naming any other algorithm, including `none`, is refused before
//! its signature is looked at.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use uuid::Uuid;

use crate::config::{AuthSettings, Secret};

/// The claims modelmart reads. The required ones are optional here so that
/// a token lacking one is refused by name (`MissingClaim`) rather than as
/// malformed; verification checks each is present.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
}

/// Why a token was refused. The message is safe to show the caller: it says
/// which check failed, never anything about keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token is longer than any this server accepts")]
    TooLarge,
    #[error("the token's algorithm {0} is not accepted by this server")]
    AlgorithmNotAccepted(String),
    #[error("the token's key id is not known")]
    UnknownKey,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was issued in the future")]
    IssuedInFuture,
    #[error("the token's issuer is not accepted")]
    WrongIssuer,
    #[error("the token's audience does not include this API")]
    WrongAudience,
    #[error("the token lacks the required claim `{0}`")]
    MissingClaim(String),
    #[error("the token's claim `{0}` is malformed")]
    InvalidClaim(String),
}

#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    #[error("no token verification is configured: set MODELMART_JWT_SECRET or MODELMART_JWKS")]
    NothingConfigured,
    #[error("could not read the JWKS from {source_name}: {message}")]
    Jwks { source_name: String, message: String },
}

/// A verified caller, before roles are interpreted.
#[derive(Debug, Clone)]
pub struct VerifiedClaims {
    pub subject: String,
    pub tenant_id: Option<Uuid>,
    pub roles: Vec<String>,
}

pub struct Authenticator {
    hs256: Option<DecodingKey>,
    jwks: Option<std::sync::Arc<JwksStore>>,
    issuer: String,
    audience: String,
    leeway_secs: u64,
    /// How long a verification is reused at most, in seconds.
    reverify_after: i64,
    verified: std::sync::RwLock<HashMap<String, Verified>>,
}

/// A token that verified, remembered so a client sending it again (a
/// portal revalidating pages) skips the signature check and claim parsing.
#[derive(Clone)]
struct Verified {
    claims: VerifiedClaims,
    /// The earlier of the token's own expiry (with leeway) and a short
    /// horizon, so a key withdrawn from the JWKS stops being honoured soon.
    until: i64,
}

/// Tokens longer than this are refused unread: no identity provider issues
/// them, and parsing one costs the server what it costs the sender.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Past this many remembered tokens the cache starts over.
const MAX_REMEMBERED_TOKENS: usize = 10_000;

impl Authenticator {
    pub async fn from_settings(settings: &AuthSettings) -> Result<Self, AuthSetupError> {
        let hs256 = settings
            .hs256_secret
            .as_ref()
            .map(|secret| DecodingKey::from_secret(secret.expose().as_bytes()))
            .transpose()
            .map_err(|e| AuthSetupError::Jwks {
                source_name: "MODELMART_JWT_SECRET".into(),
                message: e.to_string(),
            })?;
        let jwks = match &settings.jwks {
            Some(location) => {
                let store = std::sync::Arc::new(JwksStore::load(location, settings.jwks_refresh).await?);
                if store.is_remote() {
                    JwksStore::spawn_refresher(&store, settings.jwks_max_age);
                }
                Some(store)
            }
            None => None,
        };
        if hs256.is_none() && jwks.is_none() {
            return Err(AuthSetupError::NothingConfigured);
        }
        Ok(Authenticator {
            hs256,
            jwks,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            leeway_secs: settings.leeway_secs,
            reverify_after: settings.jwks_refresh.as_secs() as i64,
            verified: std::sync::RwLock::new(HashMap::new()),
        })
    }

    /// Verifies `token` (see [`Authenticator::verify_uncached`]), reusing a
    /// verification of the same token made within the JWKS refresh interval.
    pub async fn verify(&self, token: &str) -> Result<VerifiedClaims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLarge);
        }
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let remembered = self
            .verified
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(token)
            .filter(|verified| now < verified.until)
            .map(|verified| verified.claims.clone());
        if let Some(claims) = remembered {
            return Ok(claims);
        }
        let (claims, exp) = self.verify_uncached(token).await?;
        let until = (exp + self.leeway_secs as i64).min(now + self.reverify_after);
        let mut verified = self.verified.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if verified.len() >= MAX_REMEMBERED_TOKENS {
            verified.retain(|_, entry| now < entry.until);
            if verified.len() >= MAX_REMEMBERED_TOKENS {
                verified.clear();
            }
        }
        verified.insert(
            token.to_owned(),
            Verified {
                claims: claims.clone(),
                until,
            },
        );
        Ok(claims)
    }

    /// Checks the signature, algorithm, issuer, audience and times of
    /// `token`; returns its claims and its expiry.
    async fn verify_uncached(&self, token: &str) -> Result<(VerifiedClaims, i64), TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|error| match error.kind() {
            // `alg: none` and other unknown names fail to parse as an Algorithm.
            jsonwebtoken::errors::ErrorKind::Json(_) if token_names_algorithm(token).is_some() => {
                TokenError::AlgorithmNotAccepted(token_names_algorithm(token).unwrap_or_default())
            }
            _ => TokenError::Malformed,
        })?;
        let key = match header.alg {
            Algorithm::HS256 => self
                .hs256
                .clone()
                .ok_or_else(|| TokenError::AlgorithmNotAccepted("HS256".into()))?,
            Algorithm::RS256 | Algorithm::ES256 => {
                let store = self
                    .jwks
                    .as_ref()
                    .ok_or_else(|| TokenError::AlgorithmNotAccepted(format!("{:?}", header.alg)))?;
                let kid = header.kid.as_deref().ok_or(TokenError::UnknownKey)?;
                let (algorithm, key) = store.key(kid).await.ok_or(TokenError::UnknownKey)?;
                if algorithm != header.alg {
                    return Err(TokenError::AlgorithmNotAccepted(format!("{:?}", header.alg)));
                }
                key
            }
            other => return Err(TokenError::AlgorithmNotAccepted(format!("{other:?}"))),
        };

        let mut validation = Validation::new(header.alg);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway_secs;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(map_jwt_error)?;
        let claims = data.claims;

        let now = jsonwebtoken::get_current_timestamp() as i64;
        if claims.iat.is_some_and(|iat| iat > now + self.leeway_secs as i64) {
            return Err(TokenError::IssuedInFuture);
        }
        let exp = claims.exp.ok_or_else(|| TokenError::MissingClaim("exp".into()))?;
        let subject = claims.sub.ok_or_else(|| TokenError::MissingClaim("sub".into()))?;
        if subject.trim().is_empty() || subject.len() > 256 {
            return Err(TokenError::InvalidClaim("sub".into()));
        }
        let tenant_id = match claims.tid.as_deref() {
            None => None,
            Some(tid) => Some(Uuid::parse_str(tid).map_err(|_| TokenError::InvalidClaim("tid".into()))?),
        };
        if claims.roles.len() > 32 {
            return Err(TokenError::InvalidClaim("roles".into()));
        }
        let claims_verified = VerifiedClaims {
            subject,
            tenant_id,
            roles: claims.roles,
        };
        Ok((claims_verified, exp))
    }
}

/// The `alg` a token's header names, read without trusting anything else, so
/// `alg: none` can be reported as an algorithm refusal rather than garbage.
fn token_names_algorithm(token: &str) -> Option<String> {
    use base64::Engine;
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("alg")?.as_str().map(str::to_owned)
}

fn map_jwt_error(error: jsonwebtoken::errors::Error) -> TokenError {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) => TokenError::MissingClaim(claim.clone()),
        ErrorKind::InvalidClaimFormat(claim) => TokenError::InvalidClaim(claim.clone()),
        ErrorKind::InvalidAlgorithm => TokenError::AlgorithmNotAccepted("mismatched".into()),
        _ => TokenError::Malformed,
    }
}

/// Keys from a JWKS document, by `kid`. A URL source is fetched again when a
/// token names an unknown `kid` (key rotation), at most once per
/// `MODELMART_JWKS_REFRESH_SECS`, and in the background every
/// `MODELMART_JWKS_MAX_AGE_SECS` (key withdrawal).
struct JwksStore {
    location: String,
    /// The keys and when they were fetched.
    keys: RwLock<(KeysByKid, Instant)>,
    /// The least time between two fetches.
    refresh_after: Duration,
}

type KeysByKid = HashMap<String, (Algorithm, DecodingKey)>;

impl JwksStore {
    async fn load(location: &str, refresh_after: Duration) -> Result<Self, AuthSetupError> {
        let keys = fetch_jwks(location).await?;
        Ok(JwksStore {
            location: location.to_owned(),
            keys: RwLock::new((keys, Instant::now())),
            refresh_after,
        })
    }

    fn is_remote(&self) -> bool {
        self.location.starts_with("https://") || self.location.starts_with("http://")
    }

    async fn key(&self, kid: &str) -> Option<(Algorithm, DecodingKey)> {
        if let Some(found) = self.keys.read().await.0.get(kid) {
            return Some(found.clone());
        }
        if !self.is_remote() {
            return None;
        }
        let mut guard = self.keys.write().await;
        // Waiting for the write lock queues every concurrent unknown-kid
        // request behind one fetch; the interval keeps a stream of forged
        // kids from turning into a stream of fetches.
        if guard.1.elapsed() >= self.refresh_after {
            self.fetch_into(&mut guard).await;
        }
        guard.0.get(kid).cloned()
    }

    async fn fetch_into(&self, keys: &mut (KeysByKid, Instant)) {
        match fetch_jwks(&self.location).await {
            Ok(fetched) => *keys = (fetched, Instant::now()),
            Err(error) => {
                tracing::warn!(%error, "JWKS refresh failed; keeping the previous keys");
                keys.1 = Instant::now();
            }
        }
    }

    /// Refetches the key set every `max_age`, so a key the identity
    /// provider withdraws stops verifying even if no unknown `kid` ever
    /// asks for a refresh. Ends when the store is dropped.
    fn spawn_refresher(store: &std::sync::Arc<JwksStore>, max_age: Duration) {
        let store = std::sync::Arc::downgrade(store);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(max_age).await;
                let Some(store) = store.upgrade() else { return };
                let mut keys = store.keys.write().await;
                store.fetch_into(&mut keys).await;
            }
        });
    }
}

async fn fetch_jwks(location: &str) -> Result<KeysByKid, AuthSetupError> {
    let failure = |message: String| AuthSetupError::Jwks {
        source_name: location.to_owned(),
        message,
    };
    let text = if location.starts_with("https://") || location.starts_with("http://") {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| failure(e.to_string()))?;
        let response = client.get(location).send().await.map_err(|e| failure(e.to_string()))?;
        if !response.status().is_success() {
            return Err(failure(format!("HTTP {}", response.status())));
        }
        response.text().await.map_err(|e| failure(e.to_string()))?
    } else {
        tokio::fs::read_to_string(location)
            .await
            .map_err(|e| failure(e.to_string()))?
    };
    let set: JwkSet = serde_json::from_str(&text).map_err(|e| failure(e.to_string()))?;
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let Some(kid) = jwk.common.key_id.clone() else {
            continue;
        };
        if let Some(algorithm) = accepted_algorithm(jwk) {
            let key = DecodingKey::from_jwk(jwk).map_err(|e| failure(format!("key {kid}: {e}")))?;
            keys.insert(kid, (algorithm, key));
        }
    }
    if keys.is_empty() {
        return Err(failure("no RS256 or ES256 (P-256) key with a kid".into()));
    }
    Ok(keys)
}

/// The one algorithm a JWK may verify: RSA keys RS256, P-256 keys ES256.
fn accepted_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => Some(Algorithm::ES256),
        _ => None,
    }
}

/// What a development token says.
#[derive(Debug, Clone)]
pub struct DevTokenRequest {
    pub subject: String,
    pub tenant_id: Option<Uuid>,
    pub roles: Vec<String>,
    pub ttl_secs: u64,
}

/// Mints an HS256 token with the configured development secret.
pub fn mint_dev_token(
    secret: &Secret,
    issuer: &str,
    audience: &str,
    request: &DevTokenRequest,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = jsonwebtoken::get_current_timestamp() as i64;
    let claims = Claims {
        sub: Some(request.subject.clone()),
        tid: request.tenant_id.map(|t| t.to_string()),
        roles: request.roles.clone(),
        iss: Some(issuer.to_owned()),
        aud: Some(serde_json::Value::String(audience.to_owned())),
        exp: Some(now + request.ttl_secs as i64),
        nbf: Some(now),
        iat: Some(now),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.expose().as_bytes())?,
    )
}
