import glob,re
order=['Samples.VcpuKick','Memslot.HA1FixAlloc.never-onlined.icr','Memslot.HA1Fix.never-onlined.icr','Memslot.MA15','Memslot.MA9','Memslot.Merged.2vcpu','Memslot.HA1FixAlloc.late-flip','Doorbell.Strict.Proof']
summary=[]
for t in order:
    L=open(f'/tmp/estimate/raw/{t}.variants.txt').read().splitlines()
    head=L[0]
    m=re.search(r'executions (\d+) \(complete (\d+), cut short (\d+)\)',head)
    cols=L[1].split()[1:]
    idx={c.split(',')[0]:i for i,c in enumerate(cols)}
    rows=[]
    for l in L[2:]:
        p=l.split()
        rows.append(p)
    print(f"\n**{t}** — {int(m.group(1)):,} executions ({int(m.group(2)):,} complete + {int(m.group(3)):,} cut short)\n")
    print("| true done | old (Knuth) | new | recursive, ρ=1 | recursive, ρ unshrunk |")
    print("|---|---|---|---|---|")
    for p in rows:
        if p[0] in ('end','MAE8','worst8','MAEall'):
            name={'end':'after the last','MAE8':'mean abs. error (8 points)','worst8':'worst point','MAEall':'mean abs. error (all samples)'}[p[0]]
            vals=p[1:]
            f=lambda v: v if p[0]=='end' else v+' pts'
            print(f"| {name} | {f(vals[idx['v0']])} | **{f(vals[idx['v9']])}** | {f(vals[idx['v1']])} | {f(vals[idx['v5']])} |")
            if p[0]!='end': summary.append((t,p[0],vals[idx['v0']],vals[idx['v9']]))
        else:
            vals=p[1:]
            print(f"| {p[0]} | {vals[idx['v0']]} | **{vals[idx['v9']]}** | {vals[idx['v1']]} | {vals[idx['v5']]} |")
print("\nSUMMARY")
print("| search | executions | MAE old → new (pts) | worst old → new (pts) | MAE all samples old → new |")
print("|---|---|---|---|---|")
d={}
for t,k,a,b in summary: d.setdefault(t,{})[k]=(a,b)
for t in order:
    x=d[t]; print(f"| {t} | | {x['MAE8'][0]} → **{x['MAE8'][1]}** | {x['worst8'][0]} → **{x['worst8'][1]}** | {x['MAEall'][0]} → **{x['MAEall'][1]}** |")
