// Small helpers every probe run uses: stage timings and the checks that an
// organism and its diffing base can be compared at all.
import { MoltError } from '../errors';
import { WordTokenizer } from '../tokenizer/word-tokenizer';
import type { ModelHandle, OrganismHandle, ProbeContext, ProbeResult, ProbeSettings } from './types';

export interface Stopwatch {
  /** seconds since the previous lap, recorded under `stage` (repeated stages add up) */
  lap(stage: string): number;
  /** the stages and 'total' */
  done(): Record<string, number>;
}

export function stopwatch(): Stopwatch {
  const t0 = Date.now();
  let last = t0;
  const stages: Record<string, number> = {};
  return {
    lap(stage) {
      const now = Date.now();
      const s = (now - last) / 1000;
      stages[stage] = (stages[stage] ?? 0) + s;
      last = now;
      return s;
    },
    done() {
      return { ...stages, total: (Date.now() - t0) / 1000 };
    },
  };
}

/** Organism and base must read tokens the same way and have the same width, or differences mean nothing. */
export function checkSameVocabulary(a: ModelHandle, b: ModelHandle, probe: string): void {
  const ta = a.tokenizer;
  const tb = b.tokenizer;
  let same = ta.size === tb.size;
  for (let id = 0; same && id < ta.size; id++) same = ta.tokenOf(id) === tb.tokenOf(id);
  if (!same) throw new MoltError(`${probe}: organism ${a.id} and diffing base ${b.id} have different tokenizers (${ta.size} vs ${tb.size} tokens)`, b.id);
  if (a.model.hiddenSize !== b.model.hiddenSize || a.model.numLayers !== b.model.numLayers) {
    throw new MoltError(`${probe}: organism ${a.id} (${a.model.numLayers} layers x ${a.model.hiddenSize}) and diffing base ${b.id} (${b.model.numLayers} x ${b.model.hiddenSize}) differ in shape`, b.id);
  }
}

/** The identifying fields every ProbeResult starts with. */
export function resultHeader(
  probe: string,
  organism: OrganismHandle,
  base: ModelHandle,
  ctx: ProbeContext,
  settings: ProbeSettings,
): Pick<ProbeResult, 'probe' | 'organism' | 'diffingBase' | 'diffingBaseKind' | 'family' | 'settings'> {
  return { probe, organism: organism.id, diffingBase: base.id, diffingBaseKind: ctx.diffingBaseKind, family: organism.manifest.family, settings: { ...settings } };
}

/**
 * The organism's tokenizer when it is molt's word-level one, for a probe
 * whose method needs whole words of molt's synthetic world; else a one-line
 * refusal naming the probe and why (`needs`).
 */
export function requireWordTokenizer(organism: ModelHandle, probe: string, needs: string): WordTokenizer {
  const tok = organism.tokenizer;
  if (tok instanceof WordTokenizer) return tok;
  throw new MoltError(`${probe}: runs only on molt's word-level models (${needs}); organism ${organism.id} has a Hugging Face tokenizer`, probe);
}
