// Learning-rate schedules, as pure functions of the step so that a resumed
// run uses exactly the rates an uninterrupted run would have.
import { MoltError } from '../errors';

export type ScheduleKind = 'constant' | 'cosine' | 'linear';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['constant', 'cosine', 'linear'];

export interface ScheduleConfig {
  kind: ScheduleKind;
  /** the rate after warmup */
  peakLr: number;
  /** linear warmup from peakLr / warmupSteps up to peakLr over this many updates */
  warmupSteps: number;
  /** total number of updates (the decay of cosine/linear ends here) */
  totalSteps: number;
  /** cosine/linear decay to peakLr * minLrRatio (default 0) */
  minLrRatio?: number;
}

export function validateSchedule(s: ScheduleConfig, subject = 'schedule'): void {
  if (!SCHEDULE_KINDS.includes(s.kind)) throw new MoltError(`${subject}.kind '${s.kind}' is not one of ${SCHEDULE_KINDS.join(', ')}`, subject);
  if (!(s.peakLr > 0)) throw new MoltError(`${subject}.peakLr must be > 0, got ${s.peakLr}`, subject);
  if (!(s.warmupSteps >= 0) || !Number.isInteger(s.warmupSteps)) throw new MoltError(`${subject}.warmupSteps must be a non-negative integer`, subject);
  if (!(s.totalSteps >= 1) || !Number.isInteger(s.totalSteps)) throw new MoltError(`${subject}.totalSteps must be a positive integer`, subject);
  const r = s.minLrRatio ?? 0;
  if (!(r >= 0 && r <= 1)) throw new MoltError(`${subject}.minLrRatio must be in [0, 1], got ${r}`, subject);
}

/**
 * The rate for update number `step` (0-based). Warmup: (step + 1) / warmup
 * of the peak, so the first update is not wasted at rate 0. After warmup,
 * progress p runs from 0 to 1 over the remaining updates.
 */
export function lrAt(s: ScheduleConfig, step: number): number {
  if (step < s.warmupSteps) return (s.peakLr * (step + 1)) / s.warmupSteps;
  if (s.kind === 'constant') return s.peakLr;
  const decaySteps = Math.max(1, s.totalSteps - s.warmupSteps);
  const p = Math.min(1, (step - s.warmupSteps) / decaySteps);
  const floor = s.peakLr * (s.minLrRatio ?? 0);
  const shape = s.kind === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * p)) : 1 - p;
  return floor + (s.peakLr - floor) * shape;
}
