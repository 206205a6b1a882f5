#!/bin/sh
# Install the Debian packages ecsim needs, only those that are missing.
# apt-get as root, through sudo otherwise.  Nothing is installed (and apt is
# not touched) when all are present.  On a fresh cloud VM the unattended
# upgrades of the first boot often hold the package manager's lock: wait for
# it (up to 10 minutes) instead of failing at once.
set -e
PKGS="libgsl-dev libcjson-dev libcsv-dev libcunit1-dev gnuplot-nox pkg-config gcc make python3-jsonschema libopenmpi-dev openmpi-bin"
LOCK_WAIT=600

installed() { # installed PKG
	case $1 in
	python3-jsonschema) # the module may also come from pip
		python3 -c 'import jsonschema' 2>/dev/null && return 0 ;;
	esac
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=""
for p in $PKGS; do
	installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "ecsim: installing missing packages:$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# apt-get update takes /var/lib/apt/lists/lock, which DPkg::Lock::Timeout
# does not cover on every apt version: wait for it by hand.
lists_locked() {
	command -v fuser >/dev/null 2>&1 || return 1
	$SUDO fuser /var/lib/apt/lists/lock >/dev/null 2>&1
}
waited=0
while lists_locked; do
	[ $waited -eq 0 ] && echo "ecsim: waiting for another package manager (unattended upgrades?) to finish"
	[ $waited -ge $LOCK_WAIT ] && { echo "ecsim: the apt lock is still held after ${LOCK_WAIT}s; try again later" >&2; exit 1; }
	sleep 5; waited=$((waited + 5))
done
$SUDO apt-get -o DPkg::Lock::Timeout=$LOCK_WAIT update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=$LOCK_WAIT install -y -qq --no-install-recommends $missing
