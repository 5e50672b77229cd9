//! Authentication and authorisation as typed extractors, so no handler can
//! forget either: a handler that takes `Authorized<R>` only runs for a
//! verified principal holding one of `R::ROLES`.

pub mod gate;
pub mod jwt;
pub mod roles;

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use crate::domain::actor::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::http::RequestId;
pub use roles::{Role, RoleSet};

/// A verified caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub subject: String,
    /// The caller's tenant; `None` for platform staff.
    pub tenant_id: Option<Uuid>,
    pub roles: RoleSet,
}

impl Principal {
    /// How the audit log names this caller.
    pub fn actor(&self) -> String {
        match self.tenant_id {
            Some(tenant) => format!("tenant:{tenant}:{}", self.subject),
            None => format!("platform:{}", self.subject),
        }
    }

    /// This principal acting through the request `request_id`, for the
    /// audit log.
    pub fn acting(&self, request_id: &RequestId) -> Actor {
        Actor {
            name: self.actor(),
            roles: self.roles.names(),
            request_id: Some(request_id.as_str().to_owned()),
        }
    }
}

const REALM: &str = "Bearer realm=\"modelmart\"";

fn unauthenticated() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthenticated,
        "This operation needs an `Authorization: Bearer <token>` header.",
    )
    .with_header(header::WWW_AUTHENTICATE, REALM)
}

fn invalid_token(reason: &str) -> ApiError {
    // RFC 6750 §3: error and error_description; the description must not
    // contain a double quote or backslash.
    let description: String = reason.chars().filter(|c| *c != '"' && *c != '\\').collect();
    ApiError::new(
        ErrorCode::InvalidToken,
        format!("The bearer token was refused: {reason}."),
    )
    .with_header(
        header::WWW_AUTHENTICATE,
        format!("{REALM}, error=\"invalid_token\", error_description=\"{description}\""),
    )
}

/// The result of authenticating a request, settled by
/// [`authentication_middleware`] before any handler's extractors run, so a
/// caller without a valid token learns nothing from parameter validation.
struct Authentication(Result<Principal, ApiError>);

impl Authentication {
    fn outcome(&self) -> Result<Principal, ApiError> {
        match &self.0 {
            Ok(principal) => Ok(principal.clone()),
            Err(error) => Err(error.without_source()),
        }
    }
}

/// Middleware: authenticates every `/v1` request up front (a request without
/// credentials is settled as unauthenticated; routes decide what that means).
pub async fn authentication_middleware(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.path().starts_with("/v1/") {
        let outcome = verify(req.request().clone()).await;
        req.extensions_mut().insert(Authentication(outcome));
    }
    next.call(req).await
}

/// The settled authentication, or (outside the middleware, as in unit
/// tests of handlers) a fresh verification.
async fn authenticate(req: HttpRequest) -> Result<Principal, ApiError> {
    let settled = req.extensions().get::<Authentication>().map(Authentication::outcome);
    match settled {
        Some(outcome) => outcome,
        None => verify(req).await,
    }
}

fn gate_of(req: &HttpRequest) -> Result<web::Data<gate::Gate>, ApiError> {
    req.app_data::<web::Data<gate::Gate>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(std::io::Error::other("the authentication gate is not configured")))
}

async fn verify(req: HttpRequest) -> Result<Principal, ApiError> {
    let gate = gate_of(&req)?;
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(unauthenticated)?;
    let value = value
        .to_str()
        .map_err(|_| invalid_token("the Authorization header is not ASCII"))?;
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => token.trim(),
        _ => return Err(invalid_token("the Authorization header must use the Bearer scheme")),
    };
    let claims = gate
        .authenticator
        .verify(token)
        .await
        .map_err(|error| invalid_token(&error.to_string()))?;
    // The subject names the actor of every change this principal makes, so
    // it must be text the audit log can store.
    let subject_ok = !claims.subject.is_empty()
        && claims.subject.chars().count() <= 200
        && !claims.subject.chars().any(char::is_control);
    if !subject_ok {
        return Err(invalid_token("the token's sub must be 1 to 200 printable characters"));
    }

    let is_tenant = claims.tenant_id.is_some();
    let roles: RoleSet = claims
        .roles
        .iter()
        .filter_map(|name| Role::parse(name))
        .filter(|role| role.is_tenant_role() == is_tenant)
        .collect();
    let principal = Principal {
        subject: claims.subject,
        tenant_id: claims.tenant_id,
        roles,
    };
    // Limits follow the verified caller, never the client address.
    let caller = match principal.tenant_id {
        Some(tenant) => format!("{tenant}/{}", principal.subject),
        None => format!("platform/{}", principal.subject),
    };
    if let Err(wait) = gate.limiter.admit(&caller) {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            format!("Too many requests from this caller; retry in {seconds} s."),
        )
        .with_header(header::RETRY_AFTER, seconds.to_string()));
    }
    if let Some(tenant_id) = principal.tenant_id {
        let request_id = RequestId::of(&req);
        gate.tenants
            .ensure_provisioned(&gate.pool, tenant_id, &principal, &request_id)
            .await?;
    }
    req.extensions_mut().insert(principal.clone());
    Ok(principal)
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(authenticate(req.clone()))
    }
}

/// A rule naming the roles an operation needs.
pub trait Requirement {
    const ROLES: &'static [Role];
}

/// A principal that holds one of `R::ROLES`; any other valid token gets 403.
pub struct Authorized<R: Requirement> {
    pub principal: Principal,
    _requirement: PhantomData<R>,
}

impl<R: Requirement> std::ops::Deref for Authorized<R> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<R: Requirement + 'static> FromRequest for Authorized<R> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let principal = authenticate(req).await?;
            if !principal.roles.grants_any(R::ROLES) {
                let needed: Vec<_> = R::ROLES.iter().map(|r| r.as_str()).collect();
                return Err(ApiError::new(
                    ErrorCode::Forbidden,
                    format!("This operation needs one of the roles: {}.", needed.join(", ")),
                ));
            }
            Ok(Authorized {
                principal,
                _requirement: PhantomData,
            })
        })
    }
}

/// Discovering the catalog: tenant users and the platform staff who curate
/// or police it.
pub struct DiscoverCatalog;
impl Requirement for DiscoverCatalog {
    const ROLES: &'static [Role] = &[
        Role::CatalogReader,
        Role::CatalogAdmin,
        Role::ComplianceOfficer,
        Role::PlatformAdmin,
    ];
}

/// Changing listings, offers and prices; importing feeds.
pub struct ManageCatalog;
impl Requirement for ManageCatalog {
    const ROLES: &'static [Role] = &[Role::CatalogAdmin];
}

/// What a tenant route needs of its caller.
pub trait TenantRequirement {
    /// Roles a principal of *this* tenant needs.
    const TENANT_ROLES: &'static [Role];
    /// Whether `platform.admin` may use the route on any tenant (support reads).
    const PLATFORM_ADMIN: bool;
}

/// Reading a tenant's own resources.
pub struct TenantRead;
impl TenantRequirement for TenantRead {
    const TENANT_ROLES: &'static [Role] = &[Role::CatalogReader];
    const PLATFORM_ADMIN: bool = true;
}

/// Acting as a tenant user (recommendations): the tenant's own principals only.
pub struct TenantUse;
impl TenantRequirement for TenantUse {
    const TENANT_ROLES: &'static [Role] = &[Role::CatalogReader];
    const PLATFORM_ADMIN: bool = false;
}

/// Changing a tenant's own resources.
pub struct TenantWrite;
impl TenantRequirement for TenantWrite {
    const TENANT_ROLES: &'static [Role] = &[Role::TenantAdmin];
    const PLATFORM_ADMIN: bool = false;
}

/// A principal allowed on `/v1/tenants/{tenant_id}/...`. A tenant principal reaches
/// only its own tenant: any other `{tenant_id}` answers 404, the same as a tenant
/// that does not exist, so existence does not leak.
pub struct TenantAccess<R: TenantRequirement> {
    pub principal: Principal,
    pub tenant_id: Uuid,
    _requirement: PhantomData<R>,
}

impl<R: TenantRequirement> std::ops::Deref for TenantAccess<R> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

fn tenant_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "No such tenant is visible to this principal.")
}

impl<R: TenantRequirement + 'static> FromRequest for TenantAccess<R> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let principal = authenticate(req.clone()).await?;
            let tenant_id = req
                .match_info()
                .get("tenant_id")
                .and_then(|tid| Uuid::parse_str(tid).ok())
                .ok_or_else(tenant_not_found)?;
            match principal.tenant_id {
                Some(own) if own == tenant_id => {
                    if !principal.roles.grants_any(R::TENANT_ROLES) {
                        let needed: Vec<_> = R::TENANT_ROLES.iter().map(|r| r.as_str()).collect();
                        return Err(ApiError::new(
                            ErrorCode::Forbidden,
                            format!("This operation needs one of the roles: {}.", needed.join(", ")),
                        ));
                    }
                }
                Some(_) => return Err(tenant_not_found()),
                None => {
                    if !(R::PLATFORM_ADMIN && principal.roles.grants(Role::PlatformAdmin)) {
                        let what = if R::PLATFORM_ADMIN {
                            "platform.admin"
                        } else {
                            "a tenant.admin of this tenant"
                        };
                        return Err(ApiError::new(
                            ErrorCode::Forbidden,
                            format!("This operation needs {what}."),
                        ));
                    }
                    let gate = gate_of(&req)?;
                    if !crate::db::tenants::exists(&gate.pool, tenant_id).await? {
                        return Err(tenant_not_found());
                    }
                }
            }
            Ok(TenantAccess {
                principal,
                tenant_id,
                _requirement: PhantomData,
            })
        })
    }
}

/// Proposing, deciding and lifting compliance holds.
pub struct ManageHolds;
impl Requirement for ManageHolds {
    const ROLES: &'static [Role] = &[Role::ComplianceOfficer];
}

/// Reading compliance holds, legal basis included.
pub struct ReadHolds;
impl Requirement for ReadHolds {
    const ROLES: &'static [Role] = &[Role::ComplianceOfficer, Role::Auditor, Role::PlatformAdmin];
}

/// Reading the tenant directory: platform staff who support tenants, and
/// compliance officers, who name tenants in a hold's scope.
pub struct ReadTenants;
impl Requirement for ReadTenants {
    const ROLES: &'static [Role] = &[Role::PlatformAdmin, Role::ComplianceOfficer];
}

/// Reading the platform audit log.
pub struct ReadAudit;
impl Requirement for ReadAudit {
    const ROLES: &'static [Role] = &[Role::Auditor];
}
