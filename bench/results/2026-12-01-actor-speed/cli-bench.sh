#!/usr/bin/env bash
# Alternates base / main / speed CLIs, 3 rounds x 3 tests; one CSV line per run.
out=/tmp/speed/cli-bench.csv
echo "round,test,tree,iterations,steps,seconds,steps_per_s,iterations_per_s,user_s,sys_s,load1" > $out
for round in 1 2 3; do
  for t in Memslot.Merged.2vcpu Memslot.Merged Doorbell.Strict; do
    for tree in base main speed; do
      case $tree in base) dir=/work/wt/base;; main) dir=/work/main;; speed) dir=/work/wt/speed;; esac
      load=$(cut -d' ' -f1 /proc/loadavg)
      res=$(cd $dir && /usr/bin/time -f "TIME %U %S" ./coyote test -m $t -i 10000 --seed 1 2>&1)
      line=$(echo "$res" | grep "  steps:" | sed -E 's/ *steps: *([0-9,]+) in ([0-9.]+) s: ([0-9,]+) steps\/s, ([0-9,]+) iterations\/s/\1 \2 \3 \4/' | tr -d ,)
      tm=$(echo "$res" | grep "^TIME" | cut -d' ' -f2,3)
      set -- $line; s1=$1; s2=$2; s3=$3; s4=$4; set -- $tm
      echo "$round,$t,$tree,10000,$s1,$s2,$s3,$s4,$1,$2,$load" >> $out
    done
  done
done
