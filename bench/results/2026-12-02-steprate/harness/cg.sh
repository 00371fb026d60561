#!/bin/bash
# cg.sh OUTDIR TEST b1 b2 -> per-iteration cachegrind counts with cache and branch simulation (difference of b2 and b1 batches)
f() { DOTNET_TieredCompilation=0 DOTNET_GCgen0size=0x4000000 valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes --smc-check=all-non-file --cachegrind-out-file=/dev/null dotnet $1/h.dll $2 $3 1 count 2>&1 | grep -E "(I|D|LL|Mispred|I1|D1|Branches|LLd|LLi|Mispreds) .*:" | grep -v rate | sed -E 's/==[0-9]+== //; s/\(.*//' | tr -d ','; }
a=$(f $1 $2 $3); b=$(f $1 $2 $4)
paste <(echo "$a") <(echo "$b") | awk -v n=$(( ($4-$3)*100 )) -F'\t' '{split($1,x,":"); split($2,y,":"); printf "%-16s %.0f\n", x[1], (y[2]-x[2])/n}'
