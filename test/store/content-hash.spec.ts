import { strict as assert } from 'node:assert';
import { isMoltError } from '../../core/errors';
import { canonicalJson, contentHash } from '../../core/store/content-hash';

describe('contentHash', () => {
  it('canonical JSON sorts keys at every depth and drops undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, 'x', { z: -0, y: 1.5e-7 }], c: undefined }), '{"a":[true,null,"x",{"y":1.5e-7,"z":0}],"b":1}');
    assert.equal(canonicalJson('é"\n'), '"é\\"\\n"');
  });

  it('hashes {code_version, inputs} with sha256 (known answer from sha256sum)', () => {
    const inputs = { lr: 0.001, data: { seed: 7, docs: 1000 }, arch: 'olmo2' };
    // printf '%s' '{"code_version":"molt@0.1.0/pretrain-v1","inputs":{"arch":"olmo2","data":{"docs":1000,"seed":7},"lr":0.001}}' | sha256sum
    assert.equal(contentHash(inputs, 'molt@0.1.0/pretrain-v1'), 'b275c270b3ccd42b88f4053cc0b42518a16221fda00aef86b72d74db26eba1da');
    assert.equal(contentHash({ arch: 'olmo2', data: { docs: 1000, seed: 7 }, lr: 0.001, extra: undefined }, 'molt@0.1.0/pretrain-v1'), contentHash(inputs, 'molt@0.1.0/pretrain-v1'));
    assert.notEqual(contentHash(inputs, 'molt@0.1.0/pretrain-v2'), contentHash(inputs, 'molt@0.1.0/pretrain-v1'));
    assert.notEqual(contentHash({ ...inputs, lr: 0.002 }, 'molt@0.1.0/pretrain-v1'), contentHash(inputs, 'molt@0.1.0/pretrain-v1'));
  });

  it('refuses values JSON would mangle, naming where they are', () => {
    const cases: [unknown, string][] = [
      [{ a: { b: NaN } }, '$.a.b'],
      [{ a: [1, undefined] }, '$.a[1]'],
      [{ m: new Map() }, '$.m'],
      [{ t: new Float32Array(2) }, '$.t'],
      [{ d: new Date(0) }, '$.d'],
      [{ f: () => 1 }, '$.f'],
      [{ n: 1n }, '$.n'],
    ];
    for (const [value, where] of cases) {
      assert.throws(() => contentHash(value, 'v'), (e: unknown) => isMoltError(e) && (e as Error).message.includes(where), where);
    }
    assert.throws(() => contentHash({}, ''), (e: unknown) => isMoltError(e) && (e as Error).message.includes('codeVersion'));
  });
});
