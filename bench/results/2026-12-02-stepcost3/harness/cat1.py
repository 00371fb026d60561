import re,sys
def cats(f):
    d={}
    for l in open(f):
        m=re.match(r'\s*([\d.]+)%\s+(\S+(?: tid \d+)?)\s+\[.\]\s+(.*)',l)
        if not m: continue
        p=float(m.group(1)); dso=m.group(2); s=m.group(3)
        if 'libclrjit' in dso: c='jit'
        elif 'libcoreclr' in dso: c='coreclr (GC, runtime helpers)'
        elif 'ld-linux' in dso: c='__tls_get_addr'
        elif 'libc.so' in dso: c='libc (memset/strcmp..)'
        elif 'kernel' in dso: c='kernel'
        elif 'stub' in s: c='stubs: '+(s.split('<')[1].split('>')[0] if '<' in s else s)
        elif 'CastHelpers' in s: c='casts'
        elif 'Avic.Coyote.Models' in s and 'MoveNext' in s: c='model async bodies'
        elif '[Avic.Coyote.Models]' in s: c='model sync'
        elif 'dynamicClass' in s: c='compiled handler delegates'
        elif '[Avic.Coyote]' in s: c='engine'
        elif 'System.Private.CoreLib' in s or 'System.' in s:
            if re.search(r'Task|Async|ExecutionContext|ValueTask|Continuation|ThreadPool',s): c='BCL async machinery'
            else: c='BCL other'
        else: c='other: '+dso
        d[c]=d.get(c,0)+p
    return d
d=cats(sys.argv[1]); s=sum(d.values())
for k,v in sorted(d.items(), key=lambda kv:-kv[1]):
    if v/s>0.003: print(f"{k:45s} {100*v/s:5.1f}%")
