# tests/e2e-robust.sh — sourced by tests/e2e.sh (uses its ECSIM, T, ok, ko,
# check, expect_exit): hostile inputs and careless operators (issue 14).

# Outputs never clobber what is not theirs.  A FIFO stands for /dev/null
# (renaming over the real device would break the machine on a regression).
mkfifo "$T/fifo"
cat "$T/fifo" > "$T/fifo.got" & rpid=$!
check "gen --out FIFO" "$ECSIM" gen scenarios/gen/google-shaped.json --duration 5 --quiet --out "$T/fifo"
wait $rpid
[ -p "$T/fifo" ] && ok "gen --out FIFO leaves the FIFO a FIFO" || ko "gen --out FIFO leaves the FIFO a FIFO"
grep -q '^time' "$T/fifo.got" && ok "gen --out FIFO writes through it" || ko "gen --out FIFO writes through it"
cat "$T/fifo" > "$T/fifo.got" & rpid=$!
check "import --out FIFO" "$ECSIM" import alibaba2018 --batch-task tests/data/import/alibaba/batch_task.csv \
	--out "$T/fifo" --quiet
wait $rpid
[ -p "$T/fifo" ] && ok "import --out FIFO leaves the FIFO a FIFO" || ko "import --out FIFO leaves the FIFO a FIFO"
mkdir "$T/real"
echo old > "$T/real/g.csv"
ln -s real/g.csv "$T/link.csv"
check "gen --out symlink" "$ECSIM" gen scenarios/gen/google-shaped.json --duration 5 --quiet --out "$T/link.csv"
[ -L "$T/link.csv" ] && ok "gen --out symlink keeps the link" || ko "gen --out symlink keeps the link"
grep -q '^time' "$T/real/g.csv" && ok "gen --out symlink writes the target" || ko "gen --out symlink writes the target"
ls "$T" "$T/real" | grep -q '\.tmp$' && ko "symlink output leaves no temporary file" || ok "symlink output leaves no temporary file"
check "import --out symlink" "$ECSIM" import alibaba2018 --batch-task tests/data/import/alibaba/batch_task.csv \
	--out "$T/link.csv" --quiet
[ -L "$T/link.csv" ] && ok "import --out symlink keeps the link" || ko "import --out symlink keeps the link"
mkdir "$T/runout"
ln -s ../real/g.csv "$T/runout/tasks.csv"
check "run --out with a symlinked tasks.csv" "$ECSIM" run scenarios/default.json --quiet --out "$T/runout"
[ -L "$T/runout/tasks.csv" ] && grep -q '^task' "$T/real/g.csv" && ok "run follows a symlinked output" || ko "run follows a symlinked output"
"$ECSIM" gen scenarios/gen/google-shaped.json --duration 5 --quiet --out - > "$T/stdout.csv" 2>/dev/null
grep -q '^time' "$T/stdout.csv" && [ ! -e ./- ] && ok "gen --out - is stdout" || ko "gen --out - is stdout"
