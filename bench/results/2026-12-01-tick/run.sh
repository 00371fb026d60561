#!/usr/bin/env bash
# One file per run: the command, `uptime` at its start and end, and the CLI's summary (stdout).
# Usage: run.sh NAME ARGS...   (from the repository root)
set -u
name=$1; shift
out="bench/results/2026-12-01-tick/$name.txt"
{ echo "\$ ./coyote test $*"; echo "start: $(uptime)"; } > "$out"
./coyote test "$@" 2>/dev/null >> "$out"
echo "end: $(uptime)" >> "$out"
