import sys
def load(p):
    E = {}
    for l in open(p):
        f = l.rstrip('\n').split('\t')
        if f[0] == 'E':
            k = (f[3], f[4]); e = E.get(k, [0, 0]); e[0] += int(f[1]); e[1] += int(f[2]); E[k] = e
    return E
a = load(sys.argv[1]); b = load(sys.argv[2]); n = float(sys.argv[3]); pat = sys.argv[4]
rows = []
for k in set(a) | set(b):
    if pat not in k[0]: continue
    ea = a.get(k, [0, 0]); eb = b.get(k, [0, 0])
    rows.append(((eb[1] - ea[1]) / n, (eb[0] - ea[0]) / n, k))
for v, c, k in sorted(rows, reverse=True)[:int(sys.argv[5]) if len(sys.argv) > 5 else 30]: print(f"{v:9.0f} {c:7.2f}x {k[1][:170]}")
