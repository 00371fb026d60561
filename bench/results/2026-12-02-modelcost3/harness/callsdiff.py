import sys
def load(p):
    I = {}; E = {}
    for l in open(p):
        f = l.rstrip('\n').split('\t')
        if f[0] == 'I': I[f[2]] = I.get(f[2], 0) + int(f[1])
        else:
            k = (f[3], f[4]); e = E.get(k, [0, 0]); e[0] += int(f[1]); e[1] += int(f[2]); E[k] = e
    return I, E
a = load(sys.argv[1]); b = load(sys.argv[2]); n = float(sys.argv[3]); mode = sys.argv[4]; pat = sys.argv[5] if len(sys.argv) > 5 else ''
if mode == 'I':
    rows = [((b[0].get(k, 0) - a[0].get(k, 0)) / n, k) for k in set(a[0]) | set(b[0]) if pat in k]
    for v, k in sorted(rows, reverse=True)[:80]: print(f"{v:9.0f} {k[:180]}")
else:  # callers of functions matching pat
    rows = []
    for k in set(a[1]) | set(b[1]):
        if pat not in k[1]: continue
        ea = a[1].get(k, [0, 0]); eb = b[1].get(k, [0, 0])
        rows.append(((eb[1] - ea[1]) / n, (eb[0] - ea[0]) / n, k))
    for v, c, k in sorted(rows, reverse=True)[:40]: print(f"{v:9.0f} {c:7.2f}x {k[0][:110]} -> {k[1][:80]}")
