#!/usr/bin/env bash
# usage: check.sh OUTDIR  — schedule-identity fingerprint of the current build
set -u
out=$1; mkdir -p $out; cd /work/wt/engstep
for t in Doorbell.Strict Memslot.Merged.2vcpu Memslot.MA1 Doorbell.MB8 Memslot.Merged Doorbell.Strict.3Vcpus Doorbell.NonStrict; do
  for s in prioritization random; do
    extra=""; [ $t = Doorbell.MB8 ] && extra="--tso"
    rm -rf $out/o-$t-$s; mkdir -p $out/o-$t-$s
    ./coyote test -m $t -i 2000 --seed 1 -s $s $extra -o $out/o-$t-$s 2>&1 | grep -v "steps/s, [0-9.]* s$" | sed -E 's/in [0-9.]+ s: .*//' > $out/$t-$s.txt
  done
done
