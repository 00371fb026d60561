#!/bin/bash
# steps.sh OUTDIR... -> steps per iteration and total steps of 3 batches of 100 (random, seed 1) per row
for t in Doorbell.Strict Doorbell.Strict.3Vcpus Memslot.Merged.2vcpu Memslot.Merged Memslot.Merged.3vcpu.hotplug.smm; do
  for o in "$@"; do echo -n "$o "; dotnet $o/h.dll $t 3 1 count; done
done
