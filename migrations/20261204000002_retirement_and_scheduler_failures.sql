-- Retirement by the clock, and scheduled work that fails without holding
-- up the rest.

-- Tenants are told when a listing they use is retired.
ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_event_type_check;
ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_event_type_check CHECK (event_type IN (
    'model.delisted', 'model.relisted', 'enablement.suspended', 'enablement.restored',
    'model.deprecated', 'model.retired', 'price.changed'));

-- Listings the scheduler must retire: not yet retired, retirement date
-- reached (dates are UTC days).
CREATE INDEX models_retirement_due_idx ON models (retirement_date)
    WHERE lifecycle_status <> 'retired' AND retirement_date IS NOT NULL;

-- A hold whose scheduled activation or expiry failed: the scheduler backs
-- off from it (and goes on with every other due hold), /metrics counts it,
-- and the first failure is audited. The row goes when the step succeeds.
-- Kept apart from compliance_holds so recording a failure does not bump
-- the rules version and reload every server's snapshot.
CREATE TABLE hold_schedule_failures (
    hold_id          uuid PRIMARY KEY REFERENCES compliance_holds (id) ON DELETE CASCADE,
    step             text NOT NULL CHECK (step IN ('activate', 'expire')),
    failures         integer NOT NULL CHECK (failures > 0),
    last_error       text NOT NULL CHECK (length(last_error) <= 2000),
    first_failed_at  timestamptz NOT NULL DEFAULT now(),
    last_failed_at   timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'modelmart_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON hold_schedule_failures TO modelmart_app;
    END IF;
END;
$$;
