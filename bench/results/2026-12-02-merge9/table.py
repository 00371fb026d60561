#!/usr/bin/env python3
"""table.py base1.md [base2.md ...] -- main1.md [main2.md ...]: per row mean µs/iter per file and main/base ratio range."""
import sys, re
def load(f):
    rows = {}
    for line in open(f):
        c = [x.strip().strip('*') for x in line.split('|')]
        if len(c) < 10 or not re.match(r'[A-Z]', c[2] or '') or c[2] == 'Test': continue
        mean = c[4].replace(',', '').replace(' ns', '').replace(' μs', '')
        try: mean = float(mean) / 1000
        except ValueError: mean = None
        rows[(c[2], c[3])] = (mean, c[7], c[-2])
    return rows
args = sys.argv[1:]; k = args.index('--')
bases = [load(f) for f in args[:k]]; mains = [load(f) for f in args[k+1:]]
print('| test | strategy | base µs/iter | main µs/iter | steps/iter base→main | main/base |')
print('|---|---|---|---|---|---|')
for key in bases[0]:
    b = [r[key][0] for r in bases if key in r and r[key][0]]
    m = [r[key][0] for r in mains if key in r and r[key][0]]
    if not b or not m: continue
    ratios = [x / y for x in m for y in b]
    st = f"{bases[0][key][1]}→{mains[0].get(key, ('', '?'))[1]}"
    print(f"| {key[0]} | {key[1]} | {' / '.join(f'{x:.1f}' for x in b)} | {' / '.join(f'{x:.1f}' for x in m)} | {st} | {min(ratios):.2f}–{max(ratios):.2f} |")
