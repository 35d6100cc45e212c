#!/usr/bin/python3
"""p-mAP of each method split by whether the official grid stride is a multiple of 8.

  /usr/bin/python3 scripts/research/stride_split.py RESULTS.images.jsonl [--patch 64]

With a stride that is a multiple of 8, every patch of the host sits at the same phase of the
host's 8x8 JPEG grid, and a pasted donor (almost always shifted against that grid) at another:
a descriptor that measures blockiness per phase in image coordinates (the noise-residual
baseline's JPEG-grid group) separates them directly, a cue that a patch embedding compared
across patches cannot use. This prints how much each method's score depends on that case.
"""
import argparse, json, statistics

p = argparse.ArgumentParser()
p.add_argument('results')
p.add_argument('--patch', type=int, default=64)
a = p.parse_args()
groups = {}
for line in open(a.results):
    r = json.loads(line)
    if not r.get('spliced'):
        continue
    stride = max(1, (max(r['width'], r['height']) - a.patch) // 30)
    key = 'stride % 8 == 0' if stride % 8 == 0 else 'stride % 8 != 0'
    for m, v in r['results'].items():
        groups.setdefault(m, {}).setdefault(key, []).append(v['metrics']['pmap'])
keys = ['stride % 8 == 0', 'stride % 8 != 0']
print(f"{'method':24s}" + ''.join(f'{k:>24s}' for k in keys) + f"{'all':>12s}")
for m, g in groups.items():
    cells = [f"{statistics.mean(g[k]):.3f} ({len(g[k])} images)" if k in g else '-' for k in keys]
    allv = [x for k in keys for x in g.get(k, [])]
    print(f'{m:24s}' + ''.join(f'{c:>24s}' for c in cells) + f'{statistics.mean(allv):>12.3f}')
