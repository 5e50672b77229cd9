-- Audited writes no longer queue behind one row: the audit log becomes 16
-- hash chains, each with its own head. A transaction appends to one chain
-- only, chosen by the tenant of its first audited change (chain 0 for
-- platform-wide changes, and for everything chained before this migration),
-- so writes for different tenants commit side by side, and no transaction
-- ever waits for a second chain head while holding one.
--
-- Each chain verifies on its own: every row's hash covers its chain and its
-- place in it, links to the row before it in that chain, and each chain's
-- head names its last row, so an edited, inserted, deleted or reordered row,
-- or a deleted tail, breaks the chain where it happened.

CREATE TABLE audit_chain_heads (
    chain           smallint PRIMARY KEY CHECK (chain BETWEEN 0 AND 15),
    last_chain_seq  bigint NOT NULL CHECK (last_chain_seq >= 0),
    last_hash       bytea NOT NULL CHECK (length(last_hash) = 32)
);
INSERT INTO audit_chain_heads (chain, last_chain_seq, last_hash)
    SELECT 0, last_seq, last_hash FROM audit_chain_head;
INSERT INTO audit_chain_heads (chain, last_chain_seq, last_hash)
    SELECT c, 0, decode(repeat('00', 32), 'hex') FROM generate_series(1, 15) AS c;
DROP TABLE audit_chain_head;

-- The rows chained so far are chain 0, in their order, hashed as before
-- (hash_version 1). Placing them needs the guard off for this one statement.
ALTER TABLE audit_events
    ADD COLUMN chain smallint NOT NULL DEFAULT 0 CHECK (chain BETWEEN 0 AND 15),
    ADD COLUMN chain_seq bigint,
    ADD COLUMN hash_version smallint NOT NULL DEFAULT 1 CHECK (hash_version IN (1, 2));
ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update;
UPDATE audit_events SET chain_seq = seq;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update;
ALTER TABLE audit_events
    ALTER COLUMN chain_seq SET NOT NULL,
    ALTER COLUMN chain DROP DEFAULT,
    ALTER COLUMN hash_version DROP DEFAULT,
    ADD CONSTRAINT audit_events_chain_position UNIQUE (chain, chain_seq);

-- `seq` stays the log's order for listing; it now comes from a sequence, so
-- it follows the time of each append and may skip a number a rolled-back
-- transaction took. Links and gaps are checked on (chain, chain_seq).
CREATE SEQUENCE audit_events_seq OWNED BY audit_events.seq;
SELECT setval('audit_events_seq', coalesce(max(seq), 1), max(seq) IS NOT NULL) FROM audit_events;

-- The chain of a transaction's first audited change.
CREATE FUNCTION audit_chain_for(p_tenant_id uuid) RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_tenant_id IS NULL THEN 0
                ELSE (1 + abs(hashtext(p_tenant_id::text)::bigint) % 15)::smallint END
$$;

-- Version 2 of a row's hash: SHA-256 over a JSON array of the version, the
-- row's chain and place in it, its fields, and the previous row's hash in
-- that chain.
CREATE FUNCTION audit_event_hash_v2(
    p_chain smallint, p_chain_seq bigint, p_seq bigint, p_id uuid, p_occurred_at timestamptz,
    p_actor text, p_actor_roles text[], p_tenant_id uuid, p_action text, p_target_type text,
    p_target_id text, p_before jsonb, p_after jsonb, p_reason text, p_request_id text, p_prev_hash bytea
) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(convert_to(jsonb_build_array(
        2, p_chain, p_chain_seq, p_seq, p_id, (extract(epoch FROM p_occurred_at) * 1000000)::bigint,
        p_actor, p_actor_roles, p_tenant_id, p_action, p_target_type, p_target_id, p_before, p_after,
        p_reason, p_request_id, encode(p_prev_hash, 'hex'))::text, 'UTF8'))
$$;

-- Appends one event to the caller's transaction's chain: the first append
-- picks it and records the choice for the rest of the transaction
-- (`modelmart.audit_chain`, transaction-local); the chain head stays locked
-- until the transaction ends, which keeps that chain linear.
CREATE OR REPLACE FUNCTION append_audit_event(
    p_id uuid, p_actor text, p_actor_roles text[], p_tenant_id uuid, p_action text,
    p_target_type text, p_target_id text, p_before jsonb, p_after jsonb, p_reason text,
    p_request_id text
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    chosen smallint := nullif(current_setting('modelmart.audit_chain', true), '')::smallint;
    head audit_chain_heads%ROWTYPE;
    new_seq bigint := nextval('audit_events_seq');
    new_hash bytea;
    now_ts timestamptz := clock_timestamp();
BEGIN
    IF chosen IS NULL THEN
        chosen := audit_chain_for(p_tenant_id);
        PERFORM set_config('modelmart.audit_chain', chosen::text, true);
    END IF;
    SELECT * INTO head FROM audit_chain_heads WHERE chain = chosen FOR UPDATE;
    new_hash := audit_event_hash_v2(chosen, head.last_chain_seq + 1, new_seq, p_id, now_ts, p_actor,
                                    p_actor_roles, p_tenant_id, p_action, p_target_type, p_target_id,
                                    p_before, p_after, p_reason, p_request_id, head.last_hash);
    INSERT INTO audit_events (seq, chain, chain_seq, hash_version, id, occurred_at, actor, actor_roles,
                              tenant_id, action, target_type, target_id, before, after, reason,
                              request_id, prev_hash, hash)
    VALUES (new_seq, chosen, head.last_chain_seq + 1, 2, p_id, now_ts, p_actor, p_actor_roles,
            p_tenant_id, p_action, p_target_type, p_target_id, p_before, p_after, p_reason,
            p_request_id, head.last_hash, new_hash);
    UPDATE audit_chain_heads SET last_chain_seq = head.last_chain_seq + 1, last_hash = new_hash
        WHERE chain = chosen;
    RETURN new_seq;
END;
$$;

-- Where each chain breaks: rows whose hash does not recompute, that do not
-- link to the row before them in their chain, or that leave a gap; and the
-- head of a chain whose last row is not the one it names (a deleted tail,
-- reported with a null seq). Empty when the whole log verifies.
CREATE FUNCTION audit_chain_breaks()
RETURNS TABLE (chain smallint, chain_seq bigint, seq bigint) LANGUAGE sql STABLE AS $$
    WITH linked AS (
        SELECT e.chain, e.chain_seq, e.seq, e.hash, e.prev_hash, e.hash_version,
               lag(e.hash) OVER w AS previous_hash,
               lag(e.chain_seq) OVER w AS previous_chain_seq,
               CASE e.hash_version
                   WHEN 1 THEN audit_event_hash(e.seq, e.id, e.occurred_at, e.actor, e.actor_roles,
                                                e.tenant_id, e.action, e.target_type, e.target_id, e.before,
                                                e.after, e.reason, e.request_id, e.prev_hash)
                   ELSE audit_event_hash_v2(e.chain, e.chain_seq, e.seq, e.id, e.occurred_at, e.actor,
                                            e.actor_roles, e.tenant_id, e.action, e.target_type, e.target_id,
                                            e.before, e.after, e.reason, e.request_id, e.prev_hash)
               END AS recomputed
        FROM audit_events e
        WINDOW w AS (PARTITION BY e.chain ORDER BY e.chain_seq)
    )
    SELECT l.chain, l.chain_seq, l.seq FROM linked l
    WHERE l.hash <> l.recomputed
       -- a version-1 row's hash covers seq but not its place: it must be where it was chained
       OR (l.hash_version = 1 AND (l.chain <> 0 OR l.chain_seq <> l.seq))
       OR (l.previous_chain_seq IS NULL AND (l.chain_seq <> 1 OR l.prev_hash <> decode(repeat('00', 32), 'hex')))
       OR (l.previous_chain_seq IS NOT NULL
           AND (l.prev_hash <> l.previous_hash OR l.chain_seq <> l.previous_chain_seq + 1))
    UNION ALL
    SELECT h.chain, h.last_chain_seq, NULL::bigint
    FROM audit_chain_heads h
    LEFT JOIN LATERAL (
        SELECT e.chain_seq, e.hash FROM audit_events e
        WHERE e.chain = h.chain ORDER BY e.chain_seq DESC LIMIT 1
    ) last ON true
    WHERE (last.chain_seq IS NULL AND h.last_chain_seq <> 0)
       OR (last.chain_seq IS NOT NULL AND (last.chain_seq <> h.last_chain_seq OR last.hash <> h.last_hash))
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'modelmart_app') THEN
        GRANT SELECT, UPDATE ON audit_chain_heads TO modelmart_app;
        GRANT USAGE, SELECT ON SEQUENCE audit_events_seq TO modelmart_app;
    END IF;
END;
$$;
