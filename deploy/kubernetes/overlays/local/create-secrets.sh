#!/usr/bin/env bash
# Creates the local overlay's Secrets in the current kubectl context, once,
# with random values. An existing Secret is kept, never regenerated: a new
# pepper would invalidate every password, a new key-encryption key would
# leave the signing keys unopenable, and either logs everyone out.
#   deploy/kubernetes/overlays/local/create-secrets.sh
# Needs kubectl and openssl. The values never touch the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ns="authpair"

kubectl apply -f "$here/namespace.yaml" >/dev/null

exists() { kubectl -n "$ns" get secret "$1" >/dev/null 2>&1; }
random() { openssl rand -base64 "$1" | tr -d '\n'; }
create() {
  local name="$1"
  shift
  if exists "$name"; then
    echo "kept    secret/$name"
  else
    kubectl -n "$ns" create secret generic "$name" "$@" >/dev/null
    echo "created secret/$name"
  fi
}

# The database password is read back when it exists, so DATABASE_URL always
# carries the password PostgreSQL was initialised with.
if exists authpair-postgres; then
  password="$(kubectl -n "$ns" get secret authpair-postgres -o jsonpath='{.data.POSTGRES_PASSWORD}' | base64 -d)"
else
  password="$(openssl rand -hex 24)"
fi
create authpair-postgres --from-literal=POSTGRES_PASSWORD="$password"
create authpair-database \
  --from-literal=DATABASE_URL="postgres://authpair:${password}@authpair-postgres:5432/authpair"
create authpair-auth-secrets \
  --from-literal=PASSWORD_PEPPER="$(random 32)" \
  --from-literal=KEY_ENCRYPTION_KEYS="local-$(date +%Y%m%d):$(random 32)" \
  --from-literal=REFRESH_TOKEN_SECRET="$(random 32)"
create authpair-revocation-feed --from-literal=REVOCATION_FEED_TOKEN="$(random 32)"
