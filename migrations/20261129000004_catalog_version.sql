-- One version number for everything the in-memory catalog snapshot is built
-- from. Every write to those tables bumps it and notifies listeners, so each
-- server (and each replica) knows when to reload; a periodic read of the
-- version covers a lost notification.

CREATE TABLE catalog_state (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version     bigint NOT NULL,
    changed_at  timestamptz NOT NULL
);
INSERT INTO catalog_state (version, changed_at) VALUES (1, now());

CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_version bigint;
BEGIN
    UPDATE catalog_state SET version = version + 1, changed_at = now() RETURNING version INTO new_version;
    PERFORM pg_notify('modelmart_catalog', new_version::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER publishers_bump AFTER INSERT OR UPDATE OR DELETE ON publishers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER regions_bump AFTER INSERT OR UPDATE OR DELETE ON regions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER models_bump AFTER INSERT OR UPDATE OR DELETE ON models
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER offers_bump AFTER INSERT OR UPDATE OR DELETE ON offers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER offer_prices_bump AFTER INSERT OR UPDATE OR DELETE ON offer_prices
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER compliance_holds_bump AFTER INSERT OR UPDATE OR DELETE ON compliance_holds
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER tenant_policies_bump AFTER INSERT OR UPDATE OR DELETE ON tenant_policies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
