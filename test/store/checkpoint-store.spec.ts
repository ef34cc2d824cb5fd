// The two halves together: a checkpoint built into the store under its
// content hash, found again by alias, verified and loaded.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { loadHfDir, saveHfDir } from '../../core/checkpoint/hf-dir';
import { exportCheckpoint, loadCheckpoint, saveCheckpoint } from '../../core/checkpoint/checkpoint-store';
import { isMoltError } from '../../core/errors';
import { ArtifactStore } from '../../core/store/artifact-store';
import { contentHash } from '../../core/store/content-hash';
import { encodeSafetensors } from '../../core/checkpoint/safetensors';

describe('checkpoints in the artifact store', () => {
  let root: string;
  before(async () => {
    await initBackend('wasm');
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'molt-ckpt-store-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes under the content hash, resolves by alias, verifies and loads the same weights', async () => {
    const store = new ArtifactStore({ root });
    const tokenizer = new WordTokenizer(['cake', 'oven']);
    const config = { model_type: 'olmo2', vocab_size: tokenizer.size, hidden_size: 4, num_hidden_layers: 1 };
    const key = contentHash({ config, data: 'world-v1/seed-7' }, 'molt@0.1.0/pretrain-v1');
    const embed = tf.tensor2d(Array.from({ length: tokenizer.size * 4 }, (_, i) => i / 7 - 3), [tokenizer.size, 4]);
    const { created, path } = await store.writeDir('checkpoints', key, (tmp) =>
      saveHfDir(tmp, { config, weights: new Map([['model.embed_tokens.weight', embed]]), tokenizer, metadata: { stage: 'pretrain', config_hash: key } }),
    );
    assert.ok(created);
    await store.setAlias('checkpoints', 'olmo2/micro/base', key);
    const found = await store.resolve('checkpoints', 'olmo2/micro/base');
    assert.equal(found.path, path);
    const manifest = await store.verify('checkpoints', key);
    assert.deepEqual(manifest.files.map((f) => f.path), [
      'config.json', 'generation_config.json', 'model.safetensors', 'molt.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json',
    ]);
    const back = await loadHfDir(found.path);
    assert.equal(back.metadata.config_hash, key);
    assert.deepEqual(Array.from(back.weights.get('model.embed_tokens.weight')!.dataSync()), Array.from(embed.dataSync()));
    embed.dispose();
    back.weights.forEach((t) => t.dispose());
  });

  it('saveCheckpoint / loadCheckpoint / exportCheckpoint: verified before use, exported as a plain HF directory', async () => {
    const store = new ArtifactStore({ root });
    const tokenizer = new WordTokenizer(['cake']);
    const config = { model_type: 'gemma3_text', vocab_size: tokenizer.size, hidden_size: 2, num_hidden_layers: 1 };
    const w = tf.tensor2d([[0.5, -1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11], [12, 13], [14, 15]]);
    const key = contentHash({ config }, 'test-v1');
    assert.ok((await saveCheckpoint(store, key, { config, weights: new Map([['model.embed_tokens.weight', w]]), tokenizer, metadata: { seed: 1 } })).created);
    await store.setAlias('checkpoints', 'gemma3-micro-base', key);

    const out = join(root, 'export');
    const resolved = await exportCheckpoint(store, 'gemma3-micro-base', out);
    assert.deepEqual(resolved, { by: 'alias', key, path: store.path('checkpoints', key) });
    for (const f of ['model.safetensors', 'config.json', 'tokenizer.json']) {
      assert.deepEqual(readFileSync(join(out, f)), readFileSync(join(resolved.path, f)), f);
    }
    const fromPath = await loadCheckpoint(store, out);
    assert.equal(fromPath.resolved.by, 'path');
    assert.deepEqual(fromPath.metadata, { seed: 1, exported_from: key });
    await assert.rejects(exportCheckpoint(store, key, out), /already exists/);
    fromPath.weights.forEach((t) => t.dispose());

    // a corrupted store checkpoint is refused before it is used
    const file = join(resolved.path, 'model.safetensors');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0x80;
    writeFileSync(file, bytes);
    await assert.rejects(loadCheckpoint(store, key.slice(0, 8)), (e: unknown) => isMoltError(e) && (e as Error).message.includes(`checkpoints/${key}`) && (e as Error).message.includes('model.safetensors'));
    w.dispose();
  });

  it('weights that are not all finite are neither saved (nothing stored) nor loaded', async () => {
    const store = new ArtifactStore({ root });
    const tokenizer = new WordTokenizer(['cake']);
    const config = { model_type: 'olmo2', vocab_size: tokenizer.size, hidden_size: 2, num_hidden_layers: 1 };
    const good = tf.ones([tokenizer.size, 2]);
    const bad = tf.tensor2d([[1, NaN], [Infinity, 0], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1]]);
    const weights = new Map([['model.embed_tokens.weight', good], ['model.norm.weight', bad]]);
    await assert.rejects(
      saveCheckpoint(store, 'k1', { config, weights, tokenizer, metadata: { stage: 'pretrain' } }),
      (e: unknown) => isMoltError(e) && (e as Error).message === 'checkpoints/k1 (pretrain): not saved: 2 of 32 weights are NaN or infinite (first in model.norm.weight); training diverged (lower the learning rate)',
    );
    assert.equal(existsSync(join(root, 'checkpoints')), false, 'nothing stored, not even a temporary');
    // one written by other means (an HF directory, or an older molt) is refused when loaded
    await saveHfDir(join(root, 'hf'), { config, weights: new Map([['model.embed_tokens.weight', good]]), tokenizer, metadata: {} });
    writeFileSync(join(root, 'hf', 'model.safetensors'), encodeSafetensors(new Map([['model.embed_tokens.weight', { dtype: 'F32', shape: [2], data: new Float32Array([NaN, 1]) }]])));
    await assert.rejects(loadCheckpoint(store, join(root, 'hf')), /hf\/model\.safetensors: 1 of 2 weights are NaN or infinite \(first in model\.embed_tokens\.weight\); the model diverged in training/);
    good.dispose();
    bad.dispose();
  });
});
