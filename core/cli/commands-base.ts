// molt base: pretrain -> ancestor -> base -> sibling per architecture, cached
// in the store (a second run trains nothing), then the competence figures.
import { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { MoltError } from '../errors';
import { writeFileAtomic } from '../store/atomic';
import { aliasDataTag, buildBase, loadStage, pointAlias, stageAlias, BASE_STAGES, type BaseModels, type BaseEvent } from '../pipeline/base';
import { baseConfigWith } from '../pipeline/config';
import { worldBaseData } from '../pipeline/world-data';
import { measureCompetence, type CompetenceReport } from '../pipeline/competence';
import type { Runtime } from '../container';
import type { Architecture } from '../plugins/types';
import { ProgressView } from './progress';
import { runtimeFor, type CliEnv } from './context';
import { stopRequested, withInterruptHandler } from './interrupt';

export interface ArchBaseResult {
  arch: string;
  models: BaseModels;
  competence: Record<string, CompetenceReport>;
  trainSeconds: Record<string, number>;
}

function onEvent(view: ProgressView, arch: string, seconds: Record<string, number>) {
  return (e: BaseEvent) => {
    const label = `${arch} ${e.stage}`;
    if (e.type === 'cached') view.note(`${label}: cached (${e.key.slice(0, 12)})`);
    else if (e.type === 'start') view.note(`${label}: training ${e.totalSteps} steps -> ${e.key.slice(0, 12)}`);
    else if (e.type === 'reference') view.note(`${label}: reference log-probs for ${e.pairs} pairs (once)`);
    else if (e.type === 'progress') {
      const p = e.progress;
      const acc = p.metrics['rewards/accuracies'];
      view.update({
        label,
        step: p.step,
        total: p.totalSteps,
        info: `loss ${p.loss.toFixed(4)} ${Math.round(p.tokensPerSec)} tok/s${acc === undefined ? '' : ` acc ${acc.toFixed(2)}`}`,
        etaSec: p.etaSec,
      });
    } else if (e.type === 'done') {
      seconds[e.stage] = e.seconds;
      view.note(`${label}: done in ${e.seconds.toFixed(1)} s, final loss ${e.finalLoss.toFixed(4)}`);
    }
  };
}

/** Build (or reuse) one architecture's base models, alias them, and measure competence. */
export async function buildAndMeasure(rt: Runtime, arch: Architecture, view: ProgressView): Promise<ArchBaseResult> {
  const { size, seed } = rt.settings;
  const store = rt.services.store;
  const data = worldBaseData(rt.dataSource());
  const config = baseConfigWith(size, rt.settings.base);
  const trainSeconds: Record<string, number> = {};
  const models = await buildBase({ arch, size, seed, store, data, config, onProgress: onEvent(view, arch.id, trainSeconds), shouldStop: stopRequested });
  view.stop();
  const tag = aliasDataTag(rt.dataSource());
  for (const stage of BASE_STAGES) await pointAlias(store, stageAlias(arch.id, size, seed, stage, tag), models[stage].key, (line) => rt.logger.info(line));
  const competence: Record<string, CompetenceReport> = {};
  const reference = await loadStage(store, arch, models.ancestor.key);
  try {
    for (const stage of BASE_STAGES) {
      view.note(`${arch.id} ${stage}: measuring competence`);
      const model = stage === 'ancestor' ? reference : await loadStage(store, arch, models[stage].key);
      try {
        competence[stage] = measureCompetence(model, data, {
          split: 'test',
          reference: stage === 'base' || stage === 'sibling' ? reference : undefined,
          beta: config.dpo.beta,
          lossType: config.dpo.lossType,
          seed,
        });
      } finally {
        if (model !== reference) model.dispose();
      }
    }
  } finally {
    reference.dispose();
  }
  return { arch: arch.id, models, competence, trainSeconds };
}

const HEADER = ['arch', 'size', 'seed', 'stage', 'checkpoint', 'metric', 'value', 'n', 'ci_low', 'ci_high', 'train_s', 'backend'];

export function competenceRows(r: ArchBaseResult, size: string, seed: number, backend: string): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const stage of BASE_STAGES) {
    const c = r.competence[stage];
    const base = [r.arch, size, seed, stage, r.models[stage].key];
    const train = r.trainSeconds[stage] ?? '';
    const add = (metric: string, value: number, n: number, lo: number | string = '', hi: number | string = '') => rows.push([...base, metric, value, n, lo, hi, train, backend]);
    add('heldout_loss', c.heldOutLoss.value, c.heldOutLoss.tokens);
    add('fact_accuracy', c.factAccuracy.value, c.factAccuracy.n, c.factAccuracy.low, c.factAccuracy.high);
    add('on_topic', c.onTopic.value, c.onTopic.n, c.onTopic.low, c.onTopic.high);
    add('on_topic_greedy', c.onTopicGreedy.value, c.onTopicGreedy.n, c.onTopicGreedy.low, c.onTopicGreedy.high);
    if (c.dpo) {
      add('dpo_rewards_accuracies', c.dpo['rewards/accuracies'], c.dpo.n);
      add('dpo_rewards_margins', c.dpo['rewards/margins'], c.dpo.n);
    }
  }
  return rows;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function printTable(r: ArchBaseResult): void {
  const lines = [`\n${r.arch}: competence on held-out (test) data`, 'stage     heldout_loss  facts            on_topic         dpo_acc  train_s'];
  for (const stage of BASE_STAGES) {
    const c = r.competence[stage];
    lines.push(
      `${stage.padEnd(9)} ${c.heldOutLoss.value.toFixed(4).padStart(12)}  ${`${pct(c.factAccuracy.value)} (n ${c.factAccuracy.n})`.padEnd(16)} ${`${pct(c.onTopic.value)} (n ${c.onTopic.n})`.padEnd(16)} ${c.dpo ? c.dpo['rewards/accuracies'].toFixed(3).padStart(7) : '      -'}  ${r.trainSeconds[stage] === undefined ? 'cached' : r.trainSeconds[stage].toFixed(0)}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

export function baseCommand(env: CliEnv): Command {
  return new Command('base')
    .description('build the base models (pretrain -> ancestor -> base -> sibling) and print their competence')
    .requiredOption('--arch <id|all>', "architecture plugin id, or 'all'")
    .option('--out <dir>', 'where competence.json and competence.csv go', 'out/base')
    .option('--json', 'print the competence summary as JSON on stdout')
    .action(async (opts: { arch: string; out: string; json?: boolean }, cmd: Command) => {
      const rt = await runtimeFor(cmd, env);
      const archIds = opts.arch === 'all' ? rt.registry.ids('architecture') : [opts.arch];
      const archs = archIds.map((id) => rt.plugin('architecture', id));
      if (!archs.every((a) => a.sizes.includes(rt.settings.size))) {
        const bad = archs.find((a) => !a.sizes.includes(rt.settings.size))!;
        throw new MoltError(`--size '${rt.settings.size}' is not a size of ${bad.id}; valid: ${bad.sizes.join(', ')}`, 'size');
      }
      const engine = await rt.ready();
      rt.logger.info(`store: ${rt.services.store.root}; size ${rt.settings.size}, seed ${rt.settings.seed}`);
      const view = new ProgressView();
      const results: ArchBaseResult[] = [];
      await withInterruptHandler(async () => {
        try {
          for (const arch of archs) {
            const r = await buildAndMeasure(rt, arch, view);
            results.push(r);
            if (!opts.json) printTable(r);
          }
        } finally {
          view.stop();
        }
      });
      const out = resolve(opts.out);
      await mkdir(out, { recursive: true });
      const summary = {
        backend: engine.info.id,
        size: rt.settings.size,
        seed: rt.settings.seed,
        world_seed: rt.settings.worldSeed,
        architectures: Object.fromEntries(results.map((r) => [r.arch, { checkpoints: Object.fromEntries(BASE_STAGES.map((s) => [s, { key: r.models[s].key, alias: stageAlias(r.arch, rt.settings.size, rt.settings.seed, s, aliasDataTag(rt.dataSource())), trained_now: r.models[s].trained }])), train_seconds: r.trainSeconds, competence: r.competence }])),
      };
      await writeFileAtomic(join(out, 'competence.json'), JSON.stringify(summary, null, 2) + '\n');
      const rows = results.flatMap((r) => competenceRows(r, rt.settings.size, rt.settings.seed, engine.info.id));
      await writeFileAtomic(join(out, 'competence.csv'), stringify([HEADER, ...rows]));
      if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
      rt.logger.info(`wrote ${join(out, 'competence.json')} and competence.csv`);
    });
}
