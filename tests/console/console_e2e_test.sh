#!/usr/bin/env bash
# The operator console end to end, in Debian's Chromium (driven by playwright-core, tests/console/
# console_e2e.mjs) against the real binary: a fresh dev PKI in a temp dir, a gateway with the 21
# members, one certificate operator (for the API calls below) and two console accounts made with
# `operators add` (an operator and a viewer), and one push recipient, `spt`, whose endpoint refuses
# every delivery. So that the console has something to show, a member pushes an export, an
# operator consolidates for spt over the admin API, and the delivery fails (the refusal is a 4xx:
# a dead letter at once); then the browser test logs in, watches a push arrive live, opens the
# submission's errors, follows the failed delivery to its cause and re-queues it, and checks what
# a viewer may not do. Ports are 0 everywhere; every wait is a bounded poll.
# Usage: console_e2e_test.sh GATEWAY_BINARY SOURCE_DIR BUILD_DIR
# (screenshots go to BUILD_DIR/test-artifacts/console). Needs what scripts/install-deps installs:
# chromium, node, and tests/console/node_modules (npm ci).
set -euo pipefail
bin=$1 src=$2 build=$3
chromium=${CHROMIUM:-/usr/bin/chromium}
shots=$build/test-artifacts/console
period=2024-04-01..2025-03-31  # the NPM year of the export pushed before the consolidation

work=$(mktemp -d)
pids=()
gateway_log=$work/gateway.log
inbox_log=$work/spt-inbox.log
cleanup() {
  local status=$? pid
  if [ "$status" -ne 0 ]; then
    for log in "$gateway_log" "$inbox_log"; do
      [ -s "$log" ] || continue
      echo "---- the last lines of ${log##*/} ----" >&2
      tail -n 40 "$log" >&2 || true
    done
  fi
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
fail() { echo "console e2e: FAIL: $*" >&2; exit 1; }

# ---- what the browser test needs (scripts/install-deps installs all of it)
command -v node >/dev/null || fail "node is not installed (run scripts/install-deps)"
[ -x "$chromium" ] || fail "no Chromium at $chromium (run scripts/install-deps)"
[ -f "$src/tests/console/node_modules/playwright-core/package.json" ] ||
  fail "playwright-core is not installed in tests/console (run scripts/install-deps)"
[ -x "$bin" ] || fail "no gateway binary at $bin"

# wait_listening LOG PID NAME: until LOG holds the "listening" line (up to 20 s), or PID exits.
wait_listening() {
  local log=$1 pid=$2 name=$3 _
  for _ in $(seq 1 200); do
    grep -qs '"event":"listening"' "$log" && return 0
    kill -0 "$pid" 2>/dev/null || fail "$name stopped before listening"
    sleep 0.1
  done
  fail "$name did not listen within 20 s"
}
# listener LOG KEY: "host:port" of the "member" or "admin" listener named in LOG's listening line.
listener() {
  grep '"event":"listening"' "$1" | sed -nE "1s/.*\"$2\":\"([^\"]+)\".*/\1/p"
}

# ---- a throwaway PKI: the dev PKI's script, into the temp dir
pki=$work/certs
"$src/certs/dev-pki" "$pki" >/dev/null || fail "certs/dev-pki failed"

# ---- the SPT's endpoint, refusing: the reference inbox, told to trust payload signatures from
# another CA only (a throwaway self-signed one), so it reads each delivery whole and answers
# 422 payload_signature_invalid: a 4xx, which the gateway never retries (docs/protocol.md), so the
# delivery fails at its first attempt, with that answer as its cause.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=Not the gateway's CA" -keyout "$work/other-ca.key" -out "$work/other-ca.crt" \
  2>"$work/openssl.log" || fail "openssl req: $(cat "$work/openssl.log")"
cat >"$work/spt-inbox.toml" <<TOML
listen = "127.0.0.1:0"
threads = 1
data_dir = "$work/spt-inbox"
allowed_senders = ["gateway"]
payload_ca = "$work/other-ca.crt"
schemas = "$src/schemas"

[tls]
certificate = "$pki/spt-inbox.crt"
private_key = "$pki/spt-inbox.key"
client_ca = "$pki/ca.crt"
crl = "$pki/ca.crl"

[signing]
certificate = "$pki/spt-inbox-signing.crt"
private_key = "$pki/spt-inbox-signing.key"
TOML
"$bin" inbox --config "$work/spt-inbox.toml" 2>"$inbox_log" &
inbox_pid=$!
pids+=("$inbox_pid")
wait_listening "$inbox_log" "$inbox_pid" "the refusing spt inbox"
inbox=$(listener "$inbox_log" member)
[ -n "$inbox" ] || fail "no address in the inbox's listening line"

# ---- the gateway's config: every member of schemas/codelists/members.tsv (the console lists 21),
# each recognised by its dev-PKI certificate (CN = code); the certificate operator `operator` for
# the API calls below; the recipient spt at the refusing inbox, on demand only.
config=$work/gateway.toml
toml_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
{
  cat <<TOML
[server]
listen = "127.0.0.1:0"
threads = 2
data_dir = "$work/var"

[admin]
listen = "127.0.0.1:0"
console = true

[tls]
certificate = "$pki/gateway.crt"
private_key = "$pki/gateway.key"
client_ca = "$pki/ca.crt"
crl = "$pki/ca.crl"

[signing]
certificate = "$pki/gateway-signing.crt"
private_key = "$pki/gateway-signing.key"

[intake]
workers = 2

[timeouts]
grace = 5

[operators.operator]
name = "Secretariat operator (test certificate)"
role = "operator"

[recipients.spt]
url = "https://localhost:${inbox##*:}/v1/deliveries"
ca = "$pki/ca.crt"
certificate = "$pki/gateway-client.crt"
private_key = "$pki/gateway-client.key"
format = "json"
policy = "$src/schemas/policies/spt.toml"
pseudonym_key = "$src/tests/fixtures/consolidation/test-pseudonym.key"
schedule = ""
TOML
  members=0
  while IFS=$'\t' read -r code name; do
    name=${name%$'\r'}
    [ "$code" = code ] && continue  # the header
    [ -n "$code" ] || continue
    printf '\n[members.%s]\nname = %s\n' "$code" "$(toml_string "$name")"
    members=$((members + 1))
  done <"$src/schemas/codelists/members.tsv"
  [ "$members" -gt 0 ] || fail "no members in schemas/codelists/members.tsv"
} >"$config"

# ---- two console accounts, made before the gateway starts (password on stdin, one line)
operator_name=olive operator_password=olive-console-e2e-7Kq2vX9p
viewer_name=victor viewer_password=victor-console-e2e-3Hm8wR4t
printf '%s\n' "$operator_password" |
  "$bin" operators add "$operator_name" --role operator --display-name "Olive Operator" \
    --config "$config" >"$work/operators.log" 2>&1 ||
  fail "operators add $operator_name: $(cat "$work/operators.log")"
printf '%s\n' "$viewer_password" |
  "$bin" operators add "$viewer_name" --role viewer --display-name "Victor Viewer" \
    --config "$config" >"$work/operators.log" 2>&1 ||
  fail "operators add $viewer_name: $(cat "$work/operators.log")"

# ---- the gateway
"$bin" serve --config "$config" 2>"$gateway_log" &
gateway_pid=$!
pids+=("$gateway_pid")
wait_listening "$gateway_log" "$gateway_pid" "the gateway"
member_listener=$(listener "$gateway_log" member)
admin_listener=$(listener "$gateway_log" admin)
if [ -z "$member_listener" ] || [ -z "$admin_listener" ]; then
  fail "no addresses in the gateway's listening line"
fi
admin_url=https://$admin_listener

# push_command MEMBER FILE: the push agent's command line (one string for a shell).
push_command() {
  printf '%q ' "$bin" push --url "https://$member_listener" --cacert "$pki/ca.crt" \
    --cert "$pki/members/$1.crt" --key "$pki/members/$1.key" "$src/tests/fixtures/members/$2"
}

# ---- a failed delivery to spt: one export, a consolidation of its year, the refusal
eval "$(push_command imb imb/annual-reports-2024-25.json)" >"$work/push.out" 2>"$work/push.err" ||
  fail "the push of imb's sample export failed: $(cat "$work/push.err")"

operator_api=(--silent --show-error --cacert "$pki/ca.crt"
  --cert "$pki/operators/operator.crt" --key "$pki/operators/operator.key")
answer=$(curl "${operator_api[@]}" -H 'Content-Type: application/json' \
  -d "{\"recipients\":[\"spt\"],\"period\":\"$period\"}" -w '\n%{http_code}' \
  "$admin_url/v1/consolidations") || fail "POST /v1/consolidations: curl failed"
[ "${answer##*$'\n'}" = 202 ] || fail "POST /v1/consolidations answered: $answer"

failed_delivery=
for _ in $(seq 1 60); do  # up to 30 s: the consolidation job, then the first delivery attempt
  deliveries=$(curl "${operator_api[@]}" "$admin_url/v1/deliveries?recipient=spt&state=failed") ||
    fail "GET /v1/deliveries: curl failed"
  failed_delivery=$(grep -o '"delivery_id":"dlv_[^"]*"' <<<"$deliveries" |
    sed -nE '1s/.*:"([^"]*)"/\1/p' || true)
  [ -n "$failed_delivery" ] && break
  kill -0 "$gateway_pid" 2>/dev/null || fail "the gateway stopped"
  sleep 0.5
done
if [ -z "$failed_delivery" ]; then
  echo "deliveries to spt: $(curl "${operator_api[@]}" "$admin_url/v1/deliveries?recipient=spt" || true)" >&2
  echo "consolidations: $(curl "${operator_api[@]}" "$admin_url/v1/consolidations" || true)" >&2
  fail "no failed delivery to spt within 30 s"
fi
echo "console e2e: $failed_delivery to spt failed; the console's turn"

# The refusing inbox has done its part: stopped, a re-queued delivery is tried again and meets a
# closed port, which the gateway retries later, so the delivery stays pending after the console's
# re-queue (with the inbox up, the next refusal could make it failed again before the page looks).
kill -TERM "$inbox_pid"
wait "$inbox_pid" || true

# ---- the browser test (its own bound, inside ctest's: the cleanup above always runs)
mkdir -p "$shots"
rm -f "$shots"/*.png
status=0
(
  cd "$src" &&
    CONSOLE_URL="$admin_url/" \
    OPERATOR_NAME=$operator_name OPERATOR_PASSWORD=$operator_password \
    VIEWER_NAME=$viewer_name VIEWER_PASSWORD=$viewer_password \
    PUSH_COMMAND="$(push_command icva icva/custody-visits-2024-25.csv) >/dev/null" \
    PUSH_MEMBER=icva EXPECT_SOURCE_FIELD="Visit date" \
    FAILED_DELIVERY_ID=$failed_delivery FAILED_RECIPIENT=spt \
    SCREENSHOT_DIR=$shots CHROMIUM=$chromium \
    timeout --kill-after=10 240 node tests/console/console_e2e.mjs
) || status=$?
if [ "$status" -ne 0 ]; then
  [ "$status" -eq 124 ] && echo "console e2e: the browser test did not finish within 240 s" >&2
  fail "the browser test failed (exit $status; screenshots in $shots)"
fi
kill -0 "$gateway_pid" 2>/dev/null || fail "the gateway stopped during the browser test"
echo "console e2e: ok (screenshots in $shots)"
