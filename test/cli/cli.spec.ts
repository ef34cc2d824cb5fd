// The molt command as a user runs it: a child process per call.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendInfo, initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import { tf } from '../../core/engine/tf';
import { ArtifactStore } from '../../core/store/artifact-store';
import { saveCheckpoint, CHECKPOINT_KIND } from '../../core/checkpoint/checkpoint-store';
import { contentHash } from '../../core/store/content-hash';
import { builtInWorld } from '../helpers/world';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';

import { runMolt as moltIn } from '../helpers/cli';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'molt.js');

function molt(args: string[], cwd = tmpdir()): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, MOLT_STORE: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --verbose');
}

describe('molt CLI', function () {
  this.timeout(60000);
  const dir = mkdtempSync(join(tmpdir(), 'molt-cli-'));
  const store = join(dir, 'store');
  const plugin = join(dir, 'ext-probe.js');
  let key = '';

  before(async () => {
    writeFileSync(plugin, `exports.register = (molt) => molt.register({ kind: 'probe', id: 'ext-probe', description: 'probe from outside', instance: { id: 'ext-probe', description: 'probe from outside' } });`);
    await initBackend('wasm');
    const world = builtInWorld(0, { size: 'micro' });
    const config = olmo2Architecture.config('micro', { vocabSize: world.tokenizer.size });
    const model = olmo2Architecture.init(config, new Rng(3));
    key = contentHash({ config, test: 'cli' }, 'test');
    const s = new ArtifactStore(store);
    await saveCheckpoint(s, key, { config, weights: new Map([...model.params].map(([k, v]) => [k, v as tf.Tensor])), tokenizer: world.tokenizer, metadata: { stage: 'test' } });
    await s.setAlias(CHECKPOINT_KIND, 'olmo2/micro/test', key);
    model.dispose();
  });

  it('ls --json lists every kind, with external plugins from --plugin and from a config file', async () => {
    const r = molt(['ls', '--json', '--plugin', plugin]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['architectures', 'behaviours', 'trainers', 'probes']);
    assert.deepEqual(out.architectures.map((a: { id: string }) => a.id), ['gemma3', 'olmo2']);
    assert.ok(out.architectures.every((a: { description: string }) => a.description.length > 10));
    assert.deepEqual(out.probes.filter((p: { id: string }) => p.id === 'ext-probe'), [{ id: 'ext-probe', description: 'probe from outside' }]);
    for (const kind of ['behaviours', 'trainers', 'probes']) assert.ok(out[kind].length > 0, `${kind} listed`);

    const cfg = join(dir, 'molt.yaml');
    writeFileSync(cfg, 'plugins:\n  - ./ext-probe.js\nseed: 3\n');
    const viaConfig = await moltIn(['ls', '--json', '--config', cfg]);
    assert.equal(viaConfig.code, 0, viaConfig.stderr);
    assert.ok(JSON.parse(viaConfig.stdout).probes.some((p: { id: string }) => p.id === 'ext-probe'));
  });

  it('bad input: one clear line each, non-zero exit', async () => {
    const dup = join(dir, 'dup.js');
    writeFileSync(dup, `exports.plugins = [{ kind: 'architecture', id: 'olmo2', description: 'again', instance: {} }];`);
    assertOneLineError(await moltIn(['ls', '--plugin', dup]), /duplicate architecture id 'olmo2': registered by .*plugins\/index\.ts and again by .*dup\.js/);
    assertOneLineError(await moltIn(['ls', '--plugin', './nope.js'], dir), /plugin '\.\/nope\.js': file not found/);
    assertOneLineError(await moltIn(['base', '--arch', 'llama', '--store', store]), /unknown architecture 'llama'; valid: gemma3, olmo2/);
    const badCfg = join(dir, 'bad.yaml');
    writeFileSync(badCfg, 'seed: -1\nbackend: wasm\n');
    assertOneLineError(await moltIn(['ls', '--config', badCfg]), /config .*bad\.yaml: field 'seed'/);
    writeFileSync(badCfg, 'sede: 1\n');
    assertOneLineError(await moltIn(['ls', '--config', badCfg]), /config .*bad\.yaml: field 'sede'/);
    assertOneLineError(await moltIn(['forward', '--checkpoint', 'olmo2/micro/none', '--text', 'cake', '--store', store]), /checkpoints: 'olmo2\/micro\/none' is not a key, alias or directory/);
  });

  it("commander's usage errors are one molt: error: line too, naming the help to read", async () => {
    const missing = await moltIn(['base']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "molt: error: required option '--arch <id|all>' not specified (see molt base --help)\n");
    const unknown = await moltIn(['--bogus']);
    assert.equal(unknown.stderr, "molt: error: unknown option '--bogus' (see molt --help)\n");
    assertOneLineError(await moltIn(['data', 'export']), /^molt: error: required option '--out <dir>' not specified \(see molt data export --help\)\n$/);
  });

  it('a reader that goes away (molt ls --json | head) ends the output quietly', async () => {
    const child = spawn(process.execPath, [BIN, 'ls', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // closed before molt has written anything: its first write meets EPIPE
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(stderr, '', 'no EPIPE stack trace');
    assert.equal(code, 0);
  });

  it('a learning rate of 1e300 for one step is refused at the stage, with no checkpoint or output written', async () => {
    const cfg = join(dir, 'diverge.yaml');
    writeFileSync(cfg, 'base: { pretrain: { steps: 1, schedule: { peakLr: 1.0e+300, warmupSteps: 0 } } }\n');
    const st = join(dir, 'store-diverged');
    const r = await moltIn(['--store', st, 'base', '--arch', 'olmo2', '--size', 'micro', '--config', cfg, '--out', join(dir, 'base-out')]);
    assertOneLineError(r, /molt: error: olmo2 pretrain: training diverged at step 1: (\d+) of \1 weights are NaN or infinite .*; stopped without saving \(lower the learning rate\)\n$/);
    assert.deepEqual(await new ArtifactStore(st).list(CHECKPOINT_KIND), [], 'no checkpoint stored');
    assert.equal(existsSync(join(dir, 'base-out')), false, 'no competence files');
  });

  it('forward prints the same logits as the model in process; export writes an HF directory', async () => {
    const r = molt(['forward', '--checkpoint', 'olmo2/micro/test', '--text', 'the cake', '--json', '--store', store, '--backend', 'wasm']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.backend, backendInfo().id); // 'wasm+native-<version>' where the native kernels built
    assert.deepEqual(out.tokens, ['<bos>', 'the', 'cake']);
    const world = builtInWorld(0, { size: 'micro' });
    const config = olmo2Architecture.config('micro', { vocabSize: world.tokenizer.size });
    const model = olmo2Architecture.init(config, new Rng(3));
    const logits = tf.tidy(() => model.forward(tf.tensor2d([out.ids], [1, 3], 'int32')).logits.squeeze([0]));
    const last = ((await logits.array()) as number[][])[2];
    logits.dispose();
    model.dispose();
    assert.equal(out.last_logits.length, last.length);
    out.last_logits.forEach((v: number, i: number) => assert.equal(v, last[i]));

    const outDir = join(dir, 'exported');
    const e = await moltIn(['export', '--checkpoint', key.slice(0, 10), '--out', outDir, '--store', store]);
    assert.equal(e.code, 0, e.stderr);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'molt.json']) assert.ok(existsSync(join(outDir, f)), f);
    assert.equal(JSON.parse(readFileSync(join(outDir, 'config.json'), 'utf8')).model_type, 'olmo2');
    assertOneLineError(await moltIn(['export', '--checkpoint', key, '--out', outDir, '--store', store]), /already exists/);
    const j = await moltIn(['export', '--checkpoint', 'olmo2/micro/test', '--out', join(dir, 'exported-json'), '--store', store, '--json']);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout), { checkpoint: key, out: join(dir, 'exported-json'), files: readdirSync(join(dir, 'exported-json')).sort() });
    assert.ok(JSON.parse(j.stdout).files.includes('model.safetensors'));
  });

  it('checkpoints lists what the store holds: key, what built it, size, aliases, and aliases left naming nothing', async () => {
    const s = new ArtifactStore(store);
    await s.setAlias(CHECKPOINT_KIND, 'gone', key);
    const aliases = JSON.parse(readFileSync(join(store, CHECKPOINT_KIND, 'aliases.json'), 'utf8'));
    aliases.gone = 'f'.repeat(64); // its checkpoint removed by hand
    writeFileSync(join(store, CHECKPOINT_KIND, 'aliases.json'), JSON.stringify(aliases));
    const r = await moltIn(['checkpoints', '--json', '--store', store]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const row = out.checkpoints.find((c: { key: string }) => c.key === key);
    assert.deepEqual(row.aliases, ['olmo2/micro/test']);
    assert.equal(row.stage, 'test');
    const manifest = JSON.parse(readFileSync(join(store, CHECKPOINT_KIND, key, 'manifest.json'), 'utf8'));
    assert.equal(row.bytes, manifest.files.reduce((n: number, f: { size: number }) => n + f.size, 0));
    assert.deepEqual(out.dangling_aliases, ['gone']);
    const text = await moltIn(['checkpoints', '--store', store]);
    assert.match(text.stdout, new RegExp(`^${key.slice(0, 12)}  test .* olmo2/micro/test$`, 'm'));
    assert.match(text.stdout, /^aliases naming no checkpoint \(removed by hand\?\): gone$/m);
  });

  it('a corrupted checkpoint is refused by name, before use', async () => {
    const file = join(store, CHECKPOINT_KIND, key, 'model.safetensors');
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] ^= 0x01;
    writeFileSync(file, bytes);
    assertOneLineError(await moltIn(['forward', '--checkpoint', 'olmo2/micro/test', '--text', 'cake', '--store', store]), new RegExp(`checkpoints/${key}.*model\\.safetensors`));
  });

  it('--help works on every subcommand', async () => {
    for (const cmd of [[], ['ls'], ['export'], ['forward'], ['checkpoints'], ['base'], ['data'], ['data', 'export'], ['data', 'check']]) {
      const r = await moltIn([...cmd, '--help']);
      assert.equal(r.code, 0, `${cmd.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Usage: molt/);
      assert.match(r.stdout, /--plugin/, 'global options shown');
    }
  });
});
