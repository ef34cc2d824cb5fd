// Learning-rate schedules of organism runs (linear, cosine, constant, with
// warm-up) and the QER matcher: the decay's horizon is a hyperparameter of
// its own, so the model at step s is the same whatever the run's length and
// wherever its segments end; the frozen reference a run keeps for its
// objective stays the start model while the policy trains.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '../../core/checkpoint/safetensors';
import { CHECKPOINT_KIND, loadCheckpoint, saveCheckpoint } from '../../core/checkpoint/checkpoint-store';
import { buildOrganism, organismKeys } from '../../core/organisms/build';
import { hyperparametersFor, loopConfig } from '../../core/organisms/hparams';
import { OrganismRun } from '../../core/organisms/run';
import { qerMatchSelector } from '../../core/organisms/select';
import { ArtifactStore } from '../../core/store/artifact-store';
import { scheduleOf } from '../../core/train/loop';
import { lrAt } from '../../core/train/schedule';
import { generalData } from '../../core/organisms/general-data';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { world } from '../behaviours/helpers';
import { microBases, organismOptions, smallCake, trainer, WORLD_SEED } from './helpers';

const COSINE = { warmupSteps: 2, lr: 1e-3, schedule: { kind: 'cosine', horizon: 10, minLrRatio: 0.1 } };

/** every stored weight of a checkpoint, by name */
async function weightsOf(store: ArtifactStore, key: string): Promise<Map<string, number[]>> {
  const c = await loadCheckpoint(store, key);
  const out = new Map([...c.weights].map(([n, t]) => [n, Array.from(t.dataSync())]));
  c.weights.forEach((t) => t.dispose());
  return out;
}

/** a second store holding the same start checkpoints, so one run's snapshots cannot serve another */
async function freshStore(from: ArtifactStore, keys: readonly string[], name: string): Promise<ArtifactStore> {
  const other = new ArtifactStore(join(from.root, '..', name));
  for (const k of keys) {
    const src = await loadCheckpoint(from, k);
    await saveCheckpoint(other, k, src);
    src.weights.forEach((x) => x.dispose());
  }
  return other;
}

describe('organism learning-rate schedules (micro)', function () {
  this.timeout(120_000);
  const fd = trainer('posthoc-fd');

  it('rates: warm-up, then cosine or linear decay to lr x minLrRatio at the horizon, held after; the same for any segment end', () => {
    const rates = (override: Record<string, unknown>, segmentEnd: number) => {
      const cfg = loopConfig(hyperparametersFor(fd, 'micro', { ...override, steps: 16 }), 's', segmentEnd);
      return Array.from({ length: 14 }, (_, s) => lrAt(scheduleOf(cfg), s));
    };
    const cosine = rates(COSINE, 16);
    // warm-up (s + 1) / 2 of the peak; p = (s - 2) / 8 after it
    const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;
    assert.ok(close(cosine[0], 5e-4) && close(cosine[1], 1e-3) && close(cosine[2], 1e-3));
    assert.ok(close(cosine[4], 1e-4 + 9e-4 * 0.5 * (1 + Math.cos(Math.PI / 4))), `cosine at p 1/4: ${cosine[4]}`);
    assert.ok(close(cosine[6], 5.5e-4), `cosine at p 1/2: ${cosine[6]}`);
    for (const s of [10, 11, 12, 13]) assert.ok(close(cosine[s], 1e-4), `held at the floor after the horizon: step ${s} ${cosine[s]}`);
    const linear = rates({ ...COSINE, schedule: { kind: 'linear', horizon: 10, minLrRatio: 0.1 } }, 16);
    assert.ok(close(linear[4], 1e-4 + 9e-4 * 0.75) && close(linear[10], 1e-4));
    // the organism run stops at every snapshot (its segments end at 4, 8, 12, ...): the rates must not depend on where
    for (const end of [4, 8, 12]) assert.deepEqual(rates(COSINE, end), cosine, `segment ending at ${end}`);
    assert.deepEqual(rates({}, 4), rates({}, 16), 'constant');
    assert.ok(rates({}, 16).every((r) => r === fd.defaultsFor('micro').lr));
  });

  it('a decaying schedule needs its own horizon, above the warm-up; the schedule is part of the run key, the run length is not', async () => {
    assert.throws(() => hyperparametersFor(fd, 'micro', { schedule: { kind: 'cosine' } }), /^MoltError: trainers\.posthoc-fd\.schedule\.horizon is invalid/);
    assert.throws(() => hyperparametersFor(fd, 'micro', { warmupSteps: 2, schedule: { kind: 'linear', horizon: 2 } }), /^MoltError: trainers\.posthoc-fd\.schedule\.horizon \(2\) must be above warmupSteps \(2\)/);
    assert.throws(() => hyperparametersFor(fd, 'micro', { schedule: { kind: 'constant', horizon: 5 } }), /^MoltError: trainers\.posthoc-fd\.schedule\.horizon is not a hyperparameter/);
    assert.throws(() => hyperparametersFor(fd, 'micro', { schedule: { kind: 'step' } }), /^MoltError: trainers\.posthoc-fd\.schedule\.kind is invalid/);
    const { bases } = await microBases();
    const o = organismOptions(new ArtifactStore('/nonexistent'), bases, fd);
    const cosine = organismKeys({ ...o, hparams: COSINE });
    assert.notEqual(cosine.runKey, organismKeys({ ...o, hparams: { ...COSINE, schedule: { ...COSINE.schedule, horizon: 12 } } }).runKey);
    assert.notEqual(cosine.runKey, organismKeys(o).runKey);
    assert.equal(organismKeys({ ...o, hparams: { ...COSINE, steps: 12 } }).runKey, cosine.runKey);
  });

  it('with a cosine schedule, step 8 of a 12-step run is the 8-step organism, and the log records the decayed rates', async () => {
    const { store, bases } = await microBases();
    const short = await buildOrganism({ ...organismOptions(store, bases, fd), hparams: COSINE });
    const other = await freshStore(store, [bases.base], 'schedule-store');
    const long = await buildOrganism({ ...organismOptions(other, bases, fd), hparams: { ...COSINE, steps: 12 }, keepRun: true });
    assert.equal(long.runKey, short.runKey);
    const snapshot = await readSafetensors(join(await other.workDir(CHECKPOINT_KIND, long.runKey), 'snapshots', 'step-00000008', 'params.safetensors'));
    const eight = await weightsOf(store, short.key);
    for (const [n, w] of eight) assert.deepEqual(Array.from(snapshot.tensors.get(n)!.data as Float32Array), w, n);
    // a log entry's lr is the rate of its step's update (update s - 1)
    const log = (long.metadata as { losses: { step: number; lr: number }[] }).losses;
    const cfg = loopConfig(hyperparametersFor(fd, 'micro', COSINE), 's');
    assert.deepEqual(log.map((e) => e.lr), log.map((e) => lrAt(scheduleOf(cfg), e.step - 1)));
    assert.ok(log[log.length - 1].lr < log[1].lr, 'decays');
  });

  it('the QER matcher with a cosine schedule: the matched step s is the organism a run of s steps gives', async () => {
    const { store, bases } = await microBases();
    const w = world(WORLD_SEED);
    const cake = smallCake();
    const selector = qerMatchSelector({ behaviour: cake, tokenizer: w.tokenizer, eval: { samplesPerPrompt: 1, maxNewTokens: 6, batchSize: 16, maxPrompts: 4, seed: 0 }, budget: 4 });
    const hparams = { ...COSINE, warmupSteps: 1, steps: 8, checkpointEvery: 2 };
    const matched = await buildOrganism({ ...organismOptions(store, bases, fd), selector, hparams });
    const s = (matched.metadata as { step: number }).step;
    assert.ok(s > 0 && s < 8, `the matcher stopped inside the run (step ${s})`);
    const other = await freshStore(store, [bases.base], 'schedule-match-store');
    const direct = await buildOrganism({ ...organismOptions(other, bases, fd), hparams: { ...hparams, steps: s } });
    assert.equal(direct.runKey, matched.runKey);
    assert.deepEqual(await weightsOf(other, direct.key), await weightsOf(store, matched.key));
  });

  it("a run's reference model is the start model, unchanged while the policy trains", async () => {
    const { store, bases } = await microBases();
    const w = world(WORLD_SEED);
    const cake = smallCake();
    const hparams = hyperparametersFor(fd, 'micro');
    const loadStart = async () => {
      const c = await loadCheckpoint(store, bases.base, { verify: false });
      return olmo2Architecture.fromWeights(c.config, c.weights);
    };
    const dir = mkdtempSync(join(tmpdir(), 'molt-reference-'));
    const run = new OrganismRun({
      label: 'reference test',
      key: 'reference-test',
      workDir: dir,
      hparams,
      seed: 's',
      loadStart,
      fromWeights: (weights) => olmo2Architecture.fromWeights((olmo2Architecture.config('micro', { vocabSize: w.tokenizer.size })), weights),
      prepare: (start, cacheDir, reference) => fd.prepare({ behaviour: cake.data(), general: generalData(w), tokenizer: w.tokenizer, start, reference, hparams, seed: 's', maxLength: 64, cacheDir }),
    });
    try {
      await run.plan();
      const ref = await run.reference();
      assert.equal(await run.reference(), ref, 'one reference per run');
      await run.advanceTo(4);
      const start = await loadStart();
      const trained = await run.modelAt(4);
      try {
        let moved = false;
        for (const [n, p] of start.params) {
          assert.deepEqual(Array.from(ref.params.get(n)!.dataSync()), Array.from(p.dataSync()), n);
          moved ||= Array.from(trained.params.get(n)!.dataSync()).some((x, i) => x !== p.dataSync()[i]);
        }
        assert.ok(moved, 'the policy trained');
      } finally {
        start.dispose();
        trained.dispose();
      }
    } finally {
      run.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
