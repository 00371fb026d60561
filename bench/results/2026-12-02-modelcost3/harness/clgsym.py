import sys, re, bisect, glob
# clgsym.py CALLGRIND_OUT PERFMAP -> self Ir per symbol (JIT symbols from perf map; others by callgrind fn name)
def parse(path):
    costs = {}; fnname = {}; names = {}
    cur_fn = None; last = 0; skip = False; obs = {}; cur_ob = ''
    def upd(p, last):
        if p == '*': return last
        if p.startswith('0x'): return int(p, 16)
        if p[0] == '+': return last + int(p[1:])
        if p[0] == '-': return last - int(p[1:])
        return int(p)
    for line in open(path, errors='replace'):
        c = line[:1]
        if c and (c in '0+-*'):
            parts = line.split()
            last = upd(parts[0], last)
            if skip: skip = False; continue
            if len(parts) >= 3:
                v = int(parts[2]); costs[last] = costs.get(last, 0) + v
                fnname[last] = cur_fn
            continue
        if line.startswith('ob='):
            m = re.match(r'ob=\((\d+)\)(?: (.*))?', line.strip())
            if m:
                if m.group(2): obs[m.group(1)] = m.group(2).split('/')[-1]
                cur_ob = obs.get(m.group(1), '')
            continue
        if line.startswith('cob='):
            m = re.match(r'cob=\((\d+)\)(?: (.*))?', line.strip())
            if m and m.group(2): obs[m.group(1)] = m.group(2).split('/')[-1]
            continue
        if line.startswith('fn='):
            m = re.match(r'fn=\((\d+)\)(?: (.*))?', line.strip())
            if m:
                if m.group(2): names[m.group(1)] = m.group(2)
                cur_fn = names.get(m.group(1), m.group(1)); cur_fn = (cur_ob + ':' + cur_fn) if cur_fn.startswith('0x') else cur_fn
            continue
        if line.startswith('cfn='):
            m = re.match(r'cfn=\((\d+)\)(?: (.*))?', line.strip())
            if m and m.group(2): names[m.group(1)] = m.group(2)
            continue
        if line.startswith('calls='):
            skip = True
    return costs, fnname
costs, fnname = parse(sys.argv[1])
syms = []
for l in open(sys.argv[2]):
    a, s, n = l.rstrip('\n').split(' ', 2)
    syms.append((int(a, 16), int(s, 16), n))
syms.sort()
starts = [s[0] for s in syms]
out = {}
for a, v in costs.items():
    i = bisect.bisect_right(starts, a) - 1
    if i >= 0 and a < syms[i][0] + syms[i][1]: name = syms[i][2]
    else: name = fnname.get(a) or '???'
    out[name] = out.get(name, 0) + v
for n, v in sorted(out.items(), key=lambda x: -x[1]):
    print(v, n)
