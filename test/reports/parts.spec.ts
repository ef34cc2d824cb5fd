// Known answers for the report's building blocks: escaping, number format,
// scales and ticks, colours, and the per-layer averaging.
import { strict as assert } from 'node:assert';
import { esc, fmt, fmtCi, table, raw } from '../../reports/html';
import { coord, linearScale, niceDomain, niceTicks, sequentialColour, textColourOn, colourMap, attrs, text } from '../../reports/svg';
import { curveGroups, probeBases } from '../../reports/plots';
import { row } from './fixture';

describe('report html helpers', () => {
  it('esc replaces the five HTML-special characters and nothing else', () => {
    assert.equal(esc(`a&b<c>d"e'f é`), 'a&amp;b&lt;c&gt;d&quot;e&#39;f é');
    assert.equal(esc('&amp;'), '&amp;amp;', 'escapes an entity-looking string once more');
  });

  it('fmt: 3 significant digits, counts exact, - for NaN', () => {
    const cases: [number, string][] = [
      [0.123456, '0.123'],
      [0.5, '0.5'],
      [1, '1'],
      [1234, '1234'],
      [1234.5, '1230'],
      [-0.0004567, '-0.000457'],
      [1.23456e-7, '1.23e-7'],
      [2.5e7, '25000000'],
      [1.23456e22, '1.23e+22'],
      [-0, '0'],
      [NaN, '-'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
    ];
    for (const [x, s] of cases) assert.equal(fmt(x), s, `fmt(${x})`);
    assert.equal(fmt(undefined), '-');
    assert.equal(fmtCi(0.5, 0.41234, 0.6), '0.5 [0.412, 0.6]');
    assert.equal(fmtCi(0.5, NaN, NaN), '0.5');
    assert.equal(fmtCi(0.5, NaN, 0.7), '0.5 [-, 0.7]');
  });

  it('table escapes string cells, formats numbers, passes raw markup, and says when it is empty', () => {
    const t = table(['a<b', 'n'], [['x&y', 0.123456], [raw('<b>ok</b>'), NaN]]);
    assert.ok(t.includes('<th>a&lt;b</th>'));
    assert.ok(t.includes('<td>x&amp;y</td><td class="num">0.123</td>'));
    assert.ok(t.includes('<td><b>ok</b></td><td class="num">-</td>'));
    assert.equal(table(['a'], [], { empty: 'none <here>' }), '<p class="empty">none &lt;here&gt;</p>');
  });
});

describe('report svg helpers', () => {
  it('coord rounds to 0.01 and refuses NaN and infinities', () => {
    assert.equal(coord(1.23456), '1.23');
    assert.equal(coord(-0.001), '0');
    assert.throws(() => coord(NaN), /not finite/);
    assert.throws(() => coord(Infinity), /not finite/);
    assert.equal(attrs({ x: 1.004, id: `a"b`, skip: undefined }), ' x="1" id="a&quot;b"');
    assert.equal(text(1, 2, '<t>'), '<text x="1" y="2">&lt;t&gt;</text>');
  });

  it('linear scales map the domain onto the range, flipped for y', () => {
    const y = linearScale([0, 1], [200, 20]);
    assert.equal(y(0), 200);
    assert.equal(y(1), 20);
    assert.equal(y(0.5), 110);
    assert.equal(linearScale([3, 3], [0, 10])(3), 0, 'a degenerate domain does not divide by zero');
  });

  it('nice ticks and domains land on 1, 2, 5 x 10^k', () => {
    assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 0.3), [0, 0.1, 0.2, 0.3], 'step 0.06 rounds up to 0.1');
    assert.deepEqual(niceTicks(-3, 12), [0, 5, 10], 'step 15 / 5 = 3 rounds up to 5; -0 comes out as 0');
    assert.deepEqual(niceDomain(0.03, 0.87), [0, 1]);
    assert.deepEqual(niceDomain(2, 17), [0, 20]);
    assert.deepEqual(niceDomain(0, 0), [0, 1]);
    assert.deepEqual(niceDomain(NaN, 1), [0, 1]);
    assert.deepEqual(niceTicks(1, 1), [1]);
  });

  it('sequential colours hit the stops at 0, 0.5 and 1 and clamp outside; text colour contrasts', () => {
    assert.equal(sequentialColour(0), '#f7fcf0');
    assert.equal(sequentialColour(0.5), '#7bccc4');
    assert.equal(sequentialColour(1), '#084081');
    assert.equal(sequentialColour(2), '#084081');
    assert.equal(sequentialColour(NaN), '#f7fcf0');
    // halfway between stop 0 (247,252,240) and stop 1 (204,235,197) at t = 0.125
    assert.equal(sequentialColour(0.125), '#e2f4db');
    assert.equal(textColourOn('#f7fcf0'), '#000');
    assert.equal(textColourOn('#084081'), '#fff');
  });

  it('colourMap gives each name the colour of its sorted rank', () => {
    const a = colourMap(['posthoc-sdf', 'integrated-dpo', 'posthoc-sdf']);
    const b = colourMap(['integrated-dpo', 'posthoc-sdf']);
    assert.deepEqual([...a], [...b]);
    assert.equal(a.get('integrated-dpo'), '#4e79a7');
  });
});

describe('report per-layer groups', () => {
  const lens = (organism: string, technique: string, family: string, layer: number, value: number, metric = 'relevant_mass') =>
    row({ organism_id: organism, behaviour: family === 'null' ? 'null' : organism, family, technique, probe: 'logit-lens', diffing_base: 'ancestor', layer, variant: 'diff', metric, value });

  it('averages each organism first, then the organisms of a technique; nulls are their own series; one-layer metrics are dropped', () => {
    const rows = [
      lens('a', 'idpo', 'cake', 2, 0.2),
      lens('a', 'idpo', 'cake', 2, 0.4), // a's layer-2 mean 0.3
      lens('c', 'idpo', 'gold', 2, 0.6), // idpo at layer 2: (0.3 + 0.6) / 2 = 0.45, not (0.2 + 0.4 + 0.6) / 3
      lens('a', 'idpo', 'cake', 4, 0.5),
      lens('c', 'idpo', 'gold', 4, NaN), // not a value: left out
      lens('n', 'idpo', 'null', 2, 0.1),
      lens('n', 'idpo', 'null', 4, 0.3),
      lens('a', 'idpo', 'cake', 4, 9, 'snr'), // one layer only
      row({ organism_id: 'a', behaviour: 'a', family: 'cake', technique: 'idpo', probe: 'logit-lens', diffing_base: 'ancestor', variant: 'relevant_mass', metric: 'headline', value: 0.5 }),
      { ...lens('a', 'idpo', 'cake', 6, 0.9), status: 'failed' as const }, // failed rows are not measurements
    ];
    const groups = curveGroups(rows);
    assert.equal(groups.length, 1);
    const [g] = groups;
    assert.equal(g.metric, 'relevant_mass');
    assert.ok(g.headline);
    assert.deepEqual(g.layers, [2, 4]);
    assert.deepEqual([...g.series.get('idpo')!].sort((p, q) => p[0] - q[0]), [[2, 0.45], [4, 0.5]]);
    assert.deepEqual([...g.series.get('null organisms')!].sort((p, q) => p[0] - q[0]), [[2, 0.1], [4, 0.3]]);
  });

  it('puts the headline metrics first (multi-target headline names count by their base name)', () => {
    const rows = [
      lens('a', 'idpo', 'cake', 1, 1, 'best_rank'),
      lens('a', 'idpo', 'cake', 2, 1, 'best_rank'),
      lens('a', 'idpo', 'cake', 1, 0.1),
      lens('a', 'idpo', 'cake', 2, 0.2),
      row({ organism_id: 'a', technique: 'idpo', probe: 'logit-lens', diffing_base: 'ancestor', variant: 'relevant_mass[cake]', metric: 'headline', value: 0.2 }),
    ];
    assert.deepEqual(curveGroups(rows).map((g) => [g.metric, g.headline]), [['relevant_mass', true], ['best_rank', false]]);
  });

  it('probeBases lists each probe x diffing base once, sorted', () => {
    const rows = [
      row({ probe: 'steering', diffing_base: 'ancestor' }),
      row({ probe: 'logit-lens', diffing_base: 'sibling' }),
      row({ probe: '' }),
      row({ probe: 'logit-lens', diffing_base: 'ancestor' }),
      row({ probe: 'steering', diffing_base: 'ancestor' }),
    ];
    assert.deepEqual(probeBases(rows), [
      { probe: 'logit-lens', diffing_base: 'ancestor' },
      { probe: 'logit-lens', diffing_base: 'sibling' },
      { probe: 'steering', diffing_base: 'ancestor' },
    ]);
  });
});
