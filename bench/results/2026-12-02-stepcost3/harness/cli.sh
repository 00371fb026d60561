#!/bin/bash
# cli.sh TAG... : alternate the trees, toy then Memslot.Merged random; uptime before each run
dll() { if [ "$1" = MAIN ]; then echo /tmp/sc3/cli-main/coyote.dll; else echo $1/.coyote-build/bin/Avic.Coyote.Cli/release/coyote.dll; fi; }
declare -A T=([old]=/work/wt/sc3-old [pre]=/work/wt/sc3-pre [main]=MAIN [new]=/work/wt/stepcost3)
for round in ${ROUNDS:-1 2}; do for tag in "$@"; do d=${T[$tag]}
  echo "== $tag round $round $(uptime)"
  (cd /tmp/sc3/cli && dotnet $(dll $d) test -m Samples.LostUpdateFixed -i 200000 2>&1 | grep -E "steps:")
  (cd /tmp/sc3/cli && dotnet $(dll $d) test -m Memslot.Merged -i 100000 -s random 2>&1 | grep -E "steps:")
done; done
