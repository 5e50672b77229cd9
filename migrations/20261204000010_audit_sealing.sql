-- Audited writes no longer chain their own events. A write appends its
-- events as plain rows; a sealer (every server runs one, one pass at a time)
-- links them into the hash chain shortly after they commit, in batches. The
-- chain head is no longer locked by writers, so they commit side by side,
-- and no request computes a hash.
--
-- The seals live beside the events, in `audit_seals`: the position of an
-- event in its chain, the hash of the one before and its own. Both tables
-- are append-only. A seal's hash covers its event's fields, its chain and
-- its place in it, so an edited, deleted or reordered event, a deleted seal
-- or a deleted tail breaks the chain where it happened, as before.
--
-- The bound on what is not yet tamper-evident: an event is sealed by the
-- first pass after it commits (a pass every quarter second by default,
-- `MODELMART_AUDIT_SEAL_INTERVAL_MS`). Until then it could be changed
-- without a trace; the verification reports how many events wait for
-- their seal and since when.
--
-- Which events wait: each event records the transaction that wrote it
-- (`xact`). The sealer keeps a watermark below which every transaction has
-- ended and every event is sealed, and looks only above it for events
-- without a seal; so a late commit is sealed by the next pass, after events
-- that committed before it, and a pass reads only recent rows.

CREATE TABLE audit_seals (
    seq           bigint PRIMARY KEY,
    chain         smallint NOT NULL CHECK (chain BETWEEN 0 AND 15),
    chain_seq     bigint NOT NULL CHECK (chain_seq > 0),
    hash_version  smallint NOT NULL CHECK (hash_version IN (1, 2)),
    prev_hash     bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash          bytea NOT NULL CHECK (length(hash) = 32),
    CONSTRAINT audit_seals_chain_position UNIQUE (chain, chain_seq)
);
CREATE TRIGGER audit_seals_no_update BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION audit_events_are_append_only();
CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_are_append_only();

-- Every event chained so far keeps its place and hash, now as its seal.
INSERT INTO audit_seals (seq, chain, chain_seq, hash_version, prev_hash, hash)
    SELECT seq, chain, chain_seq, hash_version, prev_hash, hash FROM audit_events;
ALTER TABLE audit_events
    DROP CONSTRAINT audit_events_chain_position,
    DROP COLUMN chain,
    DROP COLUMN chain_seq,
    DROP COLUMN hash_version,
    DROP COLUMN prev_hash,
    DROP COLUMN hash;

-- Null for the events sealed above, written before sealing began.
ALTER TABLE audit_events ADD COLUMN xact xid8;
ALTER TABLE audit_events ALTER COLUMN xact SET DEFAULT pg_current_xact_id();
CREATE INDEX audit_events_xact_idx ON audit_events (xact) WHERE xact IS NOT NULL;

CREATE TABLE audit_sealing (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- Every transaction below it has ended and its events are sealed.
    sealed_below  xid8 NOT NULL
);
INSERT INTO audit_sealing (sealed_below) VALUES (pg_snapshot_xmin(pg_current_snapshot()));

DROP FUNCTION audit_chain_for(uuid);

-- Appending is inserting; the sealer chains.
CREATE OR REPLACE FUNCTION append_audit_event(
    p_id uuid, p_actor text, p_actor_roles text[], p_tenant_id uuid, p_action text,
    p_target_type text, p_target_id text, p_before jsonb, p_after jsonb, p_reason text,
    p_request_id text
) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO audit_events (seq, id, occurred_at, actor, actor_roles, tenant_id, action, target_type,
                              target_id, before, after, reason, request_id)
    VALUES (nextval('audit_events_seq'), p_id, clock_timestamp(), p_actor, p_actor_roles, p_tenant_id,
            p_action, p_target_type, p_target_id, p_before, p_after, p_reason, p_request_id)
    RETURNING seq
$$;

-- Appends many events in their order with one INSERT (arrays walked by
-- unnest, never indexed).
CREATE OR REPLACE FUNCTION append_audit_events(
    p_ids uuid[], p_actor text, p_actor_roles text[], p_tenant_ids uuid[], p_actions text[],
    p_target_types text[], p_target_ids text[], p_befores jsonb[], p_afters jsonb[], p_reasons text[],
    p_request_id text
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    now_ts timestamptz := clock_timestamp();
    n bigint;
BEGIN
    INSERT INTO audit_events (seq, id, occurred_at, actor, actor_roles, tenant_id, action, target_type,
                              target_id, before, after, reason, request_id)
    SELECT nextval('audit_events_seq'), u.id, now_ts, p_actor, p_actor_roles, u.tenant_id, u.action,
           u.target_type, u.target_id, u.before, u.after, u.reason, p_request_id
    FROM unnest(p_ids, p_tenant_ids, p_actions, p_target_types, p_target_ids, p_befores, p_afters, p_reasons)
        WITH ORDINALITY AS u(id, tenant_id, action, target_type, target_id, before, after, reason, k)
    ORDER BY u.k;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;

-- One sealing pass: chains up to `p_limit` committed events without a seal,
-- in `seq` order, onto chain 0, and answers how many. A pass running on
-- another server makes this one wait for it, so when a pass returns, every
-- event committed before it began is sealed (up to the limit).
CREATE FUNCTION seal_audit_events(p_limit integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    -- Every transaction below this has ended: its events, if committed, are
    -- visible to the query below, which starts later.
    horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
    since xid8;
    head audit_chain_heads%ROWTYPE;
    previous bytea;
    n integer := 0;
    seqs bigint[] := ARRAY[]::bigint[];
    prevs bytea[] := ARRAY[]::bytea[];
    hashes bytea[] := ARRAY[]::bytea[];
    e record;
BEGIN
    PERFORM pg_advisory_xact_lock(120316854886764);  -- "mmseal"

    SELECT sealed_below INTO since FROM audit_sealing FOR UPDATE;
    SELECT * INTO head FROM audit_chain_heads WHERE chain = 0 FOR UPDATE;
    previous := head.last_hash;
    FOR e IN
        SELECT ev.seq, ev.id, ev.occurred_at, ev.actor, ev.actor_roles, ev.tenant_id, ev.action, ev.target_type,
               ev.target_id, ev.before, ev.after, ev.reason, ev.request_id
        FROM audit_events ev
        WHERE ev.xact >= since AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.seq = ev.seq)
        ORDER BY ev.seq
        LIMIT p_limit
    LOOP
        n := n + 1;
        seqs := seqs || e.seq;
        prevs := prevs || previous;
        previous := audit_event_hash_v2(0::smallint, head.last_chain_seq + n, e.seq, e.id, e.occurred_at, e.actor,
                                        e.actor_roles, e.tenant_id, e.action, e.target_type, e.target_id,
                                        e.before, e.after, e.reason, e.request_id, previous);
        hashes := hashes || previous;
    END LOOP;
    IF n > 0 THEN
        INSERT INTO audit_seals (seq, chain, chain_seq, hash_version, prev_hash, hash)
        SELECT u.seq, 0, head.last_chain_seq + u.k, 2, u.prev, u.hash
        FROM unnest(seqs, prevs, hashes) WITH ORDINALITY AS u(seq, prev, hash, k);
        UPDATE audit_chain_heads SET last_chain_seq = head.last_chain_seq + n, last_hash = previous
            WHERE chain = 0;
    END IF;
    -- A pass not cut short sealed everything below the horizon.
    IF n < p_limit AND horizon > since THEN
        UPDATE audit_sealing SET sealed_below = horizon;
    END IF;
    RETURN n;
END;
$$;

-- Where each chain breaks: seals whose hash does not recompute from their
-- event (an edited or a deleted event), that do not link to the seal before
-- them in their chain, or that leave a gap (a deleted seal); and the head of
-- a chain whose last seal is not the one it names (a deleted tail, reported
-- with a null seq). Empty when the whole log verifies.
CREATE OR REPLACE FUNCTION audit_chain_breaks()
RETURNS TABLE (chain smallint, chain_seq bigint, seq bigint) LANGUAGE sql STABLE AS $$
    WITH linked AS (
        SELECT s.chain, s.chain_seq, s.seq, s.hash, s.prev_hash, s.hash_version,
               lag(s.hash) OVER w AS previous_hash,
               lag(s.chain_seq) OVER w AS previous_chain_seq,
               CASE s.hash_version
                   WHEN 1 THEN audit_event_hash(s.seq, e.id, e.occurred_at, e.actor, e.actor_roles,
                                                e.tenant_id, e.action, e.target_type, e.target_id, e.before,
                                                e.after, e.reason, e.request_id, s.prev_hash)
                   ELSE audit_event_hash_v2(s.chain, s.chain_seq, s.seq, e.id, e.occurred_at, e.actor,
                                            e.actor_roles, e.tenant_id, e.action, e.target_type, e.target_id,
                                            e.before, e.after, e.reason, e.request_id, s.prev_hash)
               END AS recomputed
        FROM audit_seals s
        LEFT JOIN audit_events e ON e.seq = s.seq
        WINDOW w AS (PARTITION BY s.chain ORDER BY s.chain_seq)
    )
    SELECT l.chain, l.chain_seq, l.seq FROM linked l
    WHERE l.recomputed IS DISTINCT FROM l.hash
       -- a version-1 seal's hash covers seq but not its place: it must be where it was chained
       OR (l.hash_version = 1 AND (l.chain <> 0 OR l.chain_seq <> l.seq))
       OR (l.previous_chain_seq IS NULL AND (l.chain_seq <> 1 OR l.prev_hash <> decode(repeat('00', 32), 'hex')))
       OR (l.previous_chain_seq IS NOT NULL
           AND (l.prev_hash <> l.previous_hash OR l.chain_seq <> l.previous_chain_seq + 1))
    UNION ALL
    SELECT h.chain, h.last_chain_seq, NULL::bigint
    FROM audit_chain_heads h
    LEFT JOIN LATERAL (
        SELECT s.chain_seq, s.hash FROM audit_seals s
        WHERE s.chain = h.chain ORDER BY s.chain_seq DESC LIMIT 1
    ) last ON true
    WHERE (last.chain_seq IS NULL AND h.last_chain_seq <> 0)
       OR (last.chain_seq IS NOT NULL AND (last.chain_seq <> h.last_chain_seq OR last.hash <> h.last_hash))
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'modelmart_app') THEN
        GRANT SELECT, INSERT ON audit_seals TO modelmart_app;
        GRANT SELECT, UPDATE ON audit_sealing TO modelmart_app;
    END IF;
END;
$$;
