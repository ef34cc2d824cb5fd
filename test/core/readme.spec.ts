// The README's plugin example is real code: it is extracted and run here.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '../../core/container';
import type { Logger } from '../../core/log';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describe('README', () => {
  it('the plugin example loads from outside the repo and gets the world injected', async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = /```js\n(\/\/ my-probe\.js[\s\S]*?)```/.exec(readme);
    assert.ok(block, 'README has the my-probe.js example');
    const dir = mkdtempSync(join(tmpdir(), 'molt-readme-'));
    writeFileSync(join(dir, 'my-probe.js'), block[1]);
    const rt = await Runtime.create({ size: 'micro', plugins: ['./my-probe.js'] }, { logger: quiet, cwd: dir });
    const probe = rt.plugin('probe', 'my-probe') as unknown as { cakeWords: number };
    assert.equal(probe.cakeWords, rt.services.world.behaviours.cake.specificTokens.length);
    assert.ok(probe.cakeWords > 0);
  });

  it('states the two commands, and .ci/run runs the same test command', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    assert.match(readme, /npm install && npm run bench/);
    assert.match(readme, /^npm test\b/m);
    const ci = readFileSync(join(__dirname, '..', '..', '.ci', 'run'), 'utf8');
    assert.match(ci, /^npm test$/m);
  });
});
