// The bench plan: a null (control) organism waits for the behaviour organisms
// of its technique, architecture and seed, and its spec hash names theirs, so
// it trains as long as they do on average (run-cell.ts) and is recomputed
// when they change.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { Runtime } from '../../core/container';
import { buildPlan, type OrganismCell } from '../../core/bench/plan';
import { parseSuite, parseSuiteFile, resolveSuite } from '../../core/bench/suite';

const PLUGINS = join(__dirname, '..', '..', 'plugins', 'index.ts');

describe('bench plan', () => {
  it('a null organism waits for and hashes the behaviour organisms it controls (same technique, architecture, seed)', async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const spec = parseSuite(
      {
        name: 't',
        organisms: [
          { behaviours: ['cake-bake', 'italian-food', 'null'], techniques: ['posthoc-fd', 'posthoc-dpo'], architectures: ['olmo2'], seeds: [0, 1] },
          { behaviours: ['cake-bake'], techniques: ['posthoc-fd'], architectures: ['gemma3'] },
        ],
        probes: ['logit-lens'],
      },
      't',
    );
    const plan = buildPlan(rt, resolveSuite(spec, rt.registry), 'test-backend');
    const cell = (id: string) => plan.byId.get(id) as OrganismCell;
    const nul = cell('organism:olmo2:null:posthoc-fd:s1');
    assert.deepEqual(nul.stepsFrom, ['organism:olmo2:cake-bake:posthoc-fd:s1', 'organism:olmo2:italian-food:posthoc-fd:s1']);
    assert.deepEqual(nul.after, nul.stepsFrom);
    assert.equal(cell('organism:olmo2:cake-bake:posthoc-fd:s1').stepsFrom, undefined);
    // a behaviour organism's cell comes before the null's
    const at = (id: string) => plan.cells.findIndex((c) => c.id === id);
    assert.ok(at('organism:olmo2:italian-food:posthoc-fd:s1') < at(nul.id));
    // another suite whose fd organisms differ (no italian-food) gives the null another hash
    const fewer = buildPlan(rt, resolveSuite(parseSuite({ name: 't', organisms: [{ behaviours: ['cake-bake', 'null'], techniques: ['posthoc-fd'], architectures: ['olmo2'], seeds: [1] }], probes: ['logit-lens'] }, 't'), rt.registry), 'test-backend');
    const nul2 = fewer.byId.get(nul.id) as OrganismCell;
    assert.deepEqual(nul2.stepsFrom, ['organism:olmo2:cake-bake:posthoc-fd:s1']);
    assert.notEqual(nul2.specHash, nul.specHash);
    assert.equal(fewer.byId.get('organism:olmo2:cake-bake:posthoc-fd:s1')!.specHash, cell('organism:olmo2:cake-bake:posthoc-fd:s1').specHash);
  });

  it('probes-check scores exactly the organisms of organisms-check (same cells, same hashes: trained once), nulls included, with the four probes against ancestor and sibling', async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const plan = (name: string) => {
      const file = join(__dirname, '..', '..', 'benchmarks', 'suites', `${name}.yaml`);
      return buildPlan(rt, resolveSuite(parseSuiteFile(file), rt.registry, file), 'test-backend');
    };
    const organisms = (p: ReturnType<typeof plan>) => p.cells.filter((c) => c.kind !== 'probe').map((c) => [c.id, c.specHash]);
    const probes = plan('probes-check');
    assert.deepEqual(organisms(probes), organisms(plan('organisms-check')));
    assert.ok(probes.cells.some((c) => c.id === 'organism:gemma3:null:posthoc-sdf:s1'));
    assert.deepEqual(probes.suite.probes, ['logit-lens', 'sae', 'activation-oracle', 'steering']);
    assert.deepEqual(probes.suite.diffingBases, ['ancestor', 'sibling']);
  });
});
