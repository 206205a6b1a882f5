# tests/lib.sh — sourced by the shell test parts (exp.sh, plan.sh): ECSIM
# made absolute, a temporary folder $T removed at exit, the counters and
# the checks.  Each part ends with its own closing count line.
ECSIM=${1:-./ecsim}
case $ECSIM in /*) ;; *) ECSIM=$(pwd)/$ECSIM ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
skip=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
# check NAME CMD...: CMD succeeds (its output in $T/out, $T/err)
check() { name=$1; shift; if "$@" >"$T/out" 2>"$T/err"; then ok "$name"; else ko "$name"; sed 's/^/     /' "$T/err" | head -5; fi; }
# expect_exit CODE NAME PATTERN CMD...: CMD exits CODE and says PATTERN
expect_exit() {
	code=$1; name=$2; pat=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq "$code" ] && grep -qF -- "$pat" "$T/err" "$T/out"; then ok "$name"
	else ko "$name (exit $rc)"; sed 's/^/     /' "$T/err" "$T/out" | head -4; fi
}
