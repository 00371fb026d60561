#!/usr/bin/env bash
# Before (dfs-sleepsets: DPOR + sleep sets) / after (dfs: optimal DPOR), the CLI's own report.
# Run from the repository root: bench/results/2026-12-01-dpor/run.sh
set -u
out="$(dirname "$0")"
run() { # name args...
  local name="$1"; shift
  { echo "\$ ./coyote test $*"; echo "# $(date -u +%FT%TZ) uptime: $(uptime)"; ./coyote test "$@" 2>&1 | grep -v '^  .*: [0-9,]* iterations, '; } > "$out/$name.txt"
}
run merged2-sleepsets -m Memslot.Merged.2vcpu -s dfs-sleepsets -i 10000000
run merged2-optimal   -m Memslot.Merged.2vcpu -s dfs -i 10000000
run merged4-sleepsets -m Memslot.Merged.4vcpu -s dfs-sleepsets -i 100000000 -t 100
run merged4-optimal   -m Memslot.Merged.4vcpu -s dfs -i 100000000 -t 100
run merged3smm-sleepsets -m Memslot.Merged.3vcpu.hotplug.smm -s dfs-sleepsets -i 100000000 -t 100
run merged3smm-optimal   -m Memslot.Merged.3vcpu.hotplug.smm -s dfs -i 100000000 -t 100
run doorbell-strict-sleepsets -m Doorbell.Strict -s dfs-sleepsets -i 100000000 -t 120
run doorbell-strict-optimal   -m Doorbell.Strict -s dfs -i 100000000 -t 120
