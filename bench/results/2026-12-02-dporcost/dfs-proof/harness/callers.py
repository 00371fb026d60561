import sys,re,collections,bisect
# callers.py A.out A.map B.out B.map N target-substring : calls per iteration into the target, by caller
def load(out,mapf,pat):
    syms=[]
    for l in open(mapf):
        p=l.rstrip('\n').split(' ',2)
        if len(p)==3: syms.append((int(p[0],16),int(p[1],16),p[2]))
    syms.sort(); starts=[s[0] for s in syms]
    def nm(x):
        if x.startswith('0x'):
            a=int(x.split("'")[0],16); i=bisect.bisect_right(starts,a)-1
            if i>=0 and a<syms[i][0]+syms[i][1]: return syms[i][2]
        return x
    names={}; cur=None; cfn=None; res=collections.Counter()
    for l in open(out):
        if l.startswith('fn='):
            m=re.match(r'fn=\((\d+)\)(?: (.*))?',l.strip())
            if m.group(2): names[m.group(1)]=m.group(2)
            cur=m.group(1)
        elif l.startswith('cfn='):
            m=re.match(r'cfn=\((\d+)\)(?: (.*))?',l.strip())
            if m.group(2): names[m.group(1)]=m.group(2)
            cfn=m.group(1)
        elif l.startswith('calls='):
            if pat in nm(names.get(cfn,"")):
                res[nm(names.get(cur,'?'))]+=int(l.split('=')[1].split()[0])
    return res
a=load(sys.argv[1],sys.argv[2],sys.argv[6]); b=load(sys.argv[3],sys.argv[4],sys.argv[6]); n=float(sys.argv[5])
d=collections.Counter({k:b[k]-a.get(k,0) for k in b})
for k,v in d.most_common(15): print(f'{v/n:10.2f} {k[:160]}')
