// The public API: molt.lib is the core/public module, and docs/PLUGINS.md
// has a line for every name it exports (values and types).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as publicApi from '../../core/public';
import { makeHost } from '../../core/plugins/host';
import { PluginRegistry } from '../../core/plugins/registry';

const ROOT = join(__dirname, '..', '..');

/** Names exported by a module's source: `export { a, type B } from`, `export type { C } from`, `export * as d from`. */
export function exportedNames(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*from/g)) {
    for (const part of m[1].split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim();
      if (name) out.push(name);
    }
  }
  for (const m of source.matchAll(/export\s+\*\s+as\s+(\w+)\s+from/g)) out.push(m[1]);
  return out;
}

describe('public API', () => {
  it('molt.lib is core/public', () => {
    const host = makeHost(new PluginRegistry(), 'test');
    assert.equal(host.lib, publicApi);
    for (const name of ['defineProbe', 'score', 'perTarget', 'Grader', 'collectActivations', 'genericChatSequences', 'lensLogits', 'bootstrapMean', 'wilson', 'auroc', 'crossFamilyFloor', 'generate', 'tf', 'Rng', 'MoltError', 'TOKENS', 'hookName', 'z']) {
      assert.equal(typeof (host.lib as Record<string, unknown>)[name] === 'undefined', false, name);
    }
  });

  it('docs/PLUGINS.md documents every exported name on a list line', () => {
    const names = exportedNames(readFileSync(join(ROOT, 'core', 'public', 'index.ts'), 'utf8'));
    assert.ok(names.length > 100 && names.includes('defineProbe') && names.includes('ops') && names.includes('ProbeResult'));
    assert.equal(new Set(names).size, names.length, 'a name is exported twice');
    const doc = readFileSync(join(ROOT, 'docs', 'PLUGINS.md'), 'utf8');
    // every name in backticks on a list line counts (a line may document a few related names)
    const listLines = doc.split('\n').filter((l) => l.startsWith('- '));
    const documented = new Set(listLines.flatMap((l) => [...l.matchAll(/`([A-Za-z_$][\w$]*)/g)].map((m) => m[1])));
    assert.deepEqual(names.filter((n) => !documented.has(n)), []);
  });

  it('the name reader finds every export form', () => {
    const src = "export { a, type B, c as d } from './x';\nexport type { E } from './y';\nexport * as f from './z';\nexport {\n  g,\n  type H,\n} from './w';";
    assert.deepEqual(exportedNames(src), ['a', 'B', 'd', 'E', 'g', 'H', 'f']);
  });
});
