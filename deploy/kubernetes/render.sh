#!/usr/bin/env bash
# Renders every overlay into rendered/<overlay>.yaml: the files committed
# beside the overlays, applicable with `kubectl apply -f` where kustomize is
# not at hand, and the files the tests validate (test/unit/deploy/).
# Run it after any change under deploy/kubernetes/ and commit the result:
#   deploy/kubernetes/render.sh        (or: npm run k8s:render)
# Needs kubectl 1.21 or later (its built-in kustomize), or a standalone
# `kustomize`. Debian's kubernetes-client (1.20) is too old: its kustomize
# knows no components.
set -euo pipefail
cd "$(dirname "$0")"

if command -v kubectl >/dev/null 2>&1; then
  minor="$(kubectl version --client -o json 2>/dev/null | node -pe 'parseInt(JSON.parse(require("fs").readFileSync(0)).clientVersion.minor, 10)')"
  if [ "$minor" -lt 21 ]; then
    echo "render: kubectl 1.$minor is too old (1.21 or later renders these overlays)" >&2
    exit 1
  fi
  build=(kubectl kustomize)
  version="kubectl 1.$minor, $(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p' | sed 's/^/kustomize /')"
elif command -v kustomize >/dev/null 2>&1; then
  build=(kustomize build)
  version="kustomize $(kustomize version 2>/dev/null)"
else
  echo "render: needs kubectl (1.21 or later) or kustomize on PATH" >&2
  exit 1
fi

for overlay in overlays/*/; do
  name="$(basename "$overlay")"
  {
    echo "# Rendered from deploy/kubernetes/overlays/$name by deploy/kubernetes/render.sh"
    echo "# ($version). Do not edit: change the overlay or the base and rerun."
    "${build[@]}" "$overlay"
  } >"rendered/$name.yaml"
  echo "rendered/$name.yaml"
done
