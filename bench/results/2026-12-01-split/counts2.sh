#!/bin/bash
# usage: [C=CLI] counts2.sh DIR > OUT — small trees explored to the end, and a step-bound cut
cd "$1"; C=${C:-./coyote}
for s in "dfs-sleepsets" "dfs-full" "dfs-bounded-full -sv 1"; do
  for p in 1 2; do
    echo "### -m Samples -s $s -i 200000 -p $p"
    $C test -m Samples -s $s -i 200000 -p $p 2>&1 | grep -E "^Samples|iterations:|max-steps hits|coverage:|bug:" | sed 's/ — .*//; s/ in [0-9.]* s.*//; s/\[parallel.*//'
  done
done
for s in "dfs-sleepsets" "dfs-full" "dfs-bounded-full -sv 2"; do
  echo "### -m Memslot.Merged.2vcpu -ms 40 -s $s -i 20000"
  $C test -m Memslot.Merged.2vcpu -ms 40 -s $s -i 20000 2>&1 | grep -E "iterations:|max-steps hits|coverage:|bug:" | sed 's/ in [0-9.]* s.*//; s/\[parallel.*//'
done
