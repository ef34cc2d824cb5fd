// Organism building on micro: validation before training, unknown ids, the
// store cache, Ctrl-C resume giving the same weights, hyperparameter
// overrides, the 1:1 mix, and QER matching wired to the run's snapshots.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MoltError } from '../../core/errors';
import { Runtime } from '../../core/container';
import { loadCheckpoint, saveCheckpoint, CHECKPOINT_KIND } from '../../core/checkpoint/checkpoint-store';
import { buildOrganism, organismKeys } from '../../core/organisms/build';
import { hyperparametersFor, loopConfig } from '../../core/organisms/hparams';
import { mixExamples } from '../../core/organisms/mix';
import { qerMatchSelector, type StepSelector } from '../../core/organisms/select';
import { ArtifactStore } from '../../core/store/artifact-store';
import type { BehaviourData, BehaviourDataset } from '../../core/plugins/types';
import { world } from '../behaviours/helpers';
import { readConfigFile } from '../../core/settings';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { microBases, organismOptions, smallCake, trainer, WORLD_SEED } from './helpers';

const PLUGINS = join(__dirname, '..', '..', 'plugins', 'index.ts');

function withData(b: BehaviourDataset, change: (d: BehaviourData) => BehaviourData): BehaviourDataset {
  return Object.assign(Object.create(Object.getPrototypeOf(b)), b, { data: () => change(b.data()) });
}

describe('organisms/build (micro)', function () {
  this.timeout(120_000);

  it('mixes general examples at the ratio: 1:1, none, the whole pool, cycling a small pool', () => {
    const b = ['b1', 'b2', 'b3', 'b4'];
    const g = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'];
    const one = mixExamples(b, g, 1, 's');
    assert.deepEqual([one.behaviour, one.general, one.cycled], [4, 4, false]);
    assert.deepEqual(one.examples.slice(0, 4), b);
    assert.equal(new Set(one.examples.slice(4)).size, 4, 'drawn without replacement');
    assert.ok(one.examples.slice(4).every((x) => g.includes(x)));
    assert.deepEqual(mixExamples(b, g, 0, 's').examples, b);
    assert.deepEqual(mixExamples(b, g, null, 's').examples.slice(4).sort(), [...g].sort());
    const two = mixExamples(b, g.slice(0, 3), 2, 's');
    assert.deepEqual([two.general, two.cycled], [8, true]);
    assert.deepEqual(mixExamples(b, g, 1, 's').examples, one.examples, 'deterministic by seed');
    // repeat upweights the behaviour; the general draw is the same
    const rep = mixExamples(b, g, null, 's', 3);
    assert.deepEqual([rep.behaviour, rep.general], [3 * b.length, g.length]);
    assert.deepEqual(rep.examples.slice(0, 3 * b.length), [...b, ...b, ...b]);
    assert.deepEqual(rep.examples.slice(3 * b.length), mixExamples(b, g, null, 's').examples.slice(b.length));
    assert.throws(() => mixExamples(b, g, 1, 's', 0), /repeat must be a positive integer/);
  });

  it('hyperparameters: defaults per size, overrides validated field by field', () => {
    const t = trainer('posthoc-dpo');
    assert.equal(hyperparametersFor(t, 'default').steps, t.defaults.steps);
    assert.equal(hyperparametersFor(t, 'micro').steps, 8);
    const own = (o: unknown) => hyperparametersFor(t, 'default', o) as Record<string, any>;
    assert.equal(own({ beta: 0.1, lr: 1e-4 }).beta, 0.1);
    assert.throws(() => hyperparametersFor(t, 'default', { betta: 1 }), (e: Error) => e instanceof MoltError && /^trainers\.posthoc-dpo\.betta is not a hyperparameter of 'posthoc-dpo' \(its fields: .*beta.*lossType/.test(e.message));
    assert.throws(() => hyperparametersFor(t, 'default', { mixRatio: 1 }), /trainers\.posthoc-dpo\.mixRatio must be 0/);
    assert.throws(() => hyperparametersFor(trainer('posthoc-fd-mixed'), 'default', { mixRatio: 0 }), /mixRatio must not be 0/);
    assert.throws(() => hyperparametersFor(t, 'default', { lr: -1 }), /^MoltError: trainers\.posthoc-dpo\.lr is invalid/);
    assert.throws(() => hyperparametersFor(t, 'default', { lossType: 'ipo' }), /^MoltError: trainers\.posthoc-dpo\.lossType is invalid/);
    // RPO's NLL weight is a field of the DPO objective only; AdamW's epsilon reaches the loop's optimizer
    assert.equal(own({ rpoAlpha: 0.5 }).rpoAlpha, 0.5);
    assert.throws(() => hyperparametersFor(trainer('posthoc-fd'), 'default', { rpoAlpha: 1 }), /^MoltError: trainers\.posthoc-fd\.rpoAlpha is not a hyperparameter of 'posthoc-fd'/);
    assert.equal(loopConfig(hyperparametersFor(t, 'default', { adamEps: 1e-5 }), 's').optimizer.eps, 1e-5);
    assert.equal(loopConfig(hyperparametersFor(t, 'default'), 's').optimizer.eps, 1e-8);
    assert.throws(() => hyperparametersFor(t, 'default', { adamEps: 0 }), /trainers\.posthoc-dpo\.adamEps/);
    assert.equal(hyperparametersFor(t, 'default', { behaviourRepeat: 4 }).behaviourRepeat, 4);
    assert.throws(() => hyperparametersFor(t, 'default', { behaviourRepeat: 1.5 }), /trainers\.posthoc-dpo\.behaviourRepeat/);
    // fewer steps than the snapshot spacing: named by its config field, not by the matcher's grid
    assert.throws(() => hyperparametersFor(trainer('posthoc-fd'), 'micro', { steps: 1 }), /^MoltError: trainers\.posthoc-fd\.steps \(1\) must be at least checkpointEvery \(4\)/);
  });

  it("the config file's trainers: section reaches the hyperparameters, a typo names the field", () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-trainers-cfg-'));
    const good = join(dir, 'c.yaml');
    writeFileSync(good, 'trainers:\n  posthoc-dpo: { beta: 0.1, steps: 40 }\n');
    const s = readConfigFile(good);
    const h = hyperparametersFor(trainer('posthoc-dpo'), 'default', s.trainers?.['posthoc-dpo']) as Record<string, any>;
    assert.deepEqual([h.beta, h.steps, h.lr], [0.1, 40, trainer('posthoc-dpo').defaults.lr]);
    // the file's section is a mapping per technique; each technique checks its own fields when it is used
    const bad = join(dir, 'b.yaml');
    writeFileSync(bad, 'trainers:\n  posthoc-dpo: { betta: 0.1 }\n');
    assert.throws(() => hyperparametersFor(trainer('posthoc-dpo'), 'default', readConfigFile(bad).trainers?.['posthoc-dpo']), /^MoltError: trainers\.posthoc-dpo\.betta is not a hyperparameter/);
    const notMapping = join(dir, 'n.yaml');
    writeFileSync(notMapping, 'trainers:\n  posthoc-dpo: 3\n');
    assert.throws(() => readConfigFile(notMapping), /field 'trainers\.posthoc-dpo'/);
  });

  it('unknown behaviour or technique ids list the valid ones', async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    assert.throws(() => rt.plugin('trainer', 'posthoc-nope'), /unknown trainer 'posthoc-nope'; valid: integrated-dpo, posthoc-dpo, posthoc-dpo-mixed, posthoc-fd, posthoc-fd-mixed, posthoc-rpo, posthoc-sdf, posthoc-sdf-mixed/);
    assert.throws(() => rt.plugin('behaviour', 'cake'), /unknown behaviour 'cake'; valid: cake-bake, italian-food, /);
  });

  it('refuses a behaviour with empty or malformed data before any training', async () => {
    const { store, bases } = await microBases();
    const empty = withData(smallCake(), (d) => ({ ...d, pairs: [] }));
    let events = 0;
    await assert.rejects(
      buildOrganism({ ...organismOptions(store, bases, trainer('posthoc-dpo'), empty), onEvent: () => events++ }),
      (e: Error) => e instanceof MoltError && /behaviour 'cake-bake': field '(pairs|prompts\.train)' is empty/.test(e.message),
    );
    const bad = withData(smallCake(), (d) => ({ ...d, documents: d.documents.map((x, i) => (i === 0 ? { ...x, text: 'zzqx unheard words' } : x)) }));
    await assert.rejects(buildOrganism({ ...organismOptions(store, bases, trainer('posthoc-sdf'), bad), onEvent: () => events++ }), /field 'data\.documents\[0\]\.text' has words not in the world's lexicon/);
    assert.equal(events, 0, 'nothing started');
  });

  it('a second build is served from the store; an interrupted build resumes to the same weights', async () => {
    const { store, bases } = await microBases();
    const t = trainer('posthoc-fd');
    const first = await buildOrganism(organismOptions(store, bases, t));
    const t0 = Date.now();
    const events: string[] = [];
    const again = await buildOrganism({ ...organismOptions(store, bases, t), onEvent: (e) => events.push(e.type) });
    assert.equal(again.trained, false);
    assert.equal(again.key, first.key);
    assert.deepEqual(events, ['cached']);
    assert.ok(Date.now() - t0 < 2000);

    // the same organism in a fresh store, stopped twice by "Ctrl-C", then resumed
    const other = new ArtifactStore(join(store.root, '..', 'resume-store'));
    for (const v of Object.values(bases)) {
      const src = await loadCheckpoint(store, v);
      await saveCheckpoint(other, v, src);
      src.weights.forEach((x) => x.dispose());
    }
    let steps = 0;
    const stopAt = (n: number) => () => ++steps === n;
    await assert.rejects(buildOrganism({ ...organismOptions(other, bases, t), shouldStop: stopAt(3) }), /interrupted: organism training stopped at step 3/);
    steps = 0;
    await assert.rejects(buildOrganism({ ...organismOptions(other, bases, t), shouldStop: stopAt(3) }), /stopped at step 7 \(segment 4\.\.8\)/);
    const resumed = await buildOrganism(organismOptions(other, bases, t));
    assert.equal(resumed.key, first.key);
    const a = await loadCheckpoint(store, first.key);
    const b = await loadCheckpoint(other, resumed.key);
    for (const [n, x] of a.weights) assert.deepEqual(Array.from(b.weights.get(n)!.dataSync()), Array.from(x.dataSync()), n);
    [a, b].forEach((c) => c.weights.forEach((x) => x.dispose()));
    // the run's work directory (snapshots, loop state) is gone once the organism is written
    const work = join(other.root, CHECKPOINT_KIND, '.work');
    assert.ok(!existsSync(work) || !readdirSync(work).includes(resumed.runKey));
  });

  it('keys: the run key ignores max steps and snapshot spacing; the organism key does not; hyperparameters change both', async () => {
    const { bases } = await microBases();
    const o = organismOptions(new ArtifactStore('/nonexistent'), bases, trainer('posthoc-dpo'));
    const k0 = organismKeys(o);
    const longer = organismKeys({ ...o, hparams: { steps: 16 } });
    assert.equal(longer.runKey, k0.runKey);
    assert.notEqual(longer.key, k0.key);
    const lr = organismKeys({ ...o, hparams: { lr: 1e-3 } });
    assert.notEqual(lr.runKey, k0.runKey);
    const seed = organismKeys({ ...o, seed: 1 });
    assert.notEqual(seed.runKey, k0.runKey);
    const ancestor = organismKeys({ ...o, trainer: trainer('integrated-dpo') });
    assert.equal(ancestor.start, bases.ancestor);
    // the matched step depends on the validation prompts: other prompts, another organism from the same run
    const w = world(WORLD_SEED);
    const evalSettings = { samplesPerPrompt: 1, maxNewTokens: 6, batchSize: 16, seed: 0 };
    const cake = smallCake();
    const fewer: typeof cake = Object.create(cake, { prompts: { value: () => ({ ...cake.prompts(), val: cake.prompts().val.slice(1) }) } });
    const matched = organismKeys({ ...o, behaviour: cake, selector: qerMatchSelector({ behaviour: cake, tokenizer: w.tokenizer, eval: evalSettings }) });
    const otherPrompts = organismKeys({ ...o, behaviour: cake, selector: qerMatchSelector({ behaviour: fewer, tokenizer: w.tokenizer, eval: evalSettings }) });
    assert.equal(otherPrompts.runKey, matched.runKey);
    assert.notEqual(otherPrompts.key, matched.key);
  });

  it('qer-match selects a grid step on the validation split and records the matcher result', async () => {
    const { store, bases } = await microBases();
    const w = world(WORLD_SEED);
    const cake = smallCake();
    const selector = qerMatchSelector({ behaviour: cake, tokenizer: w.tokenizer, eval: { samplesPerPrompt: 1, maxNewTokens: 6, batchSize: 16, maxPrompts: 4, seed: 0 }, budget: 4 });
    const r = await buildOrganism({ ...organismOptions(store, bases, trainer('posthoc-dpo')), selector, hparams: { steps: 8, checkpointEvery: 2 } });
    const m = r.metadata as Record<string, any>;
    assert.equal(m.selection.method, 'qer-match');
    assert.ok([2, 4, 6, 8].includes(m.step), `step ${m.step} on the grid`);
    assert.equal(typeof m.selection.matched, 'boolean');
    assert.ok(m.selection.match.history.length >= 1 && m.selection.match.history.length <= 4);
    assert.ok(m.selection.reason.length > 0);
    assert.equal(m.losses[m.losses.length - 1].step, m.step, 'loss curve up to the chosen step');
  });

  it('a band out of reach at the run\'s steps is chased by doubling the rate, at most lrDoublings times, and recorded', async () => {
    const { store, bases } = await microBases();
    // out of reach at the first rate, matched at the second: the ladder stops there
    const outOfReachOnce = (): StepSelector => {
      let calls = 0;
      return {
        identity: { method: 'test-ladder' },
        async select(run) {
          calls++;
          await run.advanceTo(run.maxSteps);
          return calls === 1
            ? { step: run.maxSteps, method: 'qer-match', matched: false, reason: 'never reaches band: max QER 0.010 at step 8' }
            : { step: run.maxSteps, method: 'qer-match', matched: true, reason: 'within 1 se' };
        },
      };
    };
    const o = { ...organismOptions(store, bases, trainer('posthoc-fd')), hparams: { steps: 4, checkpointEvery: 2, lr: 1e-3, lrDoublings: 2 } };
    const r = await buildOrganism({ ...o, selector: outOfReachOnce() });
    const m = r.metadata as Record<string, any>;
    assert.deepEqual(m.lr_ladder.map((e: { lr: number; matched: boolean }) => [e.lr, e.matched]), [[1e-3, false], [2e-3, true]]);
    assert.equal(m.hparams.lr, 2e-3, 'built at the doubled rate');
    assert.notEqual(m.lr_ladder[0].run_key, m.lr_ladder[1].run_key);
    assert.equal(m.run_key, m.lr_ladder[1].run_key);
    // no doubling allowed: the organism is the out-of-reach run, marked unmatched
    const none = await buildOrganism({ ...o, hparams: { ...o.hparams, lrDoublings: 0 }, selector: outOfReachOnce() });
    const n = none.metadata as Record<string, any>;
    assert.deepEqual(n.lr_ladder.map((e: { lr: number }) => e.lr), [1e-3]);
    assert.equal(n.selection.matched, false);
    // the retry rule is part of the organism, not of the run's weights
    const k2 = organismKeys({ ...o, selector: outOfReachOnce() });
    const k0 = organismKeys({ ...o, hparams: { ...o.hparams, lrDoublings: 0 }, selector: outOfReachOnce() });
    assert.equal(k2.runKey, k0.runKey);
    assert.notEqual(k2.key, k0.key);
  });
});
