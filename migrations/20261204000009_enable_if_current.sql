-- A listing's lineage, walked from the listing up to its original without
-- reading any other row of `models`: each step carries the columns the
-- answer needs. The version before joined the walk back to `models`, which
-- the planner did as a hash join over a scan of every listing (a millisecond
-- at 1,800 listings, and growing with the catalog) on every enablement.
CREATE OR REPLACE FUNCTION model_lineage(p_model uuid)
RETURNS TABLE (model_id uuid, publisher_id uuid, origin_country text, depth integer)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up (id, publisher_id, origin_country, base_model_id, depth, path) AS (
        SELECT m.id, m.publisher_id, m.origin_country, m.base_model_id, 0, ARRAY[m.id]
        FROM models m WHERE m.id = p_model
        UNION ALL
        SELECT m.id, m.publisher_id, m.origin_country, m.base_model_id, up.depth + 1, up.path || m.id
        FROM up JOIN models m ON m.id = up.base_model_id
        WHERE NOT m.id = ANY (up.path)
    )
    SELECT id, publisher_id, origin_country, depth FROM up ORDER BY depth
$$;

-- Enabling in one statement. A server decides an enablement on its in-memory
-- snapshot (the facts and decision function discovery uses) and asks for the
-- grant to be written only if that snapshot is still the catalog: the
-- statement takes the locks the decision depends on, then compares the
-- catalog's versions with the ones the snapshot was built at. Equal, nothing
-- the decision read has changed since (every write to the catalog, a policy
-- or a hold moves `version`), and the locks keep it so until the write
-- commits. Otherwise it writes nothing and answers 'stale', and the server
-- decides again on rows read in its transaction.
--
-- The locks are those the transactional decision takes: the hold gate in its
-- shared mode (an activation waits for this write and then suspends it), and
-- the tenant's policy, the listing's lineage and successor, and its offers
-- FOR SHARE (a change to them waits, and sees this enablement when it runs).
-- The versions are read after the locks, by a statement of their own, so a
-- change that held a lock this statement waited for is seen as committed.
--
-- Answers one row: 'created' with the new id, 'exists' with the live
-- enablement already there, or 'stale'.
CREATE FUNCTION enable_if_current(
    p_version bigint, p_content_version bigint,
    p_tenant_id uuid, p_id uuid, p_model_id uuid, p_region text, p_deployment_type text,
    p_operator_name text, p_operator_country text, p_at timestamptz,
    p_audit_id uuid, p_actor text, p_actor_roles text[], p_request_id text, p_after jsonb
) RETURNS TABLE (outcome text, enablement_id uuid) LANGUAGE plpgsql AS $$
DECLARE
    state catalog_state%ROWTYPE;
    existing uuid;
BEGIN
    -- db::holds::HOLD_GATE, "mmhold"
    PERFORM pg_advisory_xact_lock_shared(120316670995556);
    PERFORM 1 FROM tenant_policies WHERE tenant_id = p_tenant_id FOR SHARE;
    PERFORM 1 FROM models
        WHERE id = ANY (ARRAY(SELECT model_id FROM model_lineage(p_model_id))
                        || ARRAY(SELECT successor_id FROM models WHERE id = p_model_id AND successor_id IS NOT NULL))
        FOR SHARE;
    PERFORM 1 FROM offers WHERE model_id = p_model_id AND status <> 'withdrawn' FOR SHARE;

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
