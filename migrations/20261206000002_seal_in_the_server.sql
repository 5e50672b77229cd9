-- The sealer computes the hashes in the server (`db::audit_hash`, byte for
-- byte what `audit_event_hash_v2()` computes) and the database only finds
-- the events and stores their seals (`db::audit::seal`). Building, printing
-- and hashing a jsonb array for every event in PL/pgSQL was most of a
-- sealing pass's time in the database. The SQL function that did it goes:
-- a second implementation of the pass would have to be kept identical.
DROP FUNCTION seal_audit_events(integer);

-- Verification recomputes every hash with this function. Its body calls
-- extract() on a timestamptz, which PostgreSQL marks stable, so declared
-- immutable it was never inlined and every call went through the SQL
-- function executor. Declared stable (which it is), it is inlined.
ALTER FUNCTION audit_event_hash_v2(smallint, bigint, bigint, uuid, timestamptz, text, text[], uuid, text, text,
                                   text, jsonb, jsonb, text, text, bytea) STABLE;
