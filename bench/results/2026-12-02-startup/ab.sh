#!/usr/bin/env bash
# Alternating runs of several CLI builds / runtime settings on one workload.
#   ab.sh WORKLOAD ROUNDS LABEL=DIR[,ENV=VAL...] ...
# WORKLOAD: proof  = test -m Memslot.Merged.2vcpu -s dfs-proof -i 100000000
#           short  = test -m Memslot.Merged -i 2000
#           long   = test -m Memslot.Merged -i 100000 -s random
# DIR holds coyote.dll (a copy of a build's CLI folder); ENV=VAL pairs are set for that config only
# (e.g. DOTNET_TieredPGO=0). Each round runs every config once, in the order given.
# Each line: label, the CLI's own elapsed time and steps/s, process wall, user+sys CPU, 1-minute load
# before the run, and the CLI's coverage line (classes + cut short for proof, steps otherwise).
set -euo pipefail
wl="$1"; n="$2"; shift 2
case "$wl" in
  proof) args=(test -m Memslot.Merged.2vcpu -s dfs-proof -i 100000000) ;;
  short) args=(test -m Memslot.Merged -i 2000) ;;
  long)  args=(test -m Memslot.Merged -i 100000 -s random) ;;
  *) echo "ab.sh: unknown workload '$wl' (proof, short, long)" >&2; exit 2 ;;
esac
echo "# $(date -u +%FT%TZ) ab.sh $wl $n $* ($(uptime | sed 's/.*load/load/'))"
run() {
  local label="$1" dir="$2" env=("${@:3}") load out
  load=$(cut -d' ' -f1 /proc/loadavg)
  out=$( { env "${env[@]}" /usr/bin/time -f "TIME %e %U %S" dotnet "$dir/coyote.dll" "${args[@]}"; } 2>&1 ) || true
  local line cli rate cov
  line=$(grep -E '^ +steps: ' <<<"$out" | tail -1)
  cli=$(grep -oP 'in \K[0-9.]+(?= s)' <<<"$line" || echo '?')
  rate=$(grep -oP ': \K[0-9,]+(?= steps/s)' <<<"$line" || echo '?')
  cov=$(grep -oP 'all \K[0-9,]+ schedules.*?explored, [0-9,]+' <<<"$out" | sed 's/ schedules.*explored, / + /' || true)
  [ -n "$cov" ] || cov=$(grep -oP 'steps: +\K[0-9,]+' <<<"$line" || echo '?')
  read -r _ wall user sys < <(grep '^TIME' <<<"$out" || echo "TIME ? 0 0")
  printf '%-10s cli=%ss steps/s=%s wall=%ss cpu=%.2fs load=%s cov=%s\n' \
    "$label" "$cli" "$rate" "$wall" "$(echo "$user + $sys" | bc)" "$load" "$cov"
}
for i in $(seq "$n"); do
  for cfg in "$@"; do
    label="${cfg%%=*}"; rest="${cfg#*=}"
    IFS=',' read -r -a parts <<<"$rest"
    run "$label" "${parts[0]}" X=1 "${parts[@]:1}"
  done
done
