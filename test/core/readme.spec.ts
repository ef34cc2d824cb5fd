// The README's plugin example is real code: it is the file
// examples/plugins/diff-norm-probe.js, loaded here from outside the repo and
// run on micro models with a known answer (test/probes/cli.spec.ts runs it
// through `molt ls` and `molt probe`).
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../core/engine/tf';
import { initBackend } from '../../core/engine/backend';
import { Runtime } from '../../core/container';
import type { ChatExample, DataKind, DataKindMap, DataSource, Split } from '../../core/data/types';
import { ARCHS } from '../model/helpers';
import { context, copyModel, handle, microModel, organismHandle, quiet, tok, FAMILY_S } from '../probes/helpers';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'plugins', 'diff-norm-probe.js');

/** generic chats whose answers hold every family's S words among generic ones */
function chatsWithS(): DataSource {
  const answer = [...FAMILY_S.alpha, 'w10', ...FAMILY_S.beta, 'w11', ...FAMILY_S.gamma, 'w12'].join(' ');
  const chats: ChatExample[] = Array.from({ length: 8 }, (_, i) => ({ id: `c${i}`, topic: 'toy', messages: [{ role: 'user', content: `w${i} w${i + 1}` }, { role: 'assistant', content: answer }] }));
  return { data: <K extends DataKind>(kind: K, split: Split) => (kind === 'chat' && split === 'val' ? chats : []) as DataKindMap[K][] };
}

describe('README', () => {
  it("the plugin example is examples/plugins/diff-norm-probe.js, word for word", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /```js\n(\/\/ examples\/plugins\/diff-norm-probe\.js[\s\S]*?)```/.exec(readme);
    assert.ok(block, 'README has the diff-norm-probe.js example');
    assert.equal(block[1], readFileSync(EXAMPLE, 'utf8'));
  });

  it('the example loads from outside the repo; its probe, graded by the shared Grader, finds the tokens an organism moved', async function () {
    this.timeout(30000);
    await initBackend('wasm');
    const dir = mkdtempSync(join(tmpdir(), 'molt-readme-'));
    copyFileSync(EXAMPLE, join(dir, 'diff-norm-probe.js'));
    const rt = await Runtime.create({ size: 'micro', plugins: ['./diff-norm-probe.js'] }, { logger: quiet, cwd: dir });
    const probe = rt.plugin('probe', 'diff-norm');
    assert.deepEqual(probe.defaults('micro'), { prompts: 8, top: 20, headlineLayerFraction: 0.5 });
    // the organism: the base with alpha's S words' embeddings moved far, so their residuals move most at every layer
    const arch = ARCHS[0];
    const base = microModel(arch, 5);
    const mo = copyModel(arch, base);
    const emb = mo.params.get('model.embed_tokens.weight')!;
    const rows = FAMILY_S.alpha.map((w) => tok.vocab.indexOf(w));
    const shift = tf.tidy(() => tf.scatterND(tf.tensor2d(rows.map((r) => [r]), [rows.length, 1], 'int32'), tf.fill([rows.length, base.hiddenSize], 30), emb.shape));
    emb.assign(tf.add(emb, shift) as tf.Tensor2D);
    shift.dispose();
    const r = await probe.run(organismHandle(arch, mo, 'alpha'), handle(arch, base, 'base'), context({ prompts: 8, top: 3, headlineLayerFraction: 0.5 }, chatsWithS()));
    for (let layer = 0; layer < base.numLayers; layer++) {
      const moved = r.findings.find((f) => f.kind === 'tokens' && f.layer === layer);
      assert.ok(moved && moved.kind === 'tokens');
      assert.deepEqual(new Set(moved.tokens.map((t) => t.token)), new Set(FAMILY_S.alpha), JSON.stringify(moved.tokens));
      const at = (metric: string) => r.metrics.find((m) => m.metric === metric && m.layer === layer)!;
      assert.equal(at('relevant_fraction').value, 1);
      assert.equal(at('floor').value, 0);
      assert.ok(at('diff_norm').value > 0 && at('diff_norm').ci_low <= at('diff_norm').value);
    }
    assert.equal(r.headline.metric, 'relevant_fraction');
    assert.equal(r.headline.detected, true);
    assert.equal(r.headline.layer, 0, 'the headline is the layer at 50% depth (1 of 2 blocks)');
    [base, mo].forEach((m) => m.dispose());
  });

  it('states the two commands, and .ci/run runs the same test command', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.match(readme, /npm install && npm run bench/);
    assert.match(readme, /^npm test\b/m);
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    assert.match(ci, /^npm test$/m);
  });
});
