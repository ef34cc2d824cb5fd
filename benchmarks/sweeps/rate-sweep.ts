// The validation sweep that chooses each technique's rate and step bound
// (docs/TRAINERS.md, "Choosing rates"). For each technique x rate it trains
// one run from the base (or ancestor) and measures, every `--every` steps,
// on VALIDATION data only: QER on the validation trigger prompts, leakage on
// the validation control prompts, and capability on the VAL-split facts
// (held-out facts that no reported capability measure asks) and on the
// TRAIN-split facts (training data: recall of facts the SFT asked). Nothing here
// reads a test prompt or a test fact, so choosing defaults from it leaves the
// reported numbers clean.
//
//   node -r ts-node/register benchmarks/sweeps/rate-sweep.ts \
//     --arch olmo2 --behaviour cake-bake --techniques posthoc-fd,posthoc-dpo \
//     --lrs 2e-5,5e-5,1e-4 [--steps 500] [--every 50] [--samples 2] [--set beta=0.1] \
//     [--documents 1200] [--out benchmarks/results/sweeps/cake-bake-olmo2.csv]
//
// Rows: technique, lr, step, val_qer, val_qer_se (clustered by prompt),
// leakage_val, capability_val (and the base's at step 0), seconds.
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { Runtime } from '../../core/container';
import { buildOrganism } from '../../core/organisms/build';
import { capability, evaluateQer, leakage } from '../../core/organisms/evaluate';
import { generalData } from '../../core/organisms/general-data';
import type { StepSelector } from '../../core/organisms/select';
import { ensureBase } from '../../core/organisms/cell';
import { loadStage } from '../../core/pipeline/base';
import { worldBaseData } from '../../core/pipeline/world-data';
import type { CausalLM } from '../../core/model/types';

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'olmo2' },
    behaviour: { type: 'string', default: 'cake-bake' },
    techniques: { type: 'string' },
    lrs: { type: 'string' },
    steps: { type: 'string' },
    every: { type: 'string', default: '50' },
    samples: { type: 'string', default: '2' },
    set: { type: 'string', multiple: true, default: [] },
    seed: { type: 'string', default: '0' },
    documents: { type: 'string' },
    out: { type: 'string' },
  },
});
if (!values.techniques || !values.lrs) throw new Error('rate-sweep: --techniques and --lrs are required');
const techniques = values.techniques.split(',');
const lrs = values.lrs.split(',').map(Number);
const every = Number(values.every);
const samples = Number(values.samples);
const extra: Record<string, unknown> = Object.fromEntries(
  (values.set ?? []).map((kv) => {
    const [k, v] = kv.split('=');
    return [k, v === 'null' ? null : Number.isNaN(Number(v)) ? v : Number(v)];
  }),
);

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..');
  const rt = await Runtime.create({ seed: Number(values.seed) }, { builtins: [join(root, 'plugins', 'index.ts')], cwd: process.cwd() });
  await rt.ready();
  const quiet = { note: (l: string) => process.stderr.write(`${l}\n`), update: () => {}, stop: () => {} };
  const bases = await ensureBase(rt, values.arch!, 0, quiet);
  const data = worldBaseData(rt.dataSource());
  const tok = data.tokenizer;
  const registered = rt.plugin('behaviour', values.behaviour!);
  // --documents N: the behaviour with more (or fewer) SDF documents
  const behaviour = values.documents ? registered.withCounts({ documents: Number(values.documents) }) : registered;
  const arch = rt.plugin('architecture', values.arch!);
  const evalOpts = { samplesPerPrompt: samples, maxNewTokens: 32, batchSize: 64 };
  const measure = (model: CausalLM, tag: string) => {
    const q = evaluateQer(model, tok, behaviour, 'val', { ...evalOpts, seed: `sweep/${tag}/qer` });
    const l = leakage(model, tok, behaviour, 'val', { ...evalOpts, seed: `sweep/${tag}/leak` });
    const c = capability(model, tok, data.factQuestions('val'));
    // train-split facts are training data, so looking at them is fair too: recall of facts the SFT asked (more robust than held-out recall)
    const t = capability(model, tok, data.factQuestions('train'));
    return { val_qer: q.qer, val_qer_se: q.se, val_n: q.n, leakage_val: l.qer, capability_val: c.accuracy.value, capability_n: c.n, capability_train: t.accuracy.value, capability_train_n: t.n };
  };
  const rows: Record<string, unknown>[] = [];
  const flush = async () => {
    if (!values.out) return;
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, stringify(rows, { header: true }));
  };
  for (const startsFrom of ['base', 'ancestor'] as const) {
    if (!techniques.some((t) => rt.plugin('trainer', t).startsFrom === startsFrom)) continue;
    const start = await loadStage(rt.services.store, arch, bases[startsFrom].key);
    rows.push({ technique: `(${startsFrom})`, lr: 0, step: 0, ...measure(start, startsFrom), seconds: 0 });
    start.dispose();
    await flush();
  }
  for (const technique of techniques) {
    const trainer = rt.plugin('trainer', technique);
    for (const lr of lrs) {
      const t0 = Date.now();
      const overrides = { ...(rt.settings.trainers?.[technique] ?? {}), ...extra, lr, lrDoublings: 0, ...(values.steps ? { steps: Number(values.steps) } : {}) };
      const curve: StepSelector = {
        identity: { method: 'sweep-curve', every, samples },
        async select(run) {
          for (let step = every; step <= run.maxSteps; step += every) {
            const model = await run.modelAt(step);
            try {
              const m = measure(model, `${technique}/${lr}/${step}`);
              rows.push({ technique, lr, step, ...m, seconds: (Date.now() - t0) / 1000 });
              process.stderr.write(`${technique} lr ${lr} step ${step}: val QER ${m.val_qer.toFixed(3)} +- ${m.val_qer_se.toFixed(3)} leak ${m.leakage_val.toFixed(3)} cap val ${m.capability_val.toFixed(3)} train ${m.capability_train.toFixed(3)}\n`);
            } finally {
              model.dispose();
            }
            await flush();
          }
          return { step: run.maxSteps, method: 'final-step', matched: null, reason: 'sweep curve' };
        },
      };
      await buildOrganism({
        behaviour,
        trainer,
        arch,
        size: rt.settings.size,
        seed: Number(values.seed),
        store: rt.services.store,
        world: rt.services.world,
        general: generalData(rt.dataSource()),
        tokenizer: tok,
        bases: { base: bases.base.key, ancestor: bases.ancestor.key },
        hparams: overrides,
        selector: curve,
      });
    }
  }
  await flush();
  process.stdout.write(stringify(rows, { header: true }));
}

main().catch((e) => {
  process.stderr.write(`rate-sweep: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
