#!/usr/bin/env bash
# snap.sh NAME: copy the worktree's CLI build to /tmp/dc2-NAME and a harness dir /tmp/dc2h/out-NAME
set -e
n=$1
rm -rf /tmp/dc2-$n /tmp/dc2h/out-$n
cp -r /work/wt/dporcost2/.coyote-build/bin/Avic.Coyote.Cli/release /tmp/dc2-$n
cp -r /tmp/dc2h/out-base /tmp/dc2h/out-$n
cp /tmp/dc2-$n/*.dll /tmp/dc2h/out-$n/
