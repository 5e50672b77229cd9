-- The enablements a hold's scope covers, found from the covered listings
-- by index. The version before joined the covered-listings walk to every
-- enablement; without fresh statistics on `enablements` (thousands written
-- since the last analyze, as after a burst of enabling) the planner ran the
-- walk once per enablement: approving a hold over 10,000 enablements among
-- 36,000 took 30 s and hit the statement timeout. The covered listings are
-- now an array computed once per call, and the enablements come from the
-- live-enablement index on `model_id`, whatever the statistics say.
CREATE OR REPLACE FUNCTION scope_covered_enablements(
    s_models uuid[], s_publishers uuid[], s_origins text[], s_include_derivatives boolean,
    s_operators text[], s_operator_countries text[], s_regions text[], s_jurisdictions text[], s_tenants uuid[]
) RETURNS TABLE (tenant_id uuid, id uuid) LANGUAGE sql STABLE AS $$
    SELECT e.tenant_id, e.id
    FROM enablements e
    JOIN regions r ON r.code = e.region_code
    WHERE e.model_id = ANY (ARRAY(SELECT model_id FROM scope_covered_models(s_models, s_publishers, s_origins,
                                                                           s_include_derivatives)))
      AND e.status <> 'disabled'
      AND ((cardinality(s_regions) = 0 AND cardinality(s_jurisdictions) = 0)
           OR e.region_code = ANY (s_regions)
           OR coalesce(r.jurisdiction = ANY (s_jurisdictions), false))
      AND (cardinality(s_tenants) = 0 OR e.tenant_id = ANY (s_tenants))
      AND ((cardinality(s_operators) = 0 AND cardinality(s_operator_countries) = 0)
           OR e.operator_name IS NULL
           OR e.operator_name = ANY (s_operators)
           OR coalesce(e.operator_country = ANY (s_operator_countries), false))
$$;
