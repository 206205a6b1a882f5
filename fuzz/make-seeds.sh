#!/bin/sh
# fuzz/make-seeds.sh — (re)build fuzz/seeds/<target>/ from the project's own
# inputs (shipped scenarios, task definitions, traces, generator specs and
# tests/data).  The importer harnesses take a first byte that picks the
# table (fz_google2011.c, fz_alibaba2018.c), added here.  Run from the
# repository root; the result is committed.
set -e
S=fuzz/seeds
rm -rf "$S"
mkdir -p "$S/taskdef" "$S/scenario" "$S/trace" "$S/cql" "$S/gen" "$S/google2011" "$S/alibaba2018" "$S/swf" "$S/alibaba2017" "$S/openb"
for f in scenarios/taskdefs/*.json; do cp "$f" "$S/taskdef/"; done
for f in scenarios/*.json tests/data/scenarios/*.json; do
	case $f in *schema*) continue ;; esac
	cp "$f" "$S/scenario/$(echo "$f" | tr / _)"
done
for f in scenarios/traces/*.csv tests/data/traces/good/*.csv tests/data/traces/bad/*.csv; do
	[ "$(wc -c < "$f")" -le 20000 ] || continue
	cp "$f" "$S/trace/$(echo "$f" | tr / _)"
done
for f in scenarios/gen/*.json; do cp "$f" "$S/gen/"; done
# every expression of the query-language documentation
n=0
grep -o "^attribute:[^\`|]*\|^task:group[^\`|]*\|^not([^\`|]*" scenarios/README.md | sort -u |
while IFS= read -r x; do n=$((n + 1)); printf '%s' "$x" > "$S/cql/doc-$n"; done
sed -n 's/^| `\([^`]*\)` | [0-9]* | .*/\1/p' scenarios/README.md | sort -u |
while IFS= read -r x; do n=$((n + 1)); printf '%s' "$x" > "$S/cql/err-$n"; done
{ printf '\000'; cat tests/data/import/google/task_events.csv; } > "$S/google2011/task_events"
{ printf '\001'; cat tests/data/import/google/machine_events.csv; } > "$S/google2011/machine_events"
{ printf '\000'; cat tests/data/import/alibaba/batch_task.csv; } > "$S/alibaba2018/batch_task"
{ printf '\001'; cat tests/data/import/alibaba/container_meta.csv; } > "$S/alibaba2018/container_meta"
{ printf '\002'; cat tests/data/import/alibaba/machine_meta.csv; } > "$S/alibaba2018/machine_meta"
for f in tests/data/import/bad/g[tm]_*.csv; do
	case $f in */gt_*) b='\000' ;; *) b='\001' ;; esac
	{ printf "$b"; cat "$f"; } > "$S/google2011/$(basename "$f" .csv)"
done
for f in tests/data/import/bad/a[bcm]_*.csv; do
	case $f in */ab_*) b='\000' ;; */ac_*) b='\001' ;; *) b='\002' ;; esac
	{ printf "$b"; cat "$f"; } > "$S/alibaba2018/$(basename "$f" .csv)"
done
{ printf '\000'; cat tests/data/import/swf/jobs.swf; } > "$S/swf/jobs"
{ printf '\000'; cat tests/data/import/alibaba2017/batch_task.csv; } > "$S/alibaba2017/batch_task"
{ printf '\001'; cat tests/data/import/alibaba2017/server_event.csv; } > "$S/alibaba2017/server_event"
{ printf '\000'; cat tests/data/import/openb/nodes.csv; } > "$S/openb/nodes"
{ printf '\001'; cat tests/data/import/openb/pods.csv; } > "$S/openb/pods"
for t in taskdef scenario trace cql gen google2011 alibaba2018 swf alibaba2017 openb; do
	echo "fuzz/seeds/$t: $(ls "$S/$t" | wc -l) files"
done
