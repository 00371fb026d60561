import sys, glob
N={}
def load(f):
    rows=[l.split() for l in open(f)]
    return [(int(r[0]), float(r[1]), float(r[-1])) for r in rows]  # n, truth, v9
tests=[f for f in sorted(glob.glob('*.traj')) if 'VcpuKick' not in f]
for R in (3,4,5):
  for F in (1.25,1.5,2.0):
    out=[]
    tot_steady=0; good=0; allr=[]
    for f in tests:
        rows=load(f); count=round(rows[-1][0]/rows[-1][1]) if rows[-1][1]>0 else rows[-1][0]
        # totals at powers of two (nearest sample at or below)
        pw={}
        for n,t,e in rows:
            pw[n]=n/e if e>0 else float('inf')
        ns=sorted(pw)
        def at(p):
            best=None
            for n in ns:
                if n<=p: best=n
                else: break
            return pw[best] if best else None
        st=[]; 
        for n,t,e in rows:
            if n>=count: continue
            # last power of two <= n
            p=1
            while p*2<=n: p*=2
            reads=[at(p>>k) for k in range(R)]
            if (p>>(R-1))<64 or any(r is None for r in reads): continue
            if max(reads)<=F*min(reads):
                left=n/e-n if e>0 else float('inf'); true=count-n
                st.append(left/true)
        allr+=st
        if st:
            st.sort(); out.append(f"{f[:-5]}: {len(st)}/{len(rows)} 2x:{100*sum(1 for r in st if .5<=r<=2)/len(st):.0f}% med {st[len(st)//2]:.2f} [{st[0]:.2f},{st[-1]:.2f}]")
        else: out.append(f"{f[:-5]}: never")
    print(f"R={R} F={F}"); print("   "+"\n   ".join(out))
