// Known answers for the plots' scales: each panel's domain fitted to its own
// data, nice ticks and their texts, label thinning, confidence bands drawn
// from results.csv's interval columns, and legends that list only what a
// panel draws.
import { strict as assert } from 'node:assert';
import { dataDomain, fitYLabels, niceDomain, niceTicks, sequentialColour, thinTicks, tickLabels, textWidth, axisLabels, linearScale } from '../../reports/svg';
import { bandShapes, curveGroups, heatmaps, layerCurves } from '../../reports/plots';
import type { SummaryRow } from '../../core/bench/stats-types';
import { row } from './fixture';

describe('report scales', () => {
  it('a panel\'s domain: nice ends around its finite values, whatever range they span', () => {
    // a micro run's relevant_mass: ~0.001, which a [0, 1] scale would draw flat
    assert.deepEqual(dataDomain([0.0011, 0.0024, NaN]), [0.001, 0.0025], 'step 0.00026 rounds up to 0.0005');
    assert.deepEqual(dataDomain([0.03, 0.87]), [0, 1]);
    assert.deepEqual(dataDomain([-0.35, 0.6]), [-0.4, 0.6], 'steering gain can be negative');
    assert.deepEqual(dataDomain([2, 17]), [0, 20]);
    assert.deepEqual(dataDomain([]), [0, 1], 'nothing to show');
    assert.deepEqual(dataDomain([NaN, Infinity, -Infinity]), [0, 1], 'no finite value');
  });

  it('a degenerate range gets room on its zero side, so the value sits mid-scale', () => {
    assert.deepEqual(dataDomain([0.003, 0.003]), [0, 0.006]);
    assert.deepEqual(dataDomain([-2]), [-4, 0]);
    assert.deepEqual(dataDomain([0, 0, 0]), [0, 1], 'all zero: the value at the bottom of [0, 1]');
    assert.deepEqual(niceDomain(1, 1 + 1e-12), [0, 2], 'a spread below 1e-9 of the size is one value');
    assert.deepEqual(niceTicks(...dataDomain([0.003])), [0, 0.002, 0.004, 0.006]);
  });

  it('nice ticks for given ranges, and texts with the digits the step needs', () => {
    assert.deepEqual(niceTicks(0.001, 0.0025), [0.001, 0.0015, 0.002, 0.0025]);
    assert.deepEqual(tickLabels([0.001, 0.0015, 0.002, 0.0025]), ['0.0010', '0.0015', '0.0020', '0.0025']);
    assert.deepEqual(tickLabels(niceTicks(0, 1)), ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    assert.deepEqual(tickLabels([0, 5, 10]), ['0', '5', '10']);
    // fmt's 3 significant digits would print all three as "1"
    assert.deepEqual(tickLabels([1.0001, 1.0002, 1.0003]), ['1.0001', '1.0002', '1.0003']);
    assert.deepEqual(tickLabels(niceTicks(0, 0.00015)), ['0', '5e-5', '1e-4', '1.5e-4']);
    assert.deepEqual(tickLabels([0, 2e6, 4e6]), ['0', '2e+6', '4e+6']);
    assert.deepEqual(tickLabels([-0.2, 0, 0.2]), ['-0.2', '0.0', '0.2']);
    assert.deepEqual(tickLabels([0.5]), ['0.5'], 'one tick: fmt');
  });

  it('labels that would overlap are thinned to every k-th tick, k as small as fits', () => {
    assert.deepEqual(thinTicks([0, 20, 40, 60, 80], [30, 30, 30, 30, 30]), [0, 2, 4], '20 px apart < 30 + 4; 40 px fits');
    assert.deepEqual(thinTicks([0, 50, 100], [30, 30, 30]), [0, 1, 2], 'all fit');
    assert.deepEqual(thinTicks([0, 5, 10, 15], [30, 30, 30, 30]), [0], 'only the first fits');
    assert.deepEqual(thinTicks([], []), []);
    // 24 layers on a 276 px axis, 12 px apart: "10".."23" are 12 px wide at 10 px and need 12 + 4, so every other one
    const layers = Array.from({ length: 24 }, (_, i) => i);
    const x = linearScale([0, 23], [50, 326]);
    assert.deepEqual(axisLabels({ scale: x, ticks: layers, label: 'layer', tickLabel: String }, 'x').map((l) => l.label), ['0', '2', '4', '6', '8', '10', '12', '14', '16', '18', '20', '22']);
    const few = linearScale([0, 15], [50, 330]);
    assert.equal(axisLabels({ scale: few, ticks: layers.slice(0, 16), label: 'layer', tickLabel: String }, 'x').length, 16, '16 layers on 280 px all fit');
    assert.equal(textWidth('0.0010', 10), 36);
    // y labels need a line height (12 px) plus the gap between them
    const y = linearScale([0, 1], [100, 80]);
    assert.deepEqual(axisLabels({ scale: y, ticks: [0, 0.5, 1], label: '' }, 'y').map((l) => l.label), ['0.0', '1.0']);
  });

  it('the left margin grows to hold the widest y label beside the axis title', () => {
    const f = { width: 470, height: 250, left: 50, right: 140, top: 24, bottom: 38 };
    assert.deepEqual(fitYLabels(f, [0, 0.5, 1]), f, "'0.0' fits in 50 px");
    assert.deepEqual(fitYLabels(f, [0, 0.0005, 0.001, 0.0015, 0.002]), { ...f, left: 62, width: 482 }, "'0.0015' is 36 px: 26 + 36");
  });
});

describe('report confidence bands', () => {
  const lens = (organism: string, technique: string, layer: number, value: number, lo: number, hi: number, family = 'cake') =>
    row({ organism_id: organism, behaviour: organism, family, technique, probe: 'logit-lens', diffing_base: 'ancestor', layer, variant: 'diff', metric: 'relevant_mass', value, ci_low: lo, ci_high: hi });

  it('a series\' band at a layer is the mean of its organisms\' interval ends, where every organism has one', () => {
    const rows = [
      lens('a', 'idpo', 2, 0.2, 0.1, 0.3),
      lens('c', 'idpo', 2, 0.6, 0.5, 0.7), // idpo layer 2: [0.3, 0.5] around 0.4
      lens('a', 'idpo', 4, 0.5, 0.4, 0.6),
      lens('c', 'idpo', 4, 0.7, NaN, NaN), // c has no interval at 4: no band there
      lens('s', 'sdf', 2, 0.1, 0.1, 0.1),
      lens('s', 'sdf', 4, 0.2, 0.2, 0.2), // zero-width intervals: no band at all
    ];
    const [g] = curveGroups(rows);
    assert.deepEqual([...g.bands.get('idpo')!], [[2, [0.3, 0.5]]]);
    assert.equal(g.bands.has('sdf'), false);
    assert.deepEqual([...g.series.get('idpo')!].sort((p, q) => p[0] - q[0]), [[2, 0.4], [4, 0.6]]);
  });

  it('draws a polygon over each run of layers with an interval and an error bar for a lone one', () => {
    const band = new Map<number, [number, number]>([
      [1, [0, 1]],
      [2, [0.2, 0.8]],
      [4, [0.4, 0.6]],
    ]);
    const svg = bandShapes([1, 2, 3, 4], band, (l) => l * 10, (v) => 100 - v * 100, '#4e79a7');
    // upper edge left to right (y of high), then lower edge right to left (y of low)
    assert.ok(svg.includes('<polygon points="10,0 20,20 20,80 10,100" fill="#4e79a7" fill-opacity="0.18" stroke="none"/>'), svg);
    assert.ok(svg.includes('<line x1="40" y1="60" x2="40" y2="40"'), 'layer 4 alone: a bar from low to high');
    assert.equal(bandShapes([1, 2], undefined, (l) => l, (v) => v, '#000'), '');
  });

  it('per-layer plots draw the bands, fit y to lines and bands, and the legend lists only the shown series', () => {
    const rows = [lens('a', 'idpo', 1, 0.002, 0.001, 0.003), lens('a', 'idpo', 2, 0.004, 0.0035, 0.0045), lens('n', 'idpo', 1, 0.001, NaN, NaN, 'null'), lens('n', 'idpo', 2, 0.001, NaN, NaN, 'null')];
    const colours = new Map([
      ['idpo', '#4e79a7'],
      ['posthoc-sdf', '#f28e2b'], // in the run, not in this plot
    ]);
    const [svg] = layerCurves(curveGroups(rows), colours);
    assert.equal((svg.match(/<polygon /g) ?? []).length, 1, 'the idpo band; the nulls have no intervals');
    assert.ok(svg.includes('>idpo</text>') && svg.includes('>null organisms</text>') && svg.includes('>95% interval</text>'));
    assert.ok(!svg.includes('posthoc-sdf'), 'a technique this plot does not draw is not in its legend');
    // y from 0.001 to 0.0045 -> [0.001, 0.005] in steps of 0.001, not 0 to 1
    assert.deepEqual((svg.match(/>0\.00\d<\/text>/g) ?? []).join(''), '>0.001</text>>0.002</text>>0.003</text>>0.004</text>>0.005</text>');
    assert.ok(svg.includes('idpo, layer 1: 0.002 [0.001, 0.003]'), 'the point tooltip gives the interval');
    const [plain] = layerCurves(curveGroups(rows.filter((r) => r.family === 'null')), colours);
    assert.ok(!plain.includes('95% interval') && !plain.includes('<polygon'), 'no interval, no band, no band legend');
  });
});

describe('report heatmap colour scales', () => {
  const s = (technique: string, probe: string, mean_score: number): SummaryRow => ({
    technique, probe, diffing_base: 'ancestor', n: 3, mean_score, ci_low: NaN, ci_high: NaN, detection_rate: NaN, detection_ci_low: NaN, detection_ci_high: NaN,
    null_n: 0, null_fpr: NaN, auroc: NaN, calibration: 'calibrated', note: '',
  });
  const fillOf = (svg: string, tip: string) => new RegExp(`fill="(#[0-9a-f]{6})" stroke="#fff"><title>${tip}`).exec(svg)?.[1];

  it('each probe column spans its own range, with a colour bar and only the key entries the map needs', () => {
    const [svg] = heatmaps([s('idpo', 'lens', 0.001), s('sdf', 'lens', 0.002), s('idpo', 'steer', 0.5), s('sdf', 'steer', 0.9)]);
    // lens: [0.001, 0.002] -> the light and dark ends, although both are ~0 on [0, 1]
    assert.equal(fillOf(svg, 'idpo x lens'), sequentialColour(0));
    assert.equal(fillOf(svg, 'sdf x lens'), sequentialColour(1));
    // steer: dataDomain([0.5, 0.9], 3) = [0.4, 1]
    assert.equal(fillOf(svg, 'idpo x steer'), sequentialColour(1 / 6));
    assert.equal(fillOf(svg, 'sdf x steer'), sequentialColour(5 / 6));
    assert.ok(svg.includes('<title>lens colour scale: 0.001 to 0.002</title>') && svg.includes('<title>steer colour scale: 0.4 to 1</title>'));
    assert.ok(svg.includes('own scale'), 'the key says what the colours mean');
    assert.ok(!svg.includes('no data'), 'nothing hatched, no hatch in the key');
    const [hatchedOnly] = heatmaps([s('idpo', 'lens', NaN)]);
    assert.ok(hatchedOnly.includes('>no data<') && !hatchedOnly.includes('own scale'), 'no colour drawn, no colour key');
  });
});
