#!/usr/bin/env bash
# Validates the Kubernetes manifests offline against the Kubernetes API
# schemas (kubernetes-validate from PyPI, strict: unknown fields fail), and
# checks that every file a kustomization names exists.
set -euo pipefail
cd "$(dirname "$0")"
VERSION="1.37.0"
VENV="../../target/kubernetes-validate-venv"
if ! "$VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -q "$VERSION"; then
    echo "installing kubernetes-validate $VERSION into target/" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "kubernetes-validate==$VERSION"
fi

# Whole resources: the base, and what overlays add. (Overlay patches are
# partial by design and are checked by kustomize when rendered.)
resources=()
for file in base/*.yaml overlays/*/namespace.yaml; do
    [ "$(basename "$file")" = kustomization.yaml ] || resources+=("$file")
done
"$VENV/bin/kubernetes-validate" --strict --quiet --kubernetes-version "1.31.0" "${resources[@]}"

python3 - <<'PY'
import pathlib, re, sys
missing = []
for kustomization in pathlib.Path(".").glob("**/kustomization.yaml"):
    text = kustomization.read_text()
    # List items naming a file or folder: resources, patch paths, env files.
    for name in re.findall(r"^\s*-\s+(?:path:\s+)?(\S+)\s*$", text, re.M):
        if name.endswith(":") or name.startswith(("\"", "'")):
            continue
        if not (kustomization.parent / name).exists():
            missing.append(f"{kustomization}: {name}")
if missing:
    sys.exit("kustomizations name files that do not exist:\n" + "\n".join(missing))
PY
echo "kubernetes manifests: ${#resources[@]} resources valid against Kubernetes 1.31 (strict)" >&2
