#!/usr/bin/env bash
# ir.sh NAME [ITER]: instructions of one warm proof prefix (Ir of 2 rounds - Ir of 1 round), TieredCompilation off
n=$1; it=${2:-2000}
ir() { DOTNET_TieredCompilation=0 valgrind --tool=cachegrind --cache-sim=no --smc-check=all-non-file --cachegrind-out-file=/dev/null dotnet /tmp/dc2h/out-$n/h.dll Memslot.Merged.2vcpu dfs-proof $it $1 2>&1 | grep "I *refs" | tr -d ', ' | sed 's/.*refs://'; }
a=$(ir 1); b=$(ir 2)
echo "$n iters=$it Ir_round=$((b - a)) (1 round $a, 2 rounds $b)"
