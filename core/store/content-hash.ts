// Names for artifacts, derived from what made them: a canonical JSON of the
// inputs (config, data identity) plus the code version, hashed with sha256.
// Canonical = object keys sorted, undefined members dropped, no white space;
// anything JSON would silently mangle (NaN, Map, class instances, ...) is an
// error instead, because a hash that ignores part of its input names two
// different artifacts the same.
import { createHash } from 'node:crypto';
import { MoltError } from '../errors';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function canon(value: unknown, where: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new MoltError(`contentHash: ${where} is ${value}, which JSON cannot represent`, where);
      return JSON.stringify(value); // -0 becomes 0, as in JSON
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => {
          if (v === undefined) throw new MoltError(`contentHash: ${where}[${i}] is undefined`, `${where}[${i}]`);
          return canon(v, `${where}[${i}]`);
        }).join(',')}]`;
      }
      if (!isPlainObject(value)) {
        throw new MoltError(`contentHash: ${where} is a ${value.constructor?.name ?? 'non-plain object'}; pass plain objects, arrays and primitives`, where);
      }
      const rec = value as Record<string, unknown>;
      const keys = Object.keys(rec).filter((k) => rec[k] !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canon(rec[k], `${where}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new MoltError(`contentHash: ${where} is a ${typeof value}, which has no JSON form`, where);
  }
}

/** Canonical JSON text of a value (sorted keys, undefined members dropped). */
export function canonicalJson(value: unknown): string {
  return canon(value, '$');
}

/**
 * sha256 (hex) naming an artifact: hash of the canonical JSON of
 * {code_version, inputs}. `codeVersion` is the caller's statement of which
 * code produced it (e.g. `molt@0.1.0/pretrain-v2`): bump the per-stage salt
 * when a change makes old artifacts of that stage invalid.
 */
export function contentHash(inputs: unknown, codeVersion: string): string {
  if (typeof codeVersion !== 'string' || codeVersion === '') throw new MoltError('contentHash: codeVersion must be a non-empty string', 'codeVersion');
  // = canonicalJson({code_version, inputs}), built by hand so errors point into inputs ('$.a.b')
  return sha256Hex(`{"code_version":${JSON.stringify(codeVersion)},"inputs":${canonicalJson(inputs)}}`);
}
