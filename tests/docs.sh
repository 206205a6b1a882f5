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

# --- citations: only docs/ecs-model.md, and only sections / choices it has
files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then git ls-files -co --exclude-standard
	else find . -path ./build -prune -o -type f -print | sed 's|^\./||'; fi
}
files | grep -v -e '^tests/docs\.sh$' -e '^build/' -e '^ecsim$' | while read -r f; do
	[ -f "$f" ] && grep -Iq . "$f" 2>/dev/null && echo "$f"
done >"$T/files"
if xargs grep -nE 'shared/reference|ecs-semantics|ecs-choices' <"$T/files" >"$T/bad" 2>/dev/null; then
	ko "no file cites the unshipped reference (shared/reference, ecs-semantics, ecs-choices)"
	sed 's/^/     /' "$T/bad" | head -10
else ok "no file cites the unshipped reference (shared/reference, ecs-semantics, ecs-choices)"; fi
# every §N / §N.M cited anywhere exists as a heading of docs/ecs-model.md
sed -n 's/^##\{1,2\}#\{0,1\} \([0-9][0-9]*\(\.[0-9][0-9]*\)\{0,1\}\)\.\{0,1\} .*/\1/p' docs/ecs-model.md | sort -u >"$T/sections"
xargs grep -ohE '§[0-9]+(\.[0-9]+)?' <"$T/files" 2>/dev/null | sed 's/§//' | sort -u >"$T/cited"
missing=$(comm -23 "$T/cited" "$T/sections" | tr '\n' ' ')
if [ -z "$missing" ] && [ -s "$T/cited" ]; then ok "every cited § exists in docs/ecs-model.md ($(wc -l <"$T/cited") sections)"
else ko "cited sections missing from docs/ecs-model.md: $missing"
	for m in $missing; do xargs grep -nF "§$m" <"$T/files" | grep -vE "§$m[0-9.]" | head -3 | sed 's/^/     /'; done; fi
# every "choice X1" / "choices X1–X3, Y2" names an id of the Choices appendix
sed -n 's/^| \([A-E][0-9][0-9]*\) |.*/\1/p' docs/ecs-model.md | sort -u >"$T/ids"
xargs grep -ohE 'choices? [A-E][0-9]+([–/-][A-E]?[0-9]+)?((,| and) [A-E][0-9]+([–/-][A-E]?[0-9]+)?)*' <"$T/files" 2>/dev/null |
	grep -oE '[A-E][0-9]+' | sort -u >"$T/cids"
missing=$(comm -23 "$T/cids" "$T/ids" | tr '\n' ' ')
if [ -z "$missing" ] && [ -s "$T/cids" ]; then ok "every cited choice exists in docs/ecs-model.md ($(wc -l <"$T/cids") ids)"
else ko "cited choices missing from docs/ecs-model.md: $missing"; fi

echo "docs: $pass passed, $fail failed"
[ $fail -eq 0 ]
