#!/usr/bin/env bash
# One file per run: which build (main = /work/main before, this branch after), the command, `uptime` at start
# and end, the CLI's summary and `/usr/bin/time -f "%e %U %S"` (wall, user, system seconds).
# Usage: run.sh NAME DIR ARGS...   (DIR: the repository root whose ./coyote runs)
set -u
name=$1; dir=$2; shift 2
out="$(cd "$(dirname "$0")" && pwd)/$name.txt"
{ echo "\$ (cd $dir && ./coyote test $*)"; echo "start: $(uptime)"; } > "$out"
(cd "$dir" && /usr/bin/time -f "time: %e wall %U user %S sys" ./coyote test "$@" 2>&1 | grep -v "^  [A-Z][A-Za-z.0-9]*: [0-9,]* iterations,") >> "$out"
echo "end: $(uptime)" >> "$out"
