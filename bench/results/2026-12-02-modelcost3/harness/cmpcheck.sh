#!/bin/bash
# cmpcheck.sh A B -> compare two check outdirs: table rows without time figures, and every other file byte for byte
norm() { grep '^|' $1/check.md | sed -E 's/[0-9][0-9,.]* ?(ms|s|µs|min)\b/T/g'; }
if diff <(norm $1) <(norm $2) > /dev/null; then echo "check.md: $(norm $1 | wc -l) table rows identical without times"; else echo "check.md rows DIFFER"; diff <(norm $1) <(norm $2) | head; fi
diff -rq --exclude='check.*' $1 $2 && echo "files: $(find $1 -name '*.schedule' | wc -l) .schedule + $(find $1 -name '*.trace.txt' | wc -l) .trace.txt byte-identical"
