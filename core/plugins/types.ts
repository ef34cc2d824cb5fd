// The four plugin kinds. Architecture is complete here; BehaviourDataset,
// Trainer and Probe reach their full shape with the organisms and probes
// work, but register through the same mechanism now.
import type { tf } from '../engine/tf';
import type { Rng } from '../engine/rng';
import type { CausalLM, HfConfig } from '../model/types';

export type PluginKind = 'architecture' | 'behaviour' | 'trainer' | 'probe';
export const PLUGIN_KINDS: readonly PluginKind[] = ['architecture', 'behaviour', 'trainer', 'probe'];

export interface PluginInfo {
  id: string;
  description: string;
}

/** Options a caller may override on a named size. */
export interface SizeOptions {
  vocabSize: number;
  overrides?: Record<string, unknown>;
}

export interface Architecture extends PluginInfo {
  /** Hugging Face model_type written to config.json */
  readonly modelType: string;
  /** named sizes; 'micro' (tests) and 'default' always exist */
  readonly sizes: readonly string[];
  /** a full HF config for a named size and vocabulary */
  config(size: string, opts: SizeOptions): HfConfig;
  /** throws MoltError naming the field when a config is not valid for this architecture */
  validateConfig(config: HfConfig): void;
  /** a freshly initialised model */
  init(config: HfConfig, rng: Rng): CausalLM;
  /** a model from HF-named tensors (takes ownership of them) */
  fromWeights(config: HfConfig, weights: Map<string, tf.Tensor>): CausalLM;
}

/** A behaviour to implant; full shape lands with the organisms issue. */
export interface BehaviourDataset extends PluginInfo {
  readonly family: string;
  readonly pipeline: 'synthetic' | 'natural' | 'control';
}

/** A training technique; full shape lands with the organisms issue. */
export interface Trainer extends PluginInfo {
  /** checkpoint it starts from: the post-trained base or the SFT ancestor */
  readonly startsFrom: 'base' | 'ancestor';
}

/** A white-box probe; full shape lands with the probes issue. */
export type Probe = PluginInfo;

export interface PluginKindMap {
  architecture: Architecture;
  behaviour: BehaviourDataset;
  trainer: Trainer;
  probe: Probe;
}
