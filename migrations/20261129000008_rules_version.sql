-- Holds and tenant policies change far more often than the catalog's content
-- and are a few rows: a server reloads them alone, in milliseconds, instead
-- of rebuilding its whole snapshot (hundreds of milliseconds at scale), so a
-- hold approved on one server is enforced by every other almost at once.
-- `version` still moves on every change; `content_version` moves only with
-- the content (publishers, regions, models, offers, prices).

ALTER TABLE catalog_state ADD COLUMN content_version bigint;
UPDATE catalog_state SET content_version = version;
ALTER TABLE catalog_state ALTER COLUMN content_version SET NOT NULL;

CREATE OR REPLACE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_version bigint;
BEGIN
    UPDATE catalog_state SET version = version + 1, content_version = version + 1, changed_at = now()
        RETURNING version INTO new_version;
    PERFORM pg_notify('modelmart_catalog', new_version::text);
    RETURN NULL;
END;
$$;

CREATE FUNCTION bump_rules_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_version bigint;
BEGIN
    UPDATE catalog_state SET version = version + 1, changed_at = now() RETURNING version INTO new_version;
    PERFORM pg_notify('modelmart_catalog', new_version::text);
    RETURN NULL;
END;
$$;

DROP TRIGGER compliance_holds_bump ON compliance_holds;
CREATE TRIGGER compliance_holds_bump AFTER INSERT OR UPDATE OR DELETE ON compliance_holds
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
DROP TRIGGER tenant_policies_bump ON tenant_policies;
CREATE TRIGGER tenant_policies_bump AFTER UPDATE OR DELETE ON tenant_policies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
