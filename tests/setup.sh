#!/bin/sh
# tests/setup.sh — scripts/setup-deps.sh, with apt-get, sudo, dpkg-query,
# python3 and fuser replaced by stubs (nothing is installed): it does nothing
# when every package is present, detects each missing one, and asks apt to
# wait for the package manager's lock.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

mkdir "$T/bin"
cat >"$T/bin/dpkg-query" <<'STUB'
#!/bin/sh
for p; do :; done
case " $MISSING " in *" $p "*) exit 1 ;; esac
printf 'install ok installed'
STUB
cat >"$T/bin/python3" <<'STUB'
#!/bin/sh
[ -z "$NOPY" ]
STUB
cat >"$T/bin/apt-get" <<'STUB'
#!/bin/sh
echo "apt-get $*" >>"$LOG"
STUB
printf '#!/bin/sh\n"$@"\n' >"$T/bin/sudo"
printf '#!/bin/sh\nexit 1\n' >"$T/bin/fuser"
chmod +x "$T/bin/"*

setup() { # setup MISSING...: run the script with those packages absent
	: >"$T/apt.log"
	nopy=""
	case " $* " in *" python3-jsonschema "*) nopy=1 ;; esac
	NOPY="$nopy" MISSING="$*" LOG="$T/apt.log" PATH="$T/bin:$PATH" sh scripts/setup-deps.sh >"$T/out" 2>&1
}

PKGS=$(sed -n 's/^PKGS="\(.*\)"$/\1/p' scripts/setup-deps.sh)
echo "$PKGS" | grep -qw python3-jsonschema && ok "setup installs python3-jsonschema" || ko "setup installs python3-jsonschema"
if setup && [ ! -s "$T/apt.log" ]; then ok "setup does nothing when every package is present"
else ko "setup does nothing when every package is present"; sed 's/^/     /' "$T/apt.log"; fi
for p in $PKGS; do
	if setup "$p" && grep -q "install .* $p\$" "$T/apt.log" && [ "$(grep -c install "$T/apt.log")" -eq 1 ]; then
		ok "setup detects a missing $p"
	else ko "setup detects a missing $p"; sed 's/^/     /' "$T/apt.log" "$T/out" | head -5; fi
done
# python3-jsonschema is present when the module imports (pip) even if dpkg lacks it
: >"$T/apt.log"
if MISSING=python3-jsonschema LOG="$T/apt.log" PATH="$T/bin:$PATH" sh scripts/setup-deps.sh >"$T/out" 2>&1 &&
	[ ! -s "$T/apt.log" ]; then ok "a pip jsonschema counts as present"; else ko "a pip jsonschema counts as present"; fi
setup libgsl-dev
if grep -q "update" "$T/apt.log" && ! grep -v 'DPkg::Lock::Timeout=[1-9]' "$T/apt.log" | grep -q .; then
	ok "every apt-get call waits for the dpkg lock"
else ko "every apt-get call waits for the dpkg lock"; sed 's/^/     /' "$T/apt.log"; fi
echo "setup: $pass passed, $fail failed"
[ $fail -eq 0 ]
