#!/bin/bash
# su.sh OUT TEST -> instructions per iteration with MAXSTEPS=1 (the set-up: the first step builds the VM), batches 3 vs 13
f() { MAXSTEPS=1 DOTNET_TieredCompilation=0 DOTNET_GCgen0size=0x4000000 valgrind --tool=cachegrind --cache-sim=no --smc-check=all-non-file --cachegrind-out-file=/dev/null dotnet $1/h.dll $2 $3 1 count 2>&1 | grep "I *refs" | tr -d ',' | awk '{print $NF}'; }
a=$(f $1 $2 3); b=$(f $1 $2 13)
echo "$2 $1 MAXSTEPS=1: $(( (b - a) / 1000 )) instructions/iteration"
