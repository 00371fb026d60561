#!/bin/bash
# cg3.sh OUT : per-iteration cachegrind counts on the three Doorbell rows
for t in Doorbell.Strict Doorbell.NonStrict Doorbell.Strict.3Vcpus; do echo "== $1/$t"; ./cg.sh $1 $t 1 3; done
