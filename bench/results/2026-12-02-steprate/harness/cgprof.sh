#!/bin/bash
# cgprof.sh OUTDIR TEST [top]: per-iteration self instructions by function (callgrind, batches 1 vs 3 -> /200)
o=$1; t=$2; d=${CGR:-/tmp/cgr}/$(basename $o)-$t; mkdir -p $d
run() { DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_TieredCompilation=0 DOTNET_GCgen0size=0x4000000 valgrind --tool=callgrind --dump-instr=yes --smc-check=all-non-file --callgrind-out-file=$d/cg$1.out dotnet $o/h.dll $t $1 1 count > $d/log$1 2>&1; grep -o "==[0-9]*==" $d/log$1 | head -1 | tr -d '=' > $d/pid$1; }
run 1; run 3
python3 $(dirname "$0")/cgdiff.py $d/cg1.out /tmp/perf-$(cat $d/pid1).map $d/cg3.out /tmp/perf-$(cat $d/pid3).map 200 ${3:-60}
