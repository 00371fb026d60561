#!/usr/bin/env bash
# usage: ab.sh PAIRS TEST STRATEGY dirA dirB ... ; prints min/median of per-process min thread-cpu us/it
pairs=$1; t=$2; s=$3; shift 3
declare -A vals
for i in $(seq $pairs); do
  for d in "$@"; do
    v=$(dotnet /tmp/engstep/$d/bin/Harness/release/Harness.dll $t $s 1000 24 | tail -1 | sed -E 's/.*min thread-cpu ([0-9.]+) us\/it.*/\1/')
    vals[$d]="${vals[$d]} $v"
  done
done
for d in "$@"; do
  echo "$t/$s $d: $(echo ${vals[$d]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END{printf "min %.1f median %.1f us/it (n=%d: ", a[1], a[int((NR+1)/2)], NR}') ${vals[$d]})"
done
