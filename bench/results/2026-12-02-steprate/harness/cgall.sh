#!/bin/bash
# cgall.sh OUT TAG tests... -> cachegrind per iteration into cg-TAG.txt
out=$1; tag=$2; shift 2
for t in "$@"; do echo "== $tag/$t (cg.sh OUT TEST 1 3; per iteration)"; bash $(dirname "$0")/cg.sh $out $t 1 3; done
