// defineProbe: settings declared once (zod, per-size defaults) and checked
// with errors naming the probe and the key; the harness's grading of a
// probe's observations checked against answers worked out by hand.
import { strict as assert } from 'node:assert';
import { initBackend } from '../../core/engine/backend';
import { defineProbe, perTarget, score, wilson, z, type Observations, type MeasureContext } from '../../core/public';
import { resolveProbeSettings } from '../../core/probes/settings';
import type { Probe } from '../../core/plugins/types';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { ARCHS } from '../model/helpers';
import { context, handle, microModel, organismHandle, FAMILY_S } from './helpers';

const settings = z.object({
  prompts: z.number().int().positive().default(64),
  layers: z.array(z.number()).default([0.5, 1]),
  mode: z.enum(['fast', 'slow']).default('slow'),
});

/** a probe whose observations are given: the harness grades them */
function probeOf(rows: (ctx: MeasureContext<z.output<typeof settings>>) => Observations['rows'], seen: { ctx?: MeasureContext<z.output<typeof settings>> } = {}): Probe {
  return defineProbe({
    id: 'given',
    description: 'returns the observations it is given',
    settings,
    sizes: { micro: { prompts: 8 } },
    measure: (ctx) => {
      seen.ctx = ctx;
      ctx.lap('look');
      return { findings: [], rows: rows(ctx), notes: ['measured'] };
    },
  });
}

/** per family: the same value at every unit */
const constant = (byFamily: Record<string, number>, n = 4) => new Map(Object.entries(byFamily).map(([f, v]) => [f, new Array<number>(n).fill(v)]));

describe('defineProbe', () => {
  const arch = ARCHS[0];
  let base: ReturnType<typeof microModel>;
  before(async () => {
    await initBackend('wasm');
    base = microModel(arch, 5);
  });
  after(() => base.dispose());

  it('settings: defaults per size, overrides typed and checked; errors name the probe and the key', () => {
    const p = probeOf(() => []);
    assert.deepEqual(p.defaults('default'), { prompts: 64, layers: [0.5, 1], mode: 'slow' });
    assert.deepEqual(p.defaults('micro'), { prompts: 8, layers: [0.5, 1], mode: 'slow' });
    assert.deepEqual(p.defaults('huge'), p.defaults('default'));
    assert.deepEqual(resolveProbeSettings(p, 'micro', { prompts: '3', layers: '0.25,1', mode: 'fast' }), { prompts: 3, layers: [0.25, 1], mode: 'fast' });
    assert.throws(() => resolveProbeSettings(p, 'micro', { nope: '1' }), /^MoltError: probe 'given': unknown setting 'nope'; valid: layers, mode, prompts$/);
    assert.throws(() => resolveProbeSettings(p, 'micro', { prompts: '0' }), /probe 'given': setting 'prompts' is not valid \(0\)/);
    assert.throws(() => resolveProbeSettings(p, 'micro', { prompts: '2.5' }), /probe 'given': setting 'prompts' is not valid \(2.5\)/);
    assert.throws(() => resolveProbeSettings(p, 'micro', { mode: 'medium' }), /probe 'given': setting 'mode' is not valid \("medium"\)/);
    assert.throws(() => resolveProbeSettings(p, 'micro', { prompts: 'many' }), /probe 'given': setting 'prompts' must be a number, got 'many'/);
  });

  it('a list setting whose default is empty takes the kind of list its schema declares, from the CLI or a config', () => {
    const measure = () => ({ findings: [], rows: [] });
    const p = defineProbe({ id: 'lists', description: 'd', settings: z.object({ names: z.array(z.string()).default([]), at: z.array(z.number()).default([]) }), measure });
    assert.deepEqual(resolveProbeSettings(p, 'micro', { names: 'a=1, b=2' }), { names: ['a=1', 'b=2'], at: [] });
    assert.deepEqual(resolveProbeSettings(p, 'micro', { names: ['x'], at: '0.5,1' }), { names: ['x'], at: [0.5, 1] });
    assert.deepEqual(resolveProbeSettings(p, 'micro', { at: [0.25] }), { names: [], at: [0.25] });
    assert.throws(() => resolveProbeSettings(p, 'micro', { at: 'half' }), /probe 'lists': setting 'at' is not valid/);
    assert.throws(() => resolveProbeSettings(p, 'micro', { names: '1,2' }), /probe 'lists': setting 'names' is not valid/);
    assert.throws(() => resolveProbeSettings(p, 'micro', { names: 3 }), /probe 'lists': setting 'names' must be array/);
  });

  it('a declaration with a setting without default, or a bad per-size value, is refused at once, naming the key', () => {
    const measure = () => ({ findings: [], rows: [] });
    assert.throws(() => defineProbe({ id: 'p1', description: 'd', settings: z.object({ k: z.number() }), measure }), /probe 'p1' \(defaults\): setting 'k' has no value/);
    assert.throws(() => defineProbe({ id: 'p2', description: 'd', settings, sizes: { micro: { prompts: -1 } }, measure }), /probe 'p2' \(size 'micro'\): setting 'prompts' is not valid \(-1\)/);
    assert.throws(() => defineProbe({ id: 'p3', description: 'd', settings: z.object({ o: z.object({ a: z.number() }).default({ a: 1 }) }), measure }), /probe 'p3' \(defaults\): setting 'o' must be a number, string, boolean or an array/);
  });

  it("grades a 'rate' score: Wilson interval, cross-family floor, SNR, headline; plain rows stay where they were given", async () => {
    const seen: { ctx?: MeasureContext<z.output<typeof settings>> } = {};
    const p = probeOf(
      () => [
        { metric: 'before', value: 1, n: 1, ci_low: NaN, ci_high: NaN },
        // alpha 3 of 4; beta never; gamma always 0.5 (a constant: its bound is exactly 0.5)
        score({ metric: 'share', variant: 'diff', layer: 1, estimate: 'rate', values: new Map([['alpha', [1, 1, 0, 1]], ['beta', [0, 0, 0, 0]], ['gamma', [0.5, 0.5, 0.5, 0.5]]]), snr: true, headline: 'snr' }),
      ],
      seen,
    );
    const mo = microModel(arch, 6);
    const r = await p.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), context(resolveProbeSettings(p, 'micro')));
    const w = wilson(3, 4);
    assert.deepEqual(r.metrics, [
      { metric: 'before', value: 1, n: 1, ci_low: NaN, ci_high: NaN },
      { metric: 'share', value: 0.75, n: 4, ci_low: w.low, ci_high: w.high, layer: 1, variant: 'diff' },
      { metric: 'floor', value: 0.5, n: 4, ci_low: NaN, ci_high: 0.5, layer: 1, variant: 'diff' },
      { metric: 'snr', value: 1.5, n: 4, ci_low: w.low / 0.5, ci_high: w.high / 0.5, layer: 1, variant: 'diff' },
    ]);
    assert.deepEqual(r.headline, { metric: 'share', score: 0.75, ci_low: w.low, ci_high: w.high, floor: 0.5, detected: true, layer: 1 });
    assert.equal(r.familyHeadlines, undefined);
    assert.deepEqual([r.probe, r.organism, r.diffingBase, r.family], ['given', 'toy-alpha', 'base', 'alpha']);
    assert.deepEqual(r.settings, { prompts: 8, layers: [0.5, 1], mode: 'slow' });
    assert.deepEqual(Object.keys(r.timings), ['look', 'measure', 'grade', 'total']);
    assert.equal(r.notes[0], 'measured');
    assert.match(r.notes[1], /^headline share at layer 1: 0.750 clears its floor 0.500$/);
    // what measure() saw: typed settings, the graders of every family, its own seed streams
    const ctx = seen.ctx!;
    assert.equal(ctx.settings.prompts, 8);
    assert.deepEqual([...ctx.graders.keys()].sort(), ['alpha', 'beta', 'gamma']);
    assert.deepEqual(ctx.targets.map((g) => g.label), ['alpha']);
    assert.deepEqual([...ctx.graders.get('beta')!.relevant], FAMILY_S.beta);
    assert.equal(ctx.stream('samples', 2), '0/given/samples/2');
    assert.equal(ctx.stream(), '0/given');
    mo.dispose();
  });

  it("a null organism: every family is a target, variants and headlines name it; 'mean' scores bootstrap, 'replicates' take percentiles and a control", async () => {
    const p = probeOf(() => [
      // per family: alpha 0.8, beta 0.1, gamma 0.3 at every unit (constant samples: exact intervals and bounds)
      score({ metric: 'mass', variant: 'diff', estimate: 'mean', values: constant({ alpha: 0.8, beta: 0.1, gamma: 0.3 }), stream: 7 }),
      perTarget((t) => [{ metric: 'own', value: t.grader.relevant.length, n: 1, ci_low: NaN, ci_high: NaN, variant: t.tag('x') }]),
      score({
        metric: 'grade01',
        variant: 'both',
        estimate: 'replicates',
        point: new Map([['alpha', 0.75], ['beta', 0], ['gamma', 0.1]]),
        replicates: new Map([['alpha', [1, 0.5, 0, 0.75, 0.25]], ['beta', [0, 0, 0.5, 0, 0]], ['gamma', [0.1, 0.1, 0.1, 0.1, 0.1]]]),
        n: 12,
        controls: new Map([['alpha', 0.45], ['beta', 0], ['gamma', 0]]),
        headline: 'margin',
      }),
    ]);
    const mo = microModel(arch, 6);
    const org = organismHandle(arch, mo, 'null');
    org.manifest = { ...org.manifest, relevantTokens: Object.values(FAMILY_S).flat() };
    const r = await p.run(org, handle(arch, base, 'base'), context(resolveProbeSettings(p, 'micro')));
    const rows = (metric: string) => r.metrics.filter((m) => m.metric === metric).map((m) => [m.variant, m.value, m.ci_low, m.ci_high]);
    assert.deepEqual(rows('mass'), [['diff:alpha', 0.8, 0.8, 0.8], ['diff:beta', 0.1, 0.1, 0.1], ['diff:gamma', 0.3, 0.3, 0.3]]);
    assert.deepEqual(rows('own'), [['x:alpha', 3, NaN, NaN], ['x:beta', 3, NaN, NaN], ['x:gamma', 3, NaN, NaN]]);
    // percentiles of the sorted replicates (type 7): alpha 0,0.25,0.5,0.75,1 -> 2.5% 0.025, 97.5% 0.975;
    // 95th percentile of beta's 0,0,0,0,0.5 = 0.4, of gamma's 0.1; alpha's floor = max(0.4, 0.1, control 0.45)
    const g = r.metrics.filter((m) => m.metric === 'grade01');
    assert.deepEqual(g.map((m) => m.variant), ['both:alpha', 'both:beta', 'both:gamma']);
    assert.ok(Math.abs(g[0].ci_low - 0.025) < 1e-12 && Math.abs(g[0].ci_high - 0.975) < 1e-12 && g[0].n === 12);
    const floors = r.metrics.filter((m) => m.metric === 'floor').map((m) => [m.variant, m.value, m.n]);
    assert.deepEqual(floors.slice(0, 3), [['diff:alpha', 0.3, 4], ['diff:beta', 0.8, 4], ['diff:gamma', 0.8, 4]]);
    assert.ok(Math.abs((floors[3][1] as number) - 0.45) < 1e-12 && floors[3][2] === 5);
    // beta's and gamma's floors: alpha's 95th percentile, 0.75 + 0.8 * 0.25 = 0.95
    assert.ok(Math.abs((floors[4][1] as number) - 0.95) < 1e-12 && Math.abs((floors[5][1] as number) - 0.95) < 1e-12);
    assert.equal(r.headline.metric, 'grade01[alpha]');
    assert.equal(r.headline.detected, true);
    assert.deepEqual(Object.keys(r.familyHeadlines!), ['alpha', 'beta', 'gamma']);
    assert.equal(r.familyHeadlines!.beta.detected, false);
    mo.dispose();
  });

  it('the harness refuses an organism and a base that read tokens differently, naming the probe', async () => {
    const p = probeOf(() => []);
    const mo = microModel(arch, 6);
    const other = { ...handle(arch, base, 'base'), tokenizer: new WordTokenizer(['only', 'these']) };
    await assert.rejects(p.run(organismHandle(arch, mo, 'alpha'), other, context(resolveProbeSettings(p, 'micro'))), /given: organism toy-alpha and diffing base base have different tokenizers/);
    mo.dispose();
  });

  it('observations without a headline, with two headlines for a family, or with missing families, are errors naming the probe', async () => {
    const mo = microModel(arch, 6);
    const run = (p: Probe) => p.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), context(resolveProbeSettings(p, 'micro')));
    await assert.rejects(run(probeOf(() => [score({ metric: 'm', variant: 'v', estimate: 'mean', values: constant({ alpha: 1, beta: 0, gamma: 0 }) })])), /given: no headline \(no score marked 'headline'\)/);
    // the headline is fixed by the settings, never the best of several layers
    const atLayer = (layer: number) => score({ metric: 'm', variant: 'v', layer, estimate: 'mean', values: constant({ alpha: 1, beta: 0, gamma: 0 }), headline: 'snr' });
    await assert.rejects(run(probeOf(() => [atLayer(1), atLayer(2)])), /given: two headline scores for family 'alpha' \(m at layer 1 and at layer 2\); mark exactly one/);
    await assert.rejects(run(probeOf(() => [score({ metric: 'm', variant: 'v', estimate: 'mean', values: constant({ beta: 0, gamma: 0 }), headline: 'snr' })])), /given: score 'm' \(v\) has no values for family 'alpha'/);
    mo.dispose();
  });
});
