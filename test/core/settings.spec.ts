import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfigFile } from '../../core/settings';
import { baseConfigFor, baseConfigWith } from '../../core/pipeline/config';

function configFile(text: string, name = 'molt.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-settings-'));
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('config files', () => {
  it('reads YAML and JSON; plugin, store and data paths resolve against the file', () => {
    const f = configFile('backend: cpu\nseed: 4\nplugins: [./p.js, some-package]\nstore: ./st\ndata: ./d\n');
    const s = readConfigFile(f);
    const dir = join(f, '..');
    assert.equal(s.backend, 'cpu');
    assert.equal(s.seed, 4);
    assert.deepEqual(s.plugins, [join(dir, 'p.js'), 'some-package']);
    assert.equal(s.store, join(dir, 'st'));
    assert.equal(s.data, join(dir, 'd'));
    assert.equal(readConfigFile(configFile('{"size": "micro"}', 'c.json')).size, 'micro');
  });

  it('names the file and field of a bad value, an unknown field, or bad syntax', () => {
    assert.throws(() => readConfigFile(configFile('backend: tpu\n')), /molt\.yaml: field 'backend'/);
    assert.throws(() => readConfigFile(configFile('base:\n  pretrain:\n    stepz: 3\n')), /field 'base\.pretrain'.*stepz|field 'base\.pretrain\.stepz'/);
    assert.throws(() => readConfigFile(configFile('base:\n  dpo:\n    beta: -1\n')), /field 'base\.dpo\.beta'/);
    assert.throws(() => readConfigFile(configFile('seed: [1,\n')), /molt\.yaml: not valid YAML/);
    assert.throws(() => readConfigFile('/nonexistent/molt.yaml'), /config \/nonexistent\/molt\.yaml: cannot read \(ENOENT\)/);
  });

  it('base pipeline overrides change only the fields given', () => {
    const f = configFile('base:\n  pretrain:\n    steps: 7\n    schedule:\n      peakLr: 0.01\n  dpo:\n    beta: 2\n');
    const c = baseConfigWith('default', readConfigFile(f).base);
    const d = baseConfigFor('default');
    assert.equal(c.pretrain.steps, 7);
    assert.equal(c.pretrain.schedule.peakLr, 0.01);
    assert.equal(c.pretrain.schedule.kind, d.pretrain.schedule.kind);
    assert.equal(c.pretrain.batchSize, d.pretrain.batchSize);
    assert.equal(c.dpo.beta, 2);
    assert.deepEqual(c.sft, d.sft);
    assert.equal(baseConfigFor('default').pretrain.steps, d.pretrain.steps, 'defaults untouched');
  });
});
