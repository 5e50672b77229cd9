-- The catalog: publishers, regions, listings (models), offers and their
-- effective-dated prices. Vocabularies are TEXT with CHECK constraints (not
-- enum types) so that adding a value is one constraint swap; the Rust side
-- keeps the same spellings in `domain::vocab`.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE publishers (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9._-]{0,79}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    country     text CHECK (country ~ '^[A-Z]{2}$'),
    website     text CHECK (length(website) <= 2048),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE regions (
    code          text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    cloud         text NOT NULL CHECK (cloud IN ('public', 'china', 'usgov', 'sovereign')),
    -- NULL for zones spanning several countries (the EU data zone, global).
    jurisdiction  text CHECK (jurisdiction ~ '^[A-Z]{2}$'),
    geography     text NOT NULL CHECK (geography ~ '^[a-z_]{2,40}$')
);
CREATE INDEX regions_jurisdiction_idx ON regions (jurisdiction);

CREATE TABLE models (
    id                 uuid PRIMARY KEY,
    slug               text NOT NULL UNIQUE
                       CHECK (slug ~ '^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$' AND length(slug) <= 200),
    publisher_id       uuid NOT NULL REFERENCES publishers (id),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    family             text CHECK (length(family) <= 100),
    version            text CHECK (length(version) <= 100),
    description        text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    task               text NOT NULL CHECK (task IN (
                           'chat', 'completion', 'embedding', 'rerank', 'image_generation', 'image_edit',
                           'video_generation', 'audio_transcription', 'audio_speech', 'realtime',
                           'moderation', 'ocr', 'search')),
    input_modalities   text[] NOT NULL
                       CHECK (cardinality(input_modalities) >= 1
                              AND input_modalities <@ ARRAY['text', 'image', 'audio', 'video', 'vector']),
    output_modalities  text[] NOT NULL
                       CHECK (cardinality(output_modalities) >= 1
                              AND output_modalities <@ ARRAY['text', 'image', 'audio', 'video', 'vector']),
    context_window     integer CHECK (context_window > 0),
    max_output_tokens  integer CHECK (max_output_tokens > 0),
    capabilities       text[] NOT NULL DEFAULT '{}'
                       CHECK (capabilities <@ ARRAY[
                           'function_calling', 'parallel_function_calling', 'vision', 'reasoning',
                           'structured_output', 'prompt_caching', 'web_search', 'computer_use',
                           'pdf_input', 'audio_input', 'audio_output', 'video_input', 'system_messages']),
    license            text NOT NULL CHECK (license ~ '^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$'),
    open_weights       boolean NOT NULL,
    -- provenance: who made it, from what
    origin_country     text CHECK (origin_country ~ '^[A-Z]{2}$'),
    lineage            text NOT NULL CHECK (lineage IN ('original', 'fine_tune', 'distillation', 'quantization', 'merge')),
    base_model_id      uuid REFERENCES models (id),
    model_card_url     text CHECK (length(model_card_url) <= 2048),
    weights_digest     text CHECK (length(weights_digest) <= 200),
    release_date       date,
    -- lifecycle
    lifecycle_status   text NOT NULL CHECK (lifecycle_status IN ('preview', 'ga', 'deprecated', 'retired')),
    deprecation_date   date,
    retirement_date    date,
    successor_id       uuid REFERENCES models (id),
    tags               text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 32),
    -- bumped on every change; the ETag of the listing
    row_version        bigint NOT NULL DEFAULT 1 CHECK (row_version > 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (base_model_id IS DISTINCT FROM id),
    CHECK (successor_id IS DISTINCT FROM id),
    CHECK (lifecycle_status NOT IN ('deprecated', 'retired') OR deprecation_date IS NOT NULL
           OR retirement_date IS NOT NULL OR lifecycle_status = 'retired'),
    CHECK (retirement_date IS NULL OR deprecation_date IS NULL OR retirement_date >= deprecation_date)
);
-- One index per discovery filter, so SQL-side queries (admin tools, snapshot
-- loads filtered by replica) never scan; discovery itself runs from memory.
CREATE INDEX models_publisher_idx ON models (publisher_id);
CREATE INDEX models_task_idx ON models (task);
CREATE INDEX models_license_idx ON models (license);
CREATE INDEX models_origin_country_idx ON models (origin_country);
CREATE INDEX models_lifecycle_idx ON models (lifecycle_status);
CREATE INDEX models_context_window_idx ON models (context_window);
CREATE INDEX models_base_model_idx ON models (base_model_id) WHERE base_model_id IS NOT NULL;
CREATE INDEX models_successor_idx ON models (successor_id) WHERE successor_id IS NOT NULL;
CREATE INDEX models_capabilities_idx ON models USING gin (capabilities);
CREATE INDEX models_input_modalities_idx ON models USING gin (input_modalities);
CREATE INDEX models_output_modalities_idx ON models USING gin (output_modalities);
CREATE INDEX models_tags_idx ON models USING gin (tags);
CREATE INDEX models_text_idx ON models USING gin (
    to_tsvector('simple'::regconfig, slug || ' ' || name || ' ' || description));

CREATE TABLE offers (
    id                uuid PRIMARY KEY,
    model_id          uuid NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    region_code       text NOT NULL REFERENCES regions (code),
    deployment_type   text NOT NULL CHECK (deployment_type IN ('serverless', 'provisioned', 'managed_compute', 'batch')),
    processing_scope  text NOT NULL CHECK (processing_scope IN ('regional', 'data_zone', 'global')),
    -- who runs the offer, recorded apart from who made the model
    operator_name     text NOT NULL CHECK (length(operator_name) BETWEEN 1 AND 200),
    operator_country  text CHECK (operator_country ~ '^[A-Z]{2}$'),
    status            text NOT NULL CHECK (status IN ('available', 'limited', 'unavailable')),
    source_key        text CHECK (length(source_key) <= 500),
    row_version       bigint NOT NULL DEFAULT 1 CHECK (row_version > 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model_id, region_code, deployment_type, operator_name)
);
CREATE INDEX offers_region_idx ON offers (region_code);
CREATE INDEX offers_deployment_idx ON offers (deployment_type);
CREATE INDEX offers_operator_country_idx ON offers (operator_country);

-- Price components are effective-dated: a change closes the current row
-- (effective_to) and opens a new one, so history is kept and a future price
-- can be scheduled. Overlapping periods for the same component are refused.
CREATE TABLE offer_prices (
    id                       uuid PRIMARY KEY,
    offer_id                 uuid NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    dimension                text NOT NULL CHECK (dimension IN (
                                 'input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens',
                                 'reasoning_tokens', 'input_audio_tokens', 'output_audio_tokens', 'image',
                                 'input_second', 'output_second', 'character', 'page', 'query', 'hour')),
    unit                     text NOT NULL CHECK (unit IN (
                                 '1M_tokens', 'image', 'second', '1K_characters', '1K_pages', '1K_queries', 'hour')),
    amount                   numeric(24, 12) NOT NULL CHECK (amount >= 0),
    currency                 text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- the component applies above this many tokens of context; NULL is the base tier
    tier_min_context_tokens  integer CHECK (tier_min_context_tokens > 0),
    effective_from           timestamptz NOT NULL,
    effective_to             timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    CHECK (effective_to IS NULL OR effective_to > effective_from),
    EXCLUDE USING gist (
        offer_id WITH =,
        dimension WITH =,
        unit WITH =,
        (coalesce(tier_min_context_tokens, 0)) WITH =,
        tstzrange(effective_from, effective_to) WITH &&)
);
CREATE INDEX offer_prices_current_idx ON offer_prices (offer_id, dimension) WHERE effective_to IS NULL;
-- price ceilings filter on the current base-tier token prices
CREATE INDEX offer_prices_amount_idx ON offer_prices (dimension, amount)
    WHERE effective_to IS NULL AND tier_min_context_tokens IS NULL;
