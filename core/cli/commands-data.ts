// molt data export / molt data check: the world's data as JSONL (the same
// schema real data must follow), and validation of a JSONL directory.
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MoltError } from '../errors';
import { exportWorld } from '../data/export';
import { dataFileName } from '../data/jsonl';
import { JsonlWorld } from '../data/jsonl-world';
import { DATA_KINDS, SPLITS } from '../data/types';
import { runtimeFor, type CliEnv } from './context';

export function dataCommand(env: CliEnv): Command {
  const data = new Command('data').description('the synthetic world as JSONL, and checks of JSONL data');
  data
    .command('export')
    .description('write the world (per --world-seed and --size) as {kind}.{split}.jsonl plus world.json')
    .requiredOption('--out <dir>', 'output directory')
    .action(async (opts: { out: string }, cmd: Command) => {
      const rt = await runtimeFor(cmd, env);
      const files = exportWorld(rt.services.world, resolve(opts.out));
      rt.logger.info(`wrote ${files.length} files to ${resolve(opts.out)}`);
    });
  data
    .command('check')
    .description('validate a JSONL data directory (every line of every file) and report counts')
    .requiredOption('--dir <dir>', 'directory of {kind}.{split}.jsonl files')
    .option('--json', 'print counts as JSON')
    .action(async (opts: { dir: string; json?: boolean }) => {
      const dir = resolve(opts.dir);
      const w = new JsonlWorld(dir);
      const counts: Record<string, Record<string, number>> = {};
      for (const kind of DATA_KINDS) {
        for (const split of SPLITS) {
          if (!existsSync(join(dir, dataFileName(kind, split)))) continue;
          (counts[kind] ??= {})[split] = w.data(kind, split).length;
        }
      }
      if (Object.keys(counts).length === 0) throw new MoltError(`${dir}: no data files`, dir);
      if (opts.json) process.stdout.write(JSON.stringify({ dir, vocab: w.tokenizer.size, counts }) + '\n');
      else {
        process.stdout.write(`${dir}: valid; vocabulary ${w.tokenizer.size} tokens\n`);
        for (const [k, v] of Object.entries(counts)) process.stdout.write(`  ${k.padEnd(14)} ${Object.entries(v).map(([s, n]) => `${s} ${n}`).join(', ')}\n`);
      }
    });
  return data;
}
