#!/usr/bin/env bash
# Alternating in-process runs (harness/): hab.sh ROUNDS TEST STRATEGY ITERATIONS RUNS LABEL=DIR ...
# DIR holds h.dll (the harness built against a CLI folder, with that folder's Avic.*.dll copied in:
# IL-only or ReadyToRun). Each harness prints one line per run in the process (run 0 cold, run 1 warm).
set -euo pipefail
n="$1"; test="$2"; strategy="$3"; iters="$4"; runs="$5"; shift 5
echo "# $(date -u +%FT%TZ) hab.sh $n $test $strategy $iters $runs $* ($(uptime | sed 's/.*load/load/'))"
for i in $(seq "$n"); do
  for cfg in "$@"; do
    dotnet "${cfg#*=}/h.dll" "$test" "$strategy" "$iters" "$runs" | sed "s/^/${cfg%%=*} /"
  done
done
