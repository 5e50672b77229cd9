-- A tenant's first policy row is the default, which the snapshot already
-- assumes for a tenant it has no row for; so provisioning a tenant needs no
-- catalog reload on every server. Only changes to a policy bump the version.
DROP TRIGGER tenant_policies_bump ON tenant_policies;
CREATE TRIGGER tenant_policies_bump AFTER UPDATE OR DELETE ON tenant_policies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
