import sys,re,collections
# calls.py A.out B.out N pattern... : calls per iteration to JIT functions whose perf-map address maps to the pattern
def load(out, mapf):
    syms=[]
    for l in open(mapf):
        p=l.rstrip('\n').split(' ',2)
        if len(p)==3: syms.append((int(p[0],16),int(p[1],16),p[2]))
    syms.sort()
    import bisect; starts=[s[0] for s in syms]
    names={}; cnt=collections.Counter(); cur=None; pending=None
    for l in open(out):
        if l.startswith('cfn='):
            m=re.match(r'cfn=\((\d+)\)(?: (.*))?',l.strip())
            if m.group(2): names[m.group(1)]=m.group(2)
            cur=m.group(1)
        elif l.startswith('fn='):
            m=re.match(r'fn=\((\d+)\)(?: (.*))?',l.strip())
            if m and m.group(2): names[m.group(1)]=m.group(2)
        elif l.startswith('calls='):
            n=int(l.split('=')[1].split()[0]); tgt=l.split()[1] if len(l.split())>1 else None
            cnt[(cur, tgt)]+=n
    res=collections.Counter()
    for (fid,tgt),n in cnt.items():
        nm=names.get(fid,'?')
        if nm.startswith('0x'):
            a=int(nm.split("'")[0],16); i=bisect.bisect_right(starts,a)-1
            if i>=0 and a<syms[i][0]+syms[i][1]: nm=syms[i][2]
        res[nm]+=n
    return res
a=load(sys.argv[1],sys.argv[2]); b=load(sys.argv[3],sys.argv[4]); n=float(sys.argv[5])
for pat in sys.argv[6:]:
    for k in b:
        if pat in k: print(f'{(b[k]-a.get(k,0))/n:10.2f} {k[:150]}')
