#!/bin/bash
# usage: perf.sh ROUNDS TEST-ARGS... — alternates main's CLI and this branch's (frozen copies), one line per run:
# the CLI's steps line, user and system CPU seconds (/usr/bin/time), and the 1-minute load average.
N=$1; shift
for r in $(seq 1 $N); do
  for who in main split; do
    if [ $who = main ]; then dir=/work/main; dll=/work/main/.coyote-build/bin/Avic.Coyote.Cli/release/coyote.dll; else dir=/work/wt/split; dll=/tmp/split/rtbuild/coyote.dll; fi
    cd $dir
    out=$( { /usr/bin/time -f "cpu %U %S" dotnet $dll test "$@"; } 2>&1 )
    echo "round $r $who: $(echo "$out" | grep 'steps:' | sed 's/^ *//') | $(echo "$out" | grep '^cpu') | load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
