#!/usr/bin/env bash
# invariant check: build dir (coyote.dll)
d="${1:-/work/wt/dporcost2/.coyote-build/bin/Avic.Coyote.Cli/release}"
cd /work/wt/dporcost2
a=$(dotnet "$d/coyote.dll" test -m Memslot.Merged.2vcpu -s dfs-proof -i 100000000 2>&1)
echo "$a" | grep -E "steps:|coverage" | sed 's/^ *//'
echo "$a" | grep -q "5,349,056" && echo "$a" | grep -q "all 30652 schedules" && echo "$a" | grep -q "1056 more cut short" && echo "MERGED OK" || echo "MERGED FAIL"
b=$(dotnet "$d/coyote.dll" test -m Doorbell.MB6 -s dfs -i 100000 2>&1)
echo "$b" | grep -E "coverage|bug in" | sed 's/^ *//'
