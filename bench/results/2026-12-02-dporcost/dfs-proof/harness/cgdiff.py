import sys, bisect, re, collections
# usage: cgsym.py A.out A.map B.out B.map iterations [top]: per-iteration self instructions by function, (B - A) / iterations

def load(out, mapf):
    syms = []
    for l in open(mapf):
        p = l.rstrip('\n').split(' ', 2)
        if len(p) < 3: continue
        syms.append((int(p[0], 16), int(p[1], 16), p[2]))
    syms.sort(); starts = [s[0] for s in syms]
    cost = collections.Counter(); fnname = {}; cur_fn = None
    addr = 0; skip = False; positions = 'line'
    def parse_pos(tok, prev):
        if tok == '*': return prev
        if tok[0] in '+-': return prev + int(tok, 0) if tok[0]=='+' else prev - int(tok[1:], 0)
        return int(tok, 0)
    for l in open(out):
        if l.startswith('positions:'): positions = l.split(':',1)[1].strip(); continue
        c = l[0] if l else ''
        if c.isdigit() or c in '+-*':
            toks = l.split()
            if positions.startswith('instr'):
                addr = parse_pos(toks[0], addr); rest = toks[2:] if positions == 'instr line' else toks[1:]
            else: continue
            if skip: skip = False; continue
            v = int(rest[0]) if rest else 0
            cost[(cur_fn, addr)] += v
        elif l.startswith('fn='):
            m = re.match(r'fn=\((\d+)\)(?: (.*))?', l.strip())
            if m:
                if m.group(2): fnname[m.group(1)] = m.group(2)
                cur_fn = m.group(1)
        elif l.startswith('cfn='):
            m = re.match(r'cfn=\((\d+)\)(?: (.*))?', l.strip())
            if m and m.group(2): fnname[m.group(1)] = m.group(2)
        elif l.startswith('calls='): skip = True
    by = collections.Counter()
    for (fn, a), v in cost.items():
        name = fnname.get(fn, '?')
        if name.startswith('0x'):
            i = bisect.bisect_right(starts, a) - 1
            if i >= 0 and a < syms[i][0] + syms[i][1]: name = 'JIT ' + syms[i][2]
            elif a > 0x7f0000000000 or (a > 0x10000000 and a < 0x7f0000000000): name = 'anon/stub'
            else: name = 'native ' + name
        by[name] += v
    return by

a = load(sys.argv[1], sys.argv[2]); b = load(sys.argv[3], sys.argv[4]); n = float(sys.argv[5]); top = int(sys.argv[6]) if len(sys.argv) > 6 else 60
d = collections.Counter({k: b[k] - a.get(k, 0) for k in b})
tot = sum(d.values())
print(f'total per iteration {tot/n:.0f}')
for k, v in d.most_common(top): print(f'{v/n:10.1f} {100.0*v/tot:5.2f}% {k[:180]}')
