import { strict as assert } from 'node:assert';
import { cellCounts, MAX_LAYER_PLOTS, renderReport, type ReportInput } from '../../reports/render';
import { EVIL_ERROR, EVIL_ID, fixtureRows, fixtureRun, fixtureStats } from './fixture';

function input(): ReportInput {
  return { rows: fixtureRows(), stats: fixtureStats(), run: fixtureRun() };
}

/** The markup of one <section id="...">. */
function sectionOf(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  assert.ok(start >= 0, `section ${id} present`);
  return html.slice(start, html.indexOf('</section>', start));
}

function svgsOf(html: string, kind: string): string[] {
  return html.split('<svg').slice(1).filter((s) => s.includes(`class="plot ${kind}"`)).map((s) => s.slice(0, s.indexOf('</svg>')));
}

function count(hay: string, needle: string | RegExp): number {
  return typeof needle === 'string' ? hay.split(needle).length - 1 : (hay.match(needle) ?? []).length;
}

/** Table rows (<tr> in tbody) whose cells include every given text. */
function rowsWith(html: string, ...cells: string[]): string[] {
  return (html.match(/<tr>.*?<\/tr>/g) ?? []).filter((tr) => cells.every((c) => tr.includes(`>${c}</td>`)));
}

describe('renderReport', () => {
  const html = renderReport(input());

  it('draws one svg per plot: heatmap per diffing base, scatter and null strip per probe x base, per-layer curve per multi-layer metric', () => {
    assert.equal(svgsOf(html, 'heatmap').length, 2); // ancestor, sibling
    assert.equal(svgsOf(html, 'qer-scatter').length, 3); // logit-lens@ancestor, logit-lens@sibling, steering@ancestor
    assert.equal(svgsOf(html, 'null-strip').length, 3);
    // relevant_mass (diff) at layers 2 and 3 for both bases; snr has one layer only and is not drawn
    const curves = svgsOf(html, 'layer-curve');
    assert.equal(curves.length, 2);
    assert.ok(curves.every((c) => c.includes('relevant_mass')));
    assert.equal(count(html, '<svg'), 10);
  });

  it('heatmaps label cells with the mean and hatch the missing ones', () => {
    const [anc, sib] = svgsOf(html, 'heatmap');
    assert.match(anc, /diffing base ancestor/);
    assert.match(sib, /diffing base sibling/);
    // ancestor lacks posthoc-sdf x steering and has steering uncalibrated; sibling has only integrated-dpo x logit-lens with a score (plus each legend's swatch)
    assert.equal(count(anc, 'fill="url(#hatch-0)"'), 3);
    assert.equal(count(sib, 'fill="url(#hatch-1)"'), 4);
    for (const v of ['>0.6<', '>0.25<']) assert.ok(anc.includes(v), `ancestor cell ${v}`);
    assert.ok(anc.includes('integrated-dpo x steering: uncalibrated, left out: uncalibrated on olmo2: FPR 1.00 &gt; 0.10'));
    assert.ok(sib.includes('>0.55<'));
    assert.ok(anc.includes('>no data<'), 'legend names the hatch');
  });

  it('scatter puts organisms at (QER, score), nulls hollow, with a technique legend', () => {
    const [ancestor] = svgsOf(html, 'qer-scatter');
    // 4 scored organisms + legend swatches (2 techniques + null ring)
    assert.equal(count(ancestor, '<circle'), 7);
    assert.equal(count(ancestor, 'fill="#fff"'), 2, 'the null organism and its legend ring are hollow');
    assert.ok(ancestor.includes('>integrated-dpo</text>') && ancestor.includes('>posthoc-sdf</text>'));
  });

  it('null strips: per probe x base x architecture, each family\'s nulls and behaviour organisms with its threshold, the verdict, FPR and AUROC', () => {
    const [ll, , steer] = svgsOf(html, 'null-strip');
    assert.ok(ll.includes('logit-lens@ancestor on olmo2: calibrated'));
    assert.ok(ll.includes('leave-one-out FPR 0.25 [0.05, 0.7], AUROC 0.875 [0.6, 1]'));
    // the cake column: the null ring and the two cake organisms, and the threshold line with its numbers
    assert.ok(ll.includes('>cake</text>'));
    assert.ok(ll.includes('cake threshold 0.1 (the nulls&#39; 0.95 quantile): TPR 1 [0.34, 1]'));
    assert.equal(count(ll, 'stroke-dasharray="5 3"'), 1, 'the one family\'s threshold line');
    assert.ok(ll.includes('mo-a (integrated-dpo): 0.6 &gt; threshold'));
    assert.ok(ll.includes('mo-null (integrated-dpo) as cake: 0.1<'), 'a null at the threshold is not above it');
    assert.ok(steer.includes('steering@ancestor on olmo2: uncalibrated: FPR 1.00 &gt; 0.10'));
  });

  it('tables: summary, null controls, anova side by side, paired, matrix, failures', () => {
    const summary = sectionOf(html, 'summary');
    assert.equal(rowsWith(summary, 'ancestor', 'logit-lens', 'integrated-dpo', '0.6 [0.5, 0.7]').length, 1);
    assert.equal(rowsWith(summary, 'sibling', 'logit-lens', 'posthoc-sdf', '-').length, 1, 'NaN mean shows as -');
    assert.equal(count(summary, '<tr>'), 6);

    assert.equal(rowsWith(summary, 'ancestor', 'steering', 'integrated-dpo', 'uncalibrated on olmo2: FPR 1.00 &gt; 0.10').length, 1);
    assert.ok(summary.includes('Uncalibrated, numbers left out: steering @ ancestor (uncalibrated on olmo2: FPR 1.00 &gt; 0.10)'));

    const nc = sectionOf(html, 'null-controls');
    assert.equal(rowsWith(nc, 'logit-lens', 'ancestor', 'olmo2', 'cake', '0.1', '0.25 [0.05, 0.7]', '0.875 [0.6, 1]').length, 1);
    assert.equal(rowsWith(nc, 'logit-lens', 'ancestor', 'olmo2', 'all', '-', 'calibrated').length, 1);
    assert.equal(rowsWith(nc, 'steering', 'ancestor', 'all', '0.5', 'FPR 1.00 &gt; 0.10').length, 1, 'AUROC without an interval is just the value');
    assert.ok(nc.indexOf('>cake<') < nc.indexOf('>all<'), 'families first, then all');

    const an = sectionOf(html, 'anova');
    assert.ok(an.includes("model &#39;factors&#39;") && an.includes("model &#39;with_qer&#39;"));
    assert.equal(rowsWith(an, 'technique', '0.4 [0.1, 0.7]', '0.3 [0.05, 0.55]').length, 1, 'both models on one row');
    assert.equal(rowsWith(an, 'qer', 'not in this model', '0.2 [0, 0.5]').length, 1);
    assert.equal(rowsWith(an, 'residual', 'no residual degrees of freedom').length, 1);
    // terms in the reader's order
    assert.ok(an.indexOf('>technique<') < an.indexOf('>qer<') && an.indexOf('>qer<') < an.indexOf('>residual<'));
    assert.ok(an.includes('<li>steering @ ancestor left out: uncalibrated on olmo2: FPR 1.00 &gt; 0.10</li>'));
    assert.ok(!an.includes("model &#39;excluded&#39;"), 'the excluded row is not a model column');

    assert.equal(rowsWith(sectionOf(html, 'paired'), 'logit-lens', 'posthoc-sdf', '0.35 [0.35, 0.35]').length, 1);

    const matrix = sectionOf(html, 'matrix');
    assert.equal(count(matrix, '<tr>'), 1 + 5, 'header + one row per organism');
    const a = rowsWith(matrix, 'mo-a', 'cake-bake', 'integrated-dpo', 'olmo2', '0.6 \u00b1 0.05', '0.1', '0.8');
    assert.equal(a.length, 1);
    assert.ok(a[0].includes('<span class="det">0.6 [0.55, 0.65] &#10003;</span>'), 'detected score in bold with a check');
    assert.equal(rowsWith(matrix, 'mo-s', 'gold').length, 1);
    assert.ok(rowsWith(matrix, 'mo-s', 'gold')[0].includes('<span class="bad">skipped</span>'));
    assert.ok(matrix.includes('<span class="bad">failed</span>'), 'the failed steering cell');
    for (const k of ['logit-lens@ancestor', 'logit-lens@sibling', 'steering@ancestor']) assert.ok(matrix.includes(`<th>${k}</th>`));

    const failures = sectionOf(html, 'failures');
    assert.equal(count(failures, '<tr>'), 1 + 2);
    assert.equal(rowsWith(failures, 'mo-s', '(organism)', 'skipped').length, 1);
    assert.ok(failures.includes('QER 0.01 outside the band'));
  });

  it('header has the run info; cells are counted from the rows when run.json gives none', () => {
    const header = html.slice(0, html.indexOf('<nav>'));
    for (const s of ['tiny', '0.1.0', 'wasm', '<dd>7</dd>', 'abc1234', '2025-01-02T03:04:05Z', '12.3 s']) assert.ok(header.includes(s), s);
    // 5 organism cells + 4 organisms x 2 lens bases + 4 steering cells = 17; C's steering failed, S skipped
    assert.ok(header.includes('17 total: 15 ok, 1 failed, 1 skipped (counted from results.csv)'));
    const given = renderReport({ ...input(), run: { ...fixtureRun(), cells: { total: 20, ok: 17, failed: 2, skipped: 1 } } });
    assert.ok(given.includes('20 total: 17 ok, 2 failed, 1 skipped</dd>'));
  });

  it('escapes data everywhere: ids and error texts never appear raw', () => {
    assert.ok(!html.includes('<script'), 'no raw <script');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!html.includes(EVIL_ID));
    assert.ok(html.includes('boom &amp;&quot;&#39;&lt;&gt;'));
    assert.ok(!html.includes(EVIL_ERROR));
    // the hostile id is an organism in the plots too (tooltips), escaped there as well
    assert.ok(svgsOf(html, 'qer-scatter')[0].includes('&lt;script&gt;alert(1)&lt;/script&gt; (integrated-dpo'));
    // hostile technique and diffing-base names reach svg text and attributes
    const rows = fixtureRows().map((r) => (r.technique === 'posthoc-sdf' ? { ...r, technique: `sdf"><b x='1'>` } : r));
    const evil = renderReport({ rows, stats: fixtureStats(), run: { ...fixtureRun(), suite: '<i>s</i>' } });
    assert.ok(!evil.includes('<b x') && !evil.includes('<i>s'));
    assert.ok(evil.includes('sdf&quot;&gt;&lt;b x=&#39;1&#39;&gt;'));
  });

  it('is deterministic: the same input gives the same bytes, whatever the row order', () => {
    assert.equal(renderReport(input()), html);
    assert.equal(renderReport({ ...input(), rows: fixtureRows().reverse() }), html);
  });

  it('is well-formed enough: balanced svg, g and text tags; no NaN in any attribute; self-contained', () => {
    assert.equal(count(html, '<svg'), count(html, '</svg>'));
    for (const tag of ['g', 'text', 'section', 'table', 'figure', 'tr']) {
      assert.equal(count(html, new RegExp(`<${tag}[ >]`, 'g')), count(html, `</${tag}>`), `<${tag}> balanced`);
    }
    const attrs = [...html.matchAll(/\s([\w:-]+)="([^"]*)"/g)];
    assert.ok(attrs.length > 500);
    for (const [, name, value] of attrs) {
      assert.ok(!/NaN|Infinity|undefined/.test(value), `attribute ${name}="${value}"`);
      assert.ok(!value.includes('<') && !value.includes('>'), `attribute ${name} escaped`);
    }
    assert.ok(!html.includes('NaN'));
    assert.ok(!/<script|<link|<img|@import|src=|href="http/i.test(html), 'nothing external, no script');
    assert.ok(html.startsWith('<!DOCTYPE html>') && html.trimEnd().endsWith('</html>'));
  });

  it('caps the per-layer plots at MAX_LAYER_PLOTS, headline metric first, and says how many were left out', () => {
    const extra = fixtureRows()
      .filter((r) => r.organism_id === 'mo-a' && r.metric === 'relevant_mass' && r.diffing_base === 'ancestor')
      .flatMap((r) => Array.from({ length: 10 }, (_, i) => ({ ...r, metric: `m${i}` })));
    const capped = renderReport({ ...input(), rows: [...fixtureRows(), ...extra] });
    const curves = svgsOf(capped, 'layer-curve');
    assert.equal(curves.length, MAX_LAYER_PLOTS);
    assert.ok(curves[0].includes('logit-lens relevant_mass (diff) @ ancestor') && curves[1].includes('logit-lens relevant_mass (diff) @ sibling'));
    assert.ok(curves[2].includes('logit-lens m0 (diff) @ ancestor'));
    assert.ok(capped.includes(`Showing ${MAX_LAYER_PLOTS} of 12 per-layer metric groups`));
  });

  it('renders an empty run without plots', () => {
    const empty = renderReport({ rows: [], stats: { summary: [], nullControls: [], anova: [], paired: [] }, run: fixtureRun() });
    assert.equal(count(empty, '<svg'), 0);
    assert.ok(empty.includes('no summary statistics') && empty.includes('every cell ran'));
  });

  it('the organisms section: one row per organism, band checks only where run.json gives the bands, hostile ids escaped', () => {
    const organisms = sectionOf(html, 'organisms');
    assert.equal(count(organisms, '<tr>'), 1 + 5, 'header + one row per organism');
    assert.match(organisms, /run\.json has no behaviours, so no bands/);
    assert.ok(!organisms.includes(EVIL_ID), 'the hostile behaviour id is escaped');
    // with cake-bake's band 0.24-0.36: mo-a (QER 0.6) is out, mo-b (0.4) is out; with 0.3-0.7 both are in
    const band = (low: number, high: number) => renderReport({ ...input(), run: { ...fixtureRun(), behaviours: { 'cake-bake': { family: 'cake', pipeline: 'synthetic', band: { low, high, target: (low + high) / 2 } } } } });
    assert.match(sectionOf(band(0.24, 0.36), 'organisms'), /0 of 2 behaviour organisms are valid \(integrated-dpo 0\/1, posthoc-sdf 0\/1\): 0 have a test QER inside their band/);
    const inside = sectionOf(band(0.3, 0.7), 'organisms');
    assert.match(inside, /: 2 have a test QER inside their band/);
    assert.equal(rowsWith(inside, 'cake-bake', 'posthoc-sdf', '0.3-0.7', 'yes').length, 1);
  });
});

describe('cellCounts', () => {
  it('counts organism and probe cells by status', () => {
    assert.deepEqual(cellCounts(fixtureRows()), { total: 17, ok: 15, failed: 1, skipped: 1 });
  });
});
