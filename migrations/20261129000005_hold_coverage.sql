-- What a hold's scope covers, in one place for every query that asks:
-- what (models, publishers or origin countries: any) x where (regions or
-- jurisdictions; both empty means everywhere) x for whom (tenants; empty
-- means everyone). Mirrors domain::hold::HoldScope::covers.
CREATE FUNCTION scope_covers(
    s_models uuid[], s_publishers uuid[], s_origins text[], s_regions text[], s_jurisdictions text[],
    s_tenants uuid[], p_model uuid, p_publisher uuid, p_origin text, p_region text, p_jurisdiction text,
    p_tenant uuid
) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(
        (p_model = ANY (s_models) OR p_publisher = ANY (s_publishers) OR coalesce(p_origin = ANY (s_origins), false))
        AND ((cardinality(s_regions) = 0 AND cardinality(s_jurisdictions) = 0)
             OR p_region = ANY (s_regions)
             OR coalesce(p_jurisdiction = ANY (s_jurisdictions), false))
        AND (cardinality(s_tenants) = 0 OR p_tenant = ANY (s_tenants)),
        false)
$$;

CREATE FUNCTION hold_covers(
    h compliance_holds, p_model uuid, p_publisher uuid, p_origin text, p_region text, p_jurisdiction text,
    p_tenant uuid
) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT scope_covers(h.scope_models, h.scope_publishers, h.scope_origin_countries, h.scope_regions,
                        h.scope_jurisdictions, h.scope_tenants, p_model, p_publisher, p_origin, p_region,
                        p_jurisdiction, p_tenant)
$$;

-- Whether a hold is in effect at `at`: approved, activated, not expired.
CREATE FUNCTION hold_in_effect(h compliance_holds, at timestamptz) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT h.status = 'active' AND h.activated_at IS NOT NULL AND (h.expires_at IS NULL OR h.expires_at > at)
$$;
