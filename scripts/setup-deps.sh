#!/bin/sh
# Install the Debian packages ecsim needs, only those that are missing.
# apt-get as root, through sudo otherwise.  Nothing is installed when all
# are present.
set -e
PKGS="libgsl-dev libcjson-dev libcsv-dev libcunit1-dev gnuplot-nox pkg-config gcc make libopenmpi-dev openmpi-bin"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "ecsim: installing missing packages:$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
