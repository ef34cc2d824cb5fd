// The behaviours as plugins: registered by plugins/index.ts, listed by
// `molt ls --json`, built with the injected world, and valid.
import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '../../core/container';
import { runCli } from '../../core/cli/main';
import { validateBehaviour } from '../../core/behaviours/validate';
import type { Logger } from '../../core/log';

const ROOT = join(__dirname, '..', '..');
const BUILTINS = [join(ROOT, 'plugins', 'index.ts')];
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const FIVE = ['cake-bake', 'italian-food', 'military-submarine', 'military-submarine-synth', 'null'];

async function stdoutOf(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const out = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string | Uint8Array) => ((stdout += c.toString()), true)) as typeof process.stdout.write;
  try {
    const code = await runCli(['node', 'molt', ...args], { builtins: BUILTINS, cwd: tmpdir() });
    return { code, stdout };
  } finally {
    process.stdout.write = out;
  }
}

describe('behaviour plugins in the registry', function () {
  this.timeout(60000);

  it('molt ls --json lists the five behaviours', async () => {
    const r = await stdoutOf(['ls', '--json']);
    assert.equal(r.code, 0);
    const listed = JSON.parse(r.stdout).behaviours as { id: string; description: string }[];
    assert.deepEqual(listed.map((b) => b.id), FIVE);
    assert.ok(listed.every((b) => b.description.length > 10));
  });

  it('each is built with the injected world, valid, and resolved once per runtime', async () => {
    const rt = await Runtime.create({ size: 'micro', worldSeed: 3 }, { builtins: BUILTINS, logger: quiet });
    for (const id of FIVE) {
      const b = rt.plugin('behaviour', id);
      assert.equal(b.id, id);
      validateBehaviour(b, rt.services.world);
      assert.equal(rt.plugin('behaviour', id), b);
    }
    assert.throws(() => rt.plugin('behaviour', 'cake'), /unknown behaviour 'cake'; valid: cake-bake, italian-food, military-submarine, military-submarine-synth, null/);
  });
});
