#!/bin/sh
# tests/schema.sh ECSIM — scenarios/scenario.schema.json accepts what ecsim
# accepts.  Every shipped scenario and every scenario file under tests/data
# that `ecsim validate` accepts must pass the schema; every
# tests/data/schema/refuse-*.json must be refused by both ecsim and the schema.
# Needs python3-jsonschema (scripts/setup-deps.sh installs it): a missing
# module is a failure, never a skip.
ECSIM=${1:-./ecsim}
SCHEMA=scenarios/scenario.schema.json
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

PY=python3
python3 -c 'import jsonschema' 2>/dev/null || PY=/usr/bin/python3
if ! $PY -c 'import jsonschema' 2>"$T/err"; then
	echo "FAIL schema: python3 module jsonschema is missing (run scripts/setup-deps.sh, Debian package python3-jsonschema)"
	sed 's/^/     /' "$T/err"
	exit 1
fi

accept=""
refuse=""
for f in $(find scenarios tests/data -name '*.json' ! -name scenario.schema.json | sort); do
	case $f in tests/data/schema/refuse-*) refuse="$refuse $f"; continue ;; esac
	# only files ecsim reads as scenarios (not task definitions, specs, ...)
	if "$ECSIM" validate "$f" 2>/dev/null | grep -q -e '(scenario)$' -e '(scenario, [0-9]* rows*)$'; then accept="$accept $f"; fi
done
for f in $refuse; do
	if "$ECSIM" validate "$f" >/dev/null 2>&1; then
		echo "FAIL schema fixture $f: ecsim accepts it (a refuse-* fixture must be refused by ecsim too)"
		exit 1
	fi
done

$PY - "$SCHEMA" "$accept" "$refuse" <<'PY'
import json, sys
import jsonschema

schema_path, accept, refuse = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
with open(schema_path) as fh:
    schema = json.load(fh)
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
v = cls(schema)
passed = failed = 0

def first_error(path):
    with open(path) as fh:
        doc = json.load(fh)
    errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if not errs:
        return None
    e = errs[0]
    where = "$" + "".join("[%d]" % p if isinstance(p, int) else "." + str(p) for p in e.absolute_path)
    return "%s: %s" % (where, e.message[:200])

if len(accept) < 5:
    print("FAIL schema: only %d scenarios accepted by ecsim were found" % len(accept))
    failed += 1
for f in accept:
    err = first_error(f)
    if err is None:
        passed += 1; print("ok   schema accepts %s" % f)
    else:
        failed += 1; print("FAIL schema refuses %s, which ecsim accepts: %s" % (f, err))
if len(refuse) < 5:
    print("FAIL schema: only %d refuse-* fixtures found" % len(refuse))
    failed += 1
for f in refuse:
    err = first_error(f)
    if err is not None:
        passed += 1; print("ok   schema refuses %s (%s)" % (f, err.split(":")[0]))
    else:
        failed += 1; print("FAIL schema accepts %s, which ecsim refuses" % f)
print("schema: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
