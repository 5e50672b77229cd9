-- Appends many events to the caller's transaction's chain in one call: the
-- chain head is locked, read and written once, the hashes are chained in a
-- loop, and the rows go in with one INSERT. Appending thousands of events
-- one call at a time rewrites the head row as often, and each rewrite in one
-- transaction leaves a row version the next lock must walk past: a hold
-- suspending 10,000 enablements took seconds, growing with their square.
CREATE FUNCTION append_audit_events(
    p_ids uuid[], p_actor text, p_actor_roles text[], p_tenant_ids uuid[], p_actions text[],
    p_target_types text[], p_target_ids text[], p_befores jsonb[], p_afters jsonb[], p_reasons text[],
    p_request_id text
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n integer := coalesce(cardinality(p_ids), 0);
    chosen smallint := nullif(current_setting('modelmart.audit_chain', true), '')::smallint;
    head audit_chain_heads%ROWTYPE;
    now_ts timestamptz := clock_timestamp();
    seqs bigint[] := ARRAY[]::bigint[];
    prevs bytea[] := ARRAY[]::bytea[];
    hashes bytea[] := ARRAY[]::bytea[];
    previous bytea;
    next_seq bigint;
    e record;
BEGIN
    IF n = 0 THEN
        RETURN 0;
    END IF;
    IF chosen IS NULL THEN
        chosen := audit_chain_for(p_tenant_ids[1]);
        PERFORM set_config('modelmart.audit_chain', chosen::text, true);
    END IF;
    SELECT * INTO head FROM audit_chain_heads WHERE chain = chosen FOR UPDATE;
    previous := head.last_hash;
    -- The arrays are walked in order (unnest), never indexed: finding the
    -- k-th element of an array of text or jsonb walks the k before it.
    FOR e IN
        SELECT * FROM unnest(p_ids, p_tenant_ids, p_actions, p_target_types, p_target_ids, p_befores, p_afters,
                             p_reasons) WITH ORDINALITY
            AS u(id, tenant_id, action, target_type, target_id, before, after, reason, k)
        ORDER BY k
    LOOP
        next_seq := nextval('audit_events_seq');
        seqs := seqs || next_seq;
        prevs := prevs || previous;
        previous := audit_event_hash_v2(chosen, head.last_chain_seq + e.k, next_seq, e.id, now_ts, p_actor,
                                        p_actor_roles, e.tenant_id, e.action, e.target_type, e.target_id,
                                        e.before, e.after, e.reason, p_request_id, previous);
        hashes := hashes || previous;
    END LOOP;
    INSERT INTO audit_events (seq, chain, chain_seq, hash_version, id, occurred_at, actor, actor_roles,
                              tenant_id, action, target_type, target_id, before, after, reason,
                              request_id, prev_hash, hash)
    SELECT u.seq, chosen, head.last_chain_seq + u.k, 2, u.id, now_ts, p_actor, p_actor_roles, u.tenant_id,
           u.action, u.target_type, u.target_id, u.before, u.after, u.reason, p_request_id, u.prev, u.hash
    FROM unnest(seqs, p_ids, p_tenant_ids, p_actions, p_target_types, p_target_ids, p_befores, p_afters,
                p_reasons, prevs, hashes) WITH ORDINALITY
        AS u(seq, id, tenant_id, action, target_type, target_id, before, after, reason, prev, hash, k);
    UPDATE audit_chain_heads SET last_chain_seq = head.last_chain_seq + n, last_hash = previous
        WHERE chain = chosen;
    RETURN n;
END;
$$;
