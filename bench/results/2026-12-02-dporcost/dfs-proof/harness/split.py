import sys
# split.py PROFILE.txt (cgdiff.py output with a large top): per-iteration self instructions by part
groups = {}; T = None
for l in open(sys.argv[1]):
    if l.startswith('total'): T = float(l.split()[-1]); continue
    p = l.split(None, 2)
    if len(p) < 3: continue
    v = float(p[0]); name = p[2]
    if 'Strategies.Exhaustive' in name or 'Access::Conflict' in name: g = 'DPOR strategy (Strategies.Exhaustive, Access.Conflict)'
    elif 'FootprintRecorder' in name: g = 'footprint recording (Runtime.FootprintRecorder)'
    elif 'Avic.Coyote.Models' in name: g = 'model code (Avic.Coyote.Models)'
    elif '[Avic.Coyote]' in name: g = 'engine (rest of Avic.Coyote)'
    elif name.startswith('JIT') and 'System.' in name and 'stub' not in name: g = 'BCL (async builders, collections)'
    else: g = 'runtime native + stubs (GC, allocation, write barriers, dispatch)'
    groups[g] = groups.get(g, 0) + v
print(f'total {T:.0f} instructions/iteration')
for g, v in sorted(groups.items(), key=lambda x: -x[1]): print(f'{v:10.0f} {100*v/T:5.1f}%  {g}')
