import sys
def load(p):
    d = {}
    for l in open(p):
        v, n = l.rstrip('\n').split(' ', 1)
        n = n.replace('[Optimized]', '').strip()
        d[n] = d.get(n, 0) + int(v)
    return d
a = load(sys.argv[1]); b = load(sys.argv[2]); n = float(sys.argv[3])
rows = [(b.get(k, 0) - a.get(k, 0)) / n for k in set(a) | set(b)]
keys = list(set(a) | set(b))
res = sorted(zip(rows, keys), key=lambda x: -x[0])
tot = sum(r for r, _ in res)
print(f"total {tot:.0f} per iteration")
for r, k in res:
    if abs(r) >= float(sys.argv[4]) if len(sys.argv) > 4 else 100: print(f"{r:9.0f} {100*r/tot:5.2f}% {k[:170]}")
