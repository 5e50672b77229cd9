-- Enabling in one statement, without row locks. The statement before took
-- the hold gate and then locked the tenant's policy, the listing's lineage
-- and successor, and its offers FOR SHARE before comparing the versions.
-- Those row locks were not what made the grant safe, and they took about a
-- sixth of the statement's time (pgbench, 32 clients: 3,100-3,300 statements
-- a second with them, 3,500-4,100 without): each is a heap write with its
-- WAL record, and two enablements of one listing at once make each lock a
-- multixact.
--
-- What makes the grant safe:
-- * The decision was made on a snapshot of the catalog, the policies and
--   the holds at one `version` (and `content_version`); every write to any
--   of them moves `version`. The statement compares them after taking the
--   gate: equal, nothing the decision read had changed when the statement
--   began.
-- * A write that commits after that comparison and before this statement
--   commits is ordered after the enablement: the enablement was granted on
--   the catalog as it was before that write, as if it had committed first.
--   That order is only wrong for a write that acts on existing
--   enablements, since it would not see this one. Those writes take the
--   gate exclusively before they read enablements: hold transitions that
--   change what is in effect (`holds::transition`) and retirement by date
--   (`retirement::retire_due`). The gate is held shared here until commit,
--   so such a write either finishes before this statement reads the
--   versions (and moved them) or starts after this enablement committed
--   (and sees it).
-- * A write that needs a row to stay (deleting the tenant, the listing or
--   the region) is held off by the foreign keys, which lock those rows
--   against it until commit.
--
-- The transactional path (`enablements::enable_on_rows`) still reads and
-- share-locks its rows: it decides on rows read one statement at a time,
-- which the locks keep consistent with each other.
--
-- Answers one row: 'created' with the new id, 'exists' with the live
-- enablement already there, or 'stale'.
CREATE OR REPLACE FUNCTION enable_if_current(
    p_version bigint, p_content_version bigint,
    p_tenant_id uuid, p_id uuid, p_model_id uuid, p_region text, p_deployment_type text,
    p_operator_name text, p_operator_country text, p_at timestamptz,
    p_audit_id uuid, p_actor text, p_actor_roles text[], p_request_id text, p_after jsonb
) RETURNS TABLE (outcome text, enablement_id uuid) LANGUAGE plpgsql AS $$
DECLARE
    state catalog_state%ROWTYPE;
    existing uuid;
BEGIN
    -- db::holds::ENABLEMENT_GATE, "mmhold"
    PERFORM pg_advisory_xact_lock_shared(120316670995556);

    SELECT * INTO state FROM catalog_state;
    IF state.version <> p_version OR state.content_version <> p_content_version THEN
        RETURN QUERY SELECT 'stale'::text, NULL::uuid;
        RETURN;
    END IF;

    INSERT INTO enablements (tenant_id, id, model_id, region_code, deployment_type, operator_name,
                             operator_country, status, created_at, created_by, updated_at, updated_by)
    VALUES (p_tenant_id, p_id, p_model_id, p_region, p_deployment_type, p_operator_name,
            p_operator_country, 'active', p_at, p_actor, p_at, p_actor)
    ON CONFLICT (tenant_id, model_id, region_code, deployment_type) WHERE status <> 'disabled' DO NOTHING;
    IF NOT FOUND THEN
        SELECT e.id INTO existing FROM enablements e
            WHERE e.tenant_id = p_tenant_id AND e.model_id = p_model_id AND e.region_code = p_region
              AND e.deployment_type = p_deployment_type AND e.status <> 'disabled';
        -- Disabled again in between: let the transactional path decide.
        RETURN QUERY SELECT CASE WHEN existing IS NULL THEN 'stale' ELSE 'exists' END, existing;
        RETURN;
    END IF;

    PERFORM append_audit_event(p_audit_id, p_actor, p_actor_roles, p_tenant_id, 'enablement.created',
                               'enablement', p_id::text, NULL, p_after, NULL, p_request_id);
    RETURN QUERY SELECT 'created'::text, p_id;
END;
$$;

-- Appending one audit event, as PL/pgSQL: a SQL-language function that
-- writes is parsed and planned again on every call, which was a fifth of
-- PostgreSQL's time under a load of enablements (`perf`: `fmgr_sql`); a
-- PL/pgSQL function plans its INSERT once per connection and reuses it.
CREATE OR REPLACE FUNCTION append_audit_event(
    p_id uuid, p_actor text, p_actor_roles text[], p_tenant_id uuid, p_action text,
    p_target_type text, p_target_id text, p_before jsonb, p_after jsonb, p_reason text,
    p_request_id text
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    appended bigint;
BEGIN
    INSERT INTO audit_events (seq, id, occurred_at, actor, actor_roles, tenant_id, action, target_type,
                              target_id, before, after, reason, request_id)
    VALUES (nextval('audit_events_seq'), p_id, clock_timestamp(), p_actor, p_actor_roles, p_tenant_id,
            p_action, p_target_type, p_target_id, p_before, p_after, p_reason, p_request_id)
    RETURNING seq INTO appended;
    RETURN appended;
END;
$$;
