import sys,re,collections,bisect
# fnaddr.py A.out A.map B.out B.map N pattern : per-offset self cost within the JIT function matching pattern
def load(out,mapf,pat):
    syms=[]
    for l in open(mapf):
        p=l.rstrip('\n').split(' ',2)
        if len(p)==3 and pat in p[2]: syms.append((int(p[0],16),int(p[1],16),p[2]))
    s0,sz,nm=syms[0]
    cost=collections.Counter(); addr=0; skip=False
    for l in open(out):
        c=l[0] if l else ''
        if c.isdigit() or c in '+-*':
            t=l.split(); tok=t[0]
            if tok=='*': pass
            elif tok[0]=='+': addr+=int(tok[1:],0)
            elif tok[0]=='-': addr-=int(tok[1:],0)
            else: addr=int(tok,0)
            if skip: skip=False; continue
            if s0<=addr<s0+sz and len(t)>2: cost[addr-s0]+=int(t[2])
        elif l.startswith('calls='): skip=True
    return cost
pat=sys.argv[6]
a=load(sys.argv[1],sys.argv[2],pat); b=load(sys.argv[3],sys.argv[4],pat); n=float(sys.argv[5])
d={k:(b[k]-a.get(k,0))/n for k in b}
for k in sorted(d): 
    if d[k]>5: print(f'{k:6x} {d[k]:8.1f}')
