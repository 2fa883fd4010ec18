#!/usr/bin/env bash
# Hostile exports through the real binary (issue 3): each must end in exit 4 with a reason, within
# a hard memory cap (ulimit -v), never a crash, and never read a file it was pointed at.
# Usage: hostile_inputs_test.sh GATEWAY_BINARY
set -uo pipefail
binary=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect_rejected NAME MEMBER FILE REASON_REGEX: exit 4, a summary whose reason matches.
expect_rejected() {
  local name=$1 member=$2 file=$3 reason=$4 code
  (ulimit -v 1048576; exec "$binary" normalise --member "$member" "$file") >"$work/out" 2>"$work/err"
  code=$?
  if [ "$code" -ne 4 ]; then
    echo "FAIL $name: exit $code, expected 4"; tail -3 "$work/err"; failures=$((failures + 1)); return
  fi
  if ! tail -1 "$work/err" | grep -qE "\"verdict\":\"rejected\".*\"reason\":\"[^\"]*($reason)"; then
    echo "FAIL $name: the summary does not give the reason /$reason/:"; tail -1 "$work/err"
    failures=$((failures + 1)); return
  fi
  if grep -q 'root:' "$work/out" "$work/err"; then
    echo "FAIL $name: the content of /etc/passwd leaked into the output"; failures=$((failures + 1)); return
  fi
  echo "ok   $name: $(tail -1 "$work/err" | sed -E 's/.*"reason":"([^"]*)".*/\1/' | cut -c1-110)"
}

# XXE: an external entity pointing at a local file.
cat >"$work/xxe.xml" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE inspections [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<inspections xmlns="urn:x-opcat-synthetic:hmip:inspection-reports:2"><inspection id="X"><establishment code="X"><name>&secret;</name></establishment></inspection></inspections>
XML
expect_rejected "XXE" hmip "$work/xxe.xml" "DOCTYPE"

# Billion laughs: nested entity expansion.
{
  echo '<?xml version="1.0"?>'
  echo '<!DOCTYPE lolz [<!ENTITY lol "lol">'
  for i in 1 2 3 4 5 6 7 8 9; do
    printf '<!ENTITY lol%d "' "$i"; for _ in 1 2 3 4 5 6 7 8 9 10; do printf '&lol%s;' "$([ "$i" -eq 1 ] && echo "" || echo $((i - 1)))"; done; echo '">'
  done
  echo ']><inspections xmlns="urn:x-opcat-synthetic:hmip:inspection-reports:2">&lol9;</inspections>'
} >"$work/laughs.xml"
expect_rejected "billion laughs" hmip "$work/laughs.xml" "DOCTYPE"

# Deep JSON: a hundred thousand nested arrays where the pages should be.
{ printf '{"pages":'; head -c 100000 /dev/zero | tr '\0' '['; } >"$work/deep.json"
expect_rejected "deep JSON" cqc "$work/deep.json" "deeper|nesting|depth"

# Invalid UTF-8 in a file declared UTF-8.
printf '\xef\xbb\xbfForce,Custody suite,Visit date,Time of visit,Visitors,Detainees in custody,Detainees offered visit,Detainees seen,Visit satisfactory,Issues noted\nMet,Bad \xc3\x28 suite,01/04/2024,10:00,A B,1,1,1,Y,\n' >"$work/bad-utf8.csv"
expect_rejected "invalid UTF-8" icva "$work/bad-utf8.csv" "UTF-8"

# A 100 MB single field.
{ printf 'Force,Custody suite,Visit date,Time of visit,Visitors,Detainees in custody,Detainees offered visit,Detainees seen,Visit satisfactory,Issues noted\nMet,"'; head -c 100000000 /dev/zero | tr '\0' 'a'; printf '",01/04/2024,10:00,A,1,1,1,Y,\n'; } >"$work/huge-field.csv"
expect_rejected "100 MB field" icva "$work/huge-field.csv" "field|row"

# Not the member's format at all.
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$work/image.png"
expect_rejected "a PNG sent as XML" hmip "$work/image.png" "."

if [ "$failures" -gt 0 ]; then echo "$failures hostile input(s) not handled"; exit 1; fi
echo "hostile inputs: all rejected safely"
