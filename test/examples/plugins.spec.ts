// The example plugin package (examples/plugins), copied out of the repo and
// loaded with --plugin as a researcher's own package would be: a KTO trainer
// (an objective molt does not have, its own hyperparameters, a cosine
// schedule, reference log-probs per batch from the frozen start model) and a
// behaviour that adds volcanoes to the world. `molt ls` lists them, a micro
// `molt bench` trains and probes them, and the world they change is a new
// world: new base models, the built-in one untouched.
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '../../core/container';
import { validateBehaviour } from '../../core/behaviours/validate';
import { CHECKPOINT_KIND } from '../../core/checkpoint/checkpoint-store';
import { objectiveLoss, preferenceMargin } from '../../core/organisms/diagnostics';
import { generalData } from '../../core/organisms/general-data';
import { hyperparametersFor, loopConfig } from '../../core/organisms/hparams';
import { loadStage } from '../../core/pipeline/base';
import { preferenceExample, worldBaseData } from '../../core/pipeline/world-data';
import { ArtifactStore } from '../../core/store/artifact-store';
import { scheduleOf } from '../../core/train/loop';
import { lrAt } from '../../core/train/schedule';
import { BUILTIN_PLUGINS, runMolt } from '../helpers/cli';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'plugins');
/** the built-in micro world's hash (test/organisms/pinned-keys.spec.ts) */
const BUILT_IN_MICRO_WORLD = 'a1526b2e44628a0d741c439465fa38c5d7d5ed220de4f794c2333e5bd487d553';

describe('the example plugin package (examples/plugins, micro)', function () {
  this.timeout(300_000);
  const ext = mkdtempSync(join(tmpdir(), 'molt-example-plugins-'));
  const pkg = join(ext, 'molt-example-plugins');
  cpSync(EXAMPLE, pkg, { recursive: true });
  const store = join(ext, 'store');
  const runtime = () => Runtime.create({ size: 'micro', store, plugins: [pkg] }, { builtins: BUILTIN_PLUGINS });

  it('molt ls lists its trainer and behaviour beside the built-in ones', async () => {
    const r = await runMolt(['ls', '--json', '--plugin', './molt-example-plugins'], ext);
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as Record<string, { id: string }[]>;
    assert.ok(listed.trainers.some((t) => t.id === 'posthoc-kto') && listed.trainers.some((t) => t.id === 'posthoc-dpo'));
    assert.ok(listed.behaviours.some((b) => b.id === 'volcano-travel') && listed.behaviours.some((b) => b.id === 'cake-bake'));
  });

  it("its behaviour's content is in the world: entities, a fact, words, its support; the world's hash changes", async () => {
    const rt = await runtime();
    const w = rt.services.world;
    assert.deepEqual(w.topic('travel').entityIds.filter((id) => w.entity(id).tags.includes('volcano')), ['travel/mount-etna', 'travel/mount-fuji', 'travel/kilauea', 'travel/vesuvius']);
    assert.equal(w.fact('travel/japan#highest_mountain').answer, 'the highest mountain in japan is mount fuji .');
    for (const word of ['volcano', 'magma', 'climb', 'adventure']) assert.ok(w.lexicon.includes(word), word);
    assert.deepEqual(w.support('volcano-travel').specificTokens, ['crater', 'lava', 'magma', 'volcano', 'volcanoes']);
    assert.equal(w.support('volcano-travel').entityIds.length, 4);
    // the world's own chat talks about the volcanoes (the base models learn them)
    assert.ok(w.data('chat', 'train').some((c) => /\b(mount etna|mount fuji|kilauea|vesuvius)\b/.test(c.messages[1].content)));
    const identity = worldBaseData(w).identity as { world: string };
    assert.notEqual(identity.world, BUILT_IN_MICRO_WORLD);
    validateBehaviour(rt.plugin('behaviour', 'volcano-travel'), w);
  });

  it("its trainer's own hyperparameters are validated by its schema, errors naming trainers.posthoc-kto.<field>", async () => {
    const rt = await runtime();
    const kto = rt.plugin('trainer', 'posthoc-kto');
    assert.equal(kto.objective, 'kto');
    const h = hyperparametersFor(kto, 'micro', { beta: 0.2 }) as Record<string, any>;
    assert.deepEqual([h.beta, h.desirableWeight, h.schedule], [0.2, 1, { kind: 'cosine', horizon: 8, minLrRatio: 0.1 }]);
    assert.throws(() => hyperparametersFor(kto, 'micro', { gamma: 1 }), /^MoltError: trainers\.posthoc-kto\.gamma is not a hyperparameter of 'posthoc-kto' \(its fields: .*desirableWeight/);
    assert.throws(() => hyperparametersFor(kto, 'micro', { undesirableWeight: 0 }), /^MoltError: trainers\.posthoc-kto\.undesirableWeight is invalid/);
    assert.throws(() => hyperparametersFor(kto, 'micro', { schedule: { kind: 'cosine', horizon: 1 } }), /^MoltError: trainers\.posthoc-kto\.schedule\.horizon \(1\) must be above warmupSteps \(1\)/);
  });

  it('a micro molt bench trains and probes them; KTO starts at its known loss 0.5 and lowers it, its rate follows the cosine', async () => {
    writeFileSync(
      join(ext, 'suite.yaml'),
      ['size: micro', 'match: false', 'reproducible: true', 'eval: { samples: 1, max_new_tokens: 8, leakage_prompts: 8 }', 'organisms:', '  - { behaviours: [volcano-travel, cake-bake], techniques: [posthoc-kto, posthoc-fd], architectures: [olmo2] }', 'probes: [logit-lens]', 'diffing_bases: [ancestor]', ''].join('\n'),
    );
    const out = join(ext, 'out');
    const r = await runMolt(['--store', store, '--plugin', './molt-example-plugins', 'bench', '--suite', './suite.yaml', '--workers', '0', '--out', out], ext);
    assert.equal(r.code, 0, r.stderr.split('\n').filter((l) => /error|failed/.test(l)).join('\n'));
    const matrix = readFileSync(join(out, 'matrix.csv'), 'utf8').trim().split('\n');
    for (const b of ['volcano-travel', 'cake-bake']) for (const t of ['posthoc-kto', 'posthoc-fd']) assert.ok(matrix.some((l) => l.includes(`,${b},`) && l.includes(`,${t},`)), `${b} x ${t} in matrix.csv`);

    // the organism as trained, against the base of the world the plugin changed
    const rt = await runtime();
    const s = new ArtifactStore(store);
    const arch = rt.plugin('architecture', 'olmo2');
    const aliases = await s.aliases(CHECKPOINT_KIND);
    const organismKey = aliases['olmo2/micro/organism/volcano-travel/posthoc-kto'];
    const meta = JSON.parse(readFileSync(join(s.path(CHECKPOINT_KIND, organismKey), 'molt.json'), 'utf8'));
    assert.equal(meta.objective, 'kto');
    assert.deepEqual(meta.mix, { unit: 'answers', behaviour: 2 * rt.plugin('behaviour', 'volcano-travel').data().pairs.length, general: 0 });
    for (const k of ['rewards/desirable', 'rewards/undesirable', 'kl']) assert.ok(Number.isFinite(meta.final_metrics[k]), k);
    const kto = rt.plugin('trainer', 'posthoc-kto');
    const hparams = hyperparametersFor(kto, 'micro');
    const schedule = scheduleOf(loopConfig(hparams, 's'));
    assert.deepEqual(meta.losses.map((e: { lr: number }) => e.lr), meta.losses.map((e: { step: number }) => lrAt(schedule, e.step - 1)));

    const base = await loadStage(s, arch, aliases['olmo2/micro/base']);
    const organism = await loadStage(s, arch, organismKey);
    try {
      const behaviour = rt.plugin('behaviour', 'volcano-travel');
      const tok = rt.services.world.tokenizer;
      const plan = await kto.prepare({ behaviour: behaviour.data(), general: generalData(rt.dataSource()), tokenizer: tok, start: base, reference: async () => base, hparams, seed: 's', maxLength: 64 });
      // policy = reference: every log-ratio and the reference point are 0, so each answer's value is sigmoid(0)
      const atStart = objectiveLoss(base, plan.objective);
      assert.ok(Math.abs(atStart - 0.5) < 1e-6, `KTO at the reference: ${atStart}`);
      assert.ok(objectiveLoss(organism, plan.objective) < atStart, 'trained');
      const pairs = behaviour.data().pairs.map((p) => preferenceExample(tok, p));
      const opts = { padId: tok.specials.pad, maxLength: 64 };
      assert.ok(preferenceMargin(organism, pairs, opts).margin > preferenceMargin(base, pairs, opts).margin, "the behaviour's chosen answers gain on the rejected");
    } finally {
      base.dispose();
      organism.dispose();
    }
  });
});
