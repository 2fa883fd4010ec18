#!/usr/bin/env bash
# normalise / validate / adapters through the real binary: exit codes, both output forms, stdin,
# and the XML form accepted by an external validator (xmllint) against schemas/record.xsd.
# Usage: normalise_cli_test.sh GATEWAY_BINARY SOURCE_DIR
set -uo pipefail
binary=$1 src=$2
fixtures=$src/tests/fixtures/members
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # check NAME EXPECTED_EXIT ACTUAL_EXIT
  if [ "$2" -eq "$3" ]; then echo "ok   $1"; else echo "FAIL $1: exit $3, expected $2"; failures=$((failures + 1)); fi
}

"$binary" normalise --member ofsted "$fixtures/ofsted/secure-settings-inspections-2023-2025.csv" >"$work/o.jsonl" 2>"$work/o.err"
check "a clean export exits 0" 0 $?
grep -q '"verdict":"complete"' "$work/o.err" || { echo "FAIL no complete summary"; failures=$((failures + 1)); }

"$binary" normalise --member icva - <"$fixtures/icva/custody-visits-2024-25.csv" >"$work/i.jsonl" 2>"$work/i.err"
check "some rejected records exit 3 (read from stdin)" 3 $?
grep -q '"source_field":"Visit date"' "$work/i.err" || { echo "FAIL errors do not name the member's column"; failures=$((failures + 1)); }
[ "$(wc -l <"$work/i.jsonl")" -gt 2000 ] || { echo "FAIL the good records were not kept"; failures=$((failures + 1)); }

"$binary" normalise --member nobody "$fixtures/icva/custody-visits-2024-25.csv" >/dev/null 2>"$work/n.err"
check "an unknown member exits 2" 2 $?

"$binary" validate "$work/i.jsonl" 2>"$work/v.err"
check "normalise's JSON lines validate" 0 $?
sed '1s/"visit_type":"custody_visit"/"visit_type":"tea_party"/' "$work/i.jsonl" >"$work/bad.jsonl"
"$binary" validate "$work/bad.jsonl" 2>"$work/vb.err"
check "a tampered record fails validation" 3 $?
grep -q '"field":"visit_type"' "$work/vb.err" || { echo "FAIL the bad field is not named"; failures=$((failures + 1)); }

"$binary" normalise --member hmip --format xml "$fixtures/hmip/inspections-2024-25.xml" >"$work/h.xml" 2>/dev/null
check "XML output (one rejected recommendation)" 3 $?
"$binary" validate "$work/h.xml" 2>"$work/hx.err"
check "the XML output validates" 0 $?
if command -v xmllint >/dev/null; then
  xmllint --noout --nonet --schema "$src/schemas/record.xsd" "$work/h.xml" 2>"$work/xmllint.err"
  check "xmllint accepts the XML output against record.xsd" 0 $?
fi

"$binary" adapters >"$work/a.txt"
check "adapters lists the mappings" 0 $?
[ "$(grep -cE '^(hmip|imb|icva|cqc|ofsted|ci|cjini|nipb-icvs) ' "$work/a.txt")" -eq 8 ] || { echo "FAIL not all eight members listed"; failures=$((failures + 1)); }

# The same input twice: the same bytes.
"$binary" normalise --member cqc "$fixtures/cqc/locations-mha-dols-2025-04.json" >"$work/c1" 2>/dev/null
"$binary" normalise --member cqc "$fixtures/cqc/locations-mha-dols-2025-04.json" >"$work/c2" 2>/dev/null
cmp -s "$work/c1" "$work/c2"; check "normalising twice gives identical bytes" 0 $?

if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "normalise CLI: all checks passed"
