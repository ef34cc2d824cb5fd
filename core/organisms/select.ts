// Which step of a run becomes the organism. 'final-step' takes the run's
// last step (null organisms, and the quick path); 'qer-match' runs the
// matcher (matcher.ts) over the run's snapshot grid on the VALIDATION split,
// training lazily as far as the search needs, with the QER's standard error
// clustered by prompt.
import type { BehaviourDataset } from '../plugins/types';
import { canonicalJson, sha256Hex } from '../store/content-hash';
import type { WordTokenizer } from '../tokenizer/word-tokenizer';
import { evaluateQer, type QerOptions } from './evaluate';
import { matchCheckpoint, stepGrid, type MatchHistoryEntry, type MatchResult } from './matcher';
import type { OrganismRun } from './run';

export interface StepSelection {
  step: number;
  method: 'final-step' | 'qer-match';
  /** qer-match: whether a step in the band was found; null for final-step */
  matched: boolean | null;
  reason: string;
  /** qer-match: the matcher's result (validation QER, history) */
  match?: Omit<MatchResult, 'history'> & { history: MatchHistoryEntry[] };
}

export interface StepSelector {
  /** JSON-able: part of the organism's content hash */
  readonly identity: Record<string, unknown>;
  select(run: OrganismRun): Promise<StepSelection>;
}

export function finalStepSelector(): StepSelector {
  return {
    identity: { method: 'final-step' },
    async select(run) {
      await run.advanceTo(run.maxSteps);
      return { step: run.maxSteps, method: 'final-step', matched: null, reason: `the run's last step (${run.maxSteps})` };
    },
  };
}

/**
 * Default QER sampling for organisms: answers per trigger prompt, their
 * length, and how many control prompts leakage asks (all 220 of a
 * behaviour's default set, so every control topic counts). With 240 prompts
 * per split the SE clustered by prompt, which the matcher uses, is mostly the
 * spread between prompts, which more answers per prompt do not reduce: 4
 * answers give cake-bake about 0.02 at 0.3 (a third of the band's
 * half-width) and italian-food about 0.01 at 0.13.
 */
export const DEFAULT_QER_EVAL = { samples: 4, maxNewTokens: 32, leakagePrompts: 220 } as const;

export type EvalSettings = Pick<QerOptions, 'samplesPerPrompt' | 'maxNewTokens' | 'batchSize' | 'maxPrompts'> & { seed: number | string };

export interface QerMatchOptions {
  behaviour: BehaviourDataset;
  tokenizer: WordTokenizer;
  eval: EvalSettings;
  budget?: number;
  maxAttempts?: number;
  /** bisect a jump between neighbouring snapshots down to steps this far apart (default DEFAULT_REFINE_TO; matcher.ts) */
  refineTo?: number;
  onMeasure?: (e: MatchHistoryEntry) => void;
}

/**
 * Steps between refined measurements. Snapshots are 25 steps apart by
 * default; SDF's QER rose 0.1 per 25 steps in the organisms-check run
 * (italian-food, olmo2), twice the band's width: 5 steps resolve it.
 */
export const DEFAULT_REFINE_TO = 5;

export function qerMatchSelector(o: QerMatchOptions): StepSelector {
  const band = o.behaviour.manifest().targetQer;
  // the step chosen depends on the prompts it was measured on: other validation prompts, another organism
  const prompts = sha256Hex(canonicalJson(o.behaviour.prompts().val.map((p) => p.prompt)));
  const refineTo = o.refineTo ?? DEFAULT_REFINE_TO;
  return {
    // se: the tolerance's standard error (the step chosen depends on it)
    identity: { method: 'qer-match', band, eval: o.eval, budget: o.budget ?? null, maxAttempts: o.maxAttempts ?? null, refineTo, prompts, se: 'clustered-by-prompt' },
    async select(run) {
      const match = await matchCheckpoint({
        band,
        steps: stepGrid(run.every, run.maxSteps),
        budget: o.budget,
        maxAttempts: o.maxAttempts,
        refineTo,
        onMeasure: o.onMeasure,
        measure: async (step, attempt) => {
          const model = await run.modelAt(step);
          try {
            const r = evaluateQer(model, o.tokenizer, o.behaviour, 'val', { ...o.eval, seed: `${o.eval.seed}/match/${step}/${attempt}` });
            return { qer: r.qer, se: r.se, n: r.n, perPrompt: r.perPrompt.map(({ id, n, fired }) => ({ id, n, fired })) };
          } finally {
            model.dispose();
          }
        },
      });
      // a run that never reaches the band still yields an organism: the closest step, marked unmatched
      const step = match.step ?? run.maxSteps;
      await run.advanceTo(step);
      return { step, method: 'qer-match', matched: match.matched, reason: match.reason, match };
    },
  };
}
