#!/usr/bin/env bash
# Starts the real gateway with a fresh dev PKI and the example config, then audits both listeners
# with testssl.sh (scripts/tls-audit). Usage: tls_audit_test.sh SOURCE_DIR GATEWAY_BINARY
set -euo pipefail
src=$1 binary=$2
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The example config's relative paths (../certs/dev/...) hold in this mirror of the repository.
mkdir -p "$work/gateway"
cp "$src/gateway/gateway.example.toml" "$work/gateway/gateway.toml"
ln -s "$src/schemas" "$work/schemas"  # the recipients' data policies
"$src/certs/dev-pki" "$work/certs/dev" >/dev/null

"$binary" serve --config "$work/gateway/gateway.toml" --listen 127.0.0.1:0 \
  --admin-listen 127.0.0.1:0 --data "$work/var" --threads 2 2>"$work/gateway.log" &
pid=$!
for _ in $(seq 1 200); do  # up to 20 s for the "listening" line
  grep -q '"event":"listening"' "$work/gateway.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/gateway.log" >&2; exit 1; }
  sleep 0.1
done
line=$(grep '"event":"listening"' "$work/gateway.log") || { echo "gateway never listened" >&2; exit 1; }
member=$(sed -E 's/.*"member":"([^"]+)".*/\1/' <<<"$line")
admin=$(sed -E 's/.*"admin":"([^"]+)".*/\1/' <<<"$line")

"$src/scripts/tls-audit" "$member"
"$src/scripts/tls-audit" "$admin"

kill -TERM "$pid"
wait "$pid"
pid=
grep -q '"event":"stopped"' "$work/gateway.log"
echo "tls audit: both listeners pass"
