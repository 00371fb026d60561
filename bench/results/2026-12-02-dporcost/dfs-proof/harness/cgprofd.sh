#!/bin/bash
# cgprofd.sh OUTDIR TEST n1 n2 [top]: per-execution self instructions by function (callgrind, n2 - n1 executions)
o=$1; t=$2; d=${CGR:-/tmp/dporcost/cgr}/$(basename $o)-$t; mkdir -p $d
run() { DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_TieredCompilation=0 DOTNET_GCgen0size=0x4000000 valgrind --tool=callgrind --dump-instr=yes --smc-check=all-non-file --callgrind-out-file=$d/cg$1.out dotnet $o/h.dll $t $1 1 dfs > $d/log$1 2>&1; grep -o "==[0-9]*==" $d/log$1 | head -1 | tr -d '=' > $d/pid$1; }
run $3; run $4
ea=$(grep -o "iterations [0-9]*" $d/log$3 | awk '{print $2}'); eb=$(grep -o "iterations [0-9]*" $d/log$4 | awk '{print $2}')
python3 $(dirname "$0")/cgdiff.py $d/cg$3.out /tmp/perf-$(cat $d/pid$3).map $d/cg$4.out /tmp/perf-$(cat $d/pid$4).map $((eb-ea)) ${5:-70}
