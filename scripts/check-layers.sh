#!/bin/sh
# scripts/check-layers.sh [ROOT] — checks which layer may #include which.
#
# The layers, bottom to top:
#   sim/     the engine (event queue, RNG, CSV/JSON readers, ...): knows
#            nothing of ECS.  May include only sim/.                (rule 1)
#   models/  the ECS model.  May include sim/ and models/, never the
#            command layer.                                         (rule 2)
#   cli/     the command layer (argument parsing, printing errors).  May
#            include anything; nothing outside it includes it.      (rule 4)
# and among the files of models/ there is no include cycle.         (rule 3)
# The control plane's actors (ACTORS: the agent, the service scheduler,
# the fault injector) talk through the backplane and models/bp_msg.h: no
# actor's file includes another actor's header.                    (rule 5)
# An actor is a module name; its files are that module and the modules
# named after it with a suffix (models/service_replica is the service's).
# Nor does any file include the private header (X_int.h) of the backplane
# or of an actor (OWNERS) unless it is one of that owner's files: the
# owners' state is their own.                                     (rule 5)
# For rule 3 a module is a file path without its extension (a.c, a.h and
# its private header a_int.h are one node) and `a.c includes b.h` is an
# edge from a to b; each strongly
# connected set of modules is reported with one shortest cycle through it
# and the #include lines that tie it together.
#
# Rule 3 is enforced unless CHECK_CYCLES=0 (then the number of cycles is
# printed as a note; the script's self-test uses it).
#
# Includes are resolved as the compiler does with `-I.`: "x.h" first next to
# the including file, then from ROOT; <x.h> from ROOT only.  Includes that
# resolve to no file of ROOT (system and library headers) are ignored.
# Exit 0 when every enforced rule holds, 1 otherwise (one line per
# violation), 2 on bad usage.  POSIX sh and awk only.
ROOT=${1:-.}
ACTORS=${ACTORS:-models/agent models/service models/faults}
OWNERS=${OWNERS:-models/backplane $ACTORS}
if [ $# -gt 1 ] || [ ! -d "$ROOT" ]; then
	echo "usage: scripts/check-layers.sh [ROOT]" >&2
	exit 2
fi
cd "$ROOT" || exit 2

files=$(find sim models cli -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort)
[ -n "$files" ] || { echo "check-layers: no sources under $ROOT/sim, models or cli" >&2; exit 2; }

# The first input is the list of every C file of ROOT (for resolving
# includes; build/ and dot directories left out), then the files checked.
find . \( -name build -o -name '.?*' \) -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print |
	sed 's|^\./||' | LC_ALL=C sort | awk -v cycles="${CHECK_CYCLES:-1}" -v actors="$ACTORS" -v owners="$OWNERS" '
function normalize(p,    n, a, out, i, k, o) {
	n = split(p, a, "/")
	k = 0
	for (i = 1; i <= n; i++) {
		if (a[i] == "" || a[i] == ".")
			continue
		if (a[i] == ".." && k > 0 && o[k] != "..") {
			k--
			continue
		}
		o[++k] = a[i]
	}
	out = ""
	for (i = 1; i <= k; i++)
		out = out (i > 1 ? "/" : "") o[i]
	return out
}
function dirname(p) {
	if (p !~ /\//)
		return ""
	sub(/\/[^\/]*$/, "", p)
	return p
}
function module(p) {
	sub(/\.[ch]$/, "", p)
	sub(/_int$/, "", p)    # X_int.h is the private header of module X
	return p
}
# cli, sim, models or other
function layer(p) {
	if (p ~ /^cli\//)
		return "cli"
	if (p ~ /^sim\//)
		return "sim"
	if (p ~ /^models\//)
		return "models"
	return "other"
}
# the actor a module belongs to, "" when none
function actor(m,    i) {
	for (i = 1; i <= nact; i++)
		if (m == act[i] || index(m, act[i] "_") == 1)
			return act[i]
	return ""
}
# the owner (OWNERS) a module belongs to, "" when none
function owner(m,    i) {
	for (i = 1; i <= nown; i++)
		if (m == own[i] || index(m, own[i] "_") == 1)
			return own[i]
	return ""
}
function bad(where, msg) {
	print "check-layers: " where ": " msg
	nbad++
}
NR == 1 {
	nact = split(actors, act, " ")
	nown = split(owners, own, " ")
}
NR == FNR {
	exists[$0] = 1
	next
}
FNR == 1 {
	file = FILENAME
	sub(/^\.\//, "", file)
}
/^[ \t]*#[ \t]*include[ \t]*["<]/ {
	line = $0
	sub(/^[ \t]*#[ \t]*include[ \t]*/, "", line)
	quoted = substr(line, 1, 1) == "\""
	name = substr(line, 2)
	if (quoted)
		sub(/".*/, "", name)
	else
		sub(/>.*/, "", name)
	target = ""
	if (quoted) {
		t = normalize((dirname(file) == "" ? "" : dirname(file) "/") name)
		if (t in exists)
			target = t
	}
	if (target == "") {
		t = normalize(name)
		if (t in exists)
			target = t
	}
	if (target == "")
		next           # a system or library header
	where = file ":" FNR
	lf = layer(file)
	lt = layer(target)
	if (lt == "cli" && lf != "cli")
		bad(where, "includes " target ", a file of the command layer; nothing outside it may (rule 4)")
	else if (lf == "sim" && lt != "sim")
		bad(where, "includes " target "; sim/ (the engine) may include only sim/ (rule 1)")
	else if (lf == "models" && lt != "sim" && lt != "models")
		bad(where, "includes " target "; models/ may include only sim/ and models/ (rule 2)")
	if (lf == "models" && lt == "models") {
		u = module(file)
		v = module(target)
		au = actor(u)
		av = actor(v)
		ov = target ~ /_int\.h$/ ? owner(v) : ""
		if (ov != "" && owner(u) != ov)
			bad(where, "includes " target ", the private header of " ov "; only its own files may (rule 5)")
		else if (au != "" && av != "" && au != av)
			bad(where, "includes " target ", a header of another actor (" av "); actors talk through the backplane and models/bp_msg.h (rule 5)")
		if (!(u in isnode)) { isnode[u] = 1; node[++nn] = u }
		if (!(v in isnode)) { isnode[v] = 1; node[++nn] = v }
		if (u != v && !((u, v) in edge)) {
			edge[u, v] = where " includes " target
			adj[u] = adj[u] " " v
			reach[u, v] = 1
		}
	}
}
END {
	# transitive closure (the graph has tens of nodes)
	for (k = 1; k <= nn; k++)
		for (i = 1; i <= nn; i++)
			if ((node[i], node[k]) in reach)
				for (j = 1; j <= nn; j++)
					if ((node[k], node[j]) in reach)
						reach[node[i], node[j]] = 1
	ncyc = 0
	for (i = 1; i <= nn; i++) {
		u = node[i]
		if ((u in done) || !((u, u) in reach))
			continue
		ncyc++
		members = ""
		for (j = 1; j <= nn; j++) {
			v = node[j]
			if (((u, v) in reach) && ((v, u) in reach)) {
				done[v] = 1
				insc[ncyc, v] = 1
				members = members " " v
			}
		}
		# shortest cycle through u: breadth-first from u back to u
		split("", par)
		qh = 1; qt = 0
		q[++qt] = u
		found = 0
		while (qh <= qt && !found) {
			x = q[qh++]
			m = split(adj[x], nb, " ")
			for (t = 1; t <= m && !found; t++) {
				y = nb[t]
				if (!((ncyc, y) in insc))
					continue
				if (y == u) {
					par[u] = x
					found = 1
				} else if (!(y in par)) {
					par[y] = x
					q[++qt] = y
				}
			}
		}
		path = u
		x = par[u]
		while (x != u) {
			path = x " -> " path
			x = par[x]
		}
		path = u " -> " path
		if (cycles) {
			print "check-layers: include cycle in models/ (rule 3): " path
			for (j = 1; j <= nn; j++) {
				v = node[j]
				if (!((ncyc, v) in insc))
					continue
				for (k = 1; k <= nn; k++)
					if (((ncyc, node[k]) in insc) && ((v, node[k]) in edge))
						print "    " edge[v, node[k]]
			}
		} else {
			cyc[ncyc] = path
		}
	}
	if (cycles) {
		nbad += ncyc
	} else if (ncyc > 0) {
		printf "check-layers: note: %d include cycle(s) in models/, not enforced yet (make check-cycles):", ncyc
		for (i = 1; i <= ncyc; i++)
			printf " [%s]", cyc[i]
		printf "\n"
	}
	if (nbad > 0) {
		print "check-layers: " nbad " violation(s)"
		exit 1
	}
}
' - $files
