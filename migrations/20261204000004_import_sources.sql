-- Imports are per source: every offer belongs to the source that wrote it
-- (`litellm`, `demo-seed`, or `admin` for staff), an import touches only
-- its own source's offers, and an offer a full import of its source no
-- longer carries is withdrawn: kept with its price history, no longer
-- offered, and announced.
ALTER TABLE offers ADD COLUMN source text NOT NULL DEFAULT 'admin'
    CHECK (source ~ '^[a-z][a-z0-9-]{0,62}$');
-- Offers from before this: the demo seed's keys start with `demo:`; every
-- other keyed offer came from the LiteLLM importer, and unkeyed ones from
-- staff or the synthetic seed.
UPDATE offers SET source = CASE WHEN source_key LIKE 'demo:%' THEN 'demo-seed' ELSE 'litellm' END
WHERE source_key IS NOT NULL;
CREATE INDEX offers_source_idx ON offers (source) WHERE status <> 'withdrawn';

ALTER TABLE offers DROP CONSTRAINT offers_status_check;
ALTER TABLE offers ADD CONSTRAINT offers_status_check
    CHECK (status IN ('available', 'limited', 'unavailable', 'withdrawn'));

-- The entries each source last sent that became offers, as the feed sent
-- them, so a partial import re-derives a listing's merged fields (hosts,
-- capabilities, limits) from every host the source knows, not only the
-- ones in the partial feed. Text, not jsonb: jsonb cannot hold \u0000.
CREATE TABLE import_entries (
    source      text NOT NULL CHECK (source ~ '^[a-z][a-z0-9-]{0,62}$'),
    key         text NOT NULL CHECK (length(key) BETWEEN 1 AND 500),
    entry       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, key)
);

-- Tenants are told when an offer is withdrawn.
ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_event_type_check;
ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_event_type_check CHECK (event_type IN (
    'model.delisted', 'model.relisted', 'enablement.suspended', 'enablement.restored',
    'model.deprecated', 'model.retired', 'price.changed', 'offer.withdrawn'));

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'modelmart_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON import_entries TO modelmart_app;
    END IF;
END;
$$;
