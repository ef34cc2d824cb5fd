// The molt command line. Built-in plugins are handed in by bin/molt.js and
// load exactly like --plugin modules: core itself never imports plugins/.
import { Command, CommanderError, Option } from 'commander';
import { isMoltError } from '../errors';
import { BACKEND_CHOICES, explainBackendError } from '../engine/backend';
import { MOLT_VERSION } from '../version';
import type { CliEnv } from './context';
import { lsCommand } from './commands-ls';
import { checkpointsCommand, exportCommand, forwardCommand } from './commands-checkpoint';
import { baseCommand } from './commands-base';
import { dataCommand } from './commands-data';
import { organismCommand, organismsCommand } from './commands-organism';
import { probeCommand } from './commands-probe';
import { benchCommand, workerCommand } from './commands-bench';
import { compareCommand } from './commands-compare';
import { reportCommand } from './commands-report';
import { queueWorkerCommand } from './commands-worker';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function commandPath(cmd: Command): string {
  return cmd.parent ? `${commandPath(cmd.parent)} ${cmd.name()}` : cmd.name();
}

export function buildProgram(env: CliEnv): Command {
  const program = new Command('molt')
    .description('Model Organism Lottery Toolkit: train model organisms and benchmark interpretability probes on them')
    .version(MOLT_VERSION)
    .option('--plugin <file|package>', 'load a plugin module (repeatable)', collect)
    .option('--config <file>', 'a JSON or YAML config file: backend, seed, world_seed, size, store, data, plugins, base (pipeline hyperparameters), trainers (per technique)')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices([...BACKEND_CHOICES]))
    .option('--seed <n>', 'root seed for initialisation, data order and sampling')
    .option('--world-seed <n>', 'seed of the synthetic world')
    .option('--size <name>', 'model size (micro, default, ...)')
    .option('--store <dir>', 'artifact store directory (default .molt/store, or $MOLT_STORE)')
    .option('--data <dir>', 'JSONL data replacing the synthetic world (docs/DATA.md)')
    .option('--verbose', 'debug logging and stack traces on errors')
    .configureHelp({ showGlobalOptions: true });
  program.addCommand(lsCommand(env));
  program.addCommand(exportCommand(env));
  program.addCommand(forwardCommand(env));
  program.addCommand(checkpointsCommand(env));
  program.addCommand(baseCommand(env));
  program.addCommand(dataCommand(env));
  program.addCommand(organismCommand(env));
  program.addCommand(organismsCommand(env));
  program.addCommand(probeCommand(env));
  program.addCommand(benchCommand(env));
  program.addCommand(workerCommand(env), { hidden: true });
  program.addCommand(compareCommand(env));
  program.addCommand(reportCommand(env));
  program.addCommand(queueWorkerCommand(env));
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const cmd of all(program)) {
    cmd.configureHelp({ showGlobalOptions: true });
    // commander's own usage errors in molt's one-line form, pointing at the help
    const usage = `${commandPath(cmd)} --help`;
    cmd.configureOutput({ outputError: (str, write) => write(`molt: error: ${str.trim().replace(/^error: /, '')} (see ${usage})\n`) });
    // errors, --help and --version come back to runCli instead of exiting the process
    cmd.exitOverride();
  }
  return program;
}

/** Run the CLI; returns the exit code. Errors print as one line unless --verbose. */
export async function runCli(argv: string[], env: CliEnv): Promise<number> {
  const program = buildProgram(env);
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed help, version or the usage error
      return e.exitCode;
    }
    if (verbose) process.stderr.write(`${(e as Error).stack ?? e}\n`);
    const msg = isMoltError(e) ? e.message : explainBackendError(`${(e as Error).message ?? e}`);
    process.stderr.write(`molt: error: ${msg.split('\n')[0]}${verbose || isMoltError(e) ? '' : ' (run with --verbose for details)'}\n`);
    return 1;
  }
}
