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

# --- the docs list what the code has
# every option of every command's --help is documented (README.md or
# scenarios/README.md), and the README's option list for `ecsim run` names
# only options run --help has
for c in run validate inspect import gen; do
	"$ECSIM" $c --help >"$T/help.$c" 2>&1 || ko "$c --help exits 0"
	sed -n 's/^  \(-h, \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' "$T/help.$c" | grep -v '^--help$' >"$T/opts.$c"
	undoc=""
	for o in $(cat "$T/opts.$c"); do
		grep -qF -- "\`$o" README.md scenarios/README.md || undoc="$undoc $o"
	done
	if [ -z "$undoc" ]; then ok "every option of $c --help is documented ($(wc -l <"$T/opts.$c"))"
	else ko "options of $c --help missing from README.md / scenarios/README.md:$undoc"; fi
done
sed -n '/^Options of `ecsim run`/,/^$/p' README.md | grep -oE -- '--[a-z][a-z-]*' | sort -u >"$T/readme.run"
extra=$(comm -23 "$T/readme.run" "$(sort -u "$T/opts.run" >"$T/opts.run.s"; echo "$T/opts.run.s")" | tr '\n' ' ')
if [ -s "$T/readme.run" ] && [ -z "$extra" ] && cmp -s "$T/readme.run" "$T/opts.run.s"; then ok "README's options of ecsim run = run --help"
else ko "README's options of ecsim run differ from run --help (README only: $extra; help: $(tr '\n' ' ' <"$T/opts.run.s"))"; fi
sed -n '/^Options: `--instance-type/,/^$/p' scenarios/README.md | grep -oE -- '--[a-z][a-z-]*' | sort -u >"$T/readme.import"
extra=$(sort -u "$T/opts.import" | comm -13 - "$T/readme.import" | tr '\n' ' ')
if [ -s "$T/readme.import" ] && [ -z "$extra" ]; then ok "scenarios/README's import options exist in import --help"
else ko "scenarios/README's import options not in import --help: $extra"; fi

# the trace events of scenarios/README.md ("### Events" table) are the
# parser's own list, which it prints for an unknown event
printf 'time_s,event,target\n1,no_such_event,x\n' >"$T/ev.csv"
"$ECSIM" validate "$T/ev.csv" >/dev/null 2>"$T/ev.err"
sed -n 's/.*expected one of \(.*\)$/\1/p' "$T/ev.err" | tr ',' '\n' | tr -d ' ' | grep . | sort >"$T/ev.code"
sed -n '/^### Events/,/^### /p' scenarios/README.md | sed -n 's/^| `\([a-z_]*\)`.*/\1/p' | sort >"$T/ev.doc"
if [ -s "$T/ev.code" ] && cmp -s "$T/ev.code" "$T/ev.doc"; then ok "scenarios/README's trace events = the parser's ($(wc -l <"$T/ev.code"))"
else ko "scenarios/README's trace events differ from the parser's"; diff "$T/ev.doc" "$T/ev.code" | sed 's/^/     /'; fi
# and the documented "unknown event" message is the real one
msg=$(sed -n 's/.*\(event: unknown event .*\)$/\1/p' "$T/ev.err" | sed 's/"no_such_event"/"launch_task"/')
if [ -n "$msg" ] && grep -qF -- "$msg" scenarios/README.md; then ok "scenarios/README shows the real unknown-event message"
else ko "scenarios/README shows the real unknown-event message ($msg)"; fi

# --- the docs point at files that exist: every models/..., sim/..., cli/...,
# tests/..., scripts/... and plots/... path named in README.md,
# scenarios/README.md and docs/*.md (a `{a,b}` list is expanded, `*` and a
# `<placeholder>` match any name)
for d in README.md scenarios/README.md docs/*.md; do
	grep -oE '(^|[^A-Za-z0-9_./-])(models|sim|cli|tests|scripts|plots)/[A-Za-z0-9_./*{},<>-]*' "$d" |
		sed -e 's/^[^a-z]//' -e 's/[.,]*$//' | sort -u | sed "s|^|$d |"
done >"$T/paths"
set -f
while read -r d p; do
	p=$(printf '%s\n' "$p" | sed 's/<[^>]*>/*/g')
	case $p in
	*"{"*"}"*)
		pre=${p%%"{"*}; rest=${p#*"{"}; alts=${rest%%"}"*}; post=${rest#*"}"}
		cands=$(printf '%s\n' "$alts" | tr ',' '\n' | sed "s|^|$pre|; s|\$|$post|") ;;
	*) cands=$p ;;
	esac
	for c in $cands; do
		set +f
		# shellcheck disable=SC2086
		set -- $c
		set -f
		[ -e "$1" ] || echo "$d: $c"
	done
done <"$T/paths" >"$T/nopath"
set +f
if [ -s "$T/paths" ] && [ ! -s "$T/nopath" ]; then ok "every source path the docs name exists ($(wc -l <"$T/paths"))"
else ko "paths named in the docs that do not exist:"; sed 's/^/     /' "$T/nopath"; fi

echo "docs: $pass passed, $fail failed"
[ $fail -eq 0 ]
