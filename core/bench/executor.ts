// How cells get run. The harness hands an executor the cells still to do;
// the executor runs each once its dependencies are finished, skips those
// whose dependencies failed, and reports every outcome. The local executor
// (worker processes on this machine) and the in-process one share the
// scheduling below; a queue executor (BullMQ) implements the same interface.
import type { CellRecord } from './cell-record';
import type { BenchPlan, Cell } from './plan';

export interface SkippedCell {
  id: string;
  status: 'skipped';
  error: string;
}
export type CellOutcome = CellRecord | SkippedCell;

export interface ExecutorEvents {
  onStart?(cell: Cell, slot: number): void;
  onFinish?(cell: Cell, outcome: CellOutcome): void;
  /** a line worth showing (a worker restarted, ...) */
  onNote?(line: string): void;
  /** where a running cell is (e.g. 'olmo2 pretrain 50/900'), as its worker reports it */
  onProgress?(cellId: string, text: string): void;
}

export interface ExecuteRequest {
  plan: BenchPlan;
  /** cells to run, in plan order */
  pending: Cell[];
  /** records of cells finished earlier (their dependants may run at once) */
  finished: ReadonlyMap<string, CellRecord>;
  events: ExecutorEvents;
  /** true: start nothing new; running cells save their state and stop */
  shouldStop: () => boolean;
}

export interface CellExecutor {
  /** how many cells run at once */
  readonly slots: number;
  /** resolves with the outcome of every pending cell that finished, failed or was skipped (interrupted cells are absent) */
  execute(req: ExecuteRequest): Promise<Map<string, CellOutcome>>;
  close(): Promise<void>;
}

/** '2 failed (a, b)' or '7 skipped (a, b, c and 4 more)'; '' for none. */
export function cellList(ids: readonly string[], what: string, named = 3): string {
  if (ids.length === 0) return '';
  const more = ids.length > named ? ` and ${ids.length - named} more` : '';
  return `${ids.length} ${what} (${ids.slice(0, named).join(', ')}${more})`;
}

/** What one slot does with one cell: its record, or null if it was interrupted. */
export type RunOne = (cell: Cell, slot: number) => Promise<CellRecord | null>;

/**
 * Run `pending` on `slots` parallel slots in plan order, each cell once its
 * dependencies are ok. A cell whose dependency failed or was skipped is
 * skipped with the reason. Stops starting cells when `shouldStop()`.
 */
export async function schedule(req: ExecuteRequest, slots: number, runOne: RunOne): Promise<Map<string, CellOutcome>> {
  const outcomes = new Map<string, CellOutcome>();
  const statusOf = (id: string): 'ok' | 'bad' | 'waiting' => {
    const f = req.finished.get(id) ?? outcomes.get(id);
    if (!f) return 'waiting';
    return f.status === 'ok' ? 'ok' : 'bad';
  };
  const waiting = [...req.pending];
  const running = new Set<Promise<void>>();
  const freeSlots = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  let interrupted = false;
  // an `after` cell that is neither pending nor finished never comes: do not wait for it
  const planned = new Set([...req.pending.map((c) => c.id), ...req.finished.keys()]);

  const skipBlocked = (): void => {
    // repeat until nothing changes: a skip can block cells further down
    for (let changed = true; changed; ) {
      changed = false;
      for (let i = 0; i < waiting.length; i++) {
        const cell = waiting[i];
        const bad = cell.deps.find((d) => statusOf(d) === 'bad');
        if (!bad) continue;
        const dep = req.finished.get(bad) ?? outcomes.get(bad)!;
        const o: SkippedCell = { id: cell.id, status: 'skipped', error: `dependency ${bad} ${dep.status}` };
        outcomes.set(cell.id, o);
        req.events.onFinish?.(cell, o);
        waiting.splice(i--, 1);
        changed = true;
      }
    }
  };

  for (;;) {
    skipBlocked();
    if (!interrupted && req.shouldStop()) interrupted = true;
    while (!interrupted && freeSlots.length > 0) {
      const i = waiting.findIndex((c) => c.deps.every((d) => statusOf(d) === 'ok') && (c.after ?? []).every((d) => statusOf(d) !== 'waiting' || !planned.has(d)));
      if (i < 0) break;
      const [cell] = waiting.splice(i, 1);
      const slot = freeSlots.pop()!;
      req.events.onStart?.(cell, slot);
      const p: Promise<void> = runOne(cell, slot)
        .then((record) => {
          if (record) {
            outcomes.set(cell.id, record);
            req.events.onFinish?.(cell, record);
          } else interrupted = true;
        })
        .finally(() => {
          freeSlots.push(slot);
          running.delete(p);
        });
      running.add(p);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  // anything still waiting now can never run (interrupted, or a dependency that is not in the plan)
  if (!interrupted) {
    for (const cell of waiting) {
      const o: SkippedCell = { id: cell.id, status: 'skipped', error: `dependencies never finished: ${cell.deps.filter((d) => statusOf(d) !== 'ok').join(', ')}` };
      outcomes.set(cell.id, o);
      req.events.onFinish?.(cell, o);
    }
  }
  return outcomes;
}
