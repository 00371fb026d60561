#!/bin/bash
# usage: [C=CLI] counts3.sh DIR > OUT — schedules identical: total steps and bug iteration under the seeded strategies
cd "$1"; C=${C:-./coyote}
for args in "-m Samples -i 20000" "-m Samples -s random -i 20000" "-m Doorbell.Strict -i 300" "-m Memslot.MA1 -i 2000" "-m Doorbell.MB8 -i 2000" "-m Memslot.Merged.2vcpu -s fair-prioritization -i 500"; do
  echo "### $args"
  $C test $args 2>&1 | grep -E "^[A-Z][A-Za-z]*\.|iterations:|steps:|max-steps hits|bug:" | sed 's/ — .*//; s/ in [0-9.]* s.*//'
done
