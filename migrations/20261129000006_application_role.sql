-- The role the service should run as: everything it needs, and no way to
-- change history. A login user is made a member of it (see the README):
--   CREATE ROLE modelmart LOGIN PASSWORD '...' IN ROLE modelmart_app;
-- It owns nothing, so it cannot switch the audit log's guard trigger off;
-- and it has no UPDATE, DELETE or TRUNCATE on the audit log at all.
-- Creating a role needs CREATEROLE; where the migrating user lacks it, the
-- role is left to the operator and this migration only grants.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'modelmart_app') THEN
        IF (SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            CREATE ROLE modelmart_app NOLOGIN;
        ELSE
            RAISE NOTICE 'modelmart_app does not exist and % may not create it; grants skipped', current_user;
            RETURN;
        END IF;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO modelmart_app', current_database());
    GRANT USAGE ON SCHEMA public TO modelmart_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO modelmart_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO modelmart_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM modelmart_app;
    -- Migrations stay the owner's business.
    REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM modelmart_app;
END;
$$;
