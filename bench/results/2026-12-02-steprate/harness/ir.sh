#!/bin/bash
# ir.sh OUTDIR TEST [b1 b2] -> instructions per iteration under valgrind (TC off), difference of b2 and b1 batches of 100
b1=${3:-3}; b2=${4:-13}
f() { DOTNET_TieredCompilation=0 DOTNET_GCgen0size=0x4000000 valgrind --tool=cachegrind --cache-sim=no --smc-check=all-non-file --cachegrind-out-file=/dev/null dotnet $1/h.dll $2 $3 1 count 2>&1 | grep "I *refs" | tr -d ',' | awk '{print $NF}'; }
a=$(f $1 $2 $b1); b=$(f $1 $2 $b2)
echo "$2 $1: $(( (b - a) / ((b2 - b1) * 100) )) instructions/iteration"
