#!/usr/bin/env bash
# After the Sched footprint fix and the per-object scan stop: the optimal-DPOR runs again.
set -u
out="$(dirname "$0")"
run() { # name args...
  local name="$1"; shift
  { echo "\$ ./coyote test $*"; echo "# $(date -u +%FT%TZ) uptime: $(uptime)"; ./coyote test "$@" 2>&1 | grep -v '^  .*: [0-9,]* iterations, '; } > "$out/$name.txt"
}
run merged2-optimal-v2 -m Memslot.Merged.2vcpu -s dfs -i 10000000
run doorbell-strict-optimal-v2 -m Doorbell.Strict -s dfs -i 100000000 -t 120
run doorbell-strict-sleepsets-v2 -m Doorbell.Strict -s dfs-sleepsets -i 100000000 -t 120
