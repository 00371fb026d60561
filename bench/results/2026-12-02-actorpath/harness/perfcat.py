import re,sys
def cats(f):
    d={}
    for l in open(f):
        m=re.match(r'\s*([\d.]+)%\s+(\S+(?: tid \d+)?)\s+\[.\]\s+(.*)',l)
        if not m: continue
        p=float(m.group(1)); dso=m.group(2); s=m.group(3)
        if 'libclrjit' in dso: c='jit'
        elif 'libcoreclr' in dso: c='coreclr'
        elif 'ld-linux' in dso: c='tls_get_addr'
        elif 'libc.so' in dso: c='libc'
        elif 'kernel' in dso: c='kernel'
        elif 'stub' in s: c='stubs: '+s.split('<')[1].split('>')[0] if '<' in s else 'stubs'
        elif 'CastHelpers' in s: c='casts'
        elif 'Avic.Coyote.Models' in s and 'MoveNext' in s: c='model async bodies'
        elif '[Avic.Coyote.Models]' in s: c='model sync'
        elif 'dynamicClass' in s: c='compiled handler delegates'
        elif '[Avic.Coyote]' in s: 
            mm=re.search(r'Avic\.Coyote\.[\w.]+?(\w+)(?:\+<?(\w+)>?\w*)?::(\w+)',s)
            c='engine '+(s.split('::')[0].split('.')[-1].split(' ')[0])
        elif 'System.Private.CoreLib' in s or 'System.' in s:
            if re.search(r'Task|Async|ExecutionContext|ValueTask|Continuation',s): c='BCL async machinery'
            else: c='BCL other'
        else: c='other'
        d[c]=d.get(c,0)+p
    return d
b=cats(sys.argv[3]); n=cats(sys.argv[4])
tb=float(sys.argv[1]); tn=float(sys.argv[2])
sb=sum(b.values()); sn=sum(n.values())
rows=sorted(set(b)|set(n), key=lambda k: -(n.get(k,0)/sn*tn-b.get(k,0)/sb*tb))
print(f"{'category':50s} {'base µs/it':>10s} {'now µs/it':>10s} {'diff':>8s}")
for k in rows:
    x=b.get(k,0)/sb*tb; y=n.get(k,0)/sn*tn
    if abs(x)>0.3 or abs(y)>0.3: print(f"{k:50s} {x:10.1f} {y:10.1f} {y-x:8.1f}")
