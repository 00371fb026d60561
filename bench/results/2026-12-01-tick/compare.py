# Usage: python3 compare.py BEFORE/check.json AFTER/check.json (from the repository root): medians of iterations to the first bug vs 2026-11-21-bug-finding-v2
import json,sys
def agg(p):
    return {x['test']:x for x in json.load(open(p))['aggregates']}
v2=agg('bench/results/2026-11-21-bug-finding-v2/prioritization.json')
b=agg(sys.argv[1]); a=agg(sys.argv[2])
def f(x):
    if x is None: return '-'
    m=x['iterationsToFirstBug']
    if x['bugFoundSeeds']==0: return 'none'
    s=f"{m['median']:g}" if m["median"] is not None else "not found"
    if x['notFoundSeeds']: s+=f" ({len(x['notFoundSeeds'])} missed)"
    return s
print("| variant | v2 median (2026-11-21) | before | after | after ≤ max(v2, before)? |")
print("|---|---|---|---|---|")
for t in b:
    if 'pass' in b[t]['expected']: continue
    A=a.get(t); B=b[t]; V=v2.get(t)
    def med(x):
        if x is None or x['bugFoundSeeds']<x['seeds']: return float('inf')
        return x['iterationsToFirstBug']['median']
    ok = med(A) <= max(med(V) if V else 0, med(B))
    print(f"| {t} | {f(V)} | {f(B)} | {f(A)} | {'yes' if ok else '**NO**'} |")
