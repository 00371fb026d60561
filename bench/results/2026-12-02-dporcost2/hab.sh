#!/usr/bin/env bash
# hab.sh A B ROUNDS: alternating harness runs (3 proof runs per process: cold, warm, warm)
for i in $(seq $3); do for x in $1 $2; do echo "== $x $(cut -d' ' -f1 /proc/loadavg)"; dotnet /tmp/dc2h/out-$x/h.dll Memslot.Merged.2vcpu dfs-proof 100000000 3 | cut -c1-60; done; done
