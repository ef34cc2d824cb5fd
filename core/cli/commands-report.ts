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
    .action(async (dir: string) => {
      for (const path of await rebuildOutputs(resolve(env.cwd, dir))) process.stdout.write(`${path}\n`);
    });
}
