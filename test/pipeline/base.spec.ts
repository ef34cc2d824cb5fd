import { strict as assert } from 'assert';
import { mkdtempSync, rmSync, existsSync, readFileSync, renameSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { backendInfo, initBackend } from '../../core/engine/backend';
import { ArtifactStore } from '../../core/store/artifact-store';
import { loadCheckpoint } from '../../core/checkpoint/checkpoint-store';
import { builtInWorld } from '../helpers/world';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { gemma3Architecture } from '../../plugins/architectures/gemma3';
import { buildBase, loadStage, sftExamples, type BaseEvent, type BaseBuildOptions } from '../../core/pipeline/base';
import { baseConfigFor, baseConfigWith } from '../../core/pipeline/config';
import { worldBaseData } from '../../core/pipeline/world-data';
import { measureCompetence, wilson } from '../../core/pipeline/competence';

describe('pipeline/base (micro)', () => {
  let root: string;
  const data = worldBaseData(builtInWorld(1, { size: 'micro' }));

  before(async () => {
    await initBackend('wasm');
    root = mkdtempSync(path.join(tmpdir(), 'molt-base-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const opts = (storeDir: string, events: BaseEvent[] = []): BaseBuildOptions => ({
    arch: olmo2Architecture,
    size: 'micro',
    seed: 3,
    store: new ArtifactStore(path.join(root, storeDir)),
    data,
    onProgress: (e) => events.push(e),
  });

  it('trains all four stages, then reuses them without retraining', async () => {
    const events: BaseEvent[] = [];
    const first = await buildBase(opts('a', events));
    for (const s of ['pretrain', 'ancestor', 'base', 'sibling'] as const) {
      const r = first[s];
      assert.equal(r.trained, true, `${s} trained`);
      assert.ok(existsSync(path.join(r.path, 'model.safetensors')));
      const meta = JSON.parse(readFileSync(path.join(r.path, 'molt.json'), 'utf8'));
      assert.equal(meta.stage, s);
      assert.equal(meta.backend, backendInfo().id);
      assert.equal(meta.config_hash, r.key);
      assert.ok(Array.isArray(meta.losses) && meta.losses.length > 0 && Number.isFinite(meta.final_loss));
      assert.ok(meta.timings.train_s > 0);
    }
    // lineage: each stage's key depends on its parent's
    assert.equal(first.ancestor.metadata.parent, first.pretrain.key);
    assert.equal(first.base.metadata.parent, first.ancestor.key);
    assert.equal(first.sibling.metadata.parent, first.ancestor.key);
    assert.notEqual(first.base.key, first.sibling.key);
    const base = first.base.metadata as { dpo: { loss_type: string; final: Record<string, number> } };
    assert.equal(base.dpo.loss_type, 'dpo_norm');
    assert.ok('rewards/accuracies' in base.dpo.final);
    assert.equal(events.filter((e) => e.type === 'reference').length, 2, 'reference log-probs once per DPO stage');
    assert.ok(events.some((e) => e.type === 'progress'));

    const again: BaseEvent[] = [];
    const t0 = Date.now();
    const second = await buildBase(opts('a', again));
    assert.ok(Date.now() - t0 < 2000, 'cached stages load quickly');
    for (const s of ['pretrain', 'ancestor', 'base', 'sibling'] as const) {
      assert.equal(second[s].trained, false, `${s} reused`);
      assert.equal(second[s].key, first[s].key);
    }
    assert.deepEqual(again.map((e) => e.type), ['cached', 'cached', 'cached', 'cached']);

    // the sibling is another DPO run: its weights differ from the base's
    const store = new ArtifactStore(path.join(root, 'a'));
    const b = await loadCheckpoint(store, first.base.key);
    const s = await loadCheckpoint(store, first.sibling.key);
    const a = await loadCheckpoint(store, first.ancestor.key);
    const name = 'model.layers.0.mlp.up_proj.weight';
    const diff = (x: Float32Array, y: Float32Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
    const bw = b.weights.get(name)!.dataSync() as Float32Array;
    assert.ok(diff(bw, s.weights.get(name)!.dataSync() as Float32Array) > 0, 'sibling differs from base');
    assert.ok(diff(bw, a.weights.get(name)!.dataSync() as Float32Array) > 0, 'base moved away from the ancestor');
    for (const c of [a, b, s]) c.weights.forEach((t) => t.dispose());
  });

  it('a stored stage without its manifest is refused by path before anything trains', async () => {
    const first = await buildBase(opts('a'));
    const manifest = path.join(first.ancestor.path, 'manifest.json');
    renameSync(manifest, `${manifest}.aside`);
    try {
      const events: BaseEvent[] = [];
      await assert.rejects(buildBase(opts('a', events)), (e: Error) => e.message === `store: ${first.ancestor.path} exists but is not a complete artifact (no manifest.json); remove it`);
      assert.deepEqual(events.map((e) => e.type), ['cached'], 'pretrain reused, nothing trained');
    } finally {
      renameSync(`${manifest}.aside`, manifest);
    }
  });

  it('logging and state-saving intervals do not change the keys', async () => {
    const config = baseConfigFor('micro');
    config.pretrain.logEvery = 1;
    config.dpo.checkpointEvery = 1;
    const first = await buildBase(opts('a'));
    const same = await buildBase({ ...opts('a'), config });
    for (const s of ['pretrain', 'ancestor', 'base', 'sibling'] as const) assert.equal(same[s].key, first[s].key);
  });

  it('a changed config changes the keys downstream only', async () => {
    const config = baseConfigFor('micro');
    config.sft.steps += 1;
    const first = await buildBase(opts('a'));
    const changed = await buildBase({ ...opts('a'), config });
    assert.equal(changed.pretrain.key, first.pretrain.key);
    assert.equal(changed.pretrain.trained, false);
    assert.notEqual(changed.ancestor.key, first.ancestor.key);
    assert.notEqual(changed.base.key, first.base.key);
    assert.equal(changed.base.trained, true);
  });

  it('an interrupted stage resumes and ends where an uninterrupted build ends', async () => {
    const straight = await buildBase(opts('a'));
    let crashed = false;
    const o = opts('crash');
    await assert.rejects(
      buildBase({
        ...o,
        onProgress: (e) => {
          if (e.type === 'progress' && e.stage === 'base' && e.progress.step === 4 && !crashed) {
            crashed = true;
            throw new Error('simulated crash');
          }
        },
      }),
      /simulated crash/,
    );
    const resumed = await buildBase(o);
    assert.equal(resumed.pretrain.trained, false);
    assert.equal(resumed.base.trained, true);
    assert.equal(resumed.base.metadata.resumed_from, 2);
    assert.equal(resumed.base.key, straight.base.key);
    const x = await loadCheckpoint(o.store, resumed.base.key);
    const y = await loadCheckpoint(new ArtifactStore(path.join(root, 'a')), straight.base.key);
    for (const [k, t] of x.weights) assert.deepEqual(Array.from(t.dataSync()), Array.from(y.weights.get(k)!.dataSync()), k);
    [x, y].forEach((c) => c.weights.forEach((t) => t.dispose()));
  });

  it('gemma3 runs the same pipeline', async () => {
    // given a world instead of tokenized data
    const r = await buildBase({ ...opts('g'), data: undefined, world: builtInWorld(1, { size: 'micro' }), arch: gemma3Architecture });
    assert.equal(r.sibling.trained, true);
    assert.equal(r.base.metadata.arch, 'gemma3');
  });

  it('competence report on a micro checkpoint has every check', async () => {
    const o = opts('a');
    const built = await buildBase(o);
    const model = await loadStage(o.store, olmo2Architecture, built.base.key);
    const reference = await loadStage(o.store, olmo2Architecture, built.ancestor.key);
    const rep = measureCompetence(model, data, { reference, maxFacts: 8, maxChats: 8, maxPairs: 8, maxDocs: 8 });
    assert.ok(rep.heldOutLoss.value > 0 && rep.heldOutLoss.tokens > 0);
    assert.equal(rep.factAccuracy.n, 8);
    assert.equal(rep.onTopic.n, 8);
    assert.equal(rep.dpo!.n, 8);
    assert.ok(rep.dpo!['rewards/accuracies'] >= 0 && rep.dpo!['rewards/accuracies'] <= 1);
    model.dispose();
    reference.dispose();
  });

  it('SFT examples: every chat plus replayRatio x as many document rows of replayLength tokens, seeded', () => {
    // two chats; documents of 5 + 4 tokens packed into rows of 3: [1,2,3] [4,5,6] [7,8,9]
    const chats = [
      { ids: [2, 4, 7, 5, 9, 3], lossMask: [0, 0, 0, 0, 1, 1] },
      { ids: [2, 4, 8, 5, 10, 3], lossMask: [0, 0, 0, 0, 1, 1] },
    ];
    const src = { chat: () => chats, pretrainDocs: () => [[1, 2, 3, 4, 5], [6, 7, 8, 9]] };
    assert.deepEqual(sftExamples(src, { replayRatio: 0, replayLength: 3 }, 's'), chats);
    const mixed = sftExamples(src, { replayRatio: 1, replayLength: 3 }, 's');
    assert.equal(mixed.length, 4);
    assert.deepEqual(mixed.slice(0, 2), chats);
    const rows = mixed.slice(2);
    for (const r of rows) {
      assert.equal(r.ids.length, 3);
      assert.deepEqual(r.lossMask, [1, 1, 1]);
      assert.ok([[1, 2, 3], [4, 5, 6], [7, 8, 9]].some((x) => x.join() === r.ids.join()), r.ids.join());
    }
    assert.notEqual(rows[0].ids.join(), rows[1].ids.join());
    assert.deepEqual(sftExamples(src, { replayRatio: 1, replayLength: 3 }, 's'), mixed);
    assert.equal(sftExamples(src, { replayRatio: 1.5, replayLength: 3 }, 's').length, 5);
  });

  it('replay settings are overridable and validated', () => {
    const c = baseConfigWith('default', { sft: { replayRatio: 0, replayLength: 16 } });
    assert.equal(c.sft.replayRatio, 0);
    assert.equal(c.sft.replayLength, 16);
    assert.equal(c.sft.steps, baseConfigFor('default').sft.steps);
    assert.throws(() => baseConfigWith('default', { sft: { replayRatio: -1 } }), /base\.sft\.replayRatio/);
  });

  it('wilson interval known answer', () => {
    // 8 of 10 at z = 1.96: centre (0.8 + 0.19208) / 1.38416, half 0.24227 / 1.38416
    const r = wilson(8, 10);
    assert.ok(Math.abs(r.low - 0.4902) < 1e-3 && Math.abs(r.high - 0.9433) < 1e-3, `${r.low} ${r.high}`);
  });
});
