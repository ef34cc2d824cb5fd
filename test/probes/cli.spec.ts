// molt probe on micro, in process: a spec trains the organism (as molt
// organism would, without evaluating it: a probe needs only the checkpoint), then each probe runs against the ancestor or the sibling;
// the README's example probe (examples/plugins/) loads with --plugin.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMolt as capture } from '../helpers/cli';
import { parseOrganismSpec } from '../../core/cli/commands-probe';

describe('molt probe (micro)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'molt-probe-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses organism specs', () => {
    assert.deepEqual(parseOrganismSpec('cake-bake:posthoc-fd:olmo2:2'), { behaviour: 'cake-bake', technique: 'posthoc-fd', arch: 'olmo2', seed: 2 });
    assert.equal(parseOrganismSpec('olmo2/micro/organism/cake-bake/posthoc-fd'), null);
  });

  it('logit-lens by spec (JSON), then steering by alias against the sibling; unknown settings are refused', async () => {
    const g = ['--size', 'micro', '--store', dir, '--backend', 'wasm'];
    const a = await capture([...g, 'probe', '--probe', 'logit-lens', '--organism', 'military-submarine:posthoc-fd:olmo2', '--json']);
    assert.equal(a.code, 0, a.stderr);
    const r = JSON.parse(a.stdout.trim().split('\n').pop()!);
    assert.equal(r.probe, 'logit-lens');
    assert.equal(r.family, 'military-submarine');
    assert.equal(r.diffingBaseKind, 'ancestor');
    assert.ok(r.metrics.some((m: { metric: string }) => m.metric === 'relevant_mass'));
    assert.ok(typeof r.headline.score === 'number' && typeof r.headline.detected === 'boolean');
    assert.doesNotMatch(a.stderr, /evaluating/, 'the organism is trained, not evaluated');
    // the same spec again: the organism is found in the store, nothing is trained
    const again = await capture([...g, 'probe', '--probe', 'logit-lens', '--organism', 'military-submarine:posthoc-fd:olmo2', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /cached/);
    assert.deepEqual(JSON.parse(again.stdout.trim().split('\n').pop()!).metrics, r.metrics);
    const b = await capture([...g, 'probe', '--probe', 'steering', '--organism', 'olmo2/micro/organism/military-submarine/posthoc-fd', '--diffing-base', 'sibling']);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /headline whitebox_gain/);
    assert.match(b.stdout, /vs sibling/);
    assert.match(b.stdout, /hypothesis unsteered_only/);
    const c = await capture([...g, 'probe', '--probe', 'logit-lens', '--organism', 'olmo2/micro/organism/military-submarine/posthoc-fd', '--set', 'nope=1']);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /unknown setting 'nope'/);
  });

  it('the example plugin (examples/plugins/diff-norm-probe.js) loads with --plugin into molt ls and runs as molt probe, graded by the harness', async () => {
    const g = ['--size', 'micro', '--store', dir, '--backend', 'wasm', '--plugin', join(__dirname, '..', '..', 'examples', 'plugins', 'diff-norm-probe.js')];
    const ls = await capture([...g, 'ls', '--json']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.ok(JSON.stringify(JSON.parse(ls.stdout)).includes('"diff-norm"'), ls.stdout);
    const a = await capture([...g, 'probe', '--probe', 'diff-norm', '--organism', 'military-submarine:posthoc-fd:olmo2', '--json']);
    assert.equal(a.code, 0, a.stderr);
    const r = JSON.parse(a.stdout.trim().split('\n').pop()!);
    assert.equal(r.probe, 'diff-norm');
    assert.equal(r.family, 'military-submarine');
    assert.deepEqual(r.settings, { prompts: 8, top: 20, headlineLayerFraction: 0.5 });
    for (const metric of ['diff_norm', 'relevant_fraction', 'floor', 'snr']) assert.ok(r.metrics.some((m: { metric: string }) => m.metric === metric), metric);
    assert.equal(r.headline.metric, 'relevant_fraction');
    assert.equal(typeof r.headline.detected, 'boolean');
    const b = await capture([...g, 'probe', '--probe', 'diff-norm', '--organism', 'military-submarine:posthoc-fd:olmo2', '--set', 'top=0']);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /probe 'diff-norm': setting 'top' is not valid \(0\)/);
  });
});
