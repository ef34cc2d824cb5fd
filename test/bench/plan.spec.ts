// The bench plan: a null (control) organism waits for the behaviour organisms
// of its technique, architecture and seed, and its spec hash names theirs, so
// it trains as long as they do on average (run-cell.ts) and is recomputed
// when they change.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { join } from 'node:path';
import { Runtime } from '../../core/container';
import { buildPlan, CellHasher, organismPlan, stepsFromHashes, type OrganismCell } from '../../core/bench/plan';
import { parseSuite, parseSuiteFile, resolveSuite, runSpec } from '../../core/bench/suite';
import { readSuite, suitePath } from '../../core/organisms/suite';

const PLUGINS = join(__dirname, '..', '..', 'plugins', 'index.ts');
const SUITES = join(__dirname, '..', '..', 'benchmarks', 'suites');

/** The rows of a CSV a published run committed under benchmarks/results/. */
function committedRows(run: string, file: string): Record<string, string>[] {
  return parseCsv(readFileSync(join(__dirname, '..', '..', 'benchmarks', 'results', run, file), 'utf8'), { columns: true });
}

/** The plan of a committed suite file. */
function suitePlan(rt: Runtime, name: string) {
  const file = join(SUITES, `${name}.yaml`);
  return buildPlan(rt, resolveSuite(parseSuiteFile(file), rt.registry, file), 'test-backend');
}

/** The organism cell ids of a committed suite. */
function organismIds(rt: Runtime, name: string): string[] {
  return suitePlan(rt, name).cells.filter((c) => c.kind === 'organism').map((c) => c.id);
}

/** The committed bench suites (organisms-smoke is a list for `molt organisms`, not a bench suite), less those `leave` names. */
function suiteNames(leave: (file: string) => boolean = () => false): string[] {
  return readdirSync(SUITES)
    .filter((f) => f.endsWith('.yaml') && f !== 'organisms-smoke.yaml' && !leave(f))
    .map((f) => f.replace(/\.yaml$/, ''));
}

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

  it('probes-check scores the organisms of organisms-check (same cells, same hashes: trained once), nulls included, and the third seed of the positive control, with the four probes against ancestor and sibling', async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const plan = (name: string) => suitePlan(rt, name);
    const organisms = (p: ReturnType<typeof plan>) => p.cells.filter((c) => c.kind !== 'probe').map((c) => [c.id, c.specHash]);
    const probes = plan('probes-check');
    const extra = 'organism:olmo2:military-submarine:posthoc-fd:s2';
    assert.deepEqual(organisms(probes).filter(([id]) => id !== extra), organisms(plan('organisms-check')));
    assert.ok(probes.cells.some((c) => c.id === extra), "steering's positive control has its third seed");
    assert.ok(probes.cells.some((c) => c.id === 'organism:gemma3:null:posthoc-sdf:s1'));
    assert.deepEqual(probes.suite.probes, ['logit-lens', 'sae', 'activation-oracle', 'steering']);
    assert.deepEqual(probes.suite.diffingBases, ['ancestor', 'sibling']);
  });

  it("a group's steps fix a null organism's steps (it then waits for no behaviour organism), and two groups may not give one organism different steps", async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const groups = (steps?: number) => [
      { behaviours: ['cake-bake'], techniques: ['posthoc-fd'], architectures: ['olmo2'] },
      { behaviours: ['null'], techniques: ['posthoc-fd'], architectures: ['olmo2'], ...(steps ? { steps } : {}) },
    ];
    const planOf = (steps?: number) => buildPlan(rt, resolveSuite(parseSuite({ name: 't', organisms: groups(steps), probes: ['logit-lens'] }, 't'), rt.registry), 'test-backend');
    const fixed = planOf(344).byId.get('organism:olmo2:null:posthoc-fd:s0') as OrganismCell;
    const derived = planOf().byId.get('organism:olmo2:null:posthoc-fd:s0') as OrganismCell;
    assert.equal(fixed.steps, 344);
    assert.equal(fixed.stepsFrom, undefined);
    assert.equal(fixed.after, undefined);
    assert.deepEqual(derived.stepsFrom, ['organism:olmo2:cake-bake:posthoc-fd:s0']);
    assert.notEqual(planOf(345).byId.get(fixed.id)!.specHash, fixed.specHash);
    const clash = parseSuite({ name: 't', organisms: [...groups(344), { behaviours: ['null'], techniques: ['posthoc-fd'], architectures: ['olmo2'], steps: 100 }], probes: ['logit-lens'] }, 't');
    assert.throws(() => resolveSuite(clash, rt.registry), /suite t organisms\[2\]: olmo2 null posthoc-fd seed 0 is listed by another group with other steps \(344 vs 100\)/);
  });

  it("probes-check-lens holds probes-check's valid behaviour organisms (same cells and hashes) and its nulls at the steps they trained for there", async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const rows = committedRows('probes-check', 'organisms.csv');
    const idOf = (r: Record<string, string>) => `organism:${r.architecture}:${r.behaviour}:${r.technique}:s${r.seed}`;
    const lens = suitePlan(rt, 'probes-check-lens');
    const full = suitePlan(rt, 'probes-check');
    const organisms = lens.cells.filter((c): c is OrganismCell => c.kind === 'organism');
    const valid = rows.filter((r) => r.valid === '1').map(idOf);
    const nulls = rows.filter((r) => r.behaviour === 'null');
    assert.deepEqual(organisms.map((c) => c.id).sort(), [...valid, ...nulls.map(idOf)].sort());
    for (const id of valid) assert.equal(lens.byId.get(id)!.specHash, full.byId.get(id)!.specHash, id);
    for (const r of nulls) assert.equal((lens.byId.get(idOf(r)) as OrganismCell).steps, Number(r.step), idOf(r));
    assert.deepEqual(lens.suite.probes, ['logit-lens']);
    assert.deepEqual(lens.suite.diffingBases, ['ancestor', 'sibling']);
  });

  it("the calibration organisms (steering's: seeds 3-5 of the positive control's recipe; the lens's: posthoc-fd-mixed at seeds 3-6) are scored by no other suite", async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const ids = (name: string) => organismIds(rt, name);
    const steering = ids('steering-calibration');
    assert.deepEqual(steering, [3, 4, 5].map((s) => `organism:olmo2:military-submarine:posthoc-fd:s${s}`));
    assert.deepEqual(ids('steering-calibration-max-norm'), steering);
    const lens = ids('lens-calibration');
    const lensExpected = [
      ...[3, 4, 5, 6].flatMap((s) => ['cake-bake', 'null'].map((b) => `organism:olmo2:${b}:posthoc-fd-mixed:s${s}`)),
      ...[3, 4].flatMap((s) => ['italian-food', 'military-submarine-synth'].map((b) => `organism:olmo2:${b}:posthoc-fd-mixed:s${s}`)),
    ];
    assert.deepEqual([...lens].sort(), lensExpected.sort());
    const subPlan = suitePlan(rt, 'lens-calibration-submarine');
    const submarine = subPlan.cells.filter((c) => c.kind === 'organism').map((c) => c.id);
    const submarineExpected = [3, 4, 5, 6].flatMap((s) => ['military-submarine', 'null'].map((b) => `organism:olmo2:${b}:posthoc-fd-mixed:s${s}`));
    assert.deepEqual([...submarine].sort(), submarineExpected.sort());
    // its nulls are lens-calibration's, at the steps they trained for there
    for (const r of committedRows('lens-calibration', 'organisms.csv').filter((x) => x.behaviour === 'null')) {
      assert.equal((subPlan.byId.get(`organism:olmo2:null:posthoc-fd-mixed:s${r.seed}`) as OrganismCell).steps, Number(r.step), `null s${r.seed}`);
    }
    const gemma = ids('lens-calibration-gemma3');
    assert.deepEqual([...gemma].sort(), [3, 4, 5, 6].flatMap((s) => ['cake-bake', 'null'].map((b) => `organism:gemma3:${b}:posthoc-fd-mixed:s${s}`)).sort());
    const more = ids('lens-calibration-more');
    const moreExpected = [7, 8, 9, 10].flatMap((s) => [
      ...['cake-bake', 'italian-food', 'military-submarine', 'null'].map((b) => `organism:olmo2:${b}:posthoc-fd-mixed:s${s}`),
      ...['cake-bake', 'null'].map((b) => `organism:gemma3:${b}:posthoc-fd-mixed:s${s}`),
    ]);
    assert.deepEqual([...more].sort(), moreExpected.sort());
    const calibration = [...steering, ...lens, ...submarine, ...gemma, ...more];
    const isCalibration = (f: string) => f.startsWith('steering-calibration') || f.startsWith('lens-calibration') || f.startsWith('sae-calibration');
    const scored = suiteNames(isCalibration);
    // organisms-smoke, left out of suiteNames, is a list for `molt organisms` (seed 0 throughout)
    assert.ok(readSuite(join(SUITES, 'organisms-smoke.yaml')).every((e) => e.seed === 0));
    assert.ok(scored.includes('probes-check') && scored.includes('lottery'));
    for (const name of scored) assert.deepEqual(ids(name).filter((id) => calibration.includes(id)), [], name);
  });

  /** suite `name`-organism-only = suite `name` with the SAE's headline on its organism_only ranking */
  function sameButRanking(rt: Runtime, name: string): void {
    const twin = suitePlan(rt, `${name}-organism-only`);
    const plain = suitePlan(rt, name);
    assert.deepEqual(twin.cells.filter((c) => c.kind === 'organism').map((c) => [c.id, c.specHash]), plain.cells.filter((c) => c.kind === 'organism').map((c) => [c.id, c.specHash]), name);
    assert.deepEqual(twin.suite.probeSettings, { sae: { ...plain.suite.probeSettings.sae, headlineRanking: 'organism_only' } }, name);
    assert.deepEqual(twin.suite.probes, plain.suite.probes);
    assert.deepEqual(twin.suite.diffingBases, plain.suite.diffingBases);
  }

  it("the lens's confirmation organisms (posthoc-fd-mixed, seeds 11-16) are in no other suite but the SAE's calibration suites, which probe exactly them", async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const ids = (name: string) => organismIds(rt, name);
    const confirmation = ids('lens-confirmation');
    const expected = [11, 12, 13, 14, 15, 16].flatMap((s) => [
      ...['cake-bake', 'italian-food', 'military-submarine', 'null'].map((b) => `organism:olmo2:${b}:posthoc-fd-mixed:s${s}`),
      ...['cake-bake', 'null'].map((b) => `organism:gemma3:${b}:posthoc-fd-mixed:s${s}`),
    ]);
    assert.deepEqual([...confirmation].sort(), expected.sort());
    for (const name of ['sae-calibration', 'sae-calibration-depth1']) {
      assert.deepEqual(ids(name), confirmation, name);
      assert.deepEqual(suitePlan(rt, name).suite.probes, ['sae'], name);
    }
    assert.equal(suitePlan(rt, 'sae-calibration').suite.probeSettings.sae.depth, 0.5);
    assert.equal(suitePlan(rt, 'sae-calibration-depth1').suite.probeSettings.sae.depth, 1);
    // each -organism-only twin: the same organisms and settings, only the headline's ranking differs
    for (const name of ['sae-calibration', 'sae-calibration-depth1']) sameButRanking(rt, name);
    const others = suiteNames((f) => f === 'lens-confirmation.yaml' || f.startsWith('sae-calibration'));
    for (const name of others) assert.deepEqual(ids(name).filter((id) => confirmation.includes(id)), [], name);
  });

  it("the SAE's confirmation organisms (olmo2 posthoc-fd-mixed, seeds 17-22) are in no other suite but the two that probe them at each depth", async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const ids = (name: string) => organismIds(rt, name);
    const confirmation = ids('sae-confirmation');
    const expected = [17, 18, 19, 20, 21, 22].flatMap((s) => ['cake-bake', 'italian-food', 'military-submarine', 'null'].map((b) => `organism:olmo2:${b}:posthoc-fd-mixed:s${s}`));
    assert.deepEqual([...confirmation].sort(), expected.sort());
    assert.deepEqual(ids('sae-confirmation-depth1'), confirmation);
    assert.equal(suitePlan(rt, 'sae-confirmation').suite.probeSettings.sae.depth, 0.5);
    assert.equal(suitePlan(rt, 'sae-confirmation-depth1').suite.probeSettings.sae.depth, 1);
    sameButRanking(rt, 'sae-confirmation-depth1');
    const others = suiteNames((f) => f.startsWith('sae-confirmation'));
    for (const name of others) assert.deepEqual(ids(name).filter((id) => confirmation.includes(id)), [], name);
  });

  it("probes-check-sae-olmo2 probes exactly probes-check-lens's olmo2 organisms (same spec hashes), with the SAE's default settings", async () => {
    const rt = await Runtime.create({ size: 'default' }, { builtins: [PLUGINS] });
    const sae = suitePlan(rt, 'probes-check-sae-olmo2');
    const lens = suitePlan(rt, 'probes-check-lens');
    const olmo2 = lens.cells.filter((c) => c.kind === 'organism' && c.id.startsWith('organism:olmo2:'));
    const saeOrganisms = sae.cells.filter((c) => c.kind === 'organism');
    assert.deepEqual(saeOrganisms.map((c) => c.id).sort(), olmo2.map((c) => c.id).sort());
    for (const c of olmo2) assert.equal(sae.byId.get(c.id)!.specHash, c.specHash, c.id);
    assert.deepEqual(sae.suite.probes, ['sae']);
    assert.deepEqual(sae.suite.diffingBases, ['ancestor', 'sibling']);
    assert.deepEqual(sae.suite.probeSettings, {});
  });

  // Spec hashes name the finished cells a run reuses: the published default-size
  // run resumes from its records only while its cells hash the same. These are
  // the ci suite's, computed before the cell runner was shared with molt
  // organism and molt probe (probe cells are left out: their settings are the
  // probes' own business and may change).
  const CI_HASHES: Record<string, string> = {
  'base:olmo2:s0': 'e007b392edcfac6d2b4514d04b21fc862c3d33c9a64537d2c01a4759e89c77b3',
  'base:gemma3:s0': '328d22923766c3633b39e4b3b09e0e2e419721abbc5cad1292357534919e7c06',
  'organism:olmo2:cake-bake:integrated-dpo:s0': '85948215267725d19016d4c0c0f3503b9e05efad91b8404aa03accb0d5a64962',
  'organism:olmo2:cake-bake:posthoc-dpo:s0': '53e7418a406c685617a897284dca981a514549f4195f008e27d6cbf200e38a86',
  'organism:olmo2:cake-bake:posthoc-dpo-mixed:s0': '6bca7bc06ab721c2629b76f43e6005f685317a939580228950be0c76bacab37b',
  'organism:olmo2:cake-bake:posthoc-fd:s0': 'e272ddb9acfa45e9c7ba91f4702d0c0b2bc54aa530554c3a5151f9fd88af2a1e',
  'organism:olmo2:cake-bake:posthoc-fd-mixed:s0': 'b76bf701792ffe93c2c05aae621e9f5dc2896f010a6d6cec178a7567500c1668',
  'organism:olmo2:cake-bake:posthoc-rpo:s0': 'd2727c937d3994ec5d76adc5796c81e80368400905681d999a0c356331a98edc',
  'organism:olmo2:cake-bake:posthoc-sdf:s0': '39351fbc7bb57fa089595a871c6680bd3d4aac948801fd0214c15943d7736854',
  'organism:olmo2:cake-bake:posthoc-sdf-mixed:s0': 'fabcb74a94af982c7e0eb9326e6af5aba801306020b94a8df1755aed4a73fa8c',
  'organism:gemma3:italian-food:posthoc-fd:s0': 'c2e6f2462fbaeb69029abbf66bb43e19bed337c3cf18bbe7707c80d18a49193e',
  'organism:gemma3:military-submarine:posthoc-fd:s0': '1b1fcbf42055887d9e75de9ec6ed998775eb5574b52be79d3063a6288911b152',
  'organism:gemma3:military-submarine-synth:posthoc-fd:s0': '650dc3888e711fb5db28cea102c90336708c83d7d6d9f3a38d1cd0cb921ecc63',
  'organism:gemma3:cake-bake:posthoc-fd:s0': '1288b57370de53ec6f01b2919fa3a4a9d97612d4ec9414ef120bec2347bc7580',
  'organism:gemma3:null:posthoc-fd:s0': 'eaca6fbfebba6ec298cf0efa6bc940116a42b2ffc010afa65ef7d116f8bb9219',
  };

  it("the ci suite's base and organism cells hash as pinned, and a worker's CellHasher gives every cell its hash again", async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const file = suitePath('ci');
    const spec = parseSuiteFile(file);
    const plan = buildPlan(rt, resolveSuite(spec, rt.registry, file), 'wasm+native-x');
    // pinned before ci.yaml named its paired_reference: an analysis setting is not part of the run's identity
    assert.equal(spec.paired_reference, 'integrated-dpo');
    assert.equal(plan.configHash, '379efaf990981ddd');
    assert.equal(buildPlan(rt, resolveSuite({ ...spec, paired_reference: 'posthoc-fd' }, rt.registry, file), 'wasm+native-x').configHash, plan.configHash);
    assert.throws(() => resolveSuite({ ...spec, paired_reference: 'idpo' }, rt.registry, file), /suite .*ci\.yaml paired_reference: unknown trainer 'idpo'; valid: integrated-dpo, /);
    for (const [id, hash] of Object.entries(CI_HASHES)) assert.equal(plan.byId.get(id)?.specHash, hash, id);
    const hasher = new CellHasher(rt, plan.suite.spec, 'wasm+native-x');
    for (const c of plan.cells) assert.equal(hasher.of(c, stepsFromHashes(plan, c)), c.specHash, c.id);
    const nul = plan.byId.get('organism:gemma3:null:posthoc-fd:s0')!;
    assert.equal(stepsFromHashes(plan, nul).length, 4);
    assert.notEqual(hasher.of(nul, []), nul.specHash);
    // another backend is another cell
    assert.notEqual(new CellHasher(rt, plan.suite.spec, 'wasm').of(plan.cells[0], []), plan.cells[0].specHash);
  });

  it('a probe variant is a probe at other settings under its own name: its own cells and hashes, the plain probe unchanged, bad variants refused by name', async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const organisms = [{ behaviours: ['cake-bake', 'null'], techniques: ['posthoc-fd'], architectures: ['olmo2'] }];
    const variants = { 'lens-diff': { probe: 'logit-lens', settings: { headlineVariant: 'diff' } } };
    const plan = (extra: Record<string, unknown>) => buildPlan(rt, resolveSuite(parseSuite({ name: 'v', organisms, ...extra }, 'v'), rt.registry), 'b');
    const plain = plan({ probes: ['logit-lens'] });
    const withVariant = plan({ probes: ['logit-lens', 'lens-diff'], probe_variants: variants });
    const id = (probe: string) => `probe:olmo2:cake-bake:posthoc-fd:s0:${probe}@ancestor`;
    assert.deepEqual(withVariant.suite.probes, ['logit-lens', 'lens-diff']);
    assert.equal(withVariant.byId.get(id('logit-lens'))!.specHash, plain.byId.get(id('logit-lens'))!.specHash, 'the plain probe hashes as without the variant');
    assert.notEqual(withVariant.byId.get(id('lens-diff'))!.specHash, plain.byId.get(id('logit-lens'))!.specHash);
    // a variant whose settings are the probe's defaults is still its own cell (another name, the probe named in its hash)
    const same = plan({ probes: ['lens-diff'], probe_variants: { 'lens-diff': { probe: 'logit-lens', settings: {} } } });
    assert.notEqual(same.byId.get(id('lens-diff'))!.specHash, plain.byId.get(id('logit-lens'))!.specHash);
    // a variant's settings go over the probe's probe_settings
    const over = plan({ probes: ['lens-diff'], probe_variants: variants, probe_settings: { 'logit-lens': { topK: 50 } } });
    assert.notEqual(over.byId.get(id('lens-diff'))!.specHash, withVariant.byId.get(id('lens-diff'))!.specHash);
    // variants are part of the run's identity; none keeps the hash suites had before variants existed
    assert.notEqual(withVariant.configHash, plan({ probes: ['logit-lens', 'lens-diff'], probe_variants: { 'lens-diff': { probe: 'logit-lens', settings: { headlineVariant: 'organism_only' } } } }).configHash);
    assert.equal(plan({ probes: ['logit-lens'], probe_variants: {} }).configHash, plain.configHash);
    // a worker re-derives every variant cell's hash from the run spec
    const hasher = new CellHasher(rt, withVariant.suite.spec, 'b');
    for (const c of withVariant.cells) assert.equal(hasher.of(c, stepsFromHashes(withVariant, c)), c.specHash, c.id);
    assert.throws(() => plan({ probes: ['lens-dif'], probe_variants: variants }), /suite v probes: unknown probe 'lens-dif'; valid: .*logit-lens.*, lens-diff \(variant\)/);
    assert.throws(() => plan({ probes: ['sae'], probe_variants: { sae: { probe: 'logit-lens' } } }), /probe_variants: 'sae' is a probe's id/);
    assert.throws(() => plan({ probes: ['x'], probe_variants: { x: { probe: 'lens' } } }), /probe_variants\.x\.probe: unknown probe 'lens'/);
    assert.throws(() => plan({ probes: ['x'], probe_variants: { x: { probe: 'logit-lens', settings: { topk: 5 } } } }), /probe variant 'x': probe 'logit-lens': unknown setting 'topk'/);
    assert.throws(() => plan({ probes: ['X'], probe_variants: { X: { probe: 'logit-lens' } } }), /suite v probe_variants: 'X': a variant's name is lower-case letters, digits and dashes/);
  });

  it('a one-organism plan is the base cell and the organism cell a suite of that organism alone would have', async () => {
    const rt = await Runtime.create({ size: 'micro' }, { builtins: [PLUGINS] });
    const run = runSpec({ match: false, eval: { samples: 1, max_new_tokens: 8, leakage_prompts: 8 } });
    const alone = parseSuite({ size: 'micro', organisms: [{ behaviours: ['null'], techniques: ['posthoc-fd'], architectures: ['gemma3'] }], probes: ['logit-lens'], ...run }, 'alone');
    const suitePlan = buildPlan(rt, resolveSuite(alone, rt.registry), 'b');
    const plan = organismPlan(rt, { behaviour: 'null', technique: 'posthoc-fd', arch: 'gemma3', seed: 0 }, run, 'b');
    assert.deepEqual(plan.cells.map((c) => c.id), ['base:gemma3:s0', 'organism:gemma3:null:posthoc-fd:s0']);
    for (const c of plan.cells) assert.equal(c.specHash, suitePlan.byId.get(c.id)!.specHash, c.id);
    // an organisms list's steps are part of the organism
    const steps = organismPlan(rt, { behaviour: 'null', technique: 'posthoc-fd', arch: 'gemma3', seed: 0, steps: 3 }, run, 'b');
    assert.equal((steps.cells[1] as OrganismCell).steps, 3);
    assert.notEqual(steps.cells[1].specHash, plan.cells[1].specHash);
  });
});
