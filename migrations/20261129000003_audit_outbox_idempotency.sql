-- Audit log, outbox, webhooks and idempotency keys.

-- Append-only and hash-chained: each row carries the previous row's hash, so
-- an edit anywhere breaks verification from that row on. Writers serialise on
-- audit_chain_head (one row) inside their own transaction.
CREATE TABLE audit_events (
    seq          bigint PRIMARY KEY CHECK (seq > 0),
    id           uuid NOT NULL UNIQUE,
    occurred_at  timestamptz NOT NULL,
    actor        text NOT NULL CHECK (length(actor) BETWEEN 1 AND 256),
    actor_roles  text[] NOT NULL DEFAULT '{}',
    tenant_id    uuid,
    action       text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_.]+$'),
    target_type  text NOT NULL CHECK (length(target_type) BETWEEN 1 AND 64),
    target_id    text NOT NULL CHECK (length(target_id) BETWEEN 1 AND 256),
    before       jsonb,
    after        jsonb,
    reason       text CHECK (length(reason) <= 2000),
    request_id   text CHECK (length(request_id) <= 200),
    prev_hash    bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash         bytea NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX audit_events_actor_idx ON audit_events (actor, seq);
CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, seq) WHERE tenant_id IS NOT NULL;
CREATE INDEX audit_events_action_idx ON audit_events (action, seq);
CREATE INDEX audit_events_target_idx ON audit_events (target_type, target_id, seq);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at);

CREATE TABLE audit_chain_head (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_seq   bigint NOT NULL,
    last_hash  bytea NOT NULL CHECK (length(last_hash) = 32)
);
INSERT INTO audit_chain_head (last_seq, last_hash) VALUES (0, decode(repeat('00', 32), 'hex'));

CREATE FUNCTION audit_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_are_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_are_append_only();

-- Events for tenants, written in the transaction of the change that caused
-- them; `id` is the stable event id receivers deduplicate on.
CREATE TABLE outbox_events (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           uuid NOT NULL UNIQUE,
    tenant_id    uuid REFERENCES tenants (id) ON DELETE CASCADE,  -- NULL: every tenant
    event_type   text NOT NULL CHECK (event_type IN (
                     'model.delisted', 'model.relisted', 'enablement.suspended', 'enablement.restored',
                     'model.deprecated', 'price.changed')),
    payload      jsonb NOT NULL,
    occurred_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_events_tenant_idx ON outbox_events (tenant_id, seq);

CREATE TABLE webhook_subscriptions (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL,
    url          text NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
    event_types  text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 16),
    description  text CHECK (length(description) <= 500),
    -- HMAC-SHA256 signing secret, shown to the tenant once at creation
    secret       text NOT NULL CHECK (length(secret) >= 32),
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL,
    row_version  bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL,
    subscription_id  uuid NOT NULL,
    event_id         uuid NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
    status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'abandoned')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status_code integer,
    last_error       text,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, subscription_id, event_id),
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES webhook_subscriptions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- The delivery log: one row per attempt.
CREATE TABLE webhook_delivery_attempts (
    tenant_id     uuid NOT NULL,
    delivery_id   uuid NOT NULL,
    attempt       integer NOT NULL CHECK (attempt > 0),
    attempted_at  timestamptz NOT NULL DEFAULT now(),
    status_code   integer,
    error         text,
    duration_ms   integer,
    PRIMARY KEY (tenant_id, delivery_id, attempt),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
);

-- Idempotency-Key records, scoped per principal scope (tenant or platform
-- principal) and route. The first response is stored and replayed.
CREATE TABLE idempotency_keys (
    scope            text NOT NULL CHECK (length(scope) BETWEEN 1 AND 300),
    route            text NOT NULL CHECK (length(route) BETWEEN 1 AND 200),
    key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash     bytea NOT NULL CHECK (length(request_hash) = 32),
    response_status  smallint,
    response_headers jsonb,
    response_body    bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    PRIMARY KEY (scope, route, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

-- The hash of one audit row: SHA-256 over a JSON array of its fields and the
-- previous row's hash. Computed in SQL, from the stored jsonb text form, so
-- writing and verifying can never disagree about encodings; the time is
-- taken as integer microseconds so the session time zone does not matter.
CREATE FUNCTION audit_event_hash(
    p_seq bigint, p_id uuid, p_occurred_at timestamptz, p_actor text, p_actor_roles text[],
    p_tenant_id uuid, p_action text, p_target_type text, p_target_id text, p_before jsonb,
    p_after jsonb, p_reason text, p_request_id text, p_prev_hash bytea
) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(convert_to(jsonb_build_array(
        p_seq, p_id, (extract(epoch FROM p_occurred_at) * 1000000)::bigint, p_actor, p_actor_roles,
        p_tenant_id, p_action, p_target_type, p_target_id, p_before, p_after, p_reason, p_request_id,
        encode(p_prev_hash, 'hex'))::text, 'UTF8'))
$$;

-- Appends one event to the chain. The chain head row lock serialises writers
-- for the rest of the caller's transaction, so sequence numbers have no gaps
-- and each row links to the one committed before it.
CREATE FUNCTION append_audit_event(
    p_id uuid, p_actor text, p_actor_roles text[], p_tenant_id uuid, p_action text,
    p_target_type text, p_target_id text, p_before jsonb, p_after jsonb, p_reason text,
    p_request_id text
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_head%ROWTYPE;
    new_seq bigint;
    new_hash bytea;
    now_ts timestamptz := clock_timestamp();
BEGIN
    SELECT * INTO head FROM audit_chain_head FOR UPDATE;
    new_seq := head.last_seq + 1;
    new_hash := audit_event_hash(new_seq, p_id, now_ts, p_actor, p_actor_roles, p_tenant_id, p_action,
                                 p_target_type, p_target_id, p_before, p_after, p_reason, p_request_id,
                                 head.last_hash);
    INSERT INTO audit_events (seq, id, occurred_at, actor, actor_roles, tenant_id, action, target_type,
                              target_id, before, after, reason, request_id, prev_hash, hash)
    VALUES (new_seq, p_id, now_ts, p_actor, p_actor_roles, p_tenant_id, p_action, p_target_type,
            p_target_id, p_before, p_after, p_reason, p_request_id, head.last_hash, new_hash);
    UPDATE audit_chain_head SET last_seq = new_seq, last_hash = new_hash;
    RETURN new_seq;
END;
$$;
