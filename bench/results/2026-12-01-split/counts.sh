#!/bin/bash
# usage: [C=CLI] counts.sh DIR > OUT — the dfs count comparisons
cd "$1"; C=${C:-./coyote}
for s in "dfs-sleepsets" "dfs-full" "dfs-bounded-full -sv 2" "dfs-bounded-full -sv 0"; do
  for p in 1 2; do
    echo "### -m Memslot.Merged.2vcpu -s $s -i 20000 -p $p"
    $C test -m Memslot.Merged.2vcpu -s $s -i 20000 -p $p 2>&1 | grep -E "iterations:|max-steps hits|coverage:|bug:" | sed 's/ in [0-9.]* s.*//; s/\[parallel.*//'
  done
done
