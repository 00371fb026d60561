#!/bin/bash
# cgd.sh OUTDIR TEST n1 n2 -> instructions per iteration (cachegrind, TC off): iterations n1+1..n2 from the start of the search
d=${CGD:-/tmp/dporcost/cgd}; mkdir -p $d
f() { DOTNET_TieredCompilation=0 DOTNET_GCgen0size=0x4000000 valgrind --tool=cachegrind --cache-sim=no --smc-check=all-non-file --cachegrind-out-file=/dev/null dotnet $1/h.dll $2 $3 1 dfs > $d/$(basename $1)-$2-$3.log 2>&1; }
f $1 $2 $3; f $1 $2 $4
ia=$(grep "I *refs" $d/$(basename $1)-$2-$3.log | tr -d ',' | awk '{print $NF}'); ib=$(grep "I *refs" $d/$(basename $1)-$2-$4.log | tr -d ',' | awk '{print $NF}')
ea=$(grep -o "iterations [0-9]*" $d/$(basename $1)-$2-$3.log | awk '{print $2}'); eb=$(grep -o "iterations [0-9]*" $d/$(basename $1)-$2-$4.log | awk '{print $2}')
echo "$2 $(basename $1): $ia - $ib instructions, iterations $ea - $eb: $(( (ib - ia) / (eb - ea) )) instructions/iteration"
