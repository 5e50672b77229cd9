-- Enabling many in one statement: what `db::enablement_writer` sends when
-- enablements arrive faster than they commit. Each one is decided, as
-- before, on the served snapshot; the grants that queued while the previous
-- group was being written go in together, under one gate entry, one read of
-- the catalog's versions, one transaction and one commit. What each grant
-- gets is what `enable_if_current()` would have answered it alone.
--
-- `p_grants` is a JSON array of objects, one a grant: the versions it was
-- decided on (`version`, `content_version`), the enablement's row
-- (`tenant_id`, `id`, `model_id`, `region`, `deployment_type`,
-- `operator_name`, `operator_country`, `at`), its audit event (`audit_id`,
-- `actor`, `actor_roles`, `request_id`, `after`). Answers one row a grant,
-- by its `id` (`grant_id`): 'created' with that id, 'exists' with the live enablement
-- already there (written before, or by an earlier grant of this group for
-- the same tenant, model, region and deployment type), or 'stale' (the
-- catalog moved on since it was decided, or it was disabled again in
-- between: the caller decides it again on rows).
--
-- Why it is safe is `enable_if_current()`'s argument, grant by grant: the
-- gate is entered before the versions are read and held until commit, and
-- a grant is written only if its versions are still the catalog's.
--
-- Rows go in ordered by the live-uniqueness key, so two groups written at
-- once wait for each other's conflicting keys in one order and cannot
-- deadlock on them; of two grants of one key in a group, the one given
-- first is written, and the other finds it. Audit events follow the order
-- the grants were given.
CREATE FUNCTION enable_all_if_current(p_grants jsonb)
RETURNS TABLE (grant_id uuid, outcome text, enablement_id uuid) LANGUAGE plpgsql AS $$
DECLARE
    state catalog_state%ROWTYPE;
    created uuid[];
BEGIN
    -- db::enablement_gate::ENABLEMENT_GATE, "mmhold"
    PERFORM pg_advisory_xact_lock_shared(120316670995556);
    SELECT * INTO state FROM catalog_state;

    WITH current_grants AS (
        SELECT g.*
        FROM ROWS FROM (jsonb_to_recordset(p_grants) AS (version bigint, content_version bigint, tenant_id uuid,
                                                          id uuid, model_id uuid, region text, deployment_type text,
                                                          operator_name text, operator_country text,
                                                          at timestamptz, audit_id uuid, actor text,
                                                          actor_roles text[], request_id text, after jsonb))
             WITH ORDINALITY AS g
        WHERE g.version = state.version AND g.content_version = state.content_version
    ), inserted AS (
        INSERT INTO enablements (tenant_id, id, model_id, region_code, deployment_type, operator_name,
                                 operator_country, status, created_at, created_by, updated_at, updated_by)
        SELECT g.tenant_id, g.id, g.model_id, g.region, g.deployment_type, g.operator_name, g.operator_country,
               'active', g.at, g.actor, g.at, g.actor
        FROM current_grants g
        ORDER BY g.tenant_id, g.model_id, g.region, g.deployment_type, g.ordinality
        ON CONFLICT (tenant_id, model_id, region_code, deployment_type) WHERE status <> 'disabled' DO NOTHING
        RETURNING enablements.id
    ), audited AS (
        -- The columns append_audit_event() writes, for every grant written.
        INSERT INTO audit_events (seq, id, occurred_at, actor, actor_roles, tenant_id, action, target_type,
                                  target_id, before, after, reason, request_id)
        SELECT nextval('audit_events_seq'), g.audit_id, clock_timestamp(), g.actor, g.actor_roles, g.tenant_id,
               'enablement.created', 'enablement', g.id::text, NULL, g.after, NULL, g.request_id
        FROM current_grants g JOIN inserted i ON i.id = g.id
        ORDER BY g.ordinality
    )
    SELECT coalesce(array_agg(inserted.id), '{}') INTO created FROM inserted;

    -- A statement of its own: it sees what the INSERT above wrote, and what
    -- a conflicting transaction committed while the INSERT waited for it.
    -- Only a grant not written looks for the live enablement in its way (a
    -- subquery in a CASE runs only when its branch is taken).
    RETURN QUERY
    SELECT g.id,
           CASE WHEN g.written THEN 'created' WHEN g.live IS NOT NULL THEN 'exists' ELSE 'stale' END,
           CASE WHEN g.written THEN g.id ELSE g.live END
    FROM (
        SELECT a.id, a.id = ANY (created) AS written,
               CASE WHEN a.id = ANY (created) OR a.version <> state.version
                         OR a.content_version <> state.content_version THEN NULL
                    ELSE (SELECT e.id FROM enablements e
                          WHERE e.tenant_id = a.tenant_id AND e.model_id = a.model_id AND e.region_code = a.region
                            AND e.deployment_type = a.deployment_type AND e.status <> 'disabled')
               END AS live
        FROM jsonb_to_recordset(p_grants) AS a(version bigint, content_version bigint, tenant_id uuid, id uuid,
                                                model_id uuid, region text, deployment_type text)
    ) g;
END;
$$;

-- The live enablements of a model in a region, now with the tenant: a
-- tenant's live enablement of one model, region and deployment type (the
-- lookup of an enablement already there, here, in `enable_if_current()` and
-- in `find_live`) was planned on this index whenever the table had no
-- statistics yet, as on a new database, and read every tenant's entry for
-- the model and region to find one: under a burst of enablements, most of
-- PostgreSQL's index reads. With the tenant in it, either index finds the
-- one entry. The hold coverage's lookups by model and region use its prefix
-- as before.
DROP INDEX enablements_model_idx;
CREATE INDEX enablements_model_idx ON enablements (model_id, region_code, tenant_id) WHERE status <> 'disabled';
