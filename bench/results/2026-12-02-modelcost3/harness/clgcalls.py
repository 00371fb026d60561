import sys, re, bisect
# clgcalls.py CALLGRIND_OUT PERFMAP -> lines: "incl callee" and "calls caller->callee count" (JIT names via perf map)
path, mp = sys.argv[1], sys.argv[2]
syms = []
for l in open(mp):
    a, s, n = l.rstrip('\n').split(' ', 2); syms.append((int(a, 16), int(s, 16), n.replace('[Optimized]', '')))
syms.sort(); st = [s[0] for s in syms]
def sym(a, fallback):
    i = bisect.bisect_right(st, a) - 1
    if i >= 0 and a < syms[i][0] + syms[i][1]: return syms[i][2]
    return fallback
names = {}; cur_fn = None; cfn = None; last = 0; pending = None
incl = {}; edges = {}
def upd(p, last):
    if p == '*': return last
    if p.startswith('0x'): return int(p, 16)
    if p[0] == '+': return last + int(p[1:])
    if p[0] == '-': return last - int(p[1:])
    return int(p)
def nm(line, key):
    m = re.match(key + r'=\((\d+)\)(?: (.*))?', line.strip())
    if m.group(2): names[m.group(1)] = m.group(2)
    return names.get(m.group(1), m.group(1))
for line in open(path, errors='replace'):
    c = line[:1]
    if c and c in '0+-*':
        parts = line.split(); last = upd(parts[0], last)
        if pending is not None:
            cnt, target = pending; pending = None
            callee = sym(target, cfn); caller = sym(last, cur_fn)
            v = int(parts[2]) if len(parts) >= 3 else 0
            if callee != caller:
                incl[callee] = incl.get(callee, 0) + v
            k = (caller, callee); e = edges.get(k, [0, 0]); e[0] += cnt; e[1] += v; edges[k] = e
        continue
    if line.startswith('fn='): cur_fn = nm(line, 'fn'); continue
    if line.startswith('cfn='): cfn = nm(line, 'cfn'); continue
    if line.startswith('calls='):
        p = line.split(); cnt = int(p[0][6:]); t = p[1]
        pending = (cnt, int(t, 16) if t.startswith('0x') else 0)
for k, v in incl.items(): print(f"I\t{v}\t{k}")
for (a, b), (n, v) in edges.items(): print(f"E\t{n}\t{v}\t{a}\t{b}")
