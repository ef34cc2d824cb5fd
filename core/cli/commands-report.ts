// molt report DIR: rebuild a benchmark run's derived files (matrix.csv, the
// statistics CSVs, report.html) from DIR/results.csv, with the same code the
// harness runs after a benchmark (reports/outputs.ts).
import { resolve } from 'node:path';
import { Command } from 'commander';
import { rebuildOutputs } from '../../reports/outputs';
import type { CliEnv } from './context';

export function reportCommand(env: CliEnv): Command {
  return new Command('report')
    .description('rebuild matrix.csv, summary.csv, null-controls.csv, anova.csv, paired.csv and report.html from DIR/results.csv (and DIR/run.json)')
    .argument('<dir>', 'a benchmark output directory')
    .option('--json', 'print one JSON object {"dir","written":[paths]}')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const out = resolve(env.cwd, dir);
      const written = await rebuildOutputs(out);
      if (opts.json) process.stdout.write(JSON.stringify({ dir: out, written }, null, 2) + '\n');
      else for (const path of written) process.stdout.write(`${path}\n`);
    });
}
