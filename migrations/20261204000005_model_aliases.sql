-- Other spellings of a listing's slug (`meta/llama3.1-8b` for
-- `meta/llama-3.1-8b`, `openai/gpt-35-turbo` for `openai/gpt-3.5-turbo`):
-- an importer that merges punctuation variants of one model keeps the
-- spellings it did not choose, so a link, a saved query or a hold scope that
-- used one still finds the listing. A listing's own slug always wins over an
-- alias of the same text.
CREATE TABLE model_aliases (
    alias text PRIMARY KEY CHECK (alias ~ '^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$' AND length(alias) <= 200),
    model_id uuid NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    source text NOT NULL CHECK (source ~ '^[a-z][a-z0-9-]{0,62}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_aliases_model ON model_aliases (model_id);

CREATE TRIGGER model_aliases_bump AFTER INSERT OR UPDATE OR DELETE ON model_aliases
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'modelmart_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON model_aliases TO modelmart_app;
    END IF;
END;
$$;
