#!/bin/sh
# tests/clang.sh "FLAGS" — every C file of the tree (sim/, models/, cli/,
# tests/, fuzz/) compiled by clang with the project's own flags (the
# Makefile passes its -std, warnings with -Werror, and include paths),
# syntax and semantic checks only (-fsyntax-only: no objects), two at a
# time.  The build itself uses cc (GCC on Debian), whose warnings differ:
# a missing field in a positional initializer, an empty format string, a
# variable left unset on one branch of && are errors under clang's
# -Wextra and not under GCC's, and `make fuzz` builds with clang.  Without
# clang on the machine the check reports itself skipped.
# Closing line: "clang: N passed, N failed, N skipped".
FLAGS=$1
CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "clang: no $CLANG on this machine: skipped"
	echo "clang: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
files=$(ls sim/*.c models/*.c models/*/*.c cli/*.c tests/*.c tests/*/*.c fuzz/*.c 2>/dev/null)
# one line per file: "ok FILE" or "FAIL FILE" with clang's messages in $T
for f in $files; do echo "$f"; done |
	xargs -P 2 -I{} sh -c 'if '"$CLANG"' '"$FLAGS"' -fsyntax-only "$1" 2>"$2/$(echo "$1" | tr / _).err"; then
		echo "ok   $1"; else echo "FAIL $1"; fi' sh {} "$T" >"$T/list"
pass=$(grep -c '^ok ' "$T/list")
fail=$(grep -c '^FAIL ' "$T/list")
for f in $(sed -n 's/^FAIL //p' "$T/list"); do
	echo "FAIL $f"
	head -20 "$T/$(echo "$f" | tr / _).err"
done
echo "clang: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
