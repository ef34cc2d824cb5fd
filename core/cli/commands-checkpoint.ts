// molt export / molt forward: checkpoints as Hugging Face directories, and
// raw logits so anyone can compare molt against another implementation.
import { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tf } from '../engine/tf';
import { MoltError } from '../errors';
import { openModelDir, type OpenedModelDir } from '../checkpoint/open';
import { TOKENIZER_FILE } from '../checkpoint/tokenizer-json';
import { renderPrompt } from '../data/chat-template';
import { WordTokenizer } from '../tokenizer/word-tokenizer';
import { exportCheckpoint } from '../checkpoint/checkpoint-store';
import { runtimeFor, type CliEnv } from './context';
import { formatListing, listCheckpoints } from './store-listing';

export function exportCommand(env: CliEnv): Command {
  return new Command('export')
    .description('write a checkpoint as a Hugging Face directory (config.json, model.safetensors, tokenizer.json)')
    .requiredOption('--checkpoint <id>', 'store key, alias (e.g. <arch>/default/base) or key prefix')
    .requiredOption('--out <dir>', 'output directory (must not exist)')
    .option('--json', 'print one JSON object {"checkpoint","out","files":[names]}')
    .action(async (opts: { checkpoint: string; out: string; json?: boolean }, cmd: Command) => {
      const rt = await runtimeFor(cmd, env);
      const engine = await rt.ready();
      const out = resolve(opts.out);
      const from = await exportCheckpoint(rt.services.store, opts.checkpoint, out, { exported_with_backend: engine.info.id });
      if (opts.json) process.stdout.write(JSON.stringify({ checkpoint: from.key ?? from.path, out, files: readdirSync(out).sort() }, null, 2) + '\n');
      else rt.logger.info(`exported checkpoint ${from.key ?? from.path} to ${out}`);
    });
}

/** The ids `molt forward` runs: from --ids, or --text through the checkpoint's tokenizer (and chat template with --chat). */
function forwardIds(ck: OpenedModelDir, opts: ForwardOptions): number[] {
  const vocab = ck.model.vocabSize;
  if (opts.ids !== undefined) {
    return opts.ids.split(/[\s,]+/).filter(Boolean).map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0 || n >= vocab) throw new MoltError(`--ids: '${s}' is not a token id in [0, ${vocab})`, 'ids');
      return n;
    });
  }
  const tok = ck.tokenizer;
  if (!tok) throw new MoltError(`${join(ck.resolved.path, TOKENIZER_FILE)}: not found, so --text cannot be encoded; give token ids with --ids`, 'text');
  const text = opts.text!;
  let ids: number[];
  if (tok instanceof WordTokenizer) {
    ids = opts.chat ? renderPrompt(tok, text) : [...(opts.bos ? [tok.specials.bos] : []), ...tok.encode(text)];
  } else if (opts.chat) {
    ids = tok.encodeChat([{ role: 'user', content: text }], { addGenerationPrompt: true });
  } else {
    ids = opts.bos ? tok.encodeWithSpecials(text) : tok.encode(text);
  }
  const outside = ids.find((i) => i >= vocab);
  if (outside !== undefined) {
    throw new MoltError(`${join(ck.resolved.path, TOKENIZER_FILE)}: token ${outside} ('${tok.tokenOf(outside)}') is outside the model's vocab_size ${vocab}`, 'text');
  }
  return ids;
}

interface ForwardOptions {
  checkpoint: string;
  text?: string;
  ids?: string;
  bos: boolean;
  chat?: boolean;
  allPositions?: boolean;
  json?: boolean;
}

export function forwardCommand(env: CliEnv): Command {
  return new Command('forward')
    .description('run one forward pass and print token ids and logits')
    .requiredOption('--checkpoint <id|dir>', 'store key, alias, key prefix or a Hugging Face directory (OLMo2 or Gemma3, from molt or elsewhere)')
    .option('--text <text>', "input text, through the checkpoint's tokenizer.json (molt's word-level or any Hugging Face kind)")
    .option('--ids <ids>', 'input token ids instead of text, comma or space separated (no tokenizer needed)')
    .option('--no-bos', "add no special tokens to --text (default: molt's <bos>, or what the HF tokenizer's post-processor adds, as tokenizer(text) does)")
    .option('--chat', "render --text as one user turn with the checkpoint's chat template, ending with the assistant's generation prompt")
    .option('--all-positions', 'print logits for every position, not only the last')
    .option('--json', 'print JSON {"ids","tokens","last_logits"|"logits",...}')
    .action(async (opts: ForwardOptions, cmd: Command) => {
      if ((opts.text === undefined) === (opts.ids === undefined)) throw new MoltError('forward: give exactly one of --text or --ids', 'forward');
      if (opts.chat && opts.text === undefined) throw new MoltError('forward: --chat applies to --text', 'chat');
      const rt = await runtimeFor(cmd, env);
      const engine = await rt.ready();
      const ck = await openModelDir(rt.services.store, rt.plugins('architecture'), opts.checkpoint);
      let ids: number[];
      try {
        ids = forwardIds(ck, opts);
      } catch (e) {
        ck.model.dispose();
        throw e;
      }
      if (ids.length === 0) {
        ck.model.dispose();
        throw new MoltError('forward: the input has no tokens', 'text');
      }
      const logits = tf.tidy(() => ck.model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits.squeeze([0]) as tf.Tensor2D);
      const rows = (await logits.array()) as number[][];
      logits.dispose();
      ck.model.dispose();
      const tok = ck.tokenizer;
      const tokenOf = (i: number) => tok?.tokenOf(i) ?? `#${i}`;
      const result = {
        checkpoint: ck.resolved.key ?? ck.resolved.path,
        arch: ck.arch.id,
        model_type: ck.config.model_type,
        backend: engine.info.id,
        ids,
        tokens: tok ? ids.map(tokenOf) : null,
        ...(opts.allPositions ? { logits: rows } : { last_logits: rows[rows.length - 1] }),
      };
      if (opts.json) {
        process.stdout.write(JSON.stringify(result) + '\n');
        return;
      }
      process.stdout.write(`checkpoint ${result.checkpoint} (${result.arch}, backend ${result.backend})\nids: ${ids.join(' ')}\n`);
      if (result.tokens) process.stdout.write(`tokens: ${result.tokens.join(' ')}\n`);
      const show = opts.allPositions ? rows.map((r, i) => [i, r] as const) : [[rows.length - 1, rows[rows.length - 1]] as const];
      for (const [pos, row] of show) {
        const top = [...row.keys()].sort((a, b) => row[b] - row[a]).slice(0, 5);
        process.stdout.write(`pos ${pos}: top ${top.map((i) => `${tokenOf(i)}=${row[i].toFixed(4)}`).join(' ')}\n`);
      }
    });
}

export function checkpointsCommand(env: CliEnv): Command {
  return new Command('checkpoints')
    .description("list the store's checkpoints: what built each (stage, behaviour and technique, arch/size, seed), its size, when, and the aliases that name it")
    .option('--json', 'print one JSON object {"store","checkpoints":[{key, aliases, bytes, stage, arch, size, seed, behaviour, technique, step, backend, created_at}],"dangling_aliases"}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const rt = await runtimeFor(cmd, env);
      const store = rt.services.store;
      const { rows, dangling } = await listCheckpoints(store);
      if (opts.json) process.stdout.write(JSON.stringify({ store: store.root, checkpoints: rows, dangling_aliases: dangling }, null, 2) + '\n');
      else process.stdout.write(formatListing(rows, store.root, dangling));
    });
}
