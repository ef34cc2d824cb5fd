# The logit lens's two variants on published runs, whatever headline they ran
# with: AUROC of the relevant mass at one lensed layer, the valid behaviour
# organisms against every null, per variant, architecture, diffing base and
# family. Plain AUROC, no intervals or thresholds (the harness's
# null-controls.csv has those, for the headline it ran with).
#   python3 benchmarks/sweeps/lens-variant-auroc.py benchmarks/results/probes-check [LAYER]
# RUN may be several run directories joined by commas, pooled: an organism
# two runs share (same organism id) counts once.
# LAYER: the resid_post index to read (default 1, 50% depth; 2 is 75%, 3 the
# last block's output, the lens's headline since 2026-12-04).
import csv
import sys
from os.path import join

runs = (sys.argv[1] if len(sys.argv) > 1 else 'benchmarks/results/probes-check').split(',')
layer = sys.argv[2] if len(sys.argv) > 2 else '1'
rows, valid, seen = [], set(), set()
for run in runs:
    for r in csv.DictReader(open(join(run, 'results.csv'))):
        key = (r['organism_id'], r['probe'], r['diffing_base'], r['layer'], r['variant'], r['metric'])
        if key not in seen:
            seen.add(key)
            rows.append(r)
    valid |= {o['organism_id'] for o in csv.DictReader(open(join(run, 'organisms.csv'))) if o['valid'] in ('1', 'true', 'True')}


def auroc(pos, neg):
    return sum((a > b) + 0.5 * (a == b) for a in pos for b in neg) / (len(pos) * len(neg))


for variant in ['diff', 'organism_only']:
    for arch in sorted({r['architecture'] for r in rows}):
        for base in sorted({r['diffing_base'] for r in rows if r['diffing_base']}):
            for fam in ['cake-bake', 'italian-food', 'military-submarine']:
                lens = [r for r in rows if r['probe'] == 'logit-lens' and r['metric'] == 'relevant_mass' and r['layer'] == layer and r['architecture'] == arch and r['diffing_base'] == base]
                pos = [float(r['value']) for r in lens if r['behaviour'] != 'null' and r['family'] == fam and r['variant'] == variant and r['organism_id'] in valid]
                neg = [float(r['value']) for r in lens if r['behaviour'] == 'null' and r['variant'] == f'{variant}:{fam}']
                if pos and neg:
                    print(f'{variant:14} {arch:7} {base:9} {fam:19} {len(pos)} vs {len(neg)}  AUROC {auroc(pos, neg):.2f}')
