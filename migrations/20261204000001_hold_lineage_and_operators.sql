-- Coverage that follows lineage and operators.
--
-- A hold names what it holds (models, publishers, origin countries) and,
-- new here, who serves it (operators by name, operator countries). With
-- `scope_include_derivatives` (the default) a hold on a model, a publisher
-- or an origin country also covers every listing derived from a covered one
-- through `base_model_id`, transitively: a fine-tune of a distillation of
-- DeepSeek R1 is held with R1. The Rust twin of these functions is
-- `domain::hold::HoldScope::covers`; `tests/api/coverage.rs` pins the two
-- together over the demo catalog.

ALTER TABLE compliance_holds
    ADD COLUMN scope_include_derivatives boolean NOT NULL DEFAULT true,
    ADD COLUMN scope_operators text[] NOT NULL DEFAULT '{}',
    ADD COLUMN scope_operator_countries text[] NOT NULL DEFAULT '{}';

-- A hold may now name only who serves (a sanctioned operator, everywhere).
ALTER TABLE compliance_holds DROP CONSTRAINT compliance_holds_check;
ALTER TABLE compliance_holds ADD CONSTRAINT compliance_holds_scope_names_something CHECK (
    cardinality(scope_models) + cardinality(scope_publishers) + cardinality(scope_origin_countries)
    + cardinality(scope_operators) + cardinality(scope_operator_countries) > 0);

-- Who serves an enablement: the operator of the offer it was granted on.
-- Rows from before this migration take the operator a decision would have
-- picked then (the first by name); where the offer is gone they stay NULL,
-- and an operator-scoped hold then covers them (unknown is not exempt).
ALTER TABLE enablements
    ADD COLUMN operator_name text CHECK (length(operator_name) BETWEEN 1 AND 200),
    ADD COLUMN operator_country text CHECK (operator_country ~ '^[A-Z]{2}$');
UPDATE enablements e
SET operator_name = o.operator_name, operator_country = o.operator_country
FROM (SELECT DISTINCT ON (model_id, region_code, deployment_type)
             model_id, region_code, deployment_type, operator_name, operator_country
      FROM offers ORDER BY model_id, region_code, deployment_type, operator_name) o
WHERE o.model_id = e.model_id AND o.region_code = e.region_code AND o.deployment_type = e.deployment_type;

ALTER TABLE tenant_policies
    ADD COLUMN deny_unknown_operator_country boolean NOT NULL DEFAULT false;

-- The models a hold's "what" covers: those it names, those of the
-- publishers and origin countries it names, and (with derivatives) every
-- model whose base model is covered, transitively. A hold naming no model,
-- publisher or origin (an operator-only hold) covers every model. UNION
-- (not UNION ALL) drops repeats, so a cycle in base_model_id ends.
CREATE FUNCTION scope_covered_models(
    s_models uuid[], s_publishers uuid[], s_origins text[], s_include_derivatives boolean
) RETURNS TABLE (model_id uuid) LANGUAGE sql STABLE AS $$
    WITH RECURSIVE covered (id) AS (
        SELECT m.id FROM models m
        WHERE m.id = ANY (s_models) OR m.publisher_id = ANY (s_publishers) OR m.origin_country = ANY (s_origins)
           OR cardinality(s_models) + cardinality(s_publishers) + cardinality(s_origins) = 0
        UNION
        SELECT d.id FROM models d JOIN covered c ON d.base_model_id = c.id WHERE s_include_derivatives
    )
    SELECT id FROM covered
$$;

-- The live enablements (any status but disabled) a scope covers: what x
-- served by whom (operators or operator countries; both empty means any
-- operator, and an enablement whose operator is unknown counts as served by
-- any) x where (regions or jurisdictions; both empty means everywhere) x for
-- whom (tenants; empty means everyone).
CREATE FUNCTION scope_covered_enablements(
    s_models uuid[], s_publishers uuid[], s_origins text[], s_include_derivatives boolean,
    s_operators text[], s_operator_countries text[], s_regions text[], s_jurisdictions text[], s_tenants uuid[]
) RETURNS TABLE (tenant_id uuid, id uuid) LANGUAGE sql STABLE AS $$
    SELECT e.tenant_id, e.id
    FROM scope_covered_models(s_models, s_publishers, s_origins, s_include_derivatives) c
    JOIN enablements e ON e.model_id = c.model_id AND e.status <> 'disabled'
    JOIN regions r ON r.code = e.region_code
    WHERE ((cardinality(s_regions) = 0 AND cardinality(s_jurisdictions) = 0)
           OR e.region_code = ANY (s_regions)
           OR coalesce(r.jurisdiction = ANY (s_jurisdictions), false))
      AND (cardinality(s_tenants) = 0 OR e.tenant_id = ANY (s_tenants))
      AND ((cardinality(s_operators) = 0 AND cardinality(s_operator_countries) = 0)
           OR e.operator_name IS NULL
           OR e.operator_name = ANY (s_operators)
           OR coalesce(e.operator_country = ANY (s_operator_countries), false))
$$;

CREATE FUNCTION hold_covered_enablements(h compliance_holds) RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE AS $$
    SELECT * FROM scope_covered_enablements(
        h.scope_models, h.scope_publishers, h.scope_origin_countries, h.scope_include_derivatives,
        h.scope_operators, h.scope_operator_countries, h.scope_regions, h.scope_jurisdictions, h.scope_tenants)
$$;

-- A model and its ancestors through base_model_id (depth 0 is the model),
-- each once: what the enablement decision reads for lineage rules.
CREATE FUNCTION model_lineage(p_model uuid)
RETURNS TABLE (model_id uuid, publisher_id uuid, origin_country text, depth integer)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up (id, depth, path) AS (
        SELECT m.id, 0, ARRAY[m.id] FROM models m WHERE m.id = p_model
        UNION ALL
        SELECT m.base_model_id, up.depth + 1, up.path || m.base_model_id
        FROM up JOIN models m ON m.id = up.id
        WHERE m.base_model_id IS NOT NULL AND NOT m.base_model_id = ANY (up.path)
    )
    SELECT m.id, m.publisher_id, m.origin_country, up.depth
    FROM up JOIN models m ON m.id = up.id
    ORDER BY up.depth
$$;

-- In effect: approved and activated, and not yet ended. Expiry is a state
-- change the scheduler makes (restoring what the hold suspended in the same
-- transaction), so a hold is in effect until that transaction commits, for
-- every reader alike: the enablement decision, the snapshot and the API.
DROP FUNCTION hold_in_effect(compliance_holds, timestamptz);
CREATE FUNCTION hold_in_effect(h compliance_holds) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT h.status = 'active' AND h.activated_at IS NOT NULL
$$;

-- The earlier coverage functions knew neither lineage nor operators; one
-- definition of coverage remains.
DROP FUNCTION hold_covers(compliance_holds, uuid, uuid, text, text, text, uuid);
DROP FUNCTION scope_covers(uuid[], uuid[], text[], text[], text[], uuid[], uuid, uuid, text, text, text, uuid);
