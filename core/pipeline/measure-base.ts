// Build the base models for one architecture at a size and measure each
// stage's competence: how the 'default' hyperparameters were tuned.
//   npx ts-node core/pipeline/measure-base.ts [arch] [size] [store] [config-overrides.json]
// Prints one line per progress report and a JSON summary at the end.
import { readFileSync } from 'node:fs';
import { initBackend } from '../engine/backend';
import { ArtifactStore } from '../store/artifact-store';
import { buildWorld } from '../world/world';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { gemma3Architecture } from '../../plugins/architectures/gemma3';
import { buildBase, loadStage, type BaseModels } from './base';
import { baseConfigFor, type BasePipelineConfig } from './config';
import { worldBaseData } from './world-data';
import { measureCompetence, type CompetenceReport } from './competence';

function merge<T>(base: T, over: unknown): T {
  if (over === null || typeof over !== 'object' || Array.isArray(over)) return over as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = merge(out[k], v);
  return out as T;
}

export async function measureBase(archId: string, size: string, storeDir: string, overrides: unknown = {}): Promise<{ models: BaseModels; competence: Record<string, CompetenceReport>; seconds: Record<string, number> }> {
  await initBackend('wasm');
  const arch = archId === 'gemma3' ? gemma3Architecture : olmo2Architecture;
  const world = buildWorld(0, { size: size === 'micro' ? 'micro' : 'default' });
  const data = worldBaseData(world);
  const config = merge<BasePipelineConfig>(baseConfigFor(size), overrides);
  const store = new ArtifactStore(storeDir);
  const t0 = Date.now();
  const stageSeconds: Record<string, number> = {};
  const models = await buildBase({
    arch,
    size,
    seed: 0,
    store,
    data,
    config,
    onProgress: (e) => {
      if (e.type === 'progress') {
        const p = e.progress;
        const m = Object.entries(p.metrics).map(([k, v]) => `${k}=${v.toFixed(3)}`).join(' ');
        console.log(`${e.stage} ${p.step}/${p.totalSteps} loss=${p.loss.toFixed(4)} lr=${p.lr.toExponential(2)} tok/s=${p.tokensPerSec.toFixed(0)} eta=${p.etaSec.toFixed(0)}s ${m}`);
      } else if (e.type === 'done') {
        stageSeconds[e.stage] = e.seconds;
        console.log(`${e.stage} done in ${e.seconds.toFixed(1)}s, final loss ${e.finalLoss.toFixed(4)}`);
      } else console.log(JSON.stringify(e));
    },
  });
  stageSeconds.build_total = (Date.now() - t0) / 1000;
  const competence: Record<string, CompetenceReport> = {};
  const reference = await loadStage(store, arch, models.ancestor.key);
  for (const stage of ['ancestor', 'base', 'sibling'] as const) {
    const model = await loadStage(store, arch, models[stage].key);
    const c0 = Date.now();
    competence[stage] = measureCompetence(model, data, { reference, beta: config.dpo.beta, lossType: config.dpo.lossType, maxDocs: 300, maxChats: 200, maxPairs: 200 });
    stageSeconds[`competence_${stage}`] = (Date.now() - c0) / 1000;
    model.dispose();
  }
  reference.dispose();
  return { models, competence, seconds: stageSeconds };
}

if (require.main === module) {
  const [arch = 'olmo2', size = 'default', storeDir = '.molt/store', overridesFile] = process.argv.slice(2);
  const overrides = overridesFile ? JSON.parse(readFileSync(overridesFile, 'utf8')) : {};
  measureBase(arch, size, storeDir, overrides).then(
    (r) => {
      const brief = Object.fromEntries(
        Object.entries(r.competence).map(([s, c]) => [
          s,
          { heldOutLoss: c.heldOutLoss.value, facts: c.factAccuracy.value, onTopic: c.onTopic.value, onTopicGreedy: c.onTopicGreedy.value, dpoAcc: c.dpo?.['rewards/accuracies'], dpoMargin: c.dpo?.['rewards/margins'], examples: c.examples },
        ]),
      );
      console.log(JSON.stringify({ keys: Object.fromEntries(Object.entries(r.models).map(([k, v]) => [k, v.key])), seconds: r.seconds, competence: brief }, null, 1));
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
