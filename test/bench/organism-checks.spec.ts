// organisms.csv: the issue-3 checks on hand-made organisms with known answers.
import { strict as assert } from 'node:assert';
import { organismChecks, organismChecksCsv, summariseChecks, type BehaviourInfo } from '../../core/bench/organism-checks';
import { findingRows, readRunInfo } from '../../reports/outputs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultRow } from '../helpers/result-row';
import type { ResultRow } from '../../core/bench/rows';

const BEHAVIOURS: Record<string, BehaviourInfo> = {
  'cake-bake': { family: 'cake-bake', pipeline: 'synthetic', band: { low: 0.24, high: 0.36, target: 0.3 } },
  null: { family: 'null', pipeline: 'control', band: { low: 0, high: 1, target: 0 } },
};

/**
 * The organism rows of one organism cell, as run-cell writes them: every row carries the cell's seconds.
 * `extra`: further metric rows (name -> value); `hparams`: the hparams row's object.
 */
function organism(
  behaviour: string,
  technique: string,
  m: { qer: number; se: number; base: number; leak: number; cap: number; capBase: number; cost: number; extra?: Record<string, number>; hparams?: Record<string, unknown> },
): ResultRow[] {
  const family = behaviour;
  const base = { behaviour, family, technique, organism_id: `${behaviour}/${technique}`, pipeline: family === 'null' ? 'control' : 'synthetic', cost_s: m.cost, qer: m.qer, qer_se: m.se } as const;
  return [
    resultRow({ ...base, metric: 'qer', value: m.qer }),
    resultRow({ ...base, metric: 'qer_base', value: m.base }),
    resultRow({ ...base, metric: 'leakage', value: m.leak }),
    resultRow({ ...base, metric: 'leakage_base', value: 0.005 }),
    resultRow({ ...base, metric: 'capability', value: m.cap }),
    resultRow({ ...base, metric: 'capability_base', value: m.capBase }),
    ...Object.entries(m.extra ?? {}).map(([metric, value]) => resultRow({ ...base, metric, value })),
    ...(m.hparams ? [resultRow({ ...base, metric: 'hparams', variant: JSON.stringify(m.hparams) })] : []),
  ];
}

describe('organism checks (organisms.csv)', () => {
  const rows = [
    // in band (0.30), base below it, no leakage, drop exactly 10 points (passes: <= 10); test 0.30 vs val 0.26: z 0.8
    ...organism('cake-bake', 'posthoc-fd', {
      qer: 0.3, se: 0.05, base: 0.02, leak: 0, cap: 0.708, capBase: 0.808, cost: 61,
      extra: { qer_val: 0.26, qer_val_se: 0.04, qer_test_val_z: 0.8 },
      hparams: { lr: 0.0001, steps: 300, lossType: 'sigmoid', mixRatio: null },
    }),
    // above the band, leaks 3%, drops 25 points (its paired capability_drop row says so); test 0.41 vs val 0.30: z 2.5
    ...organism('cake-bake', 'posthoc-dpo', {
      qer: 0.41, se: 0.06, base: 0.02, leak: 0.03, cap: 0.558, capBase: 0.808, cost: 30,
      extra: { capability_drop: 0.25, capability_drop_se: 0.02, qer_val: 0.3, qer_val_se: 0.0, qer_test_val_z: 2.5 },
      hparams: { lr: 0.00005, steps: 300, beta: 0.05 },
    }),
    // null organisms, SE of the difference 2 x hypot(0.02, 0.01) = 0.0447 for QER and 2 x hypot(0.003, 0.003) = 0.0085 for leakage:
    // |0.05 - 0.02| and |0 - 0.005| are within it (at base); |0.10 - 0.02| is not
    ...organism('null', 'posthoc-fd', { qer: 0.05, se: 0.02, base: 0.02, leak: 0, cap: 0.8, capBase: 0.808, cost: 12, extra: { qer_base_se: 0.01, leakage_se: 0.003, leakage_base_se: 0.003 } }),
    ...organism('null', 'posthoc-sdf', { qer: 0.1, se: 0.02, base: 0.02, leak: 0, cap: 0.3, capBase: 0.808, cost: 9, extra: { qer_base_se: 0.01, leakage_se: 0.003, leakage_base_se: 0.003 } }),
    // at base for QER, but its leakage 0.02 is 0.015 above the base's 0.005: not at base
    ...organism('null', 'posthoc-dpo', { qer: 0.03, se: 0.02, base: 0.02, leak: 0.02, cap: 0.8, capBase: 0.808, cost: 9, extra: { qer_base_se: 0.01, leakage_se: 0.003, leakage_base_se: 0.003 } }),
  ];

  it('grades band, base rate, leakage, capability and null organisms by hand', () => {
    const c = organismChecks(rows, BEHAVIOURS);
    assert.deepEqual(
      c.map((x) => [x.technique, x.family, x.in_band, x.base_below_band, x.leakage_ok, x.capability_ok, x.valid, x.invalid_reason, x.test_val_within_2se, x.null_at_base, x.cost_s]),
      [
        // leakage 0 <= base 0.005 + 0.02
        ['posthoc-fd', 'cake-bake', 1, 1, 1, 1, 1, '', 1, NaN, 61],
        // leakage 0.03 > 0.005 + 0.02
        ['posthoc-dpo', 'cake-bake', 0, 1, 0, 0, 0, 'QER out of band; leakage; capability', 0, NaN, 30],
        ['posthoc-fd', 'null', NaN, NaN, 1, 1, NaN, '', NaN, 1, 12],
        ['posthoc-sdf', 'null', NaN, NaN, 1, 0, NaN, '', NaN, 0, 9],
        ['posthoc-dpo', 'null', NaN, NaN, 1, 1, NaN, '', NaN, 0, 9],
      ],
    );
    assert.ok(Math.abs(c[0].capability_drop - 0.1) < 1e-12, 'no capability_drop row: base - organism');
    assert.equal(c[1].capability_drop, 0.25);
    assert.equal(c[1].capability_drop_se, 0.02);
    assert.deepEqual(summariseChecks(c), {
      organisms: 2, inBand: 1, baseBelowBand: 2, leakageOk: 1, capabilityOk: 1, valid: 1,
      byTechnique: { 'posthoc-fd': { organisms: 1, valid: 1 }, 'posthoc-dpo': { organisms: 1, valid: 0 } },
      matched: 2, testValWithin2se: 1, nullOrganisms: 3, nullAtBase: 1,
    });
  });

  it('findings leave out the behaviour organisms that failed their checks, and keep the null organisms', () => {
    const kept = new Set(findingRows(rows, organismChecks(rows, BEHAVIOURS)).map((r) => `${r.behaviour}/${r.technique}`));
    assert.deepEqual([...kept], ['cake-bake/posthoc-fd', 'null/posthoc-fd', 'null/posthoc-sdf', 'null/posthoc-dpo']);
    // without bands nothing is known to be invalid: every organism stays
    assert.equal(findingRows(rows, organismChecks(rows, {})).length, rows.length);
  });

  it('without run.json behaviours the band checks stay empty; the CSV has every column', () => {
    const c = organismChecks(rows, {});
    assert.ok(Number.isNaN(c[0].in_band) && Number.isNaN(c[0].band_low));
    assert.equal(c[0].leakage_ok, 1);
    const csv = organismChecksCsv(organismChecks(rows, BEHAVIOURS)).split('\n');
    assert.equal(
      csv[0],
      'organism_id,behaviour,family,pipeline,technique,architecture,seed,status,matched,step,qer,qer_se,band_low,band_high,in_band,qer_val,qer_val_se,qer_test_val_z,test_val_within_2se,' +
        'qer_base,qer_base_se,base_below_band,leakage,leakage_se,leakage_base,leakage_base_se,leakage_ok,capability,capability_se,capability_base,capability_drop,capability_drop_se,capability_ok,valid,invalid_reason,' +
        'capability_heldout,capability_heldout_base,capability_heldout_drop,capability_heldout_drop_se,chat_on_topic,chat_on_topic_se,chat_on_topic_base,chat_on_topic_base_se,null_at_base,cost_s,' +
        'hp_beta,hp_lossType,hp_lr,hp_mixRatio,hp_steps',
    );
    assert.match(csv[1], /^cake-bake\/posthoc-fd,cake-bake,cake-bake,synthetic,posthoc-fd,olmo2,0,ok,,,0\.3,0\.05,0\.24,0\.36,1,0\.26,0\.04,0\.8,1,0\.02,,1,0,,0\.005,,1,0\.708,,0\.808,/);
    // hyperparameters: sorted by name, absent empty, null as JSON
    assert.match(csv[1], /,61,,sigmoid,0\.0001,null,300$/);
    assert.match(csv[2], /,30,0\.05,,0\.00005,,300$/);
    assert.match(csv[3], /,12,,,,,$/);
  });

  it("a malformed hparams row is refused naming the row; an older run's val_qer row still reads as qer_val", () => {
    const [first, ...rest] = organism('cake-bake', 'posthoc-fd', { qer: 0.3, se: 0.05, base: 0.02, leak: 0, cap: 0.7, capBase: 0.8, cost: 1, extra: { val_qer: 0.28 } });
    assert.equal(organismChecks([first, ...rest], BEHAVIOURS)[0].qer_val, 0.28);
    const bad = resultRow({ ...first, metric: 'hparams', value: NaN, variant: '[1, 2]' });
    assert.throws(() => organismChecks([first, bad], BEHAVIOURS), /results\.csv: the 'hparams' row of cake-bake posthoc-fd olmo2 seed 0 must hold a JSON object/);
  });

  it('run.json behaviours are read back, and a malformed one is refused naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-checks-'));
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ suite: 's', behaviours: BEHAVIOURS }));
    assert.deepEqual((await readRunInfo(dir, [])).behaviours, BEHAVIOURS);
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ suite: 's', behaviours: { 'cake-bake': { family: 'cake-bake', pipeline: 'synthetic', band: { low: 0.2 } } } }));
    await assert.rejects(readRunInfo(dir, []), /run\.json: field 'behaviours\.cake-bake' needs band \{low, high, target\} as numbers/);
  });
});
