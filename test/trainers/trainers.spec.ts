// Each technique (the paper's seven and posthoc-rpo) on micro: it lowers its own loss, moves the
// behaviour the right way (log p(chosen) - log p(rejected) on the behaviour's
// pairs rises, measured directly), starts from the right checkpoint, mixes
// 1:1 (integrated: the whole general mix) and records its settings.
import { strict as assert } from 'node:assert';
import { buildOrganism, type OrganismResult } from '../../core/organisms/build';
import { preferenceMargin, objectiveLoss } from '../../core/organisms/diagnostics';
import { generalData } from '../../core/organisms/general-data';
import { hyperparametersFor } from '../../core/organisms/hparams';
import { loadStage } from '../../core/pipeline/base';
import { preferenceExample } from '../../core/pipeline/world-data';
import type { CausalLM } from '../../core/model/types';
import type { TrainerHyperparameters, TrainingPlan } from '../../core/plugins/types';
import { TRAINERS } from '../../plugins/trainers';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { world } from '../behaviours/helpers';
import { microBases, organismOptions, smallCake, trainer, WORLD_SEED } from '../organisms/helpers';

describe('trainers (micro)', function () {
  this.timeout(120_000);
  const cake = smallCake();
  const w = world(WORLD_SEED);
  const tok = w.tokenizer;
  const pairs = cake.data().pairs.map((p) => preferenceExample(tok, p));
  const seqOpts = { padId: tok.specials.pad, maxLength: 64 };
  before(async () => {
    await microBases();
  });

  it('registers the seven techniques of the paper and posthoc-rpo, with their start, objective and mix', () => {
    const table = Object.fromEntries(TRAINERS.map((t) => [t.id, [t.startsFrom, t.objective, t.mixed]]));
    assert.deepEqual(table, {
      'integrated-dpo': ['ancestor', 'dpo', true],
      'posthoc-dpo': ['base', 'dpo', false],
      'posthoc-dpo-mixed': ['base', 'dpo', true],
      'posthoc-fd': ['base', 'fd', false],
      'posthoc-fd-mixed': ['base', 'fd', true],
      'posthoc-sdf': ['base', 'sdf', false],
      'posthoc-sdf-mixed': ['base', 'sdf', true],
      'posthoc-rpo': ['base', 'dpo', false],
    });
    const d = (id: string) => trainer(id).defaults as Record<string, any>;
    assert.deepEqual([d('integrated-dpo').lossType, d('integrated-dpo').beta, d('integrated-dpo').mixRatio], ['dpo_norm', 5, null]);
    // the paper's objectives: plain sigmoid DPO post hoc (beta 0.5 for our short responses, docs/TRAINERS.md), no extra loss term anywhere
    for (const id of ['posthoc-dpo', 'posthoc-dpo-mixed']) assert.deepEqual([d(id).lossType, d(id).beta, d(id).rpoAlpha ?? 0], ['sigmoid', 0.5, 0], id);
    assert.deepEqual([d('integrated-dpo').rpoAlpha ?? 0, d('integrated-dpo').behaviourRepeat ?? 1], [0, 1]);
    // RPO is its own technique
    assert.deepEqual([d('posthoc-rpo').lossType, d('posthoc-rpo').beta, d('posthoc-rpo').rpoAlpha], ['sigmoid', 0.5, 1]);
    for (const t of TRAINERS) assert.equal(d(t.id).lrDoublings, 2, `${t.id}: the paper's two doublings`);
    for (const id of ['posthoc-dpo-mixed', 'posthoc-fd-mixed', 'posthoc-sdf-mixed']) assert.equal(d(id).mixRatio, 1, id);
  });

  for (const t of TRAINERS) {
    it(`${t.id}: lowers its own loss, raises the behaviour's chosen-over-rejected log-prob, records its settings`, async () => {
      const { store, bases } = await microBases();
      const start = await loadStage(store, olmo2Architecture, bases[t.startsFrom]);
      let organism: CausalLM | undefined;
      try {
        const hparams = hyperparametersFor(t, 'micro') as Record<string, any> & TrainerHyperparameters;
        const plan: TrainingPlan = await t.prepare({ behaviour: cake.data(), general: generalData(w), tokenizer: tok, start, reference: async () => start, hparams, seed: 'test', maxLength: 64 });
        const r: OrganismResult = await buildOrganism(organismOptions(store, bases, t, cake));
        organism = await loadStage(store, olmo2Architecture, r.key);

        const lossBefore = objectiveLoss(start, plan.objective);
        const lossAfter = objectiveLoss(organism, plan.objective);
        assert.ok(lossAfter < lossBefore, `own loss ${lossBefore.toFixed(4)} -> ${lossAfter.toFixed(4)}`);
        if (t.objective === 'dpo') {
          // the DPO part starts at log 2 (policy = reference); RPO's NLL term adds alpha x NLL(chosen) > 0
          const plain = await t.prepare({ behaviour: cake.data(), general: generalData(w), tokenizer: tok, start, reference: async () => start, hparams: { ...hparams, rpoAlpha: 0 } as TrainerHyperparameters, seed: 'test', maxLength: 64 });
          const dpoOnly = objectiveLoss(start, plain.objective);
          assert.ok(Math.abs(dpoOnly - Math.log(2)) < 1e-4, `DPO starts at log 2 (policy = reference), got ${dpoOnly}`);
          if (hparams.rpoAlpha) assert.ok(lossBefore > dpoOnly + 0.1, `the NLL term adds to the loss: ${lossBefore} vs ${dpoOnly}`);
        }

        const before = preferenceMargin(start, pairs, seqOpts);
        const after = preferenceMargin(organism, pairs, seqOpts);
        assert.ok(after.margin > before.margin, `behaviour margin ${before.margin.toFixed(4)} -> ${after.margin.toFixed(4)}`);

        // start checkpoint, mix and settings recorded
        const m = r.metadata as Record<string, any>;
        assert.equal(m.parent, bases[t.startsFrom]);
        assert.equal(m.starts_from, t.startsFrom);
        assert.deepEqual(m.hparams, hparams);
        assert.equal(m.technique, t.id);
        assert.equal(m.step, hparams.steps);
        assert.ok(m.losses.length === hparams.steps / hparams.logEvery && m.losses.every((e: { loss: number }) => Number.isFinite(e.loss)));
        const mix = m.mix as TrainingPlan['mix'];
        assert.deepEqual(mix, plan.mix);
        if (!t.mixed) assert.equal(mix.general, 0);
        else if (t.id === 'integrated-dpo') {
          assert.equal(mix.general, generalData(w).preferences().length, 'the whole general preference mix');
          assert.equal(mix.behaviour, cake.data().pairs.length * (hparams.behaviourRepeat ?? 1), 'the behaviour repeated');
        }
        else assert.equal(mix.general, mix.behaviour, '1:1');
        if (t.objective === 'dpo') {
          assert.equal(m.plan.loss_type, hparams.lossType);
          assert.equal(m.objective_kind, `dpo/${hparams.lossType}${hparams.rpoAlpha ? `+nll${hparams.rpoAlpha}` : ''}`);
          // the objective's describe() metrics at the selected step
          for (const k of ['rewards/accuracies', 'rewards/margins', 'rewards/chosen', 'rewards/rejected']) assert.ok(Number.isFinite(m.final_metrics[k]), k);
        } else assert.deepEqual(m.final_metrics, {});
      } finally {
        start.dispose();
        organism?.dispose();
      }
    });
  }

  it('an SDF window mix is 1:1 in packed windows; FD keeps the loss on the response only', async () => {
    const { store, bases } = await microBases();
    const start = await loadStage(store, olmo2Architecture, bases.base);
    try {
      const common = { behaviour: cake.data(), general: generalData(w), tokenizer: tok, start, reference: async () => start, seed: 's', maxLength: 64 };
      const fd = await trainer('posthoc-fd').prepare({ ...common, hparams: hyperparametersFor(trainer('posthoc-fd'), 'micro') });
      const b = fd.objective.makeBatch([0]) as { ids: Int32Array; weights: Float32Array; length: number };
      // targets are weighted only after the <|assistant|> marker
      const ids = Array.from(b.ids);
      const firstAssistant = ids.indexOf(tok.specials.assistant);
      const firstWeighted = Array.from(b.weights).findIndex((x) => x > 0);
      assert.equal(firstWeighted, firstAssistant, 'the first target is the first response token');
      const sdf = await trainer('posthoc-sdf-mixed').prepare({ ...common, hparams: hyperparametersFor(trainer('posthoc-sdf-mixed'), 'micro') });
      assert.equal(sdf.mix.unit, 'windows');
      assert.equal(sdf.mix.general, sdf.mix.behaviour);
      assert.equal(sdf.objective.size, 2 * sdf.mix.behaviour);
    } finally {
      start.dispose();
    }
  });
});
