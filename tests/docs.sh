#!/bin/sh
# tests/docs.sh ECSIM — the docs are true and self-contained.
ECSIM=${1:-./ecsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

# make clean removes build outputs, never the users' results
if make -n clean 2>/dev/null | grep -q results; then ko "make clean leaves results/ alone"; else ok "make clean leaves results/ alone"; fi

echo "docs: $pass passed, $fail failed"
[ $fail -eq 0 ]
