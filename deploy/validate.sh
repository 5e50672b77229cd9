#!/usr/bin/env bash
# Validates the deployment files offline (run by CI):
# - deploy/compose.yaml with docker-compose (Debian's package) `config`;
# - each Kubernetes overlay rendered with `kubectl kustomize`, and the base,
#   against the Kubernetes API schemas (kubernetes-validate from PyPI,
#   strict: an unknown field fails).
set -euo pipefail
cd "$(dirname "$0")"
K8S_SCHEMAS="1.31.0"
VALIDATOR_VERSION="1.37.0"
VENV="../target/kubernetes-validate-venv"

if ! command -v docker-compose >/dev/null 2>&1; then
    echo "installing docker-compose" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
fi
# The compose file insists on a secret; any value of the right length will do here.
MODELMART_JWT_SECRET="validation-only-validation-only-0123456789" docker-compose -f compose.yaml config -q
echo "compose.yaml: valid" >&2

if ! "$VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -q "$VALIDATOR_VERSION"; then
    echo "installing kubernetes-validate $VALIDATOR_VERSION into target/" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "kubernetes-validate==$VALIDATOR_VERSION"
fi
if ! command -v kubectl >/dev/null 2>&1; then
    echo "kubectl (with its built-in kustomize) is needed to render the overlays" >&2
    exit 1
fi
rendered="$(mktemp -d)"
trap 'rm -rf "$rendered"' EXIT
for overlay in kubernetes/base kubernetes/overlays/*; do
    name="$(echo "$overlay" | tr '/' '-')"
    kubectl kustomize "$overlay" >"$rendered/$name.yaml"
    "$VENV/bin/kubernetes-validate" --strict --quiet --kubernetes-version "$K8S_SCHEMAS" "$rendered/$name.yaml"
    echo "$overlay: $(grep -c '^kind:' "$rendered/$name.yaml") resources valid against Kubernetes $K8S_SCHEMAS (strict)" >&2
done
