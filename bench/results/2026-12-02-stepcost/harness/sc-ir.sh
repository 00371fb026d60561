#!/bin/bash
# usage: sc-ir.sh dir test n  -> Ir per iteration (difference between 5 and 1 measured rounds)
d=$1; t=$2; n=$3
ir() { (cd $d && env $IREnv valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null dotnet h.dll $t random $n $1 2>&1 | grep "I *refs" | tr -d ', ' | sed 's/.*refs://'); }
a=$(ir 1); b=$(ir 5)
echo "$d $t Ir/iter $(( (b - a) / (4 * n) ))"
