import { Command } from 'commander';
import { PLUGIN_KINDS, type PluginKind } from '../plugins/types';
import { runtimeFor, type CliEnv } from './context';

const PLURAL: Record<PluginKind, string> = {
  architecture: 'architectures',
  behaviour: 'behaviours',
  trainer: 'trainers',
  probe: 'probes',
};

export function lsCommand(env: CliEnv): Command {
  return new Command('ls')
    .description('list every registered plugin by kind')
    .option('--json', 'print one JSON object {"architectures":[{"id","description"}],...}')
    .option('--sources', 'also show the file or package each plugin came from')
    .action(async (opts: { json?: boolean; sources?: boolean }, cmd: Command) => {
      const rt = await runtimeFor(cmd, env);
      if (opts.json) {
        const out: Record<string, { id: string; description: string; source?: string }[]> = {};
        for (const k of PLUGIN_KINDS) {
          out[PLURAL[k]] = rt.registry.list(k).map((p) => ({
            id: p.id,
            description: p.description,
            ...(opts.sources ? { source: p.source } : {}),
          }));
        }
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return;
      }
      for (const k of PLUGIN_KINDS) {
        const items = rt.registry.list(k);
        process.stdout.write(`${PLURAL[k]} (${items.length})\n`);
        const width = Math.max(0, ...items.map((p) => p.id.length));
        for (const p of items) {
          process.stdout.write(`  ${p.id.padEnd(width)}  ${p.description}${opts.sources ? `  [${p.source}]` : ''}\n`);
        }
      }
    });
}
