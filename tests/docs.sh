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
# the experiment commands' --help (usage lines and option lists): every
# option they name is documented
for c in compare sweep plan check plot; do
	"$ECSIM" $c --help >"$T/help.$c" 2>&1 || ko "$c --help exits 0"
	undoc=""
	for o in $(grep -oE -- '--[a-z][a-z-]*' "$T/help.$c" | grep -v '^--help$' | sort -u); do
		grep -qF -- "\`$o" README.md scenarios/README.md || undoc="$undoc $o"
	done
	if [ -z "$undoc" ]; then ok "every option of $c --help is documented"
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

# the reasons a placement failure can have (the filter's, NO_INSTANCES, and a
# Fargate launch's: models/placement/common.c, models/placement/placement.c,
# models/capacity/fargate.h) are all in placement_failures.csv's reason row
{ sed -n '/^const char \*place_stage_reason/,/^}/p' models/placement/common.c | grep -oE '"[A-Z][A-Za-z:_ .]*"'
  grep -oE '"NO_INSTANCES"' models/placement/placement.c
  sed -n 's/^#define FG_REASON_[A-Z_]* \("[A-Z_]*"\).*/\1/p' models/capacity/fargate.h; } | tr -d '"' | sort -u >"$T/reasons"
sed -n '/^### `placement_failures.csv`/,/^### /p' scenarios/README.md | grep '^| `reason`' >"$T/reason.row"
undoc=""
while read -r r; do grep -qF -- "\`$r\`" "$T/reason.row" || undoc="$undoc '$r'"; done <"$T/reasons"
if [ "$(wc -l <"$T/reasons")" -ge 12 ] && [ -z "$undoc" ]; then ok "placement_failures.csv's reasons in scenarios/README = the code's ($(wc -l <"$T/reasons"))"
else ko "placement failure reasons missing from scenarios/README's placement_failures.csv ($(wc -l <"$T/reasons") found):$undoc"; fi

# the kinds of failures.csv: every kind the code writes (a literal in a call
# of metrics_on_fault or fault_instance_fail, in models/) is in the kind row
# of scenarios/README's failures.csv table, and `ecsim plot` draws every one
# (cli/cmd_plot.c's table of fault kinds)
find models -name '*.c' | sort | xargs awk '
	!on && /(metrics_on_fault|fault_instance_fail)\(/ && !/^[a-z]/ { on = 1; call = "" }
	on { call = call $0; if (index($0, ";")) { on = 0; print call } }' |
	grep -oE '"[a-z][a-z_]*"' | tr -d '"' | sort -u >"$T/kinds.code"
sed -n '/^### `failures.csv`/,/^### /p' scenarios/README.md | grep '^| `kind`' >"$T/kinds.row"
sed -n '/^static int faults(/,/^}/p' cli/cmd_plot.c | sed -n 's/^[[:space:]]*{ "\([a-z_]*\)", ".*/\1/p' | sort -u >"$T/kinds.plot"
undoc=""
while read -r k; do grep -qF -- "\`$k\`" "$T/kinds.row" || undoc="$undoc $k"; done <"$T/kinds.code"
if [ "$(wc -l <"$T/kinds.code")" -ge 5 ] && [ -z "$undoc" ]; then ok "failures.csv's kinds in scenarios/README = the code's ($(wc -l <"$T/kinds.code"))"
else ko "failures.csv kinds the code writes missing from scenarios/README ($(wc -l <"$T/kinds.code") found):$undoc"; fi
if [ -s "$T/kinds.plot" ] && cmp -s "$T/kinds.code" "$T/kinds.plot"; then ok "ecsim plot draws every kind of failures.csv ($(wc -l <"$T/kinds.plot"))"
else ko "ecsim plot's fault kinds (cli/cmd_plot.c) differ from those the code writes"; diff "$T/kinds.plot" "$T/kinds.code" | sed 's/^/     /'; fi

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

# --- output files: the list of ecsim's own output names in scenarios/README.md
# ("Every file belongs to the run") is the code's own table (models/runinfo.c),
# and every column each file's header has is documented, in order, in the
# file's table of scenarios/README.md (the section `### \`F\` ...` or the
# paragraph `\`F\`: ...`; all the names of a row's first cell)
grep -oE '\{ "[a-z_]+\.csv"' models/runinfo.c | sed 's/{ "//; s/"$//' | sort -u >"$T/out.code"
sed -n '/own output names/,/that it did not write/p' scenarios/README.md | grep -oE '`[a-z_]+\.csv`' | tr -d '`' | sort -u >"$T/out.doc"
if [ -s "$T/out.code" ] && cmp -s "$T/out.code" "$T/out.doc"; then ok "scenarios/README's own output names = models/runinfo.c's ($(wc -l <"$T/out.code"))"
else ko "scenarios/README's own output names differ from models/runinfo.c's"; diff "$T/out.doc" "$T/out.code" | sed 's/^/     /'; fi
# one run that writes every file (load balancers, auto scaling, --explain),
# and one with alarms (alarms.csv)
if "$ECSIM" run scenarios/request-scaling.json --out "$T/run" --quiet --until 600 --explain task-1 >/dev/null 2>"$T/run.err" &&
   "$ECSIM" run scenarios/deploy-alarms.json --out "$T/run2" --quiet --until 600 >/dev/null 2>>"$T/run.err"; then
	for f in $(cat "$T/out.code"); do
		d="$T/run"
		[ -f "$d/$f" ] || d="$T/run2"
		if [ ! -f "$d/$f" ]; then ko "$f: written by the column-check runs"; continue; fi
		head -1 "$d/$f" | tr -d '\r' | tr ',' '\n' >"$T/cols.code"
		awk -v f="$f" '
			BEGIN { h = "^### `" f "`"; p = "^`" f "`:" }
			!on && ($0 ~ h || $0 ~ p) { on = 1; next }
			on && (/^#/ || /^`[a-z_]+\.csv`:/) { exit }
			on && /^\| `/ { tab = 1; n = split($0, c, "|"); s = c[2]
				while (match(s, /`[^`]+`/)) { print substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) }
				next }
			on && tab && !/^\|/ { exit }
		' scenarios/README.md >"$T/cols.doc"
		if [ -s "$T/cols.doc" ] && cmp -s "$T/cols.code" "$T/cols.doc"; then ok "scenarios/README's columns of $f = its header ($(wc -l <"$T/cols.code"))"
		else ko "scenarios/README's columns of $f differ from its header (< doc, > file)"; diff "$T/cols.doc" "$T/cols.code" | sed 's/^/     /'; fi
	done
else ko "the column-check runs of scenarios/request-scaling.json and deploy-alarms.json"; sed 's/^/     /' "$T/run.err" | head -5; fi

# --- README.md's own examples and lists against the program
# every option README.md shows after `ecsim CMD` (a line of a code block,
# continued lines joined, or an inline code span) is one of CMD --help's
{ awk '/^```/ { c = !c; next } c' README.md | awk '{ while (sub(/\\$/, "")) { l = $0; if ((getline) <= 0) break; $0 = l $0 } print }'
  awk '/^```/ { c = !c; next } !c' README.md | awk 'BEGIN { RS = "`" } NR % 2 == 0 { gsub(/\n/, " "); print }'
} | awk '{
	n = split($0, part, /&&|;|\|/)
	for (i = 1; i <= n; i++) {
		s = part[i]; sub(/#.*/, "", s)
		if (!match(s, /(^|[^A-Za-z0-9_.-])ecsim [a-z]+/)) continue
		rest = substr(s, RSTART + RLENGTH); cmd = substr(s, RSTART, RLENGTH); sub(/.*ecsim /, "", cmd)
		while (match(rest, /--[a-z][a-z-]*/)) { print cmd, substr(rest, RSTART, RLENGTH); rest = substr(rest, RSTART + RLENGTH) }
	}
}' | sort -u >"$T/ex.opts"
bad=""
while read -r c o; do
	case $c in run|validate|inspect|import|gen|compare|sweep|plan|check|plot) ;; *) continue ;; esac
	grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$T/help.$c" || bad="$bad ecsim $c $o;"
done <"$T/ex.opts"
if [ "$(wc -l <"$T/ex.opts")" -ge 15 ] && [ -z "$bad" ]; then ok "every option of README's ecsim examples is in its command's --help ($(wc -l <"$T/ex.opts"))"
else ko "README's ecsim examples use options their command's --help lacks ($(wc -l <"$T/ex.opts") found):$bad"; fi
# the usage lines of `ecsim --help` name only options of each command's --help
"$ECSIM" --help 2>&1 | awk '$1 == "ecsim" && $2 ~ /^[a-z]+$/ { c = $2; s = $0
	while (match(s, /--[a-z][a-z-]*/)) { print c, substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH) } }' | sort -u >"$T/top.opts"
bad=""
while read -r c o; do
	[ -f "$T/help.$c" ] || { bad="$bad ecsim $c (no such command);"; continue; }
	grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$T/help.$c" || bad="$bad ecsim $c $o;"
done <"$T/top.opts"
if [ "$(wc -l <"$T/top.opts")" -ge 20 ] && [ -z "$bad" ]; then ok "ecsim --help's usage lines name only their command's options ($(wc -l <"$T/top.opts"))"
else ko "ecsim --help's usage lines name options their command's --help lacks:$bad"; fi
# the options README.md's "Comparing strategies" names are compare's
sed -n '/^### Comparing strategies/,/^### /p' README.md | awk '/^```/ { c = !c; next } !c' |
	awk 'BEGIN { RS = "`" } NR % 2 == 0' | grep -oE -- '--[a-z][a-z-]*' | sort -u >"$T/cmp.opts"
bad=""
for o in $(cat "$T/cmp.opts"); do grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$T/help.compare" || bad="$bad $o"; done
if [ -s "$T/cmp.opts" ] && [ -z "$bad" ]; then ok "README's \"Comparing strategies\" names only compare's options ($(wc -l <"$T/cmp.opts"))"
else ko "README's \"Comparing strategies\" names options compare --help lacks:$bad"; fi
# the table of shipped scenarios lists every scenarios/*.json and
# scenarios/gen/*.json, and nothing else
sed -n '/^| scenario | shows |/,/^$/p' README.md | sed -n 's/^| `\([^`]*\)` |.*/\1/p' | sort >"$T/scn.doc"
for f in scenarios/*.json scenarios/gen/*.json; do [ "$f" = scenarios/scenario.schema.json ] || echo "${f#scenarios/}"; done | sort >"$T/scn.files"
if [ -s "$T/scn.doc" ] && cmp -s "$T/scn.doc" "$T/scn.files"; then ok "README's table of shipped scenarios = scenarios/*.json ($(wc -l <"$T/scn.files"))"
else ko "README's table of shipped scenarios differs from scenarios/*.json (< README, > files)"; diff "$T/scn.doc" "$T/scn.files" | sed 's/^/     /'; fi
# "Outputs" names every file a run can write (models/runinfo.c's table)
sed -n '/^### Outputs/,/^## /p' README.md >"$T/outputs.md"
undoc=""
for f in $(cat "$T/out.code") run.json; do grep -qF -- "\`$f\`" "$T/outputs.md" || undoc="$undoc $f"; done
if [ -s "$T/out.code" ] && [ -z "$undoc" ]; then ok "README's \"Outputs\" names every output file ($(($(wc -l <"$T/out.code") + 1)))"
else ko "README's \"Outputs\" does not name:$undoc"; fi
# every member of `ecsim inspect`'s JSON (top level and a container's) is
# named in inspect --help (top level) and in scenarios/README.md's table
"$ECSIM" inspect scenarios/taskdefs/web.json >"$T/insp.json" 2>/dev/null
sed -n 's/^	"\([A-Za-z]*\)":.*/\1/p' "$T/insp.json" >"$T/insp.top"
sed -n 's/^			"\([A-Za-z]*\)":.*/\1/p' "$T/insp.json" | sort -u >"$T/insp.ctr"
sed -n '/^### `ecsim inspect/,/^#/p' scenarios/README.md >"$T/insp.md"
bad=""
for k in $(cat "$T/insp.top"); do
	grep -qE "(^|[^A-Za-z])$k([^A-Za-z]|\$)" "$T/help.inspect" || bad="$bad --help:$k"
	grep -qF "\`$k\`" "$T/insp.md" || bad="$bad scenarios/README:$k"
done
for k in $(cat "$T/insp.ctr"); do grep -qF "\`$k\`" "$T/insp.md" || bad="$bad scenarios/README:containers[].$k"; done
if [ "$(wc -l <"$T/insp.top")" -ge 20 ] && [ -z "$bad" ]; then ok "every member of ecsim inspect's JSON is documented ($(wc -l <"$T/insp.top") + $(wc -l <"$T/insp.ctr") of a container)"
else ko "members of ecsim inspect's JSON not documented:$bad"; fi
# the console templates the docs list are the program's (its error for an
# unknown one lists them)
"$ECSIM" run scenarios/default.json --strategy no-such-template --out "$T/tpl" --quiet 2>"$T/tpl.err" >/dev/null
sed -n 's/.*; valid: //p' "$T/tpl.err" | tr ',' '\n' | tr -d ' ' | grep . | sort >"$T/tpl.code"
bad=""
for d in README.md scenarios/README.md; do
	tr '\n' ' ' <"$d" | grep -oE "console template('s)? name \([^)]*\)" | sed 's/.*(//; s/)$//' | tr ',' '\n' | tr -d ' `' | grep . | sort -u >"$T/tpl.doc"
	{ [ -s "$T/tpl.doc" ] && cmp -s "$T/tpl.doc" "$T/tpl.code"; } || bad="$bad $d"
done
if [ -s "$T/tpl.code" ] && [ -z "$bad" ]; then ok "the console templates the docs list = the program's ($(wc -l <"$T/tpl.code"))"
else ko "the console templates listed in$bad differ from the program's: $(tr '\n' ' ' <"$T/tpl.code")"; fi
# every `scenarios/README.md, "SECTION"` cited (README.md, docs/, the
# programs' help and comments) names a heading or a bold run-in heading there
{ sed -n 's/^#\{1,6\} \(.*\)/\1/p' scenarios/README.md; grep -oE '^\*\*[^*]+\*\*' scenarios/README.md | tr -d '*'; } | tr -d '`' >"$T/sec.heads"
{ ls README.md docs/*.md cli/*.c; find models sim -name '*.[ch]'; } | xargs grep -oE 'scenarios/README(\.md)?`?,?[[:space:]]*"[^"]+"' |
	sed 's/^\([^:]*\):.*"\(.*\)"$/\1: \2/' | tr -d '`' | sort -u >"$T/sec.cited"
bad=""
while IFS= read -r l; do grep -qiF -- "${l#*: }" "$T/sec.heads" || bad="$bad [$l]"; done <"$T/sec.cited"
if [ -s "$T/sec.cited" ] && [ -z "$bad" ]; then ok "every cited section of scenarios/README.md exists ($(wc -l <"$T/sec.cited"))"
else ko "cited sections missing from scenarios/README.md:$bad"; fi
# README's sample outputs of deterministic commands are what they print now:
# both plans (exact), and every line of the compare table it shows
for p in outage-99-9 target-capacity; do
	awk -v h="ecsim plan $p:" 'index($0, h) == 1 { on = 1 } on && /^```/ { exit } on' README.md >"$T/plan.doc"
	"$ECSIM" plan "scenarios/plan/$p.json" --jobs 2 --no-plot --out "$T/plan-$p" 2>/dev/null | grep -v '^results in ' >"$T/plan.out"
	if [ -s "$T/plan.doc" ] && cmp -s "$T/plan.doc" "$T/plan.out"; then ok "README's sample output of ecsim plan $p is what it prints"
	else ko "README's sample output of ecsim plan $p differs (< README, > now: ./ecsim plan scenarios/plan/$p.json; and re-read the text around it)"; diff "$T/plan.doc" "$T/plan.out" | sed 's/^/     /'; fi
done
awk '/^metric +variant +mean +95% CI/ { on = 1 } on && /^```/ { exit } on && $0 != "..."' README.md >"$T/cmp.doc"
"$ECSIM" compare scenarios/default.json --strategy az-balanced-spread --strategy az-balanced-binpack --reps 30 \
	--jobs 2 --no-plot --out "$T/cmp" >"$T/cmp.out" 2>/dev/null
bad=0
while IFS= read -r l; do grep -qxF -- "$l" "$T/cmp.out" || { bad=$((bad + 1)); echo "     not printed now: $l"; }; done <"$T/cmp.doc"
if [ "$(wc -l <"$T/cmp.doc")" -ge 10 ] && [ $bad = 0 ]; then ok "README's sample compare table is what ecsim compare prints ($(wc -l <"$T/cmp.doc") lines)"
else ko "README's sample compare table: $bad of $(wc -l <"$T/cmp.doc") lines not printed now (regenerate it with README's ecsim compare command; and re-read the text after it)"; fi

# the figures README.md quotes from runs of shipped scenarios are what those
# runs give now (crosszone, with --strategy binpack too, web-lb, fargate-mix)
col() { # col FILE COLUMN: the column's value in the file's first data row
	awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } NR == 2 && k { print $k }' "$1"
}
fmt() { # fmt PRINTF-FORMAT NUMBER, with thousands separators for %d
	awk -v f="$1" -v x="$2" 'BEGIN {
		if (f != "%d") { printf f "\n", x; exit }
		s = sprintf("%d", x + 0.5); o = ""
		while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
		print s o }'
}
tr '\n' ' ' <README.md | tr -s ' ' >"$T/readme.flat"
figs=""
if "$ECSIM" run scenarios/crosszone.json --quiet --no-task-log --out "$T/cz" >/dev/null 2>&1 &&
   "$ECSIM" run scenarios/crosszone.json --quiet --no-task-log --strategy binpack --out "$T/czb" >/dev/null 2>&1 &&
   "$ECSIM" run scenarios/web-lb.json --quiet --no-task-log --out "$T/wl" >/dev/null 2>&1 &&
   "$ECSIM" run scenarios/fargate-mix.json --quiet --no-task-log --out "$T/fm" >/dev/null 2>&1; then
	for want in \
		"refuses $(fmt %d "$(col "$T/cz/lb_summary.csv" http_503)") requests (503) under az-balanced-spread" \
		"loses only the $(fmt %d "$(col "$T/cz/lb_summary.csv" http_502)") in flight" \
		"it refuses $(fmt %d "$(col "$T/czb/lb_summary.csv" http_503)"):" \
		"$(fmt %.2f "$(col "$T/wl/lb_summary.csv" availability_pct)")% of" \
		"p99 latency $(fmt %.0f "$(col "$T/wl/lb_summary.csv" latency_p99_ms)") ms" \
		"and $(fmt %d "$(col "$T/wl/lb_summary.csv" http_502)") (502) when" \
		"sees $(grep -c ',fargate_spot_interruption,' "$T/fm/failures.csv") interruptions" \
		"service availability $(fmt %.2f "$(col "$T/fm/service_summary.csv" availability_pct)") %" \
		"request availability $(fmt %.2f "$(col "$T/fm/lb_summary.csv" availability_pct)") %" \
		"bill is $(col "$T/fm/summary.csv" cost_total_usd) USD"; do
		grep -qF -- "$want" "$T/readme.flat" || figs="$figs [$want]"
	done
	if [ -z "$figs" ]; then ok "README's figures of crosszone, web-lb and fargate-mix runs are today's (10)"
	else ko "README's figures of shipped runs are not today's; it should say:$figs"; fi
else ko "the runs of crosszone, web-lb and fargate-mix for README's figures"; fi
# every reference-style link ([text][name]) of the Markdown docs has its
# definition ([name]: URL) in the same file (a lost definitions block
# renders every link of the file as plain brackets)
badref=
for f in README.md docs/ecs-model.md scenarios/README.md; do
	grep -o '\]\[[A-Za-z0-9_.-]*\]' "$f" | sed 's/^\]\[//; s/\]$//' | sort -u >"$T/refs.used"
	grep -o '^\[[A-Za-z0-9_.-]*\]:' "$f" | sed 's/^\[//; s/\]:$//' | sort -u >"$T/refs.def"
	und=$(comm -23 "$T/refs.used" "$T/refs.def" | tr '\n' ' ')
	[ -n "$und" ] && badref="$badref $f: $und;"
done
if [ -z "$badref" ]; then ok "every reference-style link of the docs is defined"
else ko "undefined reference-style links:$badref"; fi

echo "docs: $pass passed, $fail failed"
[ $fail -eq 0 ]
