import { strict as assert } from 'node:assert';
import { tf } from '../../core/engine/tf';
import { initBackend } from '../../core/engine/backend';
import { hookName } from '../../core/model/types';
import { lensLogits } from '../../core/probes/lens';
import { layersAtFractions } from '../../core/probes/activations';
import { fractionForArchitecture, fractionsByArchitecture } from '../../core/probes/by-architecture';
import { resolveProbeSettings } from '../../core/probes/settings';
import { logitLensProbe } from '../../plugins/probes/logit-lens';
import { ARCHS, maxAbsDiff } from '../model/helpers';
import { context, copyModel, FAMILY_S, handle, microModel, organismHandle, shiftedCopy } from './helpers';

describe('logit lens', () => {
  before(async () => {
    await initBackend('wasm');
  });

  for (const arch of ARCHS) {
    it(`${arch.id}: the lens of the last resid_post equals the model's logits (norm statistics from the vector itself)`, () => {
      const model = microModel(arch, 3);
      const ids = tf.tensor2d([[2, 4, 9, 12, 30, 5, 17]], [1, 7], 'int32');
      const last = hookName(model.numLayers - 1, 'hook_resid_post');
      const res = model.forward(ids, { capture: [last] });
      const h = res.captured.get(last)!;
      const lens = lensLogits(model, h.dataSync() as Float32Array, 7);
      const logits = res.logits.dataSync();
      assert.ok(maxAbsDiff(lens, logits) < 1e-4, `max diff ${maxAbsDiff(lens, logits)}`);
      // a layer's lens must NOT reuse another scale: doubling h leaves the lens unchanged (RMS norm of h itself)
      const doubled = lensLogits(model, (h.dataSync() as Float32Array).map((x) => 2 * x), 7);
      assert.ok(maxAbsDiff(doubled, logits) < 1e-3);
      tf.dispose([ids, res.logits, h]);
      model.dispose();
    });
  }

  it('layers at 50%, ~96%, 100% of depth', () => {
    assert.deepEqual(layersAtFractions(4, [0.5, 0.96, 1]), [1, 2, 3]);
    assert.deepEqual(layersAtFractions(16, [0.5, 0.96, 1]), [7, 14, 15]);
    assert.deepEqual(layersAtFractions(2, [0.5, 0.96, 1]), [0, 1]);
    assert.throws(() => layersAtFractions(4, [0]), /fraction/);
  });

  for (const arch of ARCHS) {
    it(`${arch.id}: ADL on a model shifted toward S ranks S first and clears the cross-family floor; graded as another family it does not`, async function () {
      this.timeout(20000);
      const base = microModel(arch, 5);
      const mo = shiftedCopy(arch, base, FAMILY_S.alpha, 40);
      // the paper's ADL headline (the default headline is organism_only: checked below)
      const settings = resolveProbeSettings(logitLensProbe, 'micro', { topK: 10, headlineVariant: 'diff' });
      const r = await logitLensProbe.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), context(settings));
      const diffTop = r.findings.find((f) => f.kind === 'tokens' && f.label === `diff layer ${base.numLayers - 1}`);
      assert.ok(diffTop && diffTop.kind === 'tokens');
      assert.deepEqual(new Set(diffTop.tokens.slice(0, 3).map((t) => t.token)), new Set(FAMILY_S.alpha), JSON.stringify(diffTop.tokens.slice(0, 5)));
      assert.ok(r.headline.detected && r.headline.score > r.headline.floor, JSON.stringify(r.headline));
      // the headline layer is the one the settings name (by default this architecture's entry), not the best of the layers lensed
      const named = settings as { headlineLayerByArchitecture: string[]; headlineLayerFraction: number };
      assert.equal(r.headline.layer, layersAtFractions(base.numLayers, [fractionForArchitecture(arch.id, named.headlineLayerByArchitecture, named.headlineLayerFraction, 'x')])[0]);
      // with no per-architecture entry, headlineLayerFraction names it for every architecture
      const byArch = (entries: string[], fraction = 1) => resolveProbeSettings(logitLensProbe, 'micro', { topK: 10, headlineVariant: 'diff', headlineLayerByArchitecture: entries, headlineLayerFraction: fraction });
      const last = await logitLensProbe.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), context(byArch([])));
      assert.equal(last.headline.layer, base.numLayers - 1);
      const atHalf = await logitLensProbe.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), context(byArch([], 0.5)));
      assert.equal(atHalf.headline.layer, layersAtFractions(base.numLayers, [0.5])[0]);
      assert.notEqual(atHalf.headline.layer, last.headline.layer);
      // a per-architecture entry moves this architecture's headline; another architecture's entry does not
      const own = await logitLensProbe.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), context(byArch([`${arch.id}=0.5`, 'elsewhere=1'])));
      assert.equal(own.headline.layer, atHalf.headline.layer);
      assert.equal(own.headline.score, atHalf.headline.score);
      const other = await logitLensProbe.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), context(byArch(['elsewhere=0.5'])));
      assert.equal(other.headline.layer, last.headline.layer);
      // the headline's variant is the one the settings name: diff here, organism_only by default
      const mass = (x: typeof r, variant: string) => x.metrics.find((m) => m.metric === 'relevant_mass' && m.layer === x.headline.layer && m.variant === variant)!.value;
      assert.equal(r.headline.score, mass(r, 'diff'));
      const plain = await logitLensProbe.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), context(resolveProbeSettings(logitLensProbe, 'micro', { topK: 10 })));
      assert.equal(plain.headline.score, mass(plain, 'organism_only'));
      assert.notEqual(plain.headline.score, mass(plain, 'diff'));
      assert.ok(plain.headline.detected, JSON.stringify(plain.headline));
      const snr = r.metrics.find((m) => m.metric === 'snr' && m.layer === r.headline.layer && m.variant === 'diff')!;
      assert.ok(snr.value > 1);
      const hit1 = r.metrics.find((m) => m.metric === 'hit@1' && m.layer === r.headline.layer && m.variant === 'diff')!;
      assert.equal(hit1.value, 1);
      assert.equal(r.metrics.find((m) => m.metric === 'best_rank' && m.layer === r.headline.layer && m.variant === 'diff')!.value, 1);
      // the same organism judged as 'beta': alpha's mass is now in the floor
      const asBeta = await logitLensProbe.run(organismHandle(arch, mo, 'beta'), handle(arch, base, 'base'), context(settings));
      assert.equal(asBeta.headline.detected, false, JSON.stringify(asBeta.headline));
      // an identical copy has zero difference: not detected
      const twin = copyModel(arch, base);
      const same = await logitLensProbe.run(organismHandle(arch, twin, 'alpha'), handle(arch, base, 'base'), context(settings));
      assert.equal(same.headline.detected, false, JSON.stringify(same.headline));
      assert.ok(r.timings.total >= 0 && r.timings.activations >= 0);
      [base, mo, twin].forEach((m) => m.dispose());
    });
  }

  it("'architecture=fraction' entries (headlineLayerByArchitecture): a malformed or repeated one named in a one-line error; the defaults", () => {
    assert.deepEqual([...fractionsByArchitecture(['olmo2=0.75', ' gemma3 = 0.5 '], 's')], [['olmo2', 0.75], ['gemma3', 0.5]]);
    assert.equal(fractionForArchitecture('gemma3', ['gemma3=0.5'], 1, 's'), 0.5);
    assert.equal(fractionForArchitecture('other', ['gemma3=0.5'], 1, 's'), 1);
    for (const bad of [['olmo2'], ['olmo2=0'], ['olmo2=1.5'], ['=0.5'], ['olmo2=half'], ['olmo2=0.5', 'olmo2=1']]) {
      assert.throws(() => fractionsByArchitecture(bad, 'headlineLayerByArchitecture'), (e: Error) => /headlineLayerByArchitecture/.test(e.message) && !e.message.includes('\n'), bad.join(','));
    }
    // a malformed entry fails when the settings are resolved, naming the setting
    assert.throws(() => resolveProbeSettings(logitLensProbe, 'micro', { headlineLayerByArchitecture: 'olmo2=2' }), /setting 'headlineLayerByArchitecture' is not valid \(\["olmo2=2"\]\) \(element 0\): must be 'architecture=fraction'/);
    assert.throws(() => resolveProbeSettings(logitLensProbe, 'micro', { headlineLayerByArchitecture: 'olmo2=0.5,olmo2=1' }), /setting 'headlineLayerByArchitecture' is not valid \(\["olmo2=0.5","olmo2=1"\]\): names an architecture twice/);
    // the lens's defaults: 75% on olmo2, 50% on gemma3, the last block elsewhere (4 layers: resid_post 2, 1 and 3)
    const d = logitLensProbe.defaults('default') as { headlineLayerFraction: number; headlineLayerByArchitecture: string[] };
    const layerOf = (a: string) => layersAtFractions(4, [fractionForArchitecture(a, d.headlineLayerByArchitecture, d.headlineLayerFraction, 's')])[0];
    assert.deepEqual(['olmo2', 'gemma3', 'other'].map(layerOf), [2, 1, 3]);
  });

  it('a null organism is graded against every family and names the family in the headline', async function () {
    this.timeout(20000);
    const arch = ARCHS[0];
    const base = microModel(arch, 5);
    const mo = shiftedCopy(arch, base, FAMILY_S.gamma, 40);
    const settings = resolveProbeSettings(logitLensProbe, 'micro', { topK: 10 });
    const org = organismHandle(arch, mo, 'null');
    org.manifest = { ...org.manifest, relevantTokens: Object.values(FAMILY_S).flat() };
    const r = await logitLensProbe.run(org, handle(arch, base, 'base'), context(settings));
    assert.equal(r.headline.metric, 'relevant_mass[gamma]');
    assert.ok(r.headline.detected);
    // each family's own pick is kept: gamma's is the headline, the others do not clear their floors
    const fams = r.familyHeadlines!;
    assert.deepEqual(Object.keys(fams), Object.keys(FAMILY_S).sort());
    assert.deepEqual(fams.gamma, r.headline);
    for (const [f, h] of Object.entries(fams)) if (f !== 'gamma') assert.equal(h.detected, false, f);
    [base, mo].forEach((m) => m.dispose());
  });
});
