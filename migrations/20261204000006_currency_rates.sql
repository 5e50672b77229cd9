-- What one unit of a currency is worth in USD, as a catalog admin sets it.
-- Prices stay stored in the currency they are quoted in; listings' price
-- summaries, price filters and sorts, policy ceilings and cost estimates
-- compare in USD, converting other currencies at these rates (and saying
-- so). A currency without a rate is never counted as free or dropped
-- silently: summaries name it as not converted.
CREATE TABLE currency_rates (
    currency      text PRIMARY KEY CHECK (currency ~ '^[A-Z]{3}$' AND currency <> 'USD'),
    usd_per_unit  numeric(24, 12) NOT NULL CHECK (usd_per_unit > 0),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    text NOT NULL CHECK (length(updated_by) BETWEEN 1 AND 200)
);

-- A rate changes what summaries say: it is catalog content.
CREATE TRIGGER currency_rates_bump AFTER INSERT OR UPDATE OR DELETE ON currency_rates
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'modelmart_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON currency_rates TO modelmart_app;
    END IF;
END;
$$;
