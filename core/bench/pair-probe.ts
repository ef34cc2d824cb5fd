// A probe on an organism/base pair given directly (two Hugging Face
// directories or store ids: a model fine-tuned elsewhere and the base it
// started from), with the behaviour given as a built-in id or as a data file
// (core/behaviours/data-file.ts). The pair opens through openModelPair (same
// architecture, shapes and tokenizer, or a one-line refusal); the probe runs
// with the base as the organism's ancestor, then the behaviour's QER and
// leakage on both models are measured as for molt's own organisms (test
// prompts, answers sampled at temperature 1, SEs clustered by prompt).
import { existsSync } from 'node:fs';
import type { Runtime } from '../container';
import { MoltError } from '../errors';
import { openModelPair } from '../checkpoint/pair';
import type { OpenedModelDir } from '../checkpoint/open';
import { readBehaviourFile } from '../behaviours/data-file';
import { DataBehaviour, floorManifests } from '../behaviours/data-behaviour';
import { evaluateQer, leakage, type QerOptions, type QerResult } from '../organisms/evaluate';
import { evalProgress, type ProgressSink } from '../organisms/cell';
import type { BehaviourDataset, BehaviourManifest } from '../plugins/types';
import type { RunSpec } from './suite';
import { familyManifests, probeContext } from './run-cell';
import { WordTokenizer } from '../tokenizer/word-tokenizer';
import type { TextTokenizer } from '../tokenizer/types';
import type { ModelHandle, OrganismHandle, ProbeResult } from '../probes/types';

export interface PairProbeRequest {
  probe: string;
  /** Hugging Face directory, store key, alias or prefix */
  organism: string;
  base: string;
  /** a registered behaviour id, or a behaviour file (.json / .jsonl) */
  behaviour: string;
}

/** A rate as reported: the share, its SE clustered by prompt, n answers, the 95% interval. */
export interface PairRate {
  rate: number;
  se: number;
  n: number;
  low: number;
  high: number;
}

export interface PairProbeOutcome {
  result: ProbeResult;
  /** the behaviour's QER (trigger prompts) and leakage (control prompts) on each model, test split */
  rates: { qer: { organism: PairRate; base: PairRate }; leakage: { organism: PairRate; base: PairRate } };
}

const looksLikeFile = (s: string) => /\.jsonl?$/i.test(s) || existsSync(s);

/** The behaviour (with the families its floor is made of) for the pair's tokenizer. */
export function pairBehaviour(rt: Runtime, given: string, tok: TextTokenizer, builtins: () => BehaviourManifest[]): { behaviour: BehaviourDataset; families: BehaviourManifest[] } {
  if (looksLikeFile(given)) {
    const spec = readBehaviourFile(given);
    const behaviour = new DataBehaviour(spec, tok);
    return { behaviour, families: [behaviour.manifest(), ...floorManifests(spec, tok, builtins())] };
  }
  if (!(tok instanceof WordTokenizer)) {
    throw new MoltError(`--behaviour '${given}': a built-in behaviour belongs to molt's synthetic world, and this pair has a Hugging Face tokenizer; give the behaviour as a data file (docs/DATA.md, "A behaviour as data")`, 'behaviour');
  }
  return { behaviour: rt.plugin('behaviour', given), families: builtins() };
}

const rate = (r: QerResult): PairRate => ({ rate: r.qer, se: r.se, n: r.n, low: r.low, high: r.high });
const name = (d: OpenedModelDir) => d.resolved.key ?? d.resolved.path;

/** Run one probe on a given pair (see the header). */
export async function runPairProbe(rt: Runtime, run: RunSpec, req: PairProbeRequest, sink: ProgressSink): Promise<PairProbeOutcome> {
  const probe = rt.plugin('probe', req.probe);
  const store = rt.services.store;
  const pair = await openModelPair(store, rt.plugins('architecture'), req.organism, req.base);
  try {
    const tok = pair.tokenizer;
    const { behaviour, families } = pairBehaviour(rt, req.behaviour, tok, () => familyManifests(rt));
    // an SAE or oracle is cached under its models' ids: a directory's path says nothing of its content, so only store artifacts cache
    const cacheable = pair.organism.resolved.key !== undefined && pair.base.resolved.key !== undefined;
    const ctx = probeContext(rt, run, probe, { store: cacheable ? store : null, families, diffingBaseKind: 'ancestor' }, probe.id, sink);
    const organism: OrganismHandle = { id: name(pair.organism), model: pair.organism.model, tokenizer: tok, arch: pair.organism.arch, metadata: pair.organism.metadata, behaviour, manifest: behaviour.manifest() };
    const base: ModelHandle = { id: name(pair.base), model: pair.base.model, tokenizer: tok, arch: pair.base.arch, metadata: pair.base.metadata };
    // the probe first: one that cannot run on this pair refuses before minutes of sampling
    const result = await probe.run(organism, base, ctx);
    const e = run.eval;
    const opts: QerOptions = { samplesPerPrompt: e.samples, maxNewTokens: e.max_new_tokens, batchSize: 32, seed: `${rt.settings.seed}/report` };
    const measure = (model: typeof pair.organism.model, label: string) => {
      const progress = evalProgress(sink, label);
      const q = evaluateQer(model, tok, behaviour, 'test', { ...opts, onProgress: (d, t) => progress('QER', d, t) });
      const l = leakage(model, tok, behaviour, 'test', { ...opts, maxPrompts: e.leakage_prompts, onProgress: (d, t) => progress('leakage', d, t) });
      sink.stop();
      sink.note(`${label}: QER ${q.qer.toFixed(3)} +- ${q.se.toFixed(3)} (n ${q.n}), leakage ${l.qer.toFixed(3)} +- ${l.se.toFixed(3)} (n ${l.n})`);
      return { q, l };
    };
    const mo = measure(pair.organism.model, 'organism');
    const bm = measure(pair.base.model, 'base');

    result.notes.unshift(
      `behaviour '${behaviour.id}' QER (test): organism ${mo.q.qer.toFixed(3)} +- ${mo.q.se.toFixed(3)}, base ${bm.q.qer.toFixed(3)} +- ${bm.q.se.toFixed(3)}; leakage organism ${mo.l.qer.toFixed(3)}, base ${bm.l.qer.toFixed(3)}`,
      ...organism.manifest.notes,
    );
    return { result, rates: { qer: { organism: rate(mo.q), base: rate(bm.q) }, leakage: { organism: rate(mo.l), base: rate(bm.l) } } };
  } finally {
    pair.dispose();
  }
}
