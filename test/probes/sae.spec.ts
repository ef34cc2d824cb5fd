import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../core/engine/tf';
import { initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import { ArtifactStore } from '../../core/store/artifact-store';
import type { ChatExample, DataKind, DataKindMap, DataSource, Split } from '../../core/data/types';
import { activeCounts, ceRecovered, deadFraction, denseFraction, fractionVarianceExplained, meanCosine, meanL0, meanSquaredError } from '../../plugins/probes/sae/metrics';
import { obtainSae } from '../../plugins/probes/sae/pipeline';
import { scoreLatents } from '../../plugins/probes/sae/latents';
import { spliceLosses } from '../../plugins/probes/sae/splice';
import { trainSae, DEFAULT_SAE_TRAIN } from '../../plugins/probes/sae/train';
import { TopKSae } from '../../plugins/probes/sae/sae';
import { collectActivations, depthHook } from '../../core/probes/capture';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { saeProbe } from '../../plugins/probes/sae';
import { resolveProbeSettings } from '../../core/probes/settings';
import { context, handle, microModel, organismHandle, shiftedCopy, FAMILY_S, tok } from './helpers';

/** generic chats for every split (the SAE trains on train and is evaluated on val) */
function chatWorld(seed = 3): DataSource {
  const rng = new Rng(seed);
  const words = (lo: number, n: number) => Array.from({ length: n }, () => `w${lo + rng.int(10)}`).join(' ');
  const make = (split: string, n: number): ChatExample[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `${split}${i}`,
      topic: 'toy',
      messages: [
        { role: 'user' as const, content: words(0, 3 + rng.int(4)) },
        { role: 'assistant' as const, content: words(10, 8 + rng.int(16)) },
      ],
    }));
  const chats: Record<Split, ChatExample[]> = { train: make('train', 30), val: make('val', 16), test: [] };
  return {
    data<K extends DataKind>(kind: K, split: Split): DataKindMap[K][] {
      return (kind === 'chat' ? chats[split] : []) as DataKindMap[K][];
    },
  };
}

describe('sae metrics (known answers)', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('FVE: the mean predictor explains exactly 0, a perfect reconstruction 1, a hand case 0.5', () => {
    const x = new Float32Array([0, 0, 2, 2, 4, 1]);
    const mean = new Float32Array([2, 1, 2, 1, 2, 1]);
    assert.equal(fractionVarianceExplained(x, mean, 2), 0);
    assert.equal(fractionVarianceExplained(x, x, 2), 1);
    // x = [[0,0],[2,2]], xbar = [1,1]: total 4; xhat = [[0,0],[1,1]]: residual 2
    assert.equal(fractionVarianceExplained(new Float32Array([0, 0, 2, 2]), new Float32Array([0, 0, 1, 1]), 2), 0.5);
  });

  it('MSE and cosine', () => {
    // residuals |(0,0)|^2 = 0 and |(1,1)|^2 = 2 -> mean 1
    assert.equal(meanSquaredError(new Float32Array([0, 0, 2, 2]), new Float32Array([0, 0, 1, 1]), 2), 1);
    // cos((1,0),(0,1)) = 0, cos((1,0),(2,0)) = 1 -> 0.5
    assert.equal(meanCosine(new Float32Array([1, 0, 1, 0]), new Float32Array([0, 1, 2, 0]), 2), 0.5);
  });

  it('L0, dead and dense fractions on a hand-made latent matrix', () => {
    // 10 tokens x 4 latents: latent 0 on 5 tokens, 1 on exactly 10% (not dense), 2 never, 3 on 2
    const z = new Float32Array(40);
    for (const t of [0, 1, 2, 3, 4]) z[t * 4 + 0] = 1;
    z[5 * 4 + 1] = 0.5;
    for (const t of [6, 7]) z[t * 4 + 3] = 2;
    const counts = activeCounts(z, 4);
    assert.deepEqual([...counts], [5, 1, 0, 2]);
    assert.equal(meanL0(z, 4), 0.8);
    assert.equal(deadFraction(counts), 0.25);
    assert.equal(denseFraction(counts, 10), 0.5);
  });

  it('CE recovered: 1 when CE_sae = CE_clean, 0 when CE_sae = CE_zero', () => {
    assert.equal(ceRecovered(2, 2, 5), 1);
    assert.equal(ceRecovered(2, 5, 5), 0);
    assert.equal(ceRecovered(2, 3.5, 5), 0.5);
  });

  it('L0 of TopK is exactly k when enough pre-activations are positive', () => {
    const d = 4;
    const m = 12;
    const rng = new Rng(5);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const sae = new TopKSae({ dIn: d, dSae: m, k: 3 }, { wEnc: rand(m * d), bEnc: new Float32Array(m).fill(100), wDec: rand(m * d), bDec: new Float32Array(d), scale: 1 });
    const z = sae.encode(tf.tensor2d(rand(20 * d), [20, d]));
    const zs = z.dataSync();
    for (let t = 0; t < 20; t++) assert.equal(Array.from(zs.slice(t * m, (t + 1) * m)).filter((v) => v > 0).length, 3);
    assert.equal(meanL0(zs, m), 3);
    z.dispose();
    sae.dispose();
  });

  it('latent score = (mean MO - mean base) * log(1/density); never-active latents score 0', () => {
    // 2 latents; MO tokens: latent 0 = 2, 2; base: 0, 0; latent 1 never active
    const zMo = new Float32Array([2, 0, 2, 0]);
    const zBase = new Float32Array([0, 0, 0, 0]);
    const s = scoreLatents(zMo, zBase, 2);
    assert.equal(s[0].latent, 0);
    assert.ok(Math.abs(s[0].score - 2 * Math.log(2)) < 1e-12); // density 2/4
    assert.equal(s[1].score, 0);
  });

  it("organism_only ranking = mean on MO * log(1/density on the MO's tokens), the base ignored", () => {
    // 3 latents, 4 MO tokens, 4 base tokens
    // latent 0: MO 1,1,1,1 (density 1 -> 0); base 0 -> diff ranks it first
    // latent 1: MO 4,0,0,0 (mean 1, density 1/4 -> log 4); base 4,4,4,4 -> diff negative
    // latent 2: MO 2,2,0,0 (mean 1, density 1/2 -> log 2); base 0
    const zMo = new Float32Array([1, 4, 2, 1, 0, 2, 1, 0, 0, 1, 0, 0]);
    const zBase = new Float32Array([0, 4, 0, 0, 4, 0, 0, 4, 0, 0, 4, 0]);
    const own = scoreLatents(zMo, zBase, 3, 'organism_only');
    assert.deepEqual(own.map((r) => r.latent), [1, 2, 0]);
    assert.ok(Math.abs(own[0].score - Math.log(4)) < 1e-12);
    assert.ok(Math.abs(own[1].score - Math.log(2)) < 1e-12);
    assert.equal(own[2].score, 0);
    assert.equal(own[0].densityMo, 0.25);
    // the same latents under 'diff': density over all 8 tokens
    const diff = scoreLatents(zMo, zBase, 3, 'diff');
    assert.deepEqual(diff.map((r) => r.latent), [2, 0, 1]);
    assert.ok(Math.abs(diff[0].score - Math.log(4)) < 1e-12); // (1 - 0) * log(8/2)
    assert.ok(Math.abs(diff[1].score - Math.log(2)) < 1e-12); // (1 - 0) * log(8/4)
    assert.ok(Math.abs(diff[2].score - (1 - 4) * Math.log(8 / 5)) < 1e-12);
  });
});

describe('sae training, splicing and cache (micro)', function () {
  this.timeout(60000);
  before(async () => {
    await initBackend('wasm');
  });

  it('CE recovered is 1 when xhat = x and 0 when xhat = 0 (splice via per-position interventions)', () => {
    const model = microModel(olmo2Architecture, 1);
    const rng = new Rng(2);
    const seqs = Array.from({ length: 3 }, () => [2, ...Array.from({ length: 9 }, () => 7 + rng.int(30))]);
    const hook = depthHook(model.numLayers, 0.5).hook;
    const same = spliceLosses(model, seqs, hook, (x) => x);
    assert.ok(Math.abs(same.ceSae - same.ceClean) < 1e-4, `${same.ceSae} vs ${same.ceClean}`);
    assert.ok(Math.abs(ceRecovered(same.ceClean, same.ceSae, same.ceZero) - 1) < 1e-3);
    const zero = spliceLosses(model, seqs, hook, (x) => new Float32Array(x.length));
    assert.ok(Math.abs(zero.ceSae - zero.ceZero) < 1e-4);
    assert.ok(Math.abs(ceRecovered(zero.ceClean, zero.ceSae, zero.ceZero)) < 1e-3);
    assert.equal(same.tokens, 27);
    model.dispose();
  });

  it('training lowers the reconstruction loss', () => {
    // activations on a 3-dim subspace of R^8
    const rng = new Rng(4);
    const basis = Array.from({ length: 3 }, () => Array.from({ length: 8 }, () => rng.normal()));
    const n = 400;
    const x = new Float32Array(n * 8);
    for (let t = 0; t < n; t++) {
      const c = [rng.normal(), rng.normal(), rng.normal()];
      for (let i = 0; i < 8; i++) x[t * 8 + i] = 3 + c[0] * basis[0][i] + c[1] * basis[1][i] + c[2] * basis[2][i];
    }
    const r = trainSae(x, 8, { ...DEFAULT_SAE_TRAIN, expansion: 4, k: 4, steps: 150, batchSize: 64, warmupSteps: 10 }, 1);
    const first = r.log[0].nmse;
    const last = r.log[r.log.length - 1].nmse;
    assert.ok(last < first * 0.5, `nmse ${first} -> ${last}`);
    const xhat = r.sae.reconstruct(tf.tensor2d(x, [n, 8]));
    assert.ok(fractionVarianceExplained(x, xhat.dataSync(), 8) > 0.5);
    xhat.dispose();
    r.sae.dispose();
  });

  it('the store returns the same SAE for the same models and settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-sae-'));
    try {
      const store = new ArtifactStore(dir);
      const model = microModel(olmo2Architecture, 1);
      const args = {
        arch: 'olmo2',
        models: [{ id: 'm1', model }],
        tokenizer: tok,
        source: chatWorld(),
        store,
        settings: { depth: 0.5, trainSequences: 10, train: { ...DEFAULT_SAE_TRAIN, expansion: 2, k: 4, steps: 20, batchSize: 32, warmupSteps: 2 } },
        seed: 1,
      };
      const a = await obtainSae(args);
      const b = await obtainSae(args);
      assert.equal(a.cached, false);
      assert.equal(b.cached, true);
      assert.equal(a.key, b.key);
      assert.deepEqual(b.sae.exportWeights(), a.sae.exportWeights());
      const c = await obtainSae({ ...args, models: [{ id: 'm2', model }] });
      assert.notEqual(c.key, a.key);
      [a, b, c].forEach((s) => s.sae.dispose());
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('collects activations of real tokens only, <bos> left out', () => {
    const model = microModel(olmo2Architecture, 1);
    const acts = collectActivations(model, [[2, 8, 9], [2, 10, 11, 12, 13]], depthHook(model.numLayers, 0.5).hook, { batchSize: 2 });
    assert.equal(acts.n, 2 + 4);
    assert.deepEqual([...acts.tokens], [8, 9, 10, 11, 12, 13]);
    assert.deepEqual([...acts.seq], [0, 0, 1, 1, 1, 1]);
    model.dispose();
  });

  it('the sae probe runs on micro models and reports SAE quality and graded latents', async () => {
    const base = microModel(olmo2Architecture, 1);
    const mo = shiftedCopy(olmo2Architecture, base, FAMILY_S.alpha, 4);
    const settings = resolveProbeSettings(saeProbe, 'micro');
    const r = await saeProbe.run(organismHandle(olmo2Architecture, mo, 'alpha'), handle(olmo2Architecture, base, 'base'), context(settings, chatWorld()));
    for (const metric of ['l0', 'fve', 'mse', 'cosine', 'dead_fraction', 'dense_fraction', 'ce_recovered', 'relevant_fraction', 'floor']) {
      assert.ok(r.metrics.some((m) => m.metric === metric && Number.isFinite(m.value)), metric);
    }
    const l0 = r.metrics.find((m) => m.metric === 'l0')!;
    assert.ok(l0.value <= Number(settings.k) + 1e-9);
    // each ranking's top latents, each described by its decoder and its top-activating tokens
    assert.equal(r.findings.length, 2 * 2 * Number(settings.topLatents));
    assert.ok(r.headline.score >= 0 && r.headline.score <= 1);
    // both rankings are reported; the headline is diff's (the paper's) unless headlineRanking says otherwise
    const fraction = (variant: string) => r.metrics.find((m) => m.metric === 'relevant_fraction' && m.variant === variant)!;
    assert.match(r.notes.join(' '), /headline: diff/);
    assert.equal(r.headline.score, fraction('diff').value);
    assert.ok(Number.isFinite(fraction('organism_only').value));
    const own = await saeProbe.run(organismHandle(olmo2Architecture, mo, 'alpha'), handle(olmo2Architecture, base, 'base'), context(resolveProbeSettings(saeProbe, 'micro', { headlineRanking: 'organism_only' }), chatWorld()));
    assert.match(own.notes.join(' '), /headline: organism_only/);
    assert.equal(own.headline.score, fraction('organism_only').value);
    assert.throws(() => resolveProbeSettings(saeProbe, 'micro', { headlineRanking: 'base_only' }), /headlineRanking/);
    // the SAE's layer: by default olmo2's is the last block's output (micro: 2 layers, resid_post 1) ...
    assert.equal(r.headline.layer, base.numLayers - 1);
    assert.match(r.notes.join(' '), /100% depth/);
    // ... and without a per-architecture entry it is `depth`'s
    const plain = await saeProbe.run(organismHandle(olmo2Architecture, mo, 'alpha'), handle(olmo2Architecture, base, 'base'), context(resolveProbeSettings(saeProbe, 'micro', { depthByArchitecture: [] }), chatWorld()));
    assert.equal(plain.headline.layer, depthHook(base.numLayers, 0.5).layer - 1);
    assert.match(plain.notes.join(' '), /50% depth/);
    const d = saeProbe.defaults('default') as { depth: number; depthByArchitecture: string[] };
    assert.deepEqual(d.depthByArchitecture, ['olmo2=1']);
    assert.throws(() => resolveProbeSettings(saeProbe, 'micro', { depthByArchitecture: 'olmo2' }), /setting 'depthByArchitecture' is not valid/);
    assert.equal(d.depth, 0.5);
    mo.dispose();
    base.dispose();
  });
});
