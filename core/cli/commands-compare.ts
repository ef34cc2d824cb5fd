import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { MoltError } from '../errors';
import { writeFileAtomic } from '../store/atomic';
import { readResultsCsv } from '../bench/results-csv';
import { compareCsv, compareResults, findRegressions, parseRegressionThreshold, regressionLine, summarizeComparison, summaryText } from '../bench/compare';
import type { CliEnv } from './context';

/** A run directory's results.csv, or the file itself; a missing path is an error naming it. */
export function resultsPath(arg: string, cwd: string): string {
  const p = resolve(cwd, arg);
  if (!existsSync(p)) throw new MoltError(`${p}: no such file or directory (expected a run directory or a results.csv)`, p);
  return statSync(p).isDirectory() ? join(p, 'results.csv') : p;
}

// Messages are one line; the full list goes to stderr before it.
const NAMED_IN_MESSAGE = 5;

interface CompareOptions {
  out?: string;
  failOnRegression?: string;
  json?: boolean;
}

export function compareCommand(env: CliEnv): Command {
  return new Command('compare')
    .description('compare two benchmark runs row by row (matched by behaviour, technique, architecture, seed, diffing base, probe, layer, variant, metric; hashes, run ids and wall-clock columns are ignored)')
    .argument('<a>', 'the baseline: a run directory containing results.csv, or a results.csv file')
    .argument('<b>', 'the new run: a run directory or a results.csv file')
    .option('--out <file>', 'write every row (identity, old, new, delta, old_status, new_status, change, headline) as CSV')
    .option(
      '--fail-on-regression <x>',
      'exit 1 when any headline score moves by more than x (a number >= 0) in EITHER direction, since a rise is as much a change to look at as a drop, or when a headline that was ok in A is failed, skipped or missing in B',
    )
    .option('--json', 'print one JSON object {summary, rows} instead of the text summary (missing numbers are null)')
    .action(async (a: string, b: string, opts: CompareOptions) => {
      // Check the flag before reading anything, so a typo fails fast.
      const threshold = opts.failOnRegression === undefined ? undefined : parseRegressionThreshold(opts.failOnRegression);
      const fileA = resultsPath(a, env.cwd);
      const fileB = resultsPath(b, env.cwd);
      const rows = compareResults(readResultsCsv(fileA), readResultsCsv(fileB), { a: fileA, b: fileB });
      const summary = summarizeComparison(rows);
      if (opts.out) {
        const out = resolve(env.cwd, opts.out);
        try {
          await writeFileAtomic(out, compareCsv(rows));
        } catch (e) {
          throw new MoltError(`--out ${out}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, out);
        }
      }
      if (opts.json) process.stdout.write(JSON.stringify({ a: fileA, b: fileB, summary, rows }, null, 2) + '\n');
      else process.stdout.write(`A: ${fileA}\nB: ${fileB}\n${summaryText(summary)}`);
      if (threshold === undefined) return;
      const regressions = findRegressions(rows, threshold);
      if (regressions.length === 0) return;
      for (const g of regressions) process.stderr.write(`regression: ${regressionLine(g)}\n`);
      const named = regressions.slice(0, NAMED_IN_MESSAGE).map(regressionLine).join('; ');
      const more = regressions.length > NAMED_IN_MESSAGE ? `; and ${regressions.length - NAMED_IN_MESSAGE} more (listed above)` : '';
      throw new MoltError(`--fail-on-regression ${threshold}: ${regressions.length} headline cell(s) regressed: ${named}${more}`, 'fail-on-regression');
    });
}
