//! The roles of the `roles` claim and who may hold them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Role {
    /// Tenant user: discover models, read the tenant's enablements and policy.
    #[serde(rename = "catalog.reader")]
    CatalogReader,
    /// Tenant admin: also enable and disable models, edit policy, manage webhooks.
    #[serde(rename = "tenant.admin")]
    TenantAdmin,
    /// Platform staff: curate listings, prices, availability; import feeds.
    #[serde(rename = "catalog.admin")]
    CatalogAdmin,
    /// Platform staff: propose, approve and lift compliance holds.
    #[serde(rename = "compliance.officer")]
    ComplianceOfficer,
    /// Platform staff: read the audit log.
    #[serde(rename = "auditor")]
    Auditor,
    /// Platform staff: list tenants and read any tenant's resources for support.
    #[serde(rename = "platform.admin")]
    PlatformAdmin,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::CatalogReader,
        Role::TenantAdmin,
        Role::CatalogAdmin,
        Role::ComplianceOfficer,
        Role::Auditor,
        Role::PlatformAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::CatalogReader => "catalog.reader",
            Role::TenantAdmin => "tenant.admin",
            Role::CatalogAdmin => "catalog.admin",
            Role::ComplianceOfficer => "compliance.officer",
            Role::Auditor => "auditor",
            Role::PlatformAdmin => "platform.admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|role| role.as_str() == text)
    }

    /// Tenant roles are honoured only on tokens that carry a `tid`; platform
    /// roles only on tokens without one. A tenant's identity provider can
    /// therefore never mint platform staff, whatever it puts in `roles`.
    pub fn is_tenant_role(self) -> bool {
        matches!(self, Role::CatalogReader | Role::TenantAdmin)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of roles, small enough to copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoleSet(u8);

impl RoleSet {
    pub fn insert(&mut self, role: Role) {
        self.0 |= role.bit();
    }

    /// Whether the set grants `role`; `tenant.admin` includes `catalog.reader`.
    pub fn grants(self, role: Role) -> bool {
        self.0 & role.bit() != 0 || (role == Role::CatalogReader && self.0 & Role::TenantAdmin.bit() != 0)
    }

    pub fn grants_any(self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.grants(*role))
    }

    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.iter().copied().filter(move |role| self.0 & role.bit() != 0)
    }

    pub fn names(self) -> Vec<String> {
        self.iter().map(|role| role.as_str().to_owned()).collect()
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        let mut set = RoleSet::default();
        for role in iter {
            set.insert(role);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_admin_is_also_a_catalog_reader() {
        let set: RoleSet = [Role::TenantAdmin].into_iter().collect();
        assert!(set.grants(Role::CatalogReader));
        assert!(!set.grants(Role::CatalogAdmin));
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
    }
}
