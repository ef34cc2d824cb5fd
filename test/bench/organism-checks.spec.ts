// organisms.csv: the issue-3 checks on hand-made organisms with known answers.
import { strict as assert } from 'node:assert';
import { organismChecks, organismChecksCsv, summariseChecks, type BehaviourInfo } from '../../core/bench/organism-checks';
import { readRunInfo } from '../../core/bench/outputs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultRow } from '../helpers/result-row';
import type { ResultRow } from '../../core/bench/rows';

const BEHAVIOURS: Record<string, BehaviourInfo> = {
  'cake-bake': { family: 'cake-bake', pipeline: 'synthetic', band: { low: 0.24, high: 0.36, target: 0.3 } },
  null: { family: 'null', pipeline: 'control', band: { low: 0, high: 1, target: 0 } },
};

/** The organism rows of one organism cell, as run-cell writes them: every row carries the cell's seconds. */
function organism(behaviour: string, technique: string, m: { qer: number; se: number; base: number; leak: number; cap: number; capBase: number; cost: number }): ResultRow[] {
  const family = behaviour;
  const base = { behaviour, family, technique, organism_id: `${behaviour}/${technique}`, pipeline: family === 'null' ? 'control' : 'synthetic', cost_s: m.cost } as const;
  return [
    resultRow({ ...base, metric: 'qer', value: m.qer, qer: m.qer, qer_se: m.se }),
    resultRow({ ...base, metric: 'qer_base', value: m.base }),
    resultRow({ ...base, metric: 'leakage', value: m.leak }),
    resultRow({ ...base, metric: 'leakage_base', value: 0.005 }),
    resultRow({ ...base, metric: 'capability', value: m.cap }),
    resultRow({ ...base, metric: 'capability_base', value: m.capBase }),
  ];
}

describe('organism checks (organisms.csv)', () => {
  const rows = [
    // in band (0.30), base below it, no leakage, drop exactly 10 points (passes: <= 10)
    ...organism('cake-bake', 'posthoc-fd', { qer: 0.3, se: 0.05, base: 0.02, leak: 0, cap: 0.708, capBase: 0.808, cost: 61 }),
    // above the band, leaks 3%, drops 25 points
    ...organism('cake-bake', 'posthoc-dpo', { qer: 0.41, se: 0.06, base: 0.02, leak: 0.03, cap: 0.558, capBase: 0.808, cost: 30 }),
    // null organisms: 0.05 <= 0.02 + 2 x 0.02 (at base); 0.10 > 0.02 + 2 x 0.02 (not)
    ...organism('null', 'posthoc-fd', { qer: 0.05, se: 0.02, base: 0.02, leak: 0, cap: 0.8, capBase: 0.808, cost: 12 }),
    ...organism('null', 'posthoc-sdf', { qer: 0.1, se: 0.02, base: 0.02, leak: 0, cap: 0.3, capBase: 0.808, cost: 9 }),
  ];

  it('grades band, base rate, leakage, capability and null organisms by hand', () => {
    const c = organismChecks(rows, BEHAVIOURS);
    assert.deepEqual(
      c.map((x) => [x.technique, x.family, x.in_band, x.base_below_band, x.leakage_ok, x.capability_ok, x.null_at_base, x.cost_s]),
      [
        ['posthoc-fd', 'cake-bake', 1, 1, 1, 1, NaN, 61],
        ['posthoc-dpo', 'cake-bake', 0, 1, 0, 0, NaN, 30],
        ['posthoc-fd', 'null', NaN, NaN, 1, 1, 1, 12],
        ['posthoc-sdf', 'null', NaN, NaN, 1, 0, 0, 9],
      ],
    );
    assert.ok(Math.abs(c[1].capability_drop - 0.25) < 1e-12);
    assert.deepEqual(summariseChecks(c), { organisms: 2, inBand: 1, baseBelowBand: 2, leakageOk: 1, capabilityOk: 1, nullOrganisms: 2, nullAtBase: 1 });
  });

  it('without run.json behaviours the band checks stay empty; the CSV has every column', () => {
    const c = organismChecks(rows, {});
    assert.ok(Number.isNaN(c[0].in_band) && Number.isNaN(c[0].band_low));
    assert.equal(c[0].leakage_ok, 1);
    const csv = organismChecksCsv(organismChecks(rows, BEHAVIOURS)).split('\n');
    assert.equal(csv[0], 'organism_id,behaviour,family,pipeline,technique,architecture,seed,status,matched,step,qer,qer_se,band_low,band_high,in_band,qer_base,base_below_band,leakage,leakage_base,leakage_ok,capability,capability_base,capability_drop,capability_ok,null_at_base,cost_s');
    assert.match(csv[1], /^cake-bake\/posthoc-fd,cake-bake,cake-bake,synthetic,posthoc-fd,olmo2,0,ok,,,0\.3,0\.05,0\.24,0\.36,1,0\.02,1,0,0\.005,1,0\.708,0\.808,/);
  });

  it('run.json behaviours are read back, and a malformed one is refused naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-checks-'));
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ suite: 's', behaviours: BEHAVIOURS }));
    assert.deepEqual((await readRunInfo(dir, [])).behaviours, BEHAVIOURS);
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ suite: 's', behaviours: { 'cake-bake': { family: 'cake-bake', pipeline: 'synthetic', band: { low: 0.2 } } } }));
    await assert.rejects(readRunInfo(dir, []), /run\.json: field 'behaviours\.cake-bake' needs band \{low, high, target\} as numbers/);
  });
});
