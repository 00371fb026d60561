#!/bin/bash
# clg.sh OUT TEST BATCHES TAG -> callgrind per-instruction dump + perf map, under TAG
out=$1; t=$2; b=$3; tag=$4
DOTNET_PerfMapEnabled=1 DOTNET_ReadyToRun=${R2R:-1} DOTNET_TieredCompilation=0 DOTNET_GCgen0size=0x4000000 valgrind --tool=callgrind --dump-instr=yes --smc-check=all-non-file --callgrind-out-file=/tmp/modelcost/clg-$tag.%p.out dotnet $out/h.dll $t $b 1 count > /tmp/modelcost/clg-$tag.log 2>&1
