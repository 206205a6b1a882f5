#!/bin/sh
# tests/check-layers-selftest.sh — checks scripts/check-layers.sh on small
# trees made here: it must pass a clean tree and fail one with a bad include
# of each kind (rules 1, 2, 4, 5: an actor including another actor's
# header, or anyone another owner's private header) or, when cycles are enforced, an include cycle (rule 3), naming
# the file and line or the cycle.  Prints one line per check
# and a closing count; exits 1 on any failure.  Run from the repository root.
CHECK=${CHECK_LAYERS:-scripts/check-layers.sh}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; sed 's/^/     /' "$T/out" | head -8; }

# clean TREE: a tree that follows every rule
clean() {
	rm -rf "$1"
	mkdir -p "$1/sim" "$1/models/sub" "$1/cli"
	printf '#include <stdio.h>\n#include "evq.h"\n#include "sim/mem.h"\n' > "$1/sim/evq.c"
	printf '#include "mem.h"\n' > "$1/sim/evq.h"
	: > "$1/sim/mem.h"
	printf '#include "cmd.h"\n#include "models/sub/b.h"\n' > "$1/cli/cmd_run.c"
	: > "$1/cli/cmd.h"
	printf '#include "models/a.h"\n#include "sim/evq.h"\n' > "$1/models/a.c"
	printf '#include "sim/mem.h"\n' > "$1/models/a.h"
	printf '#include "b.h"\n#include "../a.h"\n' > "$1/models/sub/b.c"
	printf '#include "models/a.h"\n' > "$1/models/sub/b.h"
	printf '#include "models/a.h"\n#include "sim/evq.h"\n#include "cli/cli.h"\n#include "cmd.h"\n' > "$1/cli/main.c"
	: > "$1/cli/cli.h"
}

# expect NAME CODE PATTERN [ENV=VALUE]: run the check on $T/t
expect() {
	name=$1; code=$2; pat=$3; shift 3
	env "$@" sh "$CHECK" "$T/t" > "$T/out" 2>&1
	rc=$?
	if [ $rc -eq "$code" ] && { [ -z "$pat" ] || grep -qF -- "$pat" "$T/out"; }; then ok "$name"; else ko "$name (exit $rc)"; fi
}

clean "$T/t"
expect "clean tree passes" 0 "" CHECK_CYCLES=0
expect "clean tree passes with cycles enforced" 0 "" CHECK_CYCLES=1
if grep -q "cycle" "$T/out"; then ko "clean tree has no cycle note"; else ok "clean tree has no cycle note"; fi

clean "$T/t"
printf '#include "models/a.h"\n' >> "$T/t/sim/evq.c"
expect "rule 1: sim/ includes models/" 1 "sim/evq.c:4: includes models/a.h" CHECK_CYCLES=0

clean "$T/t"
printf '#include "../models/sub/b.h"\n' >> "$T/t/sim/evq.h"
expect "rule 1: sim/ includes models/ by a relative path" 1 "sim/evq.h:2: includes models/sub/b.h" CHECK_CYCLES=0

clean "$T/t"
printf '\n#  include <cli/cli.h>\n' >> "$T/t/models/sub/b.c"
expect "rule 2: models/ includes cli/" 1 "models/sub/b.c:4: includes cli/cli.h" CHECK_CYCLES=0

clean "$T/t"
mkdir -p "$T/t/tests"
: > "$T/t/tests/t.h"
printf '#include "tests/t.h"\n' >> "$T/t/models/a.h"
expect "rule 2: models/ includes tests/" 1 "models/a.h:2: includes tests/t.h" CHECK_CYCLES=0

clean "$T/t"
printf '#include "cli/cmd.h"\n' >> "$T/t/models/a.c"
expect "rule 4: models/ includes the command layer" 1 "models/a.c:3: includes cli/cmd.h" CHECK_CYCLES=0

clean "$T/t"
printf '#include "cli/cli.h"\n' >> "$T/t/sim/mem.h"
expect "rule 4: sim/ includes cli/" 1 "sim/mem.h:1: includes cli/cli.h" CHECK_CYCLES=0

# a cycle through .c files: a.c includes b.h, b.c includes a.h, so the
# modules a and b include each other although no header includes another
clean "$T/t"
printf '#include "models/sub/b.h"\n' > "$T/t/models/a.h"
printf '#include "b.h"\n' > "$T/t/models/sub/b.c"
printf '#include "models/sub/c.h"\n' > "$T/t/models/sub/b.h"
printf '#include "../a.h"\n' > "$T/t/models/sub/c.c"
: > "$T/t/models/sub/c.h"
expect "rule 3: cycle not enforced by default" 0 "1 include cycle(s)" CHECK_CYCLES=0
expect "rule 3: cycle found when enforced" 1 \
	"include cycle in models/ (rule 3): models/a -> models/sub/b -> models/sub/c -> models/a" CHECK_CYCLES=1
expect "rule 3: the cycle's include lines are shown" 1 "models/sub/c.c:1 includes models/a.h" CHECK_CYCLES=1

clean "$T/t"
printf '#include "models/a.h"\n' > "$T/t/models/x.c"
printf '#include "models/x.h"\n' >> "$T/t/models/a.c"
: > "$T/t/models/x.h"
expect "rule 3: two .c files including each other's header" 1 "models/a -> models/x -> models/a" CHECK_CYCLES=1

clean "$T/t"
expect "rule 5: the clean tree has no actors by default" 0 ""
expect "rule 5: an actor includes another actor's header" 1 \
	"models/sub/b.c:2: includes models/a.h, a header of another actor (models/a)" ACTORS="models/a models/sub/b"
printf '#include "models/sub/b.h"\n' > "$T/t/models/a_more.c"
expect "rule 5: a file named after an actor is the actor's" 1 \
	"models/a_more.c:1: includes models/sub/b.h, a header of another actor (models/sub/b)" ACTORS="models/a models/sub/b"
expect "rule 5: a file of one actor may include its own" 0 "" ACTORS="models/a"

clean "$T/t"
: > "$T/t/models/sub/b_int.h"
printf '#include "b_int.h"\n' > "$T/t/models/sub/b_more.c"
expect "rule 5: an owner's own files may include its private header" 0 "" OWNERS="models/sub/b" CHECK_CYCLES=0
printf '#include "models/sub/b_int.h"\n' >> "$T/t/models/a.c"
expect "rule 5: another file includes an owner's private header" 1 \
	"models/a.c:3: includes models/sub/b_int.h, the private header of models/sub/b" OWNERS="models/sub/b" CHECK_CYCLES=0
expect "rule 5: ... also when the includer is an actor" 1 \
	"models/a.c:3: includes models/sub/b_int.h, the private header of models/sub/b" \
	OWNERS="models/sub/b" ACTORS="models/a" CHECK_CYCLES=0
expect "rule 5: private headers of non-owners are not checked" 0 "" OWNERS="models/x" CHECK_CYCLES=0

sh "$CHECK" "$T/none" > "$T/out" 2>&1; [ $? -eq 2 ] && grep -q usage "$T/out" && ok "bad usage" || ko "bad usage"
echo "check-layers-selftest: $pass passed, $fail failed"
[ $fail -eq 0 ]
