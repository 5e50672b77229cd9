-- Local runtimes (Ollama, Lemonade, ...) run on the tenant's own hardware:
-- an offer of that kind is `self_hosted`, never a managed offer with a price
-- of zero.
ALTER TABLE offers DROP CONSTRAINT offers_deployment_type_check;
ALTER TABLE offers ADD CONSTRAINT offers_deployment_type_check CHECK (deployment_type IN (
    'serverless', 'provisioned', 'managed_compute', 'batch', 'self_hosted'));
ALTER TABLE enablements DROP CONSTRAINT enablements_deployment_type_check;
ALTER TABLE enablements ADD CONSTRAINT enablements_deployment_type_check CHECK (deployment_type IN (
    'serverless', 'provisioned', 'managed_compute', 'batch', 'self_hosted'));
