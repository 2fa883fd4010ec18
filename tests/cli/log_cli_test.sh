#!/usr/bin/env bash
# `opcat-gateway log verify` and `log tail` on a real gateway's data: the real binary serves with
# a fresh dev PKI and the example config (ports 0, a temp data directory), members push with the
# push agent, the gateway stops (signing the log's head); verify passes on the data and fails on a
# copy of the database with one byte changed. Usage: log_cli_test.sh GATEWAY_BINARY SOURCE_DIR
set -euo pipefail
bin=$1 src=$2
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The example config's relative paths (../certs/dev, ../schemas) hold in this mirror.
mkdir -p "$work/gateway"
cp "$src/gateway/gateway.example.toml" "$work/gateway/gateway.toml"
ln -s "$src/schemas" "$work/schemas"
"$src/certs/dev-pki" "$work/certs/dev" >/dev/null
config=$work/gateway/gateway.toml

"$bin" serve --config "$config" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data "$work/var" \
  --threads 2 2>"$work/gateway.log" &
pid=$!
for _ in $(seq 1 200); do
  grep -q '"event":"listening"' "$work/gateway.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/gateway.log" >&2; fail "serve stopped"; }
  sleep 0.1
done
member=$(grep '"event":"listening"' "$work/gateway.log" | sed -E 's/.*"member":"([^"]+)".*/\1/')
[ -n "$member" ] || fail "serve never listened"

for sample in icva:icva/custody-visits-2024-25.csv imb:imb/annual-reports-2024-25.json; do
  code=${sample%%:*}
  "$bin" push --url "https://$member" --cacert "$work/certs/dev/ca.crt" \
    --cert "$work/certs/dev/members/$code.crt" --key "$work/certs/dev/members/$code.key" \
    "$src/tests/fixtures/members/${sample#*:}" >/dev/null 2>>"$work/push.log" ||
    fail "push of $sample: $(cat "$work/push.log")"
done
kill -TERM "$pid"
wait "$pid" || fail "serve did not stop cleanly"
pid=

# Both pushes are in the log, newest last; --member filters.
lines=$("$bin" log tail --data "$work/var" -n 5)
[ "$(grep -c '"direction":"in"' <<<"$lines")" = 2 ] || fail "tail: $lines"
[ "$("$bin" log tail --data "$work/var" --member imb | grep -c '"member":"imb"')" = 1 ] ||
  fail "tail --member imb"

out=$("$bin" log verify --data "$work/var" --ca "$work/certs/dev/ca.crt") || fail "verify: $out"
grep -q '^intact: 2 entries' <<<"$out" || fail "verify said: $out"
grep -q 'signatures checked' <<<"$out" || fail "checkpoint signatures were not checked: $out"
"$bin" log verify --config "$config" --data "$work/var" >/dev/null || fail "verify --config"

# A copy with one byte changed: the first character of the first entry's hash, wherever the file
# holds it (the entry, the next entry's prev_hash, or the checkpoint: each is caught).
cp -r "$work/var" "$work/copy"
# (No `head` in these pipelines: under pipefail, a writer cut off by SIGPIPE fails the line.)
hash=$("$bin" log tail --data "$work/var" -n 5 | sed -nE '1s/.*"hash":"([0-9a-f]+)".*/\1/p')
[ ${#hash} = 64 ] || fail "no hash in tail's output"
db=$work/copy/gateway.sqlite3
offset=$(grep -m1 -obUa "$hash" "$db" | sed -n '1s/:.*//p')
[ -n "$offset" ] || fail "hash not found in the database file"
replacement=$([ "${hash:0:1}" = 0 ] && echo 1 || echo 0)
printf '%s' "$replacement" | dd of="$db" bs=1 seek="$offset" conv=notrunc status=none
status=0
out=$("$bin" log verify --data "$work/copy" --ca "$work/certs/dev/ca.crt") || status=$?
[ "$status" = 3 ] || fail "verify of the tampered copy exited $status: $out"
grep -q '^TAMPERED' <<<"$out" || fail "verify of the tampered copy said: $out"
grep -q '^entry [0-9]*: ' <<<"$out" || fail "verify did not say where: $out"
echo "log cli: verify passes on the gateway's log and fails on a copy with one byte changed"
