#!/bin/bash
d=$1; n=$2
ir() { (cd $d && env DOTNET_TC_CallCountingDelayMs=0 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null dotnet h.dll micro $n $1 2>&1 | grep "I *refs" | tr -d ', ' | sed 's/.*refs://'); }
a=$(ir 1); b=$(ir 5)
echo "$d micro Ir/await $(( (b - a) / (4 * n) ))"
