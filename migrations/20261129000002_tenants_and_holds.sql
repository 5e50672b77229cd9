-- Tenants, their guard rails, compliance holds and enablements. Tenant-owned
-- tables are keyed by (tenant_id, id) so they can be distributed by tenant
-- (Citus) without a schema change; catalog tables stay small reference tables.

CREATE TABLE tenants (
    id              uuid PRIMARY KEY,              -- the identity provider's `tid`
    display_name    text CHECK (length(display_name) <= 200),
    provisioned_by  text NOT NULL CHECK (length(provisioned_by) BETWEEN 1 AND 256),
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- A tenant's own guard rails. NULL allow-lists mean "no restriction"; empty
-- deny-lists mean "nothing denied".
CREATE TABLE tenant_policies (
    tenant_id                  uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    allowed_regions            text[] CHECK (cardinality(allowed_regions) <= 200),
    denied_origin_countries    text[] NOT NULL DEFAULT '{}' CHECK (cardinality(denied_origin_countries) <= 250),
    denied_operator_countries  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(denied_operator_countries) <= 250),
    denied_publishers          text[] NOT NULL DEFAULT '{}' CHECK (cardinality(denied_publishers) <= 500),
    allowed_licenses           text[] CHECK (cardinality(allowed_licenses) <= 200),
    max_input_price_per_mtok   numeric(24, 12) CHECK (max_input_price_per_mtok >= 0),
    max_output_price_per_mtok  numeric(24, 12) CHECK (max_output_price_per_mtok >= 0),
    price_currency             text NOT NULL DEFAULT 'USD' CHECK (price_currency ~ '^[A-Z]{3}$'),
    ga_only                    boolean NOT NULL DEFAULT false,
    row_version                bigint NOT NULL DEFAULT 1 CHECK (row_version > 0),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    updated_by                 text NOT NULL
);

CREATE TABLE compliance_holds (
    id                       uuid PRIMARY KEY,
    kind                     text NOT NULL CHECK (kind IN ('export_control', 'sanctions', 'legal', 'security', 'ip_dispute', 'license')),
    -- internal: never shown to tenants
    legal_basis              text NOT NULL CHECK (length(legal_basis) BETWEEN 1 AND 10000),
    -- what tenants are told, and where the notice lives (Link rel="blocked-by")
    public_notice            text NOT NULL CHECK (length(public_notice) BETWEEN 1 AND 2000),
    public_notice_url        text CHECK (length(public_notice_url) <= 2048),
    -- what is held: at least one of these is non-empty
    scope_models             uuid[] NOT NULL DEFAULT '{}',
    scope_publishers         uuid[] NOT NULL DEFAULT '{}',
    scope_origin_countries   text[] NOT NULL DEFAULT '{}',
    -- where and for whom: an empty list means everywhere / everyone
    scope_regions            text[] NOT NULL DEFAULT '{}',
    scope_jurisdictions      text[] NOT NULL DEFAULT '{}',
    scope_tenants            uuid[] NOT NULL DEFAULT '{}',
    effect_hide              boolean NOT NULL,
    effect_block_new         boolean NOT NULL,
    effect_suspend_existing  boolean NOT NULL,
    status                   text NOT NULL CHECK (status IN ('proposed', 'active', 'lifted', 'rejected', 'expired')),
    effective_at             timestamptz,
    expires_at               timestamptz,
    -- set when the hold's effects were applied (approval or effective_at)
    activated_at             timestamptz,
    proposed_by              text NOT NULL,
    proposed_at              timestamptz NOT NULL DEFAULT now(),
    proposal_reason          text CHECK (length(proposal_reason) <= 2000),
    approved_by              text,
    approved_at              timestamptz,
    rejected_by              text,
    rejected_at              timestamptz,
    rejection_reason         text CHECK (length(rejection_reason) <= 2000),
    lifted_by                text,
    lifted_at                timestamptz,
    lift_reason              text CHECK (length(lift_reason) <= 2000),
    expired_at               timestamptz,
    row_version              bigint NOT NULL DEFAULT 1 CHECK (row_version > 0),
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CHECK (cardinality(scope_models) + cardinality(scope_publishers) + cardinality(scope_origin_countries) > 0),
    CHECK (effect_hide OR effect_block_new OR effect_suspend_existing),
    CHECK (expires_at IS NULL OR effective_at IS NULL OR expires_at > effective_at),
    -- the two-person rule, enforced by the database as well as the API
    CHECK (approved_by IS NULL OR approved_by <> proposed_by),
    CHECK (status <> 'active' OR approved_by IS NOT NULL),
    CHECK (status <> 'rejected' OR rejected_by IS NOT NULL),
    CHECK (status <> 'lifted' OR lifted_by IS NOT NULL)
);
CREATE INDEX holds_status_idx ON compliance_holds (status);
CREATE INDEX holds_pending_activation_idx ON compliance_holds (effective_at)
    WHERE status = 'active' AND activated_at IS NULL;
CREATE INDEX holds_pending_expiry_idx ON compliance_holds (expires_at)
    WHERE status = 'active' AND expires_at IS NOT NULL;
CREATE INDEX holds_scope_models_idx ON compliance_holds USING gin (scope_models);

CREATE TABLE enablements (
    tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                    uuid NOT NULL,
    model_id              uuid NOT NULL REFERENCES models (id),
    region_code           text NOT NULL REFERENCES regions (code),
    deployment_type       text NOT NULL CHECK (deployment_type IN ('serverless', 'provisioned', 'managed_compute', 'batch')),
    status                text NOT NULL CHECK (status IN ('active', 'suspended', 'disabled')),
    suspended_by_hold_id  uuid REFERENCES compliance_holds (id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    created_by            text NOT NULL,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    updated_by            text NOT NULL,
    row_version           bigint NOT NULL DEFAULT 1 CHECK (row_version > 0),
    PRIMARY KEY (tenant_id, id),
    CHECK ((status = 'suspended') = (suspended_by_hold_id IS NOT NULL))
);
-- at most one live enablement per tenant, model, region and deployment type
CREATE UNIQUE INDEX enablements_live_uniq ON enablements (tenant_id, model_id, region_code, deployment_type)
    WHERE status <> 'disabled';
CREATE INDEX enablements_model_idx ON enablements (model_id, region_code) WHERE status <> 'disabled';
CREATE INDEX enablements_hold_idx ON enablements (suspended_by_hold_id) WHERE suspended_by_hold_id IS NOT NULL;

-- Every hold that suspended an enablement, so lifting one hold restores only
-- what no other effective hold still covers.
CREATE TABLE enablement_suspensions (
    tenant_id      uuid NOT NULL,
    enablement_id  uuid NOT NULL,
    hold_id        uuid NOT NULL REFERENCES compliance_holds (id),
    suspended_at   timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz,
    PRIMARY KEY (tenant_id, enablement_id, hold_id),
    FOREIGN KEY (tenant_id, enablement_id) REFERENCES enablements (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX enablement_suspensions_hold_idx ON enablement_suspensions (hold_id) WHERE released_at IS NULL;
