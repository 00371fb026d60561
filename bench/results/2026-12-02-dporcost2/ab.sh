#!/usr/bin/env bash
# Alternating A/B runs of the Memslot.Merged.2vcpu proof: ab.sh DIR_A DIR_B ROUNDS [extra env for B]
# Each line: label, the CLI's own elapsed time, process wall, user+sys CPU, 1-minute load before the run.
set -euo pipefail
a="$1"; b="$2"; n="${3:-3}"; envb="${4:-X=1}"
run() {
  local label="$1" dir="$2" env="$3" load out
  load=$(cut -d' ' -f1 /proc/loadavg)
  out=$( { env $env /usr/bin/time -f "TIME %e %U %S" dotnet "$dir/coyote.dll" test -m Memslot.Merged.2vcpu -s dfs-proof -i 100000000; } 2>&1 )
  local cli=$(grep -oP 'steps: +[0-9,]+ in \K[0-9.]+' <<<"$out")
  local cov=$(grep -oP 'all \K[0-9]+ schedules.*?explored, [0-9]+' <<<"$out" | sed 's/ schedules.*explored, / + /')
  read -r _ wall user sys < <(grep TIME <<<"$out")
  printf '%s cli=%ss wall=%ss cpu=%.2fs load=%s classes=%s\n' "$label" "$cli" "$wall" "$(echo "$user + $sys" | bc)" "$load" "$cov"
}
for i in $(seq "$n"); do run A "$a" X=1; run B "$b" "$envb"; done
