// Reading Hugging Face config fields with errors that name the field.
import { MoltError } from '../../core/errors';
import type { HfConfig } from '../../core/model/types';
import { specialIds } from '../../core/tokenizer/word-tokenizer';

/** the attention kinds transformers keys per-layer settings by */
const LAYER_TYPES: readonly string[] = ['full_attention', 'sliding_attention'];

export class ConfigReader {
  constructor(
    private readonly arch: string,
    private readonly config: HfConfig,
  ) {}

  private fail(field: string, why: string): never {
    throw new MoltError(`${this.arch} config: field '${field}' ${why}`, field);
  }

  has(field: string): boolean {
    return this.config[field] !== undefined && this.config[field] !== null;
  }

  positiveInt(field: string, fallback?: number): number {
    const v = this.has(field) ? this.config[field] : fallback;
    if (v === undefined) this.fail(field, 'is required');
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) this.fail(field, `must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  }

  positiveNumber(field: string, fallback?: number): number {
    const v = this.has(field) ? this.config[field] : fallback;
    if (v === undefined) this.fail(field, 'is required');
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) this.fail(field, `must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback?: T): T {
    const v = this.has(field) ? this.config[field] : fallback;
    if (typeof v !== 'string' || !allowed.includes(v as T)) {
      this.fail(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  }

  bool(field: string, fallback: boolean): boolean {
    const v = this.has(field) ? this.config[field] : fallback;
    if (typeof v !== 'boolean') this.fail(field, `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A feature molt does not implement must be absent, null or the given neutral value. */
  unsupported(field: string, neutral: unknown = null): void {
    if (!this.has(field) || this.config[field] === neutral) return;
    this.fail(field, `= ${JSON.stringify(this.config[field])} is not supported (expected ${JSON.stringify(neutral)} or absent)`);
  }

  /**
   * Only the default RoPE (no scaling) is implemented. rope_scaling and
   * rope_parameters may hold one RoPE for all layers or, as transformers
   * >= 4.57 writes Gemma3's, one per layer type ({full_attention: {...},
   * sliding_attention: {...}}): every one must be 'default'.
   */
  defaultRope(): void {
    for (const field of ['rope_scaling', 'rope_parameters']) {
      const v = this.config[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'object' || Array.isArray(v)) this.fail(field, `must be an object or null, got ${JSON.stringify(v)}`);
      const byType = Object.entries(v as Record<string, unknown>).filter(([k]) => LAYER_TYPES.includes(k));
      const each = byType.length ? byType.map(([k, p]) => [`${field}.${k}`, p] as const) : [[field, v] as const];
      for (const [name, p] of each) {
        const params = (p ?? {}) as Record<string, unknown>;
        const type = params.rope_type ?? params.type ?? 'default';
        if (type !== 'default') this.fail(name, `rope_type '${String(type)}' is not supported (only 'default')`);
      }
    }
  }

  /** rope_theta, or rope_parameters.rope_theta (transformers v5 spelling). */
  ropeTheta(fallback: number): number {
    const params = this.config.rope_parameters as Record<string, unknown> | null | undefined;
    if (!this.has('rope_theta') && params && typeof params.rope_theta === 'number') return params.rope_theta;
    return this.positiveNumber('rope_theta', fallback);
  }

  /**
   * The RoPE base of one layer type: rope_parameters[layerType].rope_theta
   * where rope_parameters is kept per layer type, else the older field
   * (Gemma3: rope_theta for full attention, rope_local_base_freq for sliding).
   */
  layerRopeTheta(layerType: string, olderField: string, fallback: number): number {
    const params = this.config.rope_parameters as Record<string, unknown> | null | undefined;
    const own = params?.[layerType] as Record<string, unknown> | null | undefined;
    if (own && own.rope_theta !== undefined) {
      const v = own.rope_theta;
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) this.fail(`rope_parameters.${layerType}.rope_theta`, `must be a positive number, got ${JSON.stringify(v)}`);
      return v;
    }
    return olderField === 'rope_theta' ? this.ropeTheta(fallback) : this.positiveNumber(olderField, fallback);
  }

  /** a token id field that may be null */
  tokenId(field: string): number | null {
    const v = this.config[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(field, `must be a token id, got ${JSON.stringify(v)}`);
    return v;
  }

  divisible(field: string, value: number, by: number, byField: string): void {
    if (value % by !== 0) this.fail(field, `(${value}) must be divisible by ${byField} (${by})`);
  }

  even(field: string, value: number): void {
    if (value % 2 !== 0) this.fail(field, `(${value}) must be even for RoPE`);
  }

  modelType(expected: string): void {
    if (this.config.model_type !== expected) this.fail('model_type', `must be '${expected}', got ${JSON.stringify(this.config.model_type)}`);
  }

  raw(field: string): unknown {
    return this.config[field];
  }

  reject(field: string, why: string): never {
    this.fail(field, why);
  }
}

/** Named size lookup with an error naming the size. */
export function pickSize<T>(arch: string, sizes: Record<string, T>, size: string): T {
  const s = sizes[size];
  if (!s) throw new MoltError(`${arch}: unknown size '${size}'; valid: ${Object.keys(sizes).join(', ')}`, size);
  return s;
}

/**
 * The HF config fields both architectures write the same way: molt's special
 * token ids (core/tokenizer/word-tokenizer.ts), float32, no attention bias,
 * dropout or RoPE scaling.
 */
export function commonHfFields(): Record<string, unknown> {
  const ids = specialIds();
  return {
    initializer_range: 0.02,
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: 0.0,
    use_cache: true,
    pad_token_id: ids.pad,
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    torch_dtype: 'float32',
  };
}
